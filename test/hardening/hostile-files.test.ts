/**
 * Hostile input, files: a corpus of malformed and adversarial pyproject.toml and netrc
 * files, generated here (a 20 MB file has no place in git). Every case is run through the commands
 * that read it and the command that writes it. Each case is either `invalid` (exit 2, one error
 * line naming the file, and the line when there is one, no stack trace, the file unchanged to the
 * byte and the mode) or `fine` (legitimate input: success, and the result still parses and still
 * says everything the input said). Why each case lands where it does is in its `why`.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseNetrc } from '../../src/netrc/parse.js';
import { required } from '../support/peers.js';
import { seededBytes } from '../support/seed.js';
import { glx, tempDir } from '../support/test-deps.js';
import { BIN, cleanError, listTree, runBin, type Snapshot, sameSnapshot, snapshot } from './helpers.js';

const HOST = 'https://gitlab.example.com';
const TOKEN = 'glpat-hostileHOSTILEhostile';
const INDEX_URL = `${HOST}/api/v4/groups/42/-/packages/pypi/simple`;
const VALID = `[project]\nname = "demo"\nversion = "0.1.0"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${INDEX_URL}"\nauthenticate = "always"\n`;
const NETRC_VALID =
  '# work\nmachine other.example.com login bob password s3cret\n\ndefault login anonymous password guest\n';

let root: string;
let cleanupRoot: () => void;
let counter = 0;
/** Whether chmod 000 stops this process from reading (it does not for root). */
let permissionsApply = true;
/**
 * As root (CI runs as root), the cases about permissions run the built glx as this user instead,
 * for whom they apply; undefined when they apply to this process already, or when it cannot switch.
 */
let unprivileged: { uid: number; gid: number } | undefined;
/** Why the permission cases cannot run here, when they cannot. */
let noPermissions: string | undefined;

beforeAll(() => {
  ({ dir: root, cleanup: cleanupRoot } = tempDir('glx-hostile-'));
  const probe = path.join(root, 'probe');
  writeFileSync(probe, 'x', { mode: 0o000 });
  try {
    readFileSync(probe);
    permissionsApply = false;
  } catch {
    permissionsApply = true;
  }
  if (permissionsApply) return;
  // nobody (65534 on Debian, Alpine and in containers) must reach the cases and read the package,
  // and chmod 000 must stop it.
  const nobody = { uid: 65534, gid: 65534 };
  chmodSync(root, 0o755);
  const readable = path.join(root, 'readable');
  writeFileSync(readable, 'x', { mode: 0o644 });
  const fs = "require('node:fs')";
  const check = `${fs}.readFileSync(${JSON.stringify(readable)}); try { ${fs}.readFileSync(${JSON.stringify(probe)}); } catch (e) { process.exit(e.code === 'EACCES' ? 0 : 3); } process.exit(4);`;
  const probed = spawnSync(process.execPath, ['-e', check], { ...nobody, encoding: 'utf8' });
  const runs = spawnSync(process.execPath, [BIN, '--version'], { ...nobody, encoding: 'utf8' });
  if (probed.status === 0 && runs.status === 0) unprivileged = nobody;
  else {
    // One line: the error's own line from each child's stderr, or the spawn error.
    const why = [probed.error, runs.error, probed.stderr, runs.stderr]
      .map((part) => String(part ?? '').split('\n'))
      .map((lines) => lines.find((line) => /Error|EACCES|EPERM/.test(line)) ?? lines[0]!.trim())
      .filter(Boolean)
      .join('; ');
    noPermissions = `running as root, and uid 65534 cannot stand in (exit ${probed.status}/${runs.status}${why ? `: ${why}` : ''})`;
  }
});

afterAll(() => cleanupRoot());

function freshDir(): string {
  const dir = path.join(root, `case-${++counter}`);
  mkdirSync(dir);
  return dir;
}

function hugeToml(bytes: number): string {
  const line = `k = "${'v'.repeat(60)}"\n`;
  const parts = [VALID, '\n[bulk]\n'];
  const count = Math.ceil(bytes / line.length);
  for (let i = 0; i < count; i++) parts.push(`k${i}${line.slice(1)}`);
  return parts.join('');
}

/** How a case is laid out: write `pyproject.toml` (or the netrc) into `dir`; return the path glx is given. */
type Setup = (dir: string, file: string) => void;

