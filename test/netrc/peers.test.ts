/**
 * What glx writes must read back the same in the real peers, not just in our parser: Python's
 * `netrc` module (pip, requests, twine) and curl (7.84+ reads quoted values). A missing program
 * fails under CI and skips outside (test/support/peers.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetrc } from '../../src/netrc/parse.js';
import { writeNetrcEntry } from '../../src/netrc/store.js';
import { hasPeer } from '../support/peers.js';
import { withSeed } from '../support/seed.js';

const run = promisify(execFile);

/** Hostile but legal: every character class that needs care in one netrc reader or another. */
const HOSTILE = [
  'glpat-ordinary_token-123',
  'with space',
  'quote"inside',
  '"leading-quote',
  'back\\slash',
  'trailing-backslash\\',
  '\\"both',
  '#leading-hash',
  'in#side',
  'trailing#',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${x} is the point; nothing may expand it
  'dollar$HOME${x}',
  'back`tick`',
  "single'quote",
  'ünïcødé€😀',
  'tab\there',
  ' lead and trail ',
  'machine',
  'password',
  'a'.repeat(300),
];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'glx-netrc-peers-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const PYTHON_READER = [
  'import json, netrc, sys',
  'out = []',
  'for f, h in zip(sys.argv[1::2], sys.argv[2::2]):',
  '    out.append(netrc.netrc(f).authenticators(h))',
  'print(json.dumps(out))',
].join('\n');

async function pythonReads(pairs: [string, string][]): Promise<([string, string, string] | null)[]> {
  const { stdout } = await run('python3', ['-c', PYTHON_READER, ...pairs.flat()], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as ([string, string, string] | null)[];
}

describe.skipIf(!hasPeer('python3'))("Python's netrc module", () => {
  it('reads back exactly (login, account, password) for every hostile token glx writes', async () => {
    const base = '# mine\nmachine other.example login o password p\n\ndefault login anonymous password guest\n';
    const cases = HOSTILE.flatMap((token, i) => [
      { file: path.join(dir, `py-password-${i}`), login: '__token__', password: token },
      { file: path.join(dir, `py-login-${i}`), login: token, password: 'glpat-x' },
    ]);
    for (const c of cases) {
      writeFileSync(c.file, base, { mode: 0o600 });
      await writeNetrcEntry(c.file, { host: 'gitlab.example.com', login: c.login, password: c.password });
    }

    const read = await pythonReads(cases.map((c) => [c.file, 'gitlab.example.com']));

    expect(read).toEqual(cases.map((c) => [c.login, '', c.password]));
  });

  it('keeps reading every other entry the same after an edit', async () => {
    const file = path.join(dir, 'py-others');
    writeFileSync(
      file,
      'machine a.example login la password pa account aa\nmacdef init\nbinary\n\ndefault login anonymous password guest\n',
      { mode: 0o600 },
    );

    await writeNetrcEntry(file, { host: 'gitlab.example.com', login: '__token__', password: 'with space' });
    const read = await pythonReads([
      [file, 'a.example'],
      [file, 'unknown.example'],
    ]);

    expect(read).toEqual([
      ['la', 'aa', 'pa'],
      ['anonymous', '', 'guest'],
    ]);
  });

  it('agrees with our Python dialect on generated files (differential)', async () => {
    const fragment = fc.constantFrom(
      'machine',
      'default',
      'macdef',
      'login',
      'user',
      'account',
      'password',
      'port',
      'h',
      'x',
      ' ',
      '\t',
      '\n',
      '\r\n',
      '\n\n',
      '  \n',
      '#',
      '# c d',
      '#x',
      '"',
      '""',
      '"a b"',
      '\\',
      '\\"',
      'y#',
      'é',
    );
    const texts = fc.sample(
      fc.array(fragment, { maxLength: 20 }).map((parts) => parts.join(' ')),
      withSeed({ numRuns: 400 }),
    );
    const files = texts.map((text, i) => {
      const file = path.join(dir, `diff-${i}`);
      writeFileSync(file, text);
      return file;
    });
    const script = [
      'import json, netrc, sys',
      'out = []',
      'for f in sys.argv[1:]:',
      '    try:',
      '        n = netrc.netrc(f)',
      '        out.append({"hosts": n.hosts, "macros": n.macros})',
      '    except netrc.NetrcParseError:',
      '        out.append(None)',
      'print(json.dumps(out))',
    ].join('\n');

    const { stdout } = await run('python3', ['-c', script, ...files], { maxBuffer: 1 << 26 });
    const python = JSON.parse(stdout) as ({
      hosts: Record<string, string[]>;
      macros: Record<string, string[]>;
    } | null)[];

    texts.forEach((text, i) => {
      let ours: unknown = null;
      try {
        const doc = parseNetrc(text, 'f', { dialect: 'python' });
        const hosts: Record<string, string[]> = {};
        for (const e of doc.entries)
          hosts[e.kind === 'default' ? 'default' : (e.host ?? '')] = [e.login ?? '', e.account ?? '', e.password ?? ''];
        const macros: Record<string, string[]> = {};
        for (const m of doc.macros) macros[m.name] = m.lines.map((line) => `${line}\n`);
        ours = { hosts, macros };
      } catch {
        ours = null;
      }
      expect(ours, JSON.stringify(text)).toEqual(python[i]);
    });
  });
});

describe.skipIf(!hasPeer('curl'))('curl', () => {
  let server: Server;
  let port: number;
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function curlSends(file: string): Promise<string | undefined> {
    seen.length = 0;
    await run('curl', ['--silent', '--show-error', '--fail', '--netrc-file', file, `http://127.0.0.1:${port}/simple/`]);
    return seen[0];
  }

  it.each(HOSTILE.map((token, i) => [i, token] as const))(
    'sends Authorization: Basic base64(login:password) for hostile token #%i',
    async (i, token) => {
      const file = path.join(dir, `curl-${i}`);
      // default and another machine first: curl stops at default, so the new entry must come before it.
      writeFileSync(file, 'machine other.example login o password p\ndefault login anonymous password guest\n', {
        mode: 0o600,
      });
      await writeNetrcEntry(file, { host: '127.0.0.1', login: `u${token}`, password: token });

      const header = await curlSends(file);

      expect(header).toBe(`Basic ${Buffer.from(`u${token}:${token}`).toString('base64')}`);
    },
  );

  it('reads an updated multi-line entry', async () => {
    const file = path.join(dir, 'curl-update');
    writeFileSync(file, 'machine 127.0.0.1\n  login old\n  password old-pw\n', { mode: 0o600 });
    await writeNetrcEntry(file, { host: '127.0.0.1', login: '__token__', password: 'new pw#1' });

    const header = await curlSends(file);

    expect(header).toBe(`Basic ${Buffer.from('__token__:new pw#1').toString('base64')}`);
  });
});
