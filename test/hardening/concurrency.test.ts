/**
 * Concurrency: many glx processes writing one file at once. 50 `glx auth --netrc` for
 * 50 hosts into one netrc and 20 `glx init` with 20 index names on one pyproject.toml: every
 * entry lands, every byte that was there stays, both files parse. A lock that cannot be had ends
 * in a clear message after GLX_LOCK_TIMEOUT_MS.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetrc } from '../../src/netrc/parse.js';
import { tempDir } from '../support/test-deps.js';
import { cleanError, runBin } from './helpers.js';

const NETRC = [
  '# kept as written',
  'machine other.example.com',
  '    login bob',
  '    password "with space"',
  '',
  'macdef init',
  'cd /pub',
  '',
  'default login anonymous password guest',
  '',
].join('\n');
const PYPROJECT =
  '# kept as written\r\n[project]\r\nname = "busy"\r\nversion = "0.1.0"  # trailing\r\n\r\n[tool.uv]\r\npackage = true\r\n';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('glx-concurrency-'));
});

afterAll(() => cleanup());

describe('concurrent writers', () => {
  it('50 glx auth --netrc at once store all 50 hosts and keep every other byte', { timeout: 120_000 }, async () => {
    const netrc = path.join(dir, '.netrc');
    writeFileSync(netrc, NETRC, { mode: 0o600 });
    const token = (n: number) => `glpat-concurrent${String(n).padStart(4, '0')}xyz`;

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        runBin(['auth', '--netrc', '--no-verify', '--host', `https://host${n}.example`], {
          cwd: dir,
          env: { HOME: dir, GITLAB_TOKEN: token(n), GLX_LOCK_TIMEOUT_MS: '60000' },
          timeoutMs: 90_000,
        }),
      ),
    );

    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(netrc, 'utf8');
    const doc = parseNetrc(text, netrc);
    const hosts = doc.entries.filter((entry) => entry.kind === 'machine' && entry.host !== 'other.example.com');
    expect(hosts.map((entry) => entry.host).sort()).toEqual(
      Array.from({ length: 50 }, (_, n) => `host${n}.example`).sort(),
    );
    for (const entry of hosts) expect(entry.password).toBe(token(Number(/\d+/.exec(entry.host!)![0])));
    // glx inserts its entries before `default` (uv stops at nothing, Python at `default`): the
    // bytes that were there are all still there, in order, around the insertion.
    const inserted = text.length - NETRC.length;
    const at = [...Array(NETRC.length + 1).keys()].find((i) => text.slice(0, i) + text.slice(i + inserted) === NETRC);
    expect(at, 'the old text is not the new one minus one inserted run').toBeDefined();
    expect(doc.macros.map((macro) => [macro.name, macro.lines])).toEqual([['init', ['cd /pub']]]);
    expect(statSync(netrc).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((name) => name.includes('.glx'))).toEqual([]);
  });

  it('20 glx init at once add all 20 indexes and keep every other byte', { timeout: 120_000 }, async () => {
    const sub = path.join(dir, 'project');
    (await import('node:fs')).mkdirSync(sub);
    const file = path.join(sub, 'pyproject.toml');
    writeFileSync(file, PYPROJECT, { mode: 0o644 });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        runBin(['init', '--group', String(100 + n), '--name', `idx${n}`], {
          cwd: sub,
          env: { HOME: sub, GITLAB_HOST: 'https://gitlab.example.com', GLX_LOCK_TIMEOUT_MS: '60000' },
          timeoutMs: 90_000,
        }),
      ),
    );

    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    const doc = parse(text) as {
      project: unknown;
      tool: { uv: { package: boolean; index: Array<{ name: string; url: string }> } };
    };
    expect(doc.tool.uv.index.map((entry) => entry.name).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `idx${n}`).sort(),
    );
    for (const entry of doc.tool.uv.index)
      expect(entry.url).toBe(
        `https://gitlab.example.com/api/v4/groups/${100 + Number(entry.name.slice(3))}/-/packages/pypi/simple`,
      );
    expect(doc.project).toEqual({ name: 'busy', version: '0.1.0' });
    expect(doc.tool.uv.package).toBe(true);
    // Appended after the original text, which is still there byte for byte (CRLF and all).
    expect(text.startsWith(PYPROJECT)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(sub).filter((name) => name !== 'pyproject.toml')).toEqual([]);
  });
});

describe('a lock held by another glx', () => {
  it('makes glx give up after GLX_LOCK_TIMEOUT_MS with one line naming the file and the lock', async () => {
    const sub = path.join(dir, 'held');
    (await import('node:fs')).mkdirSync(sub);
    const file = path.join(sub, 'pyproject.toml');
    writeFileSync(file, PYPROJECT);
    // This test process is alive, so its pid makes the lock a live one.
    writeFileSync(`${file}.glx.lock`, `${process.pid} 0badc0de-held\n`);

    const result = await runBin(['init', '--group', '42'], {
      cwd: sub,
      env: { HOME: sub, GITLAB_HOST: 'https://gitlab.example.com', GLX_LOCK_TIMEOUT_MS: '500' },
    });

    expect(result.code).toBe(1);
    const { error, hint } = cleanError(result.stderr);
    expect(error).toBe(`${file} is locked by another glx process (waited 500 ms)`);
    expect(hint).toContain(`remove ${file}.glx.lock if no glx is running`);
    expect(readFileSync(file, 'utf8')).toBe(PYPROJECT);
    expect(readFileSync(`${file}.glx.lock`, 'utf8')).toBe(`${process.pid} 0badc0de-held\n`);
  });
});