interface Case {
  name: string;
  setup: Setup;
  /** `invalid`: exit 2 and untouched; `fine`: success and faithful. Per command when they differ. */
  expect: 'invalid' | 'fine' | Partial<Record<Command, 'invalid' | 'fine'>>;
  /** The line the error must name, when the problem has one. */
  line?: number;
  why: string;
  /** netrc cases: the password `glx env` must print (the file has an entry for the host). */
  envToken?: string;
  /** Run glx as a child process even where the others run in-process (see glxFor). */
  inChild?: true;
  /**
   * A case about file permissions: as root it runs the built glx as an unprivileged user
   * (`unprivileged`), and cannot run only when no such user can stand in (`noPermissions`; under
   * CI the case then fails).
   */
  permissions?: true;
}

type Command = 'init' | 'auth' | 'env';

const write =
  (content: string | Buffer): Setup =>
  (_dir, file) =>
    writeFileSync(file, content);

/** A netrc as users keep it: 0600 (glx refuses to add a secret to anything looser). */
const writeSecret =
  (content: string | Buffer): Setup =>
  (_dir, file) =>
    writeFileSync(file, content, { mode: 0o600 });

function mkfifo(file: string): void {
  const result = spawnSync('mkfifo', [file]);
  if (result.status !== 0) throw new Error(`mkfifo failed: ${result.stderr}`);
}

/** The user a case runs glx as: the unprivileged one for a permission case run by root. */
const userFor = (c: Case) => (c.permissions ? unprivileged : undefined);

/** False, after saying why, when the case cannot run here; under CI it fails instead. */
const runsHere = (c: Case) => !c.permissions || !noPermissions || required(false, c.name, noPermissions);

