// Bundles the CLI (dist/glx.js and its chunks under dist/chunks/), the start-up fast paths of
// `glx env` and `glx init` (dist/glx-env.cjs, dist/glx-init.cjs, with dist/vendor/), the prebuilt --version/--help text (dist/help.json),
// the licences of what is bundled (dist/THIRD-PARTY-NOTICES), the V8 code caches of the fast
// paths (dist/cache/, for this node and each one in GLX_CODE_CACHE_NODES, colon-separated), and
// the GitLab stand-in for the demo and e2e tests (.build/, not shipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  minifySyntax: true,
};
// Bundled CommonJS dependencies (commander) call require(); give the ESM bundle one.
const banner = {
  js: "import { createRequire as __glxCreateRequire } from 'node:module'; const require = __glxCreateRequire(import.meta.url);",
};

const LAZY_FOR_ENV = ['yaml', 'toml-eslint-parser'];
// The commands with a CommonJS start-up bundle of their own, src/main-<name>.ts → dist/glx-<name>.cjs.
const FAST_PATHS = ['env', 'init'];

/**
 * Resolves the named packages to their dist/vendor/<name>.cjs, required on first use: an object
 * whose every export is a getter that loads the file, so that a static import of, say,
 * toml-eslint-parser costs nothing until a parse (an init that edits nothing never makes one).
 */
function vendored(names) {
  const filter = new RegExp(`^(${names.join('|')})$`);
  return {
    name: 'vendored',
    setup: (b) => {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'vendored' }));
      b.onResolve({ filter: /^\.\/vendor\//, namespace: 'vendored' }, (args) => ({ path: args.path, external: true }));
      b.onLoad({ filter: /.*/, namespace: 'vendored' }, async (args) => {
        const names = Object.keys(await import(args.path));
        const file = JSON.stringify(`./vendor/${args.path}.cjs`);
        const getters = names.map(
          (key) => `  get ${JSON.stringify(key)}() { return load()[${JSON.stringify(key)}]; },`,
        );
        return {
          contents: `let loaded;\nconst load = () => (loaded ??= require(${file}));\nmodule.exports = {\n${getters.join('\n')}\n};\n`,
          loader: 'js',
        };
      });
    },
  };
}

/**
 * The GitLab API (zod, undici) behind a dynamic import that a fast path never reaches: init's
 * fast path takes only a numeric registry id, which needs no lookup (resolve/registry.ts), and
 * hands every other target to the full CLI. Reaching it anyway fails loudly instead of bundling it.
 */
