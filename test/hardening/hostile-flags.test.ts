/**
 * Hostile flag values: hosts, index names, registry ids, paths and tokens that are
 * malformed, huge, or built to inject (a second netrc line, terminal escapes). Each is refused
 * with exit 2 (usage) or 4 (credentials), one clean error line that echoes nothing raw, and no
 * file touched. Tokens go through the built bin's real stdin, as a user pipes them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glx, tempDir } from '../support/test-deps.js';
import { cleanError, listTree, runBin } from './helpers.js';

const PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n';
const NETRC = 'machine other.example.com login bob password s3cret\n';
const TOKEN = 'glpat-flagsFLAGSflags0000';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('glx-flags-'));
});

afterAll(() => cleanup());

function reset(): void {
  writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
  writeFileSync(path.join(dir, 'netrc'), NETRC, { mode: 0o600 });
}

function files(): string {
  return `${readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')}\0${readFileSync(path.join(dir, 'netrc'), 'utf8')}\0${listTree(dir).join(',')}`;
}

/** Nothing that could steer a terminal: no C0 (but line breaks) or C1 control characters. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const LONG = 'a'.repeat(100_000);

const USAGE_CASES: Array<{ name: string; args: string[] }> = [
  { name: 'a host with a space', args: ['auth', '--netrc', '--no-verify', '--host', 'https://a b'] },
  { name: 'a javascript: host', args: ['auth', '--netrc', '--no-verify', '--host', 'javascript:alert(1)'] },
  { name: 'a file: host', args: ['auth', '--netrc', '--no-verify', '--host', 'file:///etc/passwd'] },
  { name: 'an empty host', args: ['auth', '--netrc', '--no-verify', '--host', ''] },
  { name: 'a host 100,000 characters long', args: ['auth', '--netrc', '--no-verify', '--host', `https://${LONG}.com`] },
  {
    name: 'a host label over 63 characters',
    args: ['auth', '--netrc', '--no-verify', '--host', `https://${'a'.repeat(64)}.example.com`],
  },
  {
    name: 'a host with a second netrc line in it',
    args: [
      'auth',
      '--netrc',
      '--no-verify',
      '--host',
      'https://gitlab.example.com\nmachine evil.example.com login x password y',
    ],
  },
  {
    name: 'a host with an encoded line break',
    args: ['auth', '--netrc', '--no-verify', '--host', 'https://gitlab.example.com%0Amachine'],
  },
  {
    name: 'a host with a port out of range',
    args: ['auth', '--netrc', '--no-verify', '--host', 'https://gitlab.example.com:99999'],
  },
  // An IPv6 literal is no longer hostile: uv matches `machine [::1]` (test/uv/ipv6.test.ts).
  {
    name: 'an IPv6 host with a zone id',
    args: ['auth', '--netrc', '--no-verify', '--host', 'https://[fe80::1%25eth0]:8443'],
  },
  {
    name: 'an invalid host with credentials in it',
    args: ['auth', '--netrc', '--no-verify', '--host', `https://user:${TOKEN}@bad host`],
  },
  { name: 'an empty index name', args: ['init', '--group', '42', '--name', ''] },
  { name: 'an index name with a space', args: ['init', '--group', '42', '--name', 'a b'] },
  { name: 'an index name with a quote', args: ['init', '--group', '42', '--name', 'x"y'] },
  { name: 'an index name with a line break', args: ['init', '--group', '42', '--name', 'x\n[tool.evil]'] },
  { name: 'an index name with a terminal escape', args: ['init', '--group', '42', '--name', 'x\u001b]0;pwned\u0007'] },
  { name: 'an index name with a C1 control', args: ['init', '--group', '42', '--name', 'x\u009b31mred'] },
  { name: 'an index name with a bidi override', args: ['init', '--group', '42', '--name', 'x\u202egnp'] },
  {
    name: 'an index name 100,000 characters long with one bad one',
    args: ['init', '--group', '42', '--name', `${LONG}!`],
  },
  { name: 'a path-like index name', args: ['init', '--group', '42', '--name', '../../etc/passwd'] },
  { name: 'a group that climbs directories', args: ['init', '--group', '../../etc'] },
  { name: 'a group with a line break', args: ['init', '--group', 'acme\nx'] },
  { name: 'a group with shell syntax', args: ['init', '--group', '42; rm -rf /'] },
  { name: 'a group id of zero', args: ['init', '--group', '0'] },
  { name: 'a group id too large', args: ['init', '--group', '9'.repeat(40)] },
  { name: 'a group given as a URL', args: ['init', '--group', 'https://gitlab.example.com/acme'] },
  { name: 'a project without its namespace', args: ['init', '--project', 'tools'] },
  { name: 'a package name with shell syntax', args: ['init', '--group', '42', '--package', 'x;rm'] },
  { name: 'error codes that are not numbers', args: ['init', '--group', '42', '--ignore-error-codes', '401,abc'] },
  { name: 'a pyproject path that is a directory', args: ['init', '--group', '42', '--file', '/'] },
  { name: 'a pyproject path that does not exist', args: ['init', '--group', '42', '--file', 'nope/pyproject.toml'] },
  { name: 'a working directory that does not exist', args: ['--cwd', '/nonexistent-glx-dir', 'init', '--group', '42'] },
  { name: 'a username with a line break', args: ['auth', '--netrc', '--no-verify', '--username', 'bob\nmachine evil'] },
  { name: 'an unknown shell', args: ['env', '--shell', 'cmd.exe'] },
];

describe('hostile flag values', () => {
  it.each(USAGE_CASES)('refuses $name with exit 2 and one clean line, changing nothing', async ({ args }) => {
    reset();
    const before = files();

    const result = await glx(['--cwd', dir, ...args], {
      env: { GITLAB_HOST: 'https://gitlab.example.com', GITLAB_TOKEN: TOKEN, NETRC: path.join(dir, 'netrc') },
      homeDir: dir,
    });

    expect(result.code, result.stderr).toBe(2);
    const { error } = cleanError(result.stderr);
    // A hostile value is echoed at most in part: the line stays readable.
    expect(error.length).toBeLessThan(1_100);
    expect(result.stderr).not.toMatch(CONTROL);
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
    expect(files()).toBe(before);
  });
});

const TOKEN_CASES: Array<{ name: string; stdin: string; code: number }> = [
  { name: 'a NUL byte', stdin: `${TOKEN}\u0000evil\n`, code: 4 },
  { name: 'a CR in the middle', stdin: `glpat-abc\rdefghijklmnopqrs\n`, code: 4 },
  { name: 'a trailing CR (a CRLF file)', stdin: `${TOKEN}\r\r\n`, code: 4 },
  { name: 'an escape sequence at the start', stdin: `\u001b]0;pwned\u0007${TOKEN}\n`, code: 4 },
  { name: 'an escape sequence in the middle', stdin: `glpat-\u001b[2Jabcdefghijklmnop\n`, code: 4 },
  { name: 'a C1 control', stdin: `glpat-\u009b2Jabcdefghijklmnop\n`, code: 4 },
  {
    name: 'a second line (a second netrc entry)',
    stdin: `${TOKEN}\nmachine evil.example.com login x password y\n`,
    code: 4,
  },
  { name: 'nothing', stdin: '', code: 4 },
  { name: 'only a line break', stdin: '\n', code: 4 },
  { name: 'non-ASCII', stdin: 'glpat-ääääääääääääääääää\n', code: 4 },
];

describe('hostile tokens on --token-stdin (the built bin, real stdin)', () => {
  it.each(TOKEN_CASES)('refuses a token with $name, never echoing it', async ({ stdin, code }) => {
    reset();
    const before = files();

    const result = await runBin(
      ['auth', '--netrc', '--no-verify', '--token-stdin', '--host', 'https://gitlab.example.com'],
      { cwd: dir, env: { HOME: dir, NETRC: path.join(dir, 'netrc') }, input: stdin },
    );

    expect(result.code, result.stderr).toBe(code);
    cleanError(result.stderr);
    expect(result.stderr).not.toMatch(CONTROL);
    const raw = stdin.replace(/\r?\n$/, '');
    // Neither the raw token nor any 8-character piece of it after the public prefix.
    for (let i = 6; raw.length >= 8 && i + 8 <= raw.length; i++)
      expect(`${result.stdout}${result.stderr}`).not.toContain(raw.slice(i, i + 8));
    expect(files()).toBe(before);
  });

  it('refuses GITLAB_TOKEN with a trailing CR instead of sending a broken header', async () => {
    reset();

    const result = await runBin(['auth', '--host', 'http://127.0.0.1:9'], {
      cwd: dir,
      env: { HOME: dir, NETRC: path.join(dir, 'netrc'), GITLAB_TOKEN: `${TOKEN}\r` },
    });

    expect(result.code).toBe(4);
    expect(cleanError(result.stderr).error).toBe(
      'the token from GITLAB_TOKEN contains a control character at position 26',
    );
    expect(result.stderr).not.toContain(TOKEN);
  });

  it('refuses a netrc password with an escape sequence when it is the token for the host', async () => {
    reset();
    writeFileSync(
      path.join(dir, 'netrc'),
      `machine gitlab.example.com login __token__ password glpat-\u001b[2Jabcdefghijk\n`,
      { mode: 0o600 },
    );
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `${PYPROJECT}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n`,
    );

    const result = await runBin(['env'], {
      cwd: dir,
      env: { HOME: dir, NETRC: path.join(dir, 'netrc'), GITLAB_HOST: 'https://gitlab.example.com' },
    });

    expect(result.code).toBe(4);
    expect(cleanError(result.stderr).error).toBe(
      `the token from netrc (${path.join(dir, 'netrc')}) contains a control character at position 7`,
    );
    expect(result.stdout).toBe('');
  });
});