const PYPROJECT_CASES: Case[] = [
  {
    name: 'truncated inside a string',
    setup: write(VALID.slice(0, VALID.indexOf('api/v4'))),
    expect: 'invalid',
    line: 7,
    why: 'an unterminated string is a TOML syntax error',
  },
  {
    name: 'truncated inside a table header',
    setup: write(`${VALID}[tool.u`),
    expect: 'invalid',
    line: 9,
    why: 'syntax error',
  },
  {
    name: 'truncated after a key',
    setup: write(`${VALID}answer =`),
    expect: 'invalid',
    line: 9,
    why: 'a key without a value',
  },
  {
    name: 'NUL bytes',
    setup: write(`${VALID}# a\u0000b\n`),
    expect: 'invalid',
    line: 9,
    why: 'TOML forbids control characters; binary content is not a pyproject.toml',
  },
  {
    name: 'binary garbage',
    setup: write(seededBytes('pyproject.toml garbage', 4096)),
    expect: 'invalid',
    why: 'not UTF-8, not TOML',
  },
  {
    name: 'a byte that is not UTF-8, in a comment',
    setup: write(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${VALID}`)])),
    expect: 'invalid',
    line: 1,
    why: 'TOML is UTF-8 and uv refuses the file; decoding it lossily and writing it back would replace the byte (the bug this case found)',
  },
  {
    name: 'huge (20 MB, valid)',
    setup: write(hugeToml(20 * 1024 * 1024)),
    expect: { init: 'invalid', auth: 'fine', env: 'fine' },
    why: 'reading is linear and fine; editing it took 17 s and 2.4 GB, so init refuses files over 1 MiB',
  },
  {
    name: 'deeply nested arrays',
    setup: write(`${VALID}deep = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
    expect: 'invalid',
    line: 9,
    why: 'the parser caps nesting; uv would not read it either',
  },
  {
    name: 'deeply nested inline tables',
    setup: write(`${VALID}deep = ${'{ a = '.repeat(20_000)}1${' }'.repeat(20_000)}\n`),
    expect: 'invalid',
    line: 9,
    why: 'nesting cap',
  },
  {
    name: 'a very long dotted key',
    setup: write(`${VALID}[deep]\n${Array.from({ length: 50_000 }, () => 'a').join('.')} = 1\n`),
    expect: 'fine',
    why: 'valid TOML, 50,000 tables deep; glx edits elsewhere and keeps it (its edit check overflowed the stack before)',
  },
  {
    name: 'duplicate keys',
    setup: write(`${VALID}[project.urls]\nhome = "a"\nhome = "b"\n`),
    expect: 'invalid',
    line: 11,
    why: 'TOML forbids redefining a key',
  },
  {
    name: 'duplicate tables',
    setup: write(`[tool.uv]\npackage = true\n\n[tool.uv]\npackage = false\n`),
    expect: 'invalid',
    line: 4,
    why: 'TOML forbids redefining a table',
  },
  {
    name: 'duplicate index names',
    setup: write(`${VALID}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${INDEX_URL}"\n`),
    expect: 'invalid',
    line: 11,
    why: 'uv refuses two indexes with one name',
  },
  {
    name: 'tool.uv is a string',
    setup: write('[tool]\nuv = "yes"\n'),
    expect: 'invalid',
    line: 2,
    why: 'wrong type where uv needs a table',
  },
  {
    name: 'tool.uv.index is a table',
    setup: write(`[tool.uv.index]\nname = "x"\nurl = "${INDEX_URL}"\n`),
    expect: 'invalid',
    line: 1,
    why: 'uv needs an array of tables',
  },
  {
    name: 'index name is a number',
    setup: write(`[[tool.uv.index]]\nname = 5\nurl = "${INDEX_URL}"\n`),
    expect: 'invalid',
    line: 2,
    why: 'wrong type',
  },
  {
    name: 'index url is a boolean',
    setup: write('[[tool.uv.index]]\nname = "x"\nurl = true\n'),
    expect: 'invalid',
    line: 3,
    why: 'wrong type',
  },
  {
    name: 'index array holds a string',
    setup: write('[tool.uv]\nindex = ["https://example.com/simple"]\n'),
    expect: 'invalid',
    line: 2,
    why: 'each index must be a table',
  },
  {
    name: 'CRLF and LF mixed',
    setup: write(VALID.replace('[project]\n', '[project]\r\n').replace('version = "0.1.0"\n', 'version = "0.1.0"\r\n')),
    expect: 'fine',
    why: 'both are TOML line breaks; glx keeps each as it was',
  },
  {
    name: 'a bare CR',
    setup: write(`${VALID}a = 1\rb = 2\n`),
    expect: 'invalid',
    line: 9,
    why: 'a CR alone is not a TOML line break',
  },
  {
    name: 'a byte order mark',
    setup: write(`\ufeff${VALID}`),
    expect: 'fine',
    why: 'uv and glx skip a leading BOM; glx keeps it',
  },
  {
    name: 'empty',
    setup: write(''),
    expect: { init: 'fine', auth: 'fine', env: 'invalid' },
    why: 'valid TOML; env has nothing to print and says so (exit 2)',
  },
  {
    name: 'only comments and blank lines',
    setup: write('# nothing yet\n\n   \n# really\n'),
    expect: { init: 'fine', auth: 'fine', env: 'invalid' },
    why: 'valid TOML; env has nothing to print',
  },
  {
    name: 'terminal escapes and bidi controls in comments',
    setup: write(`# \u001b[31mred\u001b[0m \u202egnp.exe\n${VALID}`),
    expect: 'invalid',
    line: 1,
    why: 'TOML forbids control characters (ESC) in comments',
  },
  {
    name: 'unicode keys and values',
    setup: write(`${VALID}\n[tool."ünïcødé"]\n"🔑" = "värde"\n`),
    expect: 'fine',
    why: 'valid TOML',
  },
  {
    name: 'a 900 KB comment line',
    setup: write(`${VALID}# ${'x'.repeat(900_000)}\n`),
    expect: 'fine',
    why: 'under the 1 MiB limit, valid',
  },
  {
    name: 'a symlink to the file',
    setup: (dir, file) => {
      writeFileSync(path.join(dir, 'real.toml'), VALID);
      symlinkSync('real.toml', file);
    },
    expect: 'fine',
    why: 'a linked pyproject.toml (dotfiles, monorepo tooling) is edited where it lives; the link stays a link',
  },
  {
    name: 'a dangling symlink',
    setup: (_dir, file) => symlinkSync('missing.toml', file),
    expect: { init: 'invalid', auth: 'fine', env: 'invalid' },
    why: 'there is no file (auth works without a pyproject.toml)',
  },
  {
    name: 'a symlink loop',
    setup: (dir, file) => {
      symlinkSync('loop-b', path.join(dir, 'loop-a'));
      symlinkSync('loop-a', path.join(dir, 'loop-b'));
      symlinkSync('loop-a', file);
    },
    expect: 'invalid',
    why: 'ELOOP: no file to read',
  },
  {
    name: 'unreadable (chmod 000)',
    setup: (_dir, file) => writeFileSync(file, VALID, { mode: 0o000 }),
    expect: 'invalid',
    why: 'cannot read it',
    permissions: true,
  },
  {
    name: 'a directory in its place',
    setup: (_dir, file) => mkdirSync(file),
    expect: { init: 'invalid', auth: 'fine', env: 'invalid' },
    why: 'not a file: like uv, discovery passes it by (auth needs no pyproject.toml)',
  },
  {
    name: 'a FIFO in its place',
    setup: (_dir, file) => mkfifo(file),
    inChild: true,
    expect: { init: 'invalid', auth: 'fine', env: 'invalid' },
    why: 'reading a FIFO blocks forever; discovery passes it by',
  },
];

const NETRC_CASES: Case[] = [
  {
    name: 'truncated inside a keyword',
    setup: writeSecret('machine a.example.com login bob pass'),
    expect: 'invalid',
    line: 1,
    why: 'uv: "bad follower token"; it ignores the whole file',
  },
  {
    name: 'truncated after a keyword',
    setup: writeSecret('machine a.example.com login bob password'),
    expect: 'fine',
    why: 'uv reads an empty password and keeps the file',
  },
  {
    name: 'an unterminated quote',
    setup: writeSecret('machine a.example.com login bob password "abc'),
    expect: 'fine',
    why: 'uv and Python read the quote to EOF',
  },
  {
    name: 'NUL bytes in a value',
    setup: writeSecret('machine a.example.com login bob password p\u0000q\n'),
    expect: 'fine',
    why: "uv reads NUL as part of the value; the entry is not glx's to judge",
  },
  {
    name: 'binary garbage',
    setup: writeSecret(seededBytes('netrc garbage', 4096)),
    expect: 'invalid',
    why: 'not UTF-8 (auth cannot rewrite it byte for byte) and not a netrc (env: uv ignores it)',
  },
  {
    name: 'a byte that is not UTF-8, in a comment',
    setup: writeSecret(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${NETRC_VALID}`)])),
    expect: { auth: 'invalid', env: 'fine' },
    line: 1,
    why: 'uv reads a netrc lossily, so env may too; auth would have to change the byte to write the file back',
  },
  {
    name: 'huge (20 MB, valid)',
    setup: writeSecret('machine x.example.com login u password p\n'.repeat(500_000)),
    expect: { auth: 'invalid', env: 'fine' },
    why: 'auth --netrc took 35 s on 30 MB; it refuses files over 1 MiB; env reads it linearly',
  },
  {
    name: 'macdef without an end',
    setup: writeSecret(`${NETRC_VALID}macdef init\ncd /pub\nget file`),
    expect: 'fine',
    why: 'uv and Python end a macro at EOF; glx must add its entry after a blank line so it is not swallowed',
  },
  {
    name: 'macdef ended by a whitespace-only line',
    setup: writeSecret(`macdef init\ncd /pub\n  \n${NETRC_VALID}`),
    expect: 'fine',
    why: 'uv ends a macro there (Python does not): glx keeps the file as is',
  },
  {
    name: 'CRLF and LF mixed',
    setup: writeSecret(
      'machine a.example.com login bob password one\r\nmachine b.example.com login eve password two\n',
    ),
    expect: 'fine',
    why: 'both are blanks to uv',
  },
  {
    name: 'the port keyword',
    setup: writeSecret('machine a.example.com port 443 login bob password x\n'),
    expect: 'invalid',
    line: 1,
    why: 'uv ignores a file with port in it',
  },
  {
    name: 'two entries for the host',
    setup: writeSecret(
      `machine gitlab.example.com login __token__ password old1\nmachine gitlab.example.com login __token__ password old2\n`,
    ),
    expect: 'fine',
    envToken: 'old2',
    why: 'uv takes the last; glx updates it',
  },
  {
    name: 'a byte order mark',
    setup: writeSecret(`\ufeff${NETRC_VALID}`),
    expect: 'invalid',
    line: 1,
    why: 'uv reads the BOM as part of the first word and ignores the file',
  },
  { name: 'empty', setup: writeSecret(''), expect: 'fine', why: 'no entries yet' },
  {
    name: 'a symlink to the file',
    setup: (dir, file) => {
      writeFileSync(path.join(dir, 'real-netrc'), NETRC_VALID, { mode: 0o600 });
      symlinkSync('real-netrc', file);
    },
    expect: 'fine',
    why: 'a netrc kept in a dotfiles repo is edited where it lives; the link stays a link',
  },
  {
    name: 'a dangling symlink into an existing directory',
    setup: (_dir, file) => symlinkSync('made-later', file),
    expect: 'fine',
    why: 'auth writes the file where the link points (the link is the user’s choice); env finds no netrc, like uv',
  },
  {
    name: 'unreadable (chmod 000)',
    setup: (_dir, file) => writeFileSync(file, NETRC_VALID, { mode: 0o000 }),
    expect: 'invalid',
    why: 'cannot read it',
    permissions: true,
  },
  {
    name: 'readable by others (0644)',
    setup: (_dir, file) => writeFileSync(file, NETRC_VALID, { mode: 0o644 }),
    expect: { auth: 'invalid', env: 'fine' },
    why: 'auth will not add a secret to an exposed file without --fix-permissions',
  },
  { name: 'a directory in its place', setup: (_dir, file) => mkdirSync(file), expect: 'invalid', why: 'not a file' },
  {
    name: 'a FIFO in its place',
    setup: (_dir, file) => mkfifo(file),
    inChild: true,
    expect: 'invalid',
    why: 'reading a FIFO blocks forever',
  },
  {
    name: 'an empty quoted word where a keyword belongs',
    setup: writeSecret(`${NETRC_VALID}"" machine late.example.com login x password y\n`),
    expect: 'fine',
    why: 'uv and Python stop reading at `""`; glx must put its entry where uv still reads it',
  },
];

/**
 * glx in-process (fast), or the built bin for a case that could block the test process itself
 * if glx regressed (reading a FIFO never returns, and a blocked read cannot be cancelled).
 */
async function glxFor(
  c: Case,
  argv: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const user = userFor(c);
  if (c.inChild || user) return runBin(argv, { cwd, env: { HOME: cwd, ...env }, timeoutMs: 30_000, user });
  return glx(['--cwd', cwd, ...argv], { env, homeDir: cwd });
}

function expectationFor(c: Case, command: Command): 'invalid' | 'fine' {
  if (typeof c.expect === 'string') return c.expect;
  const value = c.expect[command];
  if (!value) throw new Error(`case ${c.name} has no expectation for ${command}`);
  return value;
}

function commandsOf(c: Case, all: Command[]): Command[] {
  const { expect: expected } = c;
  return typeof expected === 'string' ? all : all.filter((command) => expected[command] !== undefined);
}

/** Bytes and mode when it is a file (through links), else undefined. */
function safeSnapshot(file: string): Snapshot | undefined {
  try {
    // Never read a FIFO here: the test itself would block.
    return statSync(file).isFile() ? snapshot(file) : undefined;
  } catch {
    return undefined;
  }
}

function linkState(file: string): string {
  try {
    const stat = lstatSync(file);
    return stat.isSymbolicLink() ? 'link' : stat.isFile() ? 'file' : 'other';
  } catch {
    return 'absent';
  }
}

/** A change is faithful when the new text is the old one with one run inserted or replaced. */
function changedRun(before: string, after: string): { removed: string; inserted: string } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  )
    end++;
  return { removed: before.slice(start, before.length - end), inserted: after.slice(start, after.length - end) };
}

/**
 * The pyproject minus the index glx added, as canonical text, for comparing with what it was.
 * Copies only along tool.uv.index and walks without recursion: the deep-key case nests tables
 * thousands deep, past what structuredClone or a recursive equality can take.
 */
function withoutIndex(doc: Record<string, unknown>, name: string, before: Record<string, unknown>): string {
  const beforeUv = (before.tool as Record<string, unknown> | undefined)?.uv as Record<string, unknown> | undefined;
  const copy: Record<string, unknown> = { ...doc };
  const tool = copy.tool ? { ...(copy.tool as Record<string, unknown>) } : undefined;
  const uv = tool?.uv ? { ...(tool.uv as Record<string, unknown>) } : undefined;
  if (tool && uv && Array.isArray(uv.index)) {
    const index = (uv.index as Array<{ name?: string }>).filter((entry) => entry.name !== name);
    if (index.length > 0 || beforeUv?.index !== undefined) uv.index = index;
    else delete uv.index;
    if (Object.keys(uv).length > 0 || beforeUv !== undefined) tool.uv = uv;
    else delete tool.uv;
    if (Object.keys(tool).length > 0 || before.tool !== undefined) copy.tool = tool;
    else delete copy.tool;
  }
  return canonical(copy);
}

/** Key-order-insensitive text of a parsed TOML document, built without recursion. */
function canonical(root: unknown): string {
  const out: string[] = [];
  const work: unknown[] = [{ value: root }];
  while (work.length > 0) {
    const item = work.pop() as string | { value: unknown };
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const { value } = item;
    if (Array.isArray(value))
      work.push(']', ...value.flatMap((v, i) => [i > 0 ? ',' : '', { value: v }]).reverse(), '[');
    else if (value instanceof Date) out.push(value.toISOString());
    else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
      work.push(
        '}',
        ...entries.flatMap(([k, v], i) => [`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`, { value: v }]).reverse(),
        '{',
      );
    } else out.push(typeof value === 'bigint' ? `${value}n` : String(JSON.stringify(value)));
  }
  return out.join('');
}

function stripBom(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

describe.each(PYPROJECT_CASES)('a hostile pyproject.toml: $name', (c) => {
  it.each(commandsOf(c, ['init', 'auth', 'env']))(
    `%s handles it as ${JSON.stringify(c.expect)} (${c.why})`,
    async (command) => {
      if (!runsHere(c)) return;
      const dir = freshDir();
      const file = path.join(dir, 'pyproject.toml');
      c.setup(dir, file);
      const before = safeSnapshot(file);
      const shape = linkState(file);
      const env = { GITLAB_HOST: HOST, GITLAB_TOKEN: TOKEN, NETRC: path.join(dir, 'netrc') };
      const expected = expectationFor(c, command);

      const result =
        command === 'env'
          ? await runBin(['env', '--shell', 'sh'], {
              cwd: dir,
              env: { ...env, HOME: dir },
              timeoutMs: 30_000,
              user: userFor(c),
            })
          : await glxFor(
              c,
              command === 'init' ? ['init', '--group', '99', '--name', 'hostile'] : ['auth', '--netrc', '--no-verify'],
              dir,
              env,
            );

      expect(result.stderr).not.toMatch(/^\s+at /m);
      if (expected === 'invalid') {
        expect(result.code, result.stderr).toBe(2);
        const { error } = cleanError(result.stderr);
        expect(error).toContain('pyproject.toml');
        if (c.line !== undefined) expect(error).toMatch(new RegExp(`pyproject\\.toml:${c.line}(:|\\b)`));
        expect(sameSnapshot(safeSnapshot(file), before)).toBe('same');
        expect(linkState(file)).toBe(shape);
      } else {
        expect(result.code, result.stderr).toBe(0);
        expect(linkState(file)).toBe(shape);
        if (command === 'init') {
          const after = readFileSync(file, 'utf8');
          const beforeText = before?.bytes.toString('utf8') ?? '';
          const run = changedRun(beforeText, after);
          expect(run.removed).toBe('');
          // The new entry may go above an existing one (uv asks the first non-explicit index first):
          // the inserted run then starts inside the shared `name = "` prefix.
          expect(run.inserted).toContain('hostile"');
          expect(after).toContain('name = "hostile"');
          const beforeDoc = parse(stripBom(beforeText));
          expect(
            withoutIndex(parse(stripBom(after)), 'hostile', beforeDoc) === canonical(beforeDoc),
            'the document means something else',
          ).toBe(true);
          expect(snapshot(file).mode).toBe(before?.mode);
        } else {
          expect(sameSnapshot(safeSnapshot(file), before)).toBe('same');
        }
      }
      expect(listTree(dir).filter((name) => /\.glx-|\.glx\.lock/.test(name))).toEqual([]);
    },
  );
});

