/**
 * `glx init` through the start-up fast path (dist/glx-init.cjs) against the full CLI
 * (dist/glx.js): for every case the two print the same bytes on stdout and stderr, exit with the
 * same code and leave the same files. The cases marked fast must not need the full CLI at all
 * (they run from a copy of the package without it); the others must be handed to it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/test-deps.js';

const BIN = path.resolve('bin/glx.js');
const FULL = path.resolve('dist/glx.js');
const { dir, cleanup } = tempDir();
afterAll(cleanup);

// The same package without the full CLI: a command that reaches for it fails.
const lean = path.join(dir, 'lean');
mkdirSync(path.join(lean, 'dist'), { recursive: true });
cpSync('bin', path.join(lean, 'bin'), { recursive: true });
for (const name of readdirSync('dist'))
  if (name !== 'glx.js' && name !== 'chunks')
    cpSync(path.join('dist', name), path.join(lean, 'dist', name), { recursive: true });
const LEAN_BIN = path.join(lean, 'bin', 'glx.js');

const HOST = 'https://gitlab.example.com';
const SMALL = '[project]\nname = "demo"\nversion = "0.1.0"\n\n# uv settings\n[tool.uv]\npackage = true\n';
const HAS_INDEX = `[project]\nname = "demo"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${HOST}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n`;
const OTHER_INDEX = `[project]\nname = "demo"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${HOST}/api/v4/groups/7/-/packages/pypi/simple"\n\n[[tool.uv.index]]\nname = "main"\nurl = "https://pypi.example.com/simple"\ndefault = true\n`;
const LEGACY = `[project]\nname = "demo"\n\n[tool.uv]\nindex-url = "${HOST}/api/v4/groups/42/-/packages/pypi/simple"\n`;
const CRLF_BOM = `\uFEFF${SMALL.replaceAll('\n', '\r\n')}`;
const INVALID = '[project]\nname = "demo"\nversion = 0.1.0\n';
const TOML11 = '[project]\nname = "demo"\nauthors = [{ name = "a",\n  email = "a@example.com", }]\n';

interface Case {
  name: string;
  args: string[];
  /** Files to write, relative to the case directory; pyproject.toml = SMALL unless given. */
  files?: Record<string, string>;
  env?: Record<string, string>;
  /** The directory to run in, relative to the case directory. */
  cwd?: string;
  fast: boolean;
}

