// Records the V8 code caches of the start-up bundles (bin/load.cjs) for the node that runs it:
// `glx init` (a dry run, then the edit) and `glx env` run on a sample project in a temporary
// directory, and every function they compiled goes into
// dist/cache/node-<version>-<platform>-<arch>/.
// scripts/build.mjs runs it once per node binary (its own, and those in GLX_CODE_CACHE_NODES)
// with a clean environment: V8 rejects a cache made under other V8 flags (NODE_OPTIONS).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { load, record } = require('../bin/load.cjs');

const DIST = path.join(__dirname, '..', 'dist');
const HOST = 'https://gitlab.example.com';
const PYPROJECT = `[project]
name = "sample"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
  "requests>=2.31",
  "acme-utils>=1.0",
]

[project.optional-dependencies]
dev = ["pytest>=8"]

[tool.uv]
package = true

[tool.uv.sources]
acme-utils = { index = "gitlab" }

[tool.ruff]
line-length = 100
`;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glx-code-cache-'));
  try {
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
    fs.writeFileSync(
      path.join(dir, 'netrc'),
      'machine gitlab.example.com login __token__ password glpat-samplesample\n',
      {
        mode: 0o600,
      },
    );
    process.chdir(dir);
    process.env.HOME = dir;
    process.env.NETRC = path.join(dir, 'netrc');
    const steps = [
      ['glx-init.cjs', ['init', '--group', '42', '--host', HOST, '--package', 'acme-utils', '--dry-run']],
      ['glx-init.cjs', ['init', '--group', '42', '--host', HOST, '--package', 'acme-utils']],
      ['glx-env.cjs', ['env']],
    ];
    for (const [bundle, argv] of steps) {
      const handled = await load(path.join(DIST, bundle), { record: true }).main(argv);
      if (!handled || (process.exitCode ?? 0) !== 0)
        throw new Error(`glx ${argv.join(' ')} failed (exit ${process.exitCode})`);
    }
    process.stderr.write(`code cache: ${path.relative(path.join(__dirname, '..'), record())}\n`);
  } finally {
    process.chdir(os.tmpdir());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`code cache: ${error.stack}\n`);
  process.exitCode = 1;
});
