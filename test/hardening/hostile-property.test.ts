/**
 * Hostile input, generated: fast-check mutates valid pyproject.toml and netrc files
 * (byte flips, truncation, deletions, duplicated lines, inserted `[`, `"`, `\r`, NUL, a BOM, an
 * escape, a byte that is not UTF-8) and runs glx on each. Whatever the input, glx either
 * succeeds and the result still parses and still says everything the input said, or exits 2 with
 * one clean error line and leaves the file as it was. Never exit 1, never a stack trace.
 */
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetrc } from '../../src/netrc/parse.js';
import { withSeed } from '../support/seed.js';
import { glx, tempDir } from '../support/test-deps.js';
import { cleanError, listTree } from './helpers.js';

const HOST = 'https://gitlab.example.com';
const TOKEN = 'glpat-propertyPROPERTY0';
const RUNS = 300;

const PYPROJECTS = [
  [
    '# demo project',
    '[project]',
    'name = "demo"',
    'version = "0.1.0"',
    'dependencies = ["acme-utils>=1.0", "requests"]',
    '',
    '[tool.uv]',
    'package = true  # build it',
    '',
    '[[tool.uv.index]]',
    'name = "gitlab"',
    `url = "${HOST}/api/v4/groups/42/-/packages/pypi/simple"`,
    'authenticate = "always"',
    'explicit = true',
    '',
    '[tool.uv.sources]',
    'acme-utils = { index = "gitlab" }',
    '',
  ].join('\n'),
  '[project]\r\nname = "crlf"\r\nversion = "1"\r\n\r\n[tool.uv]\r\nindex = [\r\n  { name = "other", url = "https://pypi.example.com/simple" },\r\n]\r\n',
  "[project]\nname = 'literal'\nclassifiers = [\n  'A',  # trailing comma next\n  'B',\n]\n[tool.other]\nx = { a = 1, b = [1, 2] }\n",
];

const NETRCS = [
  [
    '# work',
    'machine other.example.com',
    '  login bob',
    '  password s3cret',
    '',
    'machine gitlab.example.com login __token__ password glpat-oldOLDoldOLDold00',
    '',
    'macdef init',
    'cd /pub',
    '',
    'default login anonymous password guest',
    '',
  ].join('\n'),
  'machine a.example.com login "a b" password "q\\"uoted"\r\nmachine b.example.com login eve password two\r\n',
];

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate-line'; at: number };

// Hostile pieces, and a few harmless ones (blanks, a comment) so that successes get tested too.
const INSERTS = [
  '[',
  ']',
  '"',
  "'",
  '\r',
  '\0',
  '\n',
  '\r\n',
  '=',
  '#',
  '{',
  '\\',
  '[[',
  '\ufeff',
  '\u001b',
  'machine',
  'macdef x\n',
  '"""',
  ' ',
  '\n\n',
  '# note\n',
].map((text) => [...Buffer.from(text)]);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(fc.constantFrom(...INSERTS), fc.constant<number[]>([0xe9]), fc.constant<number[]>([0xff, 0xfe])),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
);

function mutate(seed: string, mutations: Mutation[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === 'flip' && bytes.length > 0) {
      const copy = Buffer.from(bytes);
      const i = at % bytes.length;
      copy[i] = copy[i]! ^ m.mask;
      bytes = copy;
    } else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (m.kind === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.bytes), bytes.subarray(at)]);
    else if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else if (m.kind === 'duplicate-line') {
      const start = bytes.lastIndexOf(0x0a, at - 1) + 1;
      const newline = bytes.indexOf(0x0a, at);
      const end = newline < 0 ? bytes.length : newline + 1;
      bytes = Buffer.concat([bytes.subarray(0, end), bytes.subarray(start, end), bytes.subarray(end)]);
    }
  }
  return bytes;
}

let dir: string;
let cleanup: () => void;
let tried = 0;
/** Outcomes by exit code, reported at the end (a property that only ever sees refusals proves little). */
const outcomes: Record<string, number> = {};

beforeAll(() => {
  ({ dir, cleanup } = tempDir('glx-property-'));
});

afterAll(() => {
  console.log(`hostile-property: ${tried} mutated files tried, outcomes ${JSON.stringify(outcomes)}`);
  cleanup();
});

/** The documented outcomes for bad local input: 0, or 2 with one clean line and the file as it was. */
function checkRefusal(result: { code: number; stderr: string }, file: string, before: Buffer, mode: number): void {
  outcomes[`exit ${result.code}`] = (outcomes[`exit ${result.code}`] ?? 0) + 1;
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect([0, 2], result.stderr).toContain(result.code);
  if (result.code === 2) {
    cleanError(result.stderr);
    expect(readFileSync(file).equals(before), 'the file changed on a refusal').toBe(true);
    expect(statSync(file).mode).toBe(mode);
  }
  expect(listTree(dir).filter((name) => /\.glx-|\.glx\.lock/.test(name))).toEqual([]);
}

