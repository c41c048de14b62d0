// `glx env` against the `node -e 0` floor: median of paired runs (issue: auth and env).
// Target: at most 1.5x the floor. Run by hand with `npm run bench env`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fmt, pairedMedians } from './lib.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-env-'));
writeFileSync(
  path.join(dir, 'pyproject.toml'),
  [
    '[project]',
    'name = "demo"',
    'version = "0.1.0"',
    '',
    '[[tool.uv.index]]',
    'name = "gitlab"',
    'url = "https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"',
    'authenticate = "always"',
    '',
    '[[tool.uv.index]]',
    'name = "tools"',
    'url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple"',
    'publish-url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi"',
    'authenticate = "always"',
    '',
  ].join('\n'),
);
// A token from the netrc, the common laptop set-up: the path reads and parses both files.
writeFileSync(
  path.join(dir, '.netrc'),
  'machine gitlab.example.com login __token__ password glpat-benchbenchbenchbench\n',
  { mode: 0o600 },
);
const env = { PATH: process.env.PATH, HOME: dir, NETRC: path.join(dir, '.netrc'), SHELL: '/bin/bash' };
const bin = path.resolve('bin/glx.js');
const runs = Number(process.env.RUNS ?? 40);

const result = pairedMedians(
  {
    'node -e 0': { cmd: process.execPath, args: ['-e', '0'], options: { env, cwd: dir } },
    'glx env': { cmd: process.execPath, args: [bin, 'env'], options: { env, cwd: dir } },
    'glx env --publish': { cmd: process.execPath, args: [bin, 'env', '--publish'], options: { env, cwd: dir } },
  },
  { runs },
);
const floor = result['node -e 0'];
for (const [name, ms] of Object.entries(result))
  console.log(`${name.padEnd(22)} ${fmt(ms).padStart(10)}  ${(ms / floor).toFixed(2)}x`);
rmSync(dir, { recursive: true, force: true });
