// Start-up of every command shape against the `node -e 0` floor: median of paired runs in a
// clean environment (only PATH and HOME: NODE_OPTIONS or NODE_EXTRA_CA_CERTS would slow every
// run, glx's and the floor's alike, and hide the ratio). Goals: `--version` and
// `--help` at most 1.5x the floor, `init --dry-run` on a ~4,800-line pyproject.toml at most 2x,
// `glx env` at most 1.3x. Run by hand: `npm run bench startup`; GLX_BIN points at another build,
// GLX_BIN_BASE at a build to compare with in the same runs (e.g. main's, built elsewhere).
// CPU time is reported beside wall time: on a busy machine it is the steadier of the two.
// `glx env` and `glx init` load with the V8 code cache the build recorded for this node
// (bin/load.cjs); GLX_NO_CODE_CACHE=1 measures them compiling from source instead.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bigPyproject, fmt, pairedRuns } from './lib.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-startup-'));
const big = path.join(dir, 'big');
const small = path.join(dir, 'small');
for (const d of [big, small]) mkdirSync(d);
const lines = bigPyproject();
writeFileSync(path.join(big, 'pyproject.toml'), lines.join('\n'));
writeFileSync(
  path.join(small, 'pyproject.toml'),
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
  ].join('\n'),
);
writeFileSync(
  path.join(dir, '.netrc'),
  'machine gitlab.example.com login __token__ password glpat-benchbenchbenchbench\n',
  { mode: 0o600 },
);

const env = {
  PATH: process.env.PATH,
  HOME: dir,
  NETRC: path.join(dir, '.netrc'),
  SHELL: '/bin/bash',
  ...(process.env.GLX_NO_CODE_CACHE ? { GLX_NO_CODE_CACHE: process.env.GLX_NO_CODE_CACHE } : {}),
};
const bin = path.resolve(process.env.GLX_BIN ?? 'bin/glx.js');
const node = process.execPath;
const run = (args, cwd = dir) => ({ cmd: node, args, options: { env, cwd } });

const shapes = {
  'glx --version': [[bin, '--version']],
  'glx --help': [[bin, '--help']],
  'glx init --help': [[bin, 'init', '--help']],
  'glx init --group 42 --dry-run (9 lines)': [
    [bin, 'init', '--group', '42', '--host', 'https://gitlab.example.com', '--dry-run'],
    small,
  ],
  [`glx init --group 42 --dry-run (${lines.length} lines)`]: [
    [bin, 'init', '--group', '42', '--host', 'https://gitlab.example.com', '--dry-run'],
    big,
  ],
  'glx env': [[bin, 'env'], small],
};
// GLX_BIN_BASE: another build (e.g. main's) measured in the same paired runs, as `base: …`.
const base = process.env.GLX_BIN_BASE ? path.resolve(process.env.GLX_BIN_BASE) : undefined;
const commands = { 'node -e 0': run(['-e', '0']) };
for (const [name, [args, cwd]] of Object.entries(shapes)) {
  commands[name] = run(args, cwd);
  if (base) commands[`base: ${name}`] = run([base, ...args.slice(1)], cwd);
}
const result = pairedRuns(commands, { runs: Number(process.env.RUNS ?? 30), cpu: true });
const floor = result['node -e 0'];
console.log(
  `node ${process.version}, ${bin}${base ? ` (base: ${base})` : ''}; median of paired runs: wall time, and CPU time (user + system)`,
);
for (const [name, { wall, cpu }] of Object.entries(result)) {
  console.log(
    `${name.padEnd(52)} ${fmt(wall).padStart(10)}  ${(wall / floor.wall).toFixed(2)}x   cpu ${fmt(cpu).padStart(10)}  ${(cpu / floor.cpu).toFixed(2)}x`,
  );
}
rmSync(dir, { recursive: true, force: true });