/** The run of `before` that `after` replaces, and what replaces it (common prefix and suffix cut). */
function changedRun(before: Buffer, after: Buffer): { removed: Buffer; inserted: Buffer } {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (
    end < before.length - start &&
    end < after.length - start &&
    before[before.length - 1 - end] === after[after.length - 1 - end]
  )
    end++;
  return { removed: before.subarray(start, before.length - end), inserted: after.subarray(start, after.length - end) };
}

/** Key-order-insensitive text of a parsed TOML document. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return typeof value === 'bigint' ? `${value}n` : String(JSON.stringify(value));
}

function tomlOf(text: string): Record<string, unknown> {
  return parse(text.startsWith('\ufeff') ? text.slice(1) : text);
}

/** The document without the entry glx added (and the tables it had to create for it). */
function withoutAdded(doc: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(doc) as Record<string, Record<string, Record<string, unknown>>>;
  const uv = copy.tool?.uv;
  if (!uv || !Array.isArray(uv.index)) return copy;
  uv.index = (uv.index as Array<{ name?: string }>).filter((entry) => entry.name !== 'zzprop');
  const beforeUv = (before.tool as Record<string, Record<string, unknown>> | undefined)?.uv;
  if ((uv.index as unknown[]).length === 0 && beforeUv?.index === undefined) delete uv.index;
  if (Object.keys(uv).length === 0 && beforeUv === undefined) delete copy.tool!.uv;
  if (Object.keys(copy.tool!).length === 0 && before.tool === undefined) delete copy.tool;
  return copy;
}

describe('mutated pyproject.toml files', () => {
  it('glx init either keeps every meaning and adds its entry, or exits 2 and changes nothing', async () => {
    const file = path.join(dir, 'pyproject.toml');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PYPROJECTS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (seed, mutations) => {
          const bytes = mutate(seed, mutations);
          writeFileSync(file, bytes);
          chmodSync(file, 0o640);
          tried++;

          const result = await glx(['--cwd', dir, 'init', '--group', '99', '--name', 'zzprop'], {
            env: { GITLAB_HOST: HOST },
            homeDir: dir,
          });

          checkRefusal(result, file, bytes, statSync(file).mode);
          if (result.code !== 0) return;
          // Byte level: the new file is the old one with one run inserted, nothing replaced.
          const written = readFileSync(file);
          const { removed } = changedRun(bytes, written);
          expect(removed.length, `bytes replaced: ${JSON.stringify(removed.toString('latin1'))}`).toBe(0);
          const before = tomlOf(bytes.toString('utf8'));
          const after = tomlOf(written.toString('utf8'));
          expect(canonical(withoutAdded(after, before))).toBe(canonical(before));
          expect(statSync(file).mode & 0o777).toBe(0o640);
        },
      ),
      withSeed({ numRuns: RUNS }),
    );
  });

  it('glx env either prints its lines or exits 2 with one clean line', async () => {
    const file = path.join(dir, 'pyproject.toml');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PYPROJECTS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (seed, mutations) => {
          const bytes = mutate(seed, mutations);
          writeFileSync(file, bytes);
          tried++;

          const result = await glx(['--cwd', dir, 'env', '--shell', 'sh'], {
            env: { GITLAB_TOKEN: TOKEN },
            homeDir: dir,
          });

          checkRefusal(result, file, bytes, statSync(file).mode);
          if (result.code === 0) expect(result.stdout).toMatch(/^(export UV_INDEX_\w+='[^']*'\n)+$/);
          else expect(result.stdout).toBe('');
        },
      ),
      withSeed({ numRuns: RUNS }),
    );
  });
});

describe('mutated netrc files', () => {
  it('glx auth --netrc either keeps every other entry and stores its own, or exits 2 and changes nothing', async () => {
    const file = path.join(dir, 'netrc');
    writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECTS[0]!);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NETRCS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (seed, mutations) => {
          const bytes = mutate(seed, mutations);
          writeFileSync(file, bytes);
          chmodSync(file, 0o600);
          tried++;

          const result = await glx(['--cwd', dir, 'auth', '--netrc', '--no-verify'], {
            env: { GITLAB_HOST: HOST, GITLAB_TOKEN: TOKEN, NETRC: file },
            homeDir: dir,
          });

          checkRefusal(result, file, bytes, statSync(file).mode);
          expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
          if (result.code !== 0) return;
          const after = readFileSync(file, 'utf8');
          const doc = parseNetrc(after, file);
          expect(doc.entries.filter((entry) => entry.host === 'gitlab.example.com').at(-1)?.password).toBe(TOKEN);
          const others = (text: string) => {
            const parsed = parseNetrc(text, file, { tolerant: true });
            return JSON.stringify([
              parsed.entries
                .filter((entry) => entry.host !== 'gitlab.example.com')
                .map((entry) => [entry.kind, entry.host, entry.login, entry.account, entry.password]),
              parsed.macros.map((macro) => [macro.name, macro.lines]),
            ]);
          };
          expect(others(after)).toBe(others(bytes.toString('utf8')));
          expect(statSync(file).mode & 0o777).toBe(0o600);
        },
      ),
      withSeed({ numRuns: RUNS }),
    );
  });
});