describe.each(NETRC_CASES)('a hostile netrc: $name', (c) => {
  it.each(commandsOf(c, ['auth', 'env']))(
    `%s handles it as ${JSON.stringify(c.expect)} (${c.why})`,
    async (command) => {
      if (!runsHere(c)) return;
      const dir = freshDir();
      const file = path.join(dir, 'netrc');
      writeFileSync(path.join(dir, 'pyproject.toml'), VALID);
      c.setup(dir, file);
      const before = safeSnapshot(file);
      const shape = linkState(file);
      const expected = expectationFor(c, command);

      // env takes its token from the netrc (no GITLAB_TOKEN), so that it has to read the file.
      const result =
        command === 'env'
          ? await runBin(['env', '--shell', 'sh'], {
              cwd: dir,
              env: { GITLAB_HOST: HOST, NETRC: file, HOME: dir },
              timeoutMs: 30_000,
              user: userFor(c),
            })
          : await glxFor(c, ['auth', '--netrc', '--no-verify'], dir, {
              GITLAB_HOST: HOST,
              NETRC: file,
              GITLAB_TOKEN: TOKEN,
            });

      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
      if (expected === 'invalid') {
        expect(result.code, result.stderr).toBe(2);
        const { error } = cleanError(result.stderr);
        expect(error).toContain(file);
        if (c.line !== undefined) expect(error).toContain(`${file}:${c.line}`);
        expect(sameSnapshot(safeSnapshot(file), before)).toBe('same');
        expect(linkState(file)).toBe(shape);
      } else if (command === 'auth') {
        expect(result.code, result.stderr).toBe(0);
        expect(linkState(file)).toBe(shape);
        const after = readFileSync(file, 'utf8');
        const beforeText = before?.bytes.toString('utf8') ?? '';
        const entries = parseNetrc(after, file).entries.filter((entry) => entry.host === 'gitlab.example.com');
        expect(entries.at(-1)?.password).toBe(TOKEN);
        // Every other entry reads as before, and so does every macro.
        const others = (text: string) => {
          const doc = parseNetrc(text, file, { tolerant: true });
          return [
            doc.entries
              .filter((entry) => entry.host !== 'gitlab.example.com')
              .map((entry) => [entry.kind, entry.host, entry.login, entry.password]),
            doc.macros.map((macro) => [macro.name, macro.lines]),
          ];
        };
        expect(others(after)).toEqual(others(beforeText));
        expect(snapshot(file).mode & 0o777).toBe(0o600);
      } else {
        // Read without complaint: the token when the file has one for the host, else "no token" (exit 4).
        if (c.envToken) expect(result.stdout).toContain(`UV_INDEX_GITLAB_PASSWORD='${c.envToken}'`);
        else if (result.code !== 0) {
          expect(result.code, result.stderr).toBe(4);
          expect(cleanError(result.stderr).error).toContain('no GitLab token for gitlab.example.com');
        }
        expect(sameSnapshot(safeSnapshot(file), before)).toBe('same');
      }
      expect(listTree(dir).filter((name) => /\.glx-|\.glx\.lock/.test(name))).toEqual([]);
    },
  );
});