const CASES: Case[] = [
  { name: 'dry run', args: ['init', '--group', '42', '--host', HOST, '--dry-run'], fast: true },
  { name: 'write', args: ['init', '--group', '42', '--host', HOST], fast: true },
  { name: 'json', args: ['init', '--group', '42', '--host', HOST, '--json'], fast: true },
  {
    name: 'every option',
    args: [
      'init',
      '--project=7',
      '--host',
      HOST,
      '--name',
      'tools',
      '--package',
      'acme-utils',
      '--package',
      'acme_cli',
      '--publish',
      '--ignore-error-codes',
      '401,403',
      '-v',
      '--no-color',
    ],
    fast: true,
  },
  {
    name: 'nothing to change',
    args: ['init', '--group', '42', '--host', HOST, '--dry-run'],
    files: { 'pyproject.toml': HAS_INDEX },
    fast: true,
  },
  {
    name: 'host from GITLAB_HOST, default and explicit',
    args: ['init', '--group', '42', '--default', '--explicit', '--name', 'corp'],
    env: { GITLAB_HOST: HOST },
    fast: true,
  },
  { name: 'host by default', args: ['init', '--group', '42', '--dry-run'], fast: true },
  {
    name: 'host from the index urls',
    args: ['init', '--project', '7', '--name', 'tools'],
    files: { 'pyproject.toml': OTHER_INDEX },
    fast: true,
  },
  {
    name: 'name points elsewhere',
    args: ['init', '--group', '42', '--host', HOST],
    files: { 'pyproject.toml': OTHER_INDEX },
    fast: true,
  },
  {
    name: '--replace',
    args: ['init', '--group', '42', '--host', HOST, '--replace', '--package', 'acme'],
    files: { 'pyproject.toml': OTHER_INDEX },
    fast: true,
  },
  {
    name: 'a second default',
    args: ['init', '--group', '42', '--host', HOST, '--name', 'x', '--default', '--json'],
    files: { 'pyproject.toml': OTHER_INDEX },
    fast: true,
  },
  {
    name: 'legacy index-url refused',
    args: ['init', '--group', '42', '--host', HOST],
    files: { 'pyproject.toml': LEGACY },
    fast: true,
  },
  {
    name: '--migrate',
    args: ['init', '--group', '42', '--host', HOST, '--migrate'],
    files: { 'pyproject.toml': LEGACY },
    fast: true,
  },
  {
    name: 'CRLF and BOM',
    args: ['init', '--group', '42', '--host', HOST, '--package', 'a.b'],
    files: { 'pyproject.toml': CRLF_BOM },
    fast: true,
  },
  {
    name: 'TOML 1.1 note',
    args: ['init', '--group', '42', '--host', HOST],
    files: { 'pyproject.toml': TOML11 },
    fast: true,
  },
  {
    name: 'invalid TOML',
    args: ['init', '--group', '42', '--host', HOST],
    files: { 'pyproject.toml': INVALID },
    fast: true,
  },
  {
    name: 'invalid TOML, json',
    args: ['init', '--group', '42', '--host', HOST, '--json'],
    files: { 'pyproject.toml': INVALID },
    fast: true,
  },
  { name: 'no pyproject.toml', args: ['init', '--group', '42', '--host', HOST], files: {}, fast: true },
  {
    name: '--file',
    args: ['init', '--group', '42', '--host', HOST, '--file', 'sub/other.toml'],
    files: { 'sub/other.toml': SMALL },
    fast: true,
  },
  {
    name: 'workspace member',
    args: ['init', '--group', '42', '--host', HOST, '--package', 'acme', '--package', 'shared'],
    files: {
      'pyproject.toml': '[project]\nname = "root"\n\n[tool.uv.workspace]\nmembers = ["pkgs/*"]\n',
      'pkgs/a/pyproject.toml': '[project]\nname = "a"\n\n[tool.uv.sources]\nshared = { workspace = true }\n',
    },
    cwd: 'pkgs/a',
    fast: true,
  },
  { name: 'empty --host', args: ['init', '--group', '42', '--host', ''], fast: true },
  { name: '--publish on a group', args: ['init', '--group', '42', '--host', HOST, '--publish'], fast: true },
  { name: 'bad package', args: ['init', '--group', '42', '--host', HOST, '--package', 'no good'], fast: true },
  { name: 'bad status', args: ['init', '--group', '42', '--host', HOST, '--ignore-error-codes', '401,99'], fast: true },
  { name: 'bad name', args: ['init', '--group', '42', '--host', HOST, '--name', 'a b', '--json'], fast: true },
  {
    name: 'short flags, a value after =, a repeated flag',
    args: ['init', '-C', 'sub', '--group=42', '--host', HOST, '-v', '--name=a', '--name', 'corp', '--dry-run'],
    files: { 'sub/pyproject.toml': SMALL },
    fast: true,
  },
  // Handed to the full CLI.
  { name: 'grouped short flags', args: ['init', '-vC', 'sub', '--group', '42', '--host', HOST], fast: false },
  { name: 'a value that starts with -', args: ['init', '--group', '42', '--host', HOST, '--name', '-x'], fast: false },
  { name: 'a value on a switch', args: ['init', '--group', '42', '--host', HOST, '--dry-run=yes'], fast: false },
  { name: 'end of flags', args: ['init', '--group', '42', '--host', HOST, '--'], fast: false },
  { name: 'group and project', args: ['init', '--group', '42', '--project', '7', '--host', HOST], fast: false },
  { name: 'unknown flag', args: ['init', '--group', '42', '--bogus'], fast: false },
  { name: 'missing value', args: ['init', '--group'], fast: false },
  { name: 'positional', args: ['init', '--group', '42', 'extra'], fast: false },
  {
    name: 'a path to look up',
    args: ['init', '--group', 'acme/platform', '--host', 'http://127.0.0.1:9'],
    fast: false,
  },
  { name: 'target from git', args: ['init', '--host', HOST], fast: false },
  { name: 'help in the middle', args: ['init', '-h', '--group', '42'], fast: false },
  { name: 'the alias', args: ['init-index', '--group', '42', '--host', HOST, '--dry-run'], fast: false },
  { name: 'globals first', args: ['--no-color', 'init', '--group', '42', '--host', HOST, '--dry-run'], fast: false },
];

/** Every file under `root` (the lean package copy aside) with its bytes. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      if (statSync(file).isDirectory()) walk(file);
      else out[path.relative(root, file)] = readFileSync(file, 'latin1');
    }
  };
  walk(root);
  return out;
}

/** Runs `node <entry...> <args>` in a fresh copy of the case's files; the same directory each time. */
function run(entry: string[], c: Case) {
  const root = path.join(dir, 'case');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root);
  for (const [name, text] of Object.entries(c.files ?? { 'pyproject.toml': SMALL })) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  const home = path.join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const result = spawnSync(process.execPath, [...entry, ...c.args], {
    cwd: path.join(root, c.cwd ?? ''),
    env: { PATH: process.env.PATH ?? '', HOME: home, ...c.env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, files: snapshot(root) };
}

const FULL_ENTRY = ['-e', 'import(process.argv[1]).then((cli) => cli.main(process.argv.slice(2)))', FULL];

describe('glx init through the start-up fast path', () => {
  it.each(CASES)('$name: the same output, exit code and files as the full CLI', (c) => {
    const full = run(FULL_ENTRY, c);
    const fast = run([BIN], c);
    const lone = run([LEAN_BIN], c);

    expect(fast).toEqual(full);
    if (c.fast) expect(lone).toEqual(full);
    else expect(lone.stderr).toContain(path.join(lean, 'dist', 'glx.js'));
  });

  it('loads toml-eslint-parser only to edit: a run that changes nothing works without it', () => {
    rmSync(path.join(lean, 'dist', 'vendor', 'toml-eslint-parser.cjs'));
    try {
      const same = {
        name: 'unchanged',
        args: ['init', '--group', '42', '--host', HOST],
        files: { 'pyproject.toml': HAS_INDEX },
        fast: true,
      };
      const edit = { ...same, files: { 'pyproject.toml': SMALL } };

      expect(run([LEAN_BIN], same)).toEqual(run([BIN], same));
      expect(run([LEAN_BIN], edit).stderr).toContain('toml-eslint-parser.cjs');
    } finally {
      cpSync(
        path.join('dist', 'vendor', 'toml-eslint-parser.cjs'),
        path.join(lean, 'dist', 'vendor', 'toml-eslint-parser.cjs'),
      );
    }
  });
});