const UNREACHABLE_FROM_FAST_PATHS = /\/gitlab\/api\.js$/;
function unreachable(filter) {
  return {
    name: 'unreachable',
    setup: (b) => {
      b.onResolve({ filter }, (args) =>
        args.kind === 'dynamic-import' ? { path: args.path, namespace: 'unreachable' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'unreachable' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`internal error: ${args.path} is not in this fast-path bundle`)});`,
        loader: 'js',
      }));
    },
  };
}

/**
 * `import path from 'node:path'` in a CommonJS bundle: esbuild's interop (__toESM) copies every
 * property of the module, for each importing file, at start-up. A module that only re-exports
 * require()'s answer as its default gives the same object without the copies.
 */
function defaultImports(names) {
  const filter = new RegExp(`^(${names.join('|')})$`);
  return {
    name: 'default-imports',
    setup: (b) => {
      b.onResolve({ filter }, (args) =>
        args.namespace === 'default-import' ? undefined : { path: args.path, namespace: 'default-import' },
      );
      b.onLoad({ filter: /.*/, namespace: 'default-import' }, (args) => ({
        contents: `export default require(${JSON.stringify(args.path)});\n`,
        loader: 'js',
      }));
    },
  };
}

rmSync('dist', { recursive: true, force: true });
const results = await Promise.all([
  // Split: dist/glx.js holds the entry only, and every import() is a chunk of its own, so that a
  // command loads what it uses (and `--version` nearly nothing).
  build({
    ...common,
    banner,
    entryPoints: { glx: 'src/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
  }),
  // yaml is only reached through a lazy import() (glab's config, the last token source), and
  // toml-eslint-parser only to put a line number on a pyproject.toml error: each is a CommonJS
  // file of its own (dist/vendor/) that env requires when it needs it, so that it costs nothing
  // otherwise. CommonJS: Node starts a CommonJS entry ~8 ms faster than an ES module one.
  ...FAST_PATHS.map((name) =>
    build({
      ...common,
      format: 'cjs',
      entryPoints: [`src/main-${name}.ts`],
      outfile: `dist/glx-${name}.cjs`,
      metafile: true,
      plugins: [vendored(LAZY_FOR_ENV), unreachable(UNREACHABLE_FROM_FAST_PATHS), defaultImports(['node:path'])],
    }),
  ),
  ...LAZY_FOR_ENV.map((name) =>
    build({ ...common, format: 'cjs', entryPoints: [name], outfile: `dist/vendor/${name}.cjs`, metafile: true }),
  ),
  build({ ...common, banner, entryPoints: ['src/cli/help-texts.ts'], outfile: '.build/help-texts.mjs' }),
  existsSync('test/support/fake-gitlab/standalone.ts')
    ? build({ ...common, entryPoints: ['test/support/fake-gitlab/standalone.ts'], outfile: '.build/fake-gitlab.mjs' })
    : undefined,
]);

// The package ships no dependencies: everything is bundled, so the licences of what is bundled
// go with it (dist/THIRD-PARTY-NOTICES), each package's own licence text in full.
const shipped = results.slice(0, 1 + FAST_PATHS.length + LAZY_FOR_ENV.length);
writeFileSync('dist/THIRD-PARTY-NOTICES', notices(shipped.flatMap((result) => Object.keys(result.metafile.inputs))));

function notices(inputs) {
  const LICENCE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;
  const licenceIn = (dir) => readdirSync(dir).find((name) => LICENCE.test(name));
  // Package directory → the directories inside it that bundled files come from.
  const packages = new Map();
  for (const input of inputs) {
    const dir = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (dir) packages.set(dir, (packages.get(dir) ?? new Set()).add(path.dirname(input)));
  }
  const entries = [...packages].map(([dir, used]) => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const file = licenceIn(dir);
    if (!pkg.license || !file) throw new Error(`${dir}: a bundled package needs a license field and a licence file`);
    // Code a package took from elsewhere keeps its own licence beside it (undici's fetch).
    const nested = new Set();
    for (let sub of used) {
      for (; sub.length > dir.length; sub = path.dirname(sub)) {
        const own = licenceIn(sub);
        if (own) nested.add(path.join(sub, own));
      }
    }
    const texts = [path.join(dir, file), ...[...nested].sort()].map(
      (licence) => `${path.relative(dir, licence)}:\n\n${readFileSync(licence, 'utf8').trim()}\n`,
    );
    return {
      id: `${pkg.name}@${pkg.version}`,
      text: `${pkg.name} ${pkg.version} (${pkg.license})\n${pkg.homepage ?? ''}\n\n${texts.join('\n')}`,
    };
  });
  const unique = [...new Map(entries.map((entry) => [entry.id, entry])).values()].sort((a, b) =>
    a.id.localeCompare(b.id),
  );
  const rule = `\n${'-'.repeat(78)}\n\n`;
  return `glx bundles the following packages. Their licences follow.\n\n${unique.map((e) => `- ${e.id}`).join('\n')}\n${rule}${unique.map((e) => e.text).join(rule)}`;
}

// The fast paths must stay lean: fail the build if a heavy dependency slips into one.
for (const [i, name] of FAST_PATHS.entries()) {
  const inputs = Object.keys(results[1 + i].metafile.inputs);
  const heavy = inputs.filter((input) => /node_modules\/(undici|zod|yaml|commander|toml-eslint-parser)\//.test(input));
  if (heavy.length > 0) {
    console.error(`dist/glx-${name}.cjs must not bundle heavy dependencies, found:\n  ${heavy.join('\n  ')}`);
    process.exit(1);
  }
}

// `--version` and every `--help`, printed by the CLI itself, for bin/glx.js to print without it.
const { helpTexts } = await import(pathToFileURL(path.resolve('.build/help-texts.mjs')).href);
writeFileSync('dist/help.json', `${JSON.stringify(await helpTexts(), null, 1)}\n`);

// The fast paths' V8 code caches (bin/load.cjs), one set per Node release: recorded by running the
// commands, so each node records its own. A clean environment: NODE_OPTIONS could carry V8 flags,
// and V8 rejects a cache made under other flags than the user's.
for (const node of new Set([
  process.execPath,
  ...(process.env.GLX_CODE_CACHE_NODES ?? '').split(':').filter(Boolean),
])) {
  const made = spawnSync(node, ['scripts/code-cache.cjs'], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (made.status !== 0) {
    console.error(`${node} scripts/code-cache.cjs failed:\n${made.stderr ?? made.error}`);
    process.exit(1);
  }
}