const CI_VALID = 'stages: [test]\n\n# the tests\ntest:\n  stage: test\n  script:\n    - echo "hi"\n';
const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
  'test:',
  '  script: *h',
  '',
].join('\n');

const CI_CASES: Case[] = [
  {
    name: 'truncated inside a flow sequence',
    setup: write('stages:\n  - test\njob:\n  script: [echo "hi'),
    expect: 'invalid',
    line: 4,
    why: 'YAML syntax error',
  },
  { name: 'NUL bytes', setup: write('\u0000\u0001\u0002'), expect: 'invalid', line: 1, why: 'not a mapping of jobs' },
  {
    name: 'binary garbage',
    setup: write(seededBytes('.gitlab-ci.yml garbage', 4096)),
    expect: 'invalid',
    why: 'not UTF-8, not YAML',
  },
  {
    name: 'a byte that is not UTF-8, in a comment',
    setup: write(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${CI_VALID}`)])),
    expect: 'invalid',
    line: 1,
    why: 'YAML is UTF-8 here; rewriting would change the byte',
  },
  {
    name: 'tabs for indentation',
    setup: write('job:\n\tscript: x\n'),
    expect: 'invalid',
    line: 2,
    why: 'YAML forbids tab indentation',
  },
  {
    name: 'a scalar at the top',
    setup: write('hello\n'),
    expect: 'invalid',
    line: 1,
    why: 'GitLab needs a mapping of jobs and keywords',
  },
  { name: 'a list at the top', setup: write('- a\n- b\n'), expect: 'invalid', line: 1, why: 'GitLab needs a mapping' },
  {
    name: 'deeply nested flow sequences',
    setup: write(`${CI_VALID}deep: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`),
    expect: 'invalid',
    line: 8,
    why: 'the YAML parser gives up on the depth; the file is left alone',
  },
  {
    name: 'duplicate keys',
    setup: write(`${CI_VALID}test:\n  script: [echo again]\n`),
    expect: 'fine',
    why: 'GitLab reads duplicate keys (the last wins); glx keeps both as written',
  },
  {
    name: 'CRLF and LF mixed',
    setup: write(
      CI_VALID.replace('stages: [test]\n', 'stages: [test]\r\n').replace('  stage: test\n', '  stage: test\r\n'),
    ),
    expect: 'fine',
    why: 'both are YAML line breaks',
  },
  {
    name: 'an alias bomb',
    setup: write(BOMB),
    expect: 'fine',
    why: '9^8 nodes if expanded; glx must not expand them, and keeps them as written',
  },
  { name: 'empty', setup: write(''), expect: 'fine', why: 'glx writes its jobs into it' },
  {
    name: 'a symlink to the file',
    setup: (dir, file) => {
      writeFileSync(path.join(dir, 'real-ci.yml'), CI_VALID);
      symlinkSync('real-ci.yml', file);
    },
    expect: 'fine',
    why: 'edited where it lives; the link stays a link',
  },
  {
    name: 'unreadable (chmod 000)',
    setup: (_dir, file) => writeFileSync(file, CI_VALID, { mode: 0o000 }),
    expect: 'invalid',
    why: 'cannot read it',
    permissions: true,
  },
  { name: 'a directory in its place', setup: (_dir, file) => mkdirSync(file), expect: 'invalid', why: 'not a file' },
  {
    name: 'a FIFO in its place',
    setup: (_dir, file) => mkfifo(file),
    inChild: true,
    expect: 'invalid',
    why: 'reading a FIFO blocks forever',
  },
];

describe.each(CI_CASES)('a hostile .gitlab-ci.yml: $name', (c) => {
  it(`glx ci-setup handles it as ${JSON.stringify(c.expect)} (${c.why})`, async () => {
    if (!runsHere(c)) return;
    const dir = freshDir();
    spawnSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(path.join(dir, 'pyproject.toml'), VALID);
    const file = path.join(dir, '.gitlab-ci.yml');
    c.setup(dir, file);
    const before = safeSnapshot(file);
    const shape = linkState(file);

    const result = await glxFor(c, ['ci-setup', '--project', '7'], dir, {});

    expect(result.stderr).not.toMatch(/^\s+at /m);
    if (c.expect === 'invalid') {
      expect(result.code, result.stderr).toBe(2);
      const { error } = cleanError(result.stderr);
      expect(error).toContain('.gitlab-ci.yml');
      if (c.line !== undefined) expect(error).toMatch(new RegExp(`\\.gitlab-ci\\.yml:${c.line}(:|\\b)`));
      expect(sameSnapshot(safeSnapshot(file), before)).toBe('same');
    } else {
      expect(result.code, result.stderr).toBe(0);
      const beforeText = before?.bytes.toString('utf8') ?? '';
      const after = readFileSync(file, 'utf8');
      // glx only adds its own blocks: the old text is the new one minus one inserted run.
      expect(changedRun(beforeText, after).removed).toBe('');
      const doc = parseDocument(after, { uniqueKeys: false });
      expect(doc.errors).toEqual([]);
      expect(after).toContain('.glx-uv:');
      expect(snapshot(file).mode).toBe(before?.mode ?? snapshot(file).mode);
    }
    expect(linkState(file)).toBe(shape);
    expect(listTree(dir).filter((name) => /\.glx-|\.glx\.lock/.test(name))).toEqual([]);
  });
});

describe('leftovers of a killed glx', () => {
  it('removes temp files older than a minute beside the file it writes, and keeps younger ones', async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, 'pyproject.toml'), VALID);
    const old = path.join(dir, '.pyproject.toml.glx-abc123.tmp');
    const young = path.join(dir, '.pyproject.toml.glx-def456.tmp');
    const other = path.join(dir, '.pyproject.toml.glx-notours');
    for (const file of [old, young, other]) writeFileSync(file, '[half');
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    utimesSync(other, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));

    const result = await glx(['--cwd', dir, 'init', '--group', '99', '--name', 'fresh'], {
      env: { GITLAB_HOST: HOST },
      homeDir: dir,
    });

    expect(result.code, result.stderr).toBe(0);
    expect(listTree(dir)).toEqual(['.pyproject.toml.glx-def456.tmp', '.pyproject.toml.glx-notours', 'pyproject.toml']);
  });
});

// chmod 000 on the directory itself: the write fails cleanly, nothing half-written.
describe('a directory glx may not write to', () => {
  it('fails with one error line and leaves the file as it was', async () => {
    if (noPermissions && !required(false, 'a directory glx may not write to', noPermissions)) return;
    const dir = freshDir();
    const file = path.join(dir, 'pyproject.toml');
    writeFileSync(file, VALID);
    chmodSync(dir, 0o555);
    try {
      const argv = ['init', '--group', '43', '--name', 'ro']; // a new index: glx must write
      const result = unprivileged
        ? await runBin(argv, { cwd: dir, env: { GITLAB_HOST: HOST, HOME: dir }, user: unprivileged })
        : await glx(['--cwd', dir, ...argv], { env: { GITLAB_HOST: HOST }, homeDir: dir });

      expect(result.code).toBe(1);
      expect(cleanError(result.stderr).error).toContain(file);
      expect(readFileSync(file, 'utf8')).toBe(VALID);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
