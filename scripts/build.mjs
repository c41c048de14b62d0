// Bundles the CLI (dist/glx.js and its chunks under dist/chunks/), the `glx env` start-up fast path into another
// (dist/glx-env.cjs), and the GitLab stand-in for the demo and e2e tests (.build/, not shipped).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning', legalComments: 'none', minifySyntax: true };
// Bundled CommonJS dependencies (commander) call require(); give the ESM bundle one.
const banner = { js: "import { createRequire as __glxCreateRequire } from 'node:module'; const require = __glxCreateRequire(import.meta.url);" };

rmSync('dist', { recursive: true, force: true });
const results = await Promise.all([
  // Split: dist/glx.js holds the entry only, and every import() is a chunk of its own, so that a
  // command loads what it uses (and `--version` nearly nothing).
  build({ ...common, banner, entryPoints: { glx: 'src/main.ts' }, outdir: 'dist', splitting: true, chunkNames: 'chunks/[name]-[hash]', metafile: true }),
  // yaml is only reached through a lazy import() (glab's config, the last token source): leave it
  // to node_modules so that it costs nothing unless it is used.
  // CommonJS: Node starts a CommonJS entry ~8 ms faster than an ES module one.
  // toml-eslint-parser likewise: env loads it only to put a line number on a pyproject.toml error.
  build({ ...common, format: 'cjs', entryPoints: ['src/main-env.ts'], outfile: 'dist/glx-env.cjs', metafile: true, external: ['yaml', 'toml-eslint-parser'] }),
  build({ ...common, banner, entryPoints: ['src/cli/help-texts.ts'], outfile: '.build/help-texts.mjs' }),
  existsSync('test/support/fake-gitlab/standalone.ts') ? build({ ...common, entryPoints: ['test/support/fake-gitlab/standalone.ts'], outfile: '.build/fake-gitlab.mjs' }) : undefined,
]);

// The fast path must stay lean: fail the build if a heavy dependency slips into it.
const envInputs = Object.keys(results[1].metafile.inputs);
const heavy = envInputs.filter((input) => /node_modules\/(undici|zod|yaml|commander|chalk|toml-eslint-parser)\//.test(input));
if (heavy.length > 0) {
  console.error(`dist/glx-env.cjs must not bundle heavy dependencies, found:\n  ${heavy.join('\n  ')}`);
  process.exit(1);
}

// `--version` and every `--help`, printed by the CLI itself, for bin/glx.js to print without it.
const { helpTexts } = await import(pathToFileURL(path.resolve('.build/help-texts.mjs')).href);
writeFileSync('dist/help.json', `${JSON.stringify(await helpTexts(), null, 1)}\n`);
