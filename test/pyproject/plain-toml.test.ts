/**
 * The plain-TOML reader (src/pyproject/plain-toml.ts) held to smol-toml: whatever document it
 * gives, smol-toml gives too, alike down to key order and null prototypes, and it gives none for a
 * text smol-toml refuses. On hand-written cases, the golden inputs, the ../shared corpus, documents
 * generated from the plain grammar (which it must read, not only decline), and those documents
 * with one character changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, type TomlTable } from 'smol-toml';
import { describe, expect, test } from 'vitest';
import { plainToml } from '../../src/pyproject/plain-toml.js';
import { sharedPath } from '../support/peers.js';
import { withSeed } from '../support/seed.js';

/** smol-toml's document, or 'refused'. */
function smol(text: string): TomlTable | 'refused' {
  try {
    return parse(text);
  } catch {
    return 'refused';
  }
}

/** Where two documents differ (key order and prototypes count), or undefined when they are alike. */
function difference(a: unknown, b: unknown, at = '$'): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return `${at}: array against other`;
    for (let i = 0; i < a.length; i++) {
      const found = difference(a[i], b[i], `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    if (Object.getPrototypeOf(a) !== null || Object.getPrototypeOf(b) !== null) return `${at}: a prototype`;
    const [keysA, keysB] = [Object.keys(a), Object.keys(b)];
    if (keysA.join('\0') !== keysB.join('\0')) return `${at}: keys ${keysA} against ${keysB}`;
    for (const key of keysA) {
      const found = difference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}.${key}`,
      );
      if (found) return found;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${at}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`;
}

/** The reader's promise on one text; true when it read the text itself. */
function holds(text: string): boolean {
  const mine = plainToml(text);
  if (mine === undefined) return false;
  const theirs = smol(text);
  expect(theirs, `smol-toml refuses what the plain reader read: ${JSON.stringify(text)}`).not.toBe('refused');
  expect(difference(mine, theirs), JSON.stringify(text)).toBeUndefined();
  return true;
}

const READ = [
  '',
  '\n\n',
  '# only a comment',
  'a = 1',
  'a=1\nb="x"\nc=\'y\'\nd=true\ne=false\nf=0\ng=123456789012345',
  '  indented = "yes"  # and a comment\n\t[ t . u ]\t# spaced header\n  k = 1',
  'a = 1\r\nb = 2\r\n[t]\r\nc = [\r\n  1, # one\r\n  2,\r\n]\r\n',
  'a = []\nb = [ ]\nc = [1,]\nd = [ 1 , "x" , \'y\' , false ]\ne = [\n# before\n\n  "v" # after\n  ,\n]',
  '[project]\nname = "demo"\ndependencies = [\n  "requests>=2",\n  \'pkg; python_version < "3.11"\',\n]\n',
  '[a.b.c]\nx = 1\n[a]\ny = 2\n[a.b]\nz = 3',
  '[[tool.uv.index]]\nname = "one"\n[[tool.uv.index]]\nname = "two"\n[tool.uv]\npackage = true',
  '[[a]]\nx = 1\n[a.sub]\ny = 1\n[[a]]\nx = 2\n[a.sub]\ny = 2\n[[a.deeper]]\nz = 3',
  '[[a.b]]\n[a]\nc = 1',
  'constructor = 1\ntoString = "x"\n[hasOwnProperty]\nvalueOf = 2',
  'string = "tab\there, ünïcödé, #, = and [brackets]"\nliteral = \'C:\\path\\no\\escapes\'',
  'last = "no newline at the end"',
];

/** Texts the reader must leave to smol-toml: `true` when smol-toml refuses them too. */
const DECLINED: Array<[string, boolean]> = [
  ['a = 1\nb = 2\na = 3', true],
  ['[a]\n[a]', true],
  ['[a]\nb = 1\n[a.b]', true],
  ['[a.b]\n[a]\nb = 1', true],
  ['[a]\nx = [1]\n[[a.x]]', true],
  ['a = []\n[[a]]', true],
  ['[[a]]\n[a]', true],
  ['[a.b]\n[[a]]', true],
  ['[[a]', true],
  ['[a]]', true],
  ['[[a] ]', true],
  ['a = 1\r', true],
  ['a = 1\rb = 2', true],
  ['# a comment with a \u0001 control character', true],
  ['# a comment with a DEL \u007f', true],
  ['a = "a \u0000 NUL"', true],
  ['a = "unterminated', true],
  ["a = 'unterminated", true],
  ['a = [1, 2', true],
  ['a = [1 2]', true],
  ['a = [,]', true],
  ['a = [1,,2]', true],
  ['a = [1] x', true],
  ['a = 01', true],
  ['a = truex', true],
  ['a =', true],
  ['= 1', true],
  ['[]', true],
  ['a = [ # a comment\r]', true],
  ['a = "x"\n"b" = 1', false],
  ['a.b = 1', false],
  ['[a."b"]', false],
  ['a = "x\\ny"', false],
  ['a = """multi\nline"""', false],
  ["a = '''multi\nline'''", false],
  ['a = -1', false],
  ['a = +1', false],
  ['a = 1_000', false],
  ['a = 0x1f', false],
  ['a = 1.5', false],
  ['a = inf', false],
  ['a = 1234567890123456', false],
  ['a = 1979-05-27', false],
  ['a = { b = 1 }', false],
  ['a = [[1], [2]]', false],
  ['a = [{ b = 1 }]', false],
  ['__proto__ = 1', false],
  ['[__proto__]', false],
  ['a = 1 \f', true],
  ['a\u00a0= 1', true],
];

describe('the plain-TOML reader', () => {
  test.each(READ.map((text, i) => [i, text]))('reads plain text %i as smol-toml does', (_, text) => {
    expect(holds(text)).toBe(true);
  });

  test.each(DECLINED)('leaves %j to smol-toml', (text, refused) => {
    expect(plainToml(text)).toBeUndefined();
    expect(smol(text) === 'refused').toBe(refused);
  });

  test('a megabyte of comment or blanks where it fails costs one pass, not a backtrack per character', () => {
    // Each would hang the test (quadratic or worse) if a repetition could split the run two ways.
    const blanks = ' '.repeat(1_000_000);
    for (const text of [
      `a = [ #${blanks}`,
      `a = [ #${blanks}\r`,
      `a = [${blanks}`,
      `a = [ 1 ${'# x\n'.repeat(200_000)}`,
      `#${blanks}\u0001\n`,
      `a = "${blanks}`,
      `${blanks}x`,
    ])
      expect(plainToml(text)).toBeUndefined();
  });

  test('the golden inputs', () => {
    const root = new URL('../golden/pyproject/', import.meta.url);
    let read = 0;
    for (const entry of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const text = readFileSync(new URL(`${entry.name}/input.toml`, root), 'utf8').replace(/^\uFEFF/, '');
      if (holds(text)) read++;
    }
    expect(read).toBeGreaterThan(10);
  });

  const corpus = sharedPath('corpus/pyproject', 'the plain-TOML reader on the pyproject corpus');
  test.runIf(corpus !== undefined)('the pyproject corpus', () => {
    let read = 0;
    for (const name of readdirSync(corpus!).filter((file) => file.endsWith('.toml'))) {
      if (holds(readFileSync(`${corpus}/${name}`, 'utf8').replace(/^\uFEFF/, ''))) read++;
    }
    // Real files use inline tables and dotted keys often; the reader must still take some whole.
    expect(read).toBeGreaterThan(10);
  });

  // Documents of the plain grammar: a few keys and table names, so that keys and tables meet again.
  const key = fc.constantFrom('a', 'b', 'name', 'tool', 'uv', 'index', 'x-y', 'k_1', 'constructor');
  const scalar = fc.oneof(
    fc.stringMatching(/^"[a-z #=[\]',.\t\u00e9]{0,8}"$/),
    fc.stringMatching(/^'[a-z #=[\]",.\\]{0,8}'$/),
    fc.constantFrom('0', '1', '42', '123456789012345', 'true', 'false'),
  );
  const gap = fc.constantFrom('', ' ', '\t', '  ');
  const comment = fc.constantFrom('', ' # note', '# [not] a = "header"', ' #');
  const newline = fc.constantFrom('\n', '\r\n');
  // An array on one line, or over lines with a comment after any item; a trailing comma or not.
  const array = fc
    .tuple(fc.array(fc.tuple(gap, scalar, comment, newline), { maxLength: 4 }), fc.boolean(), fc.boolean())
    .map(([items, multiline, trailing]) => {
      const comma = (i: number) => (i < items.length - 1 || trailing ? ',' : '');
      if (!multiline) return `[${items.map(([, value], i) => value + comma(i)).join(' ')}]`;
      return `[\n${items.map(([g, value, c, nl], i) => `${g}${value}${comma(i)}${c}${nl}`).join('')}]`;
    });
  const line = fc.oneof(
    fc.tuple(gap, key, gap, fc.oneof(scalar, array), comment).map(([g, k, s, v, c]) => `${g}${k}${s}=${s}${v}${c}`),
    fc
      .tuple(gap, fc.array(key, { minLength: 1, maxLength: 3 }), fc.boolean(), comment)
      .map(([g, keys, aot, c]) => `${g}${aot ? '[[' : '['}${keys.join('.')}${aot ? ']]' : ']'}${c}`),
    comment.map((c) => c.trim()),
  );
  const document = fc
    .tuple(fc.array(fc.tuple(line, newline), { maxLength: 14 }), fc.boolean())
    .map(([lines, last]) => lines.map(([l, nl], i) => l + (i < lines.length - 1 || last ? nl : '')).join(''));

  test('reads every generated document smol-toml takes, as smol-toml does', () => {
    let read = 0;
    let refused = 0;
    fc.assert(
      fc.property(document, (text) => {
        if (smol(text) === 'refused') {
          refused++;
          expect(plainToml(text)).toBeUndefined();
        } else {
          expect(holds(text), `declined a plain document: ${JSON.stringify(text)}`).toBe(true);
          read++;
        }
      }),
      withSeed({ numRuns: 3000 }),
    );
    // Both kinds came up: keys and tables met again often enough to break the rules.
    expect(read).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(100);
  });

  test('with one character changed, never reads what smol-toml refuses or reads differently', () => {
    const change = fc.tuple(
      document,
      fc.nat(),
      fc.constantFrom('insert', 'delete', 'replace'),
      fc.constantFrom(...'"\'[]=#,. \t\r\n\\{}-+_0aé\u0000\u0001\u007f\u00a0'.split('')),
    );
    let read = 0;
    fc.assert(
      fc.property(change, ([text, at, how, char]) => {
        const i = text.length === 0 ? 0 : at % (text.length + 1);
        const changed =
          how === 'insert'
            ? text.slice(0, i) + char + text.slice(i)
            : how === 'delete'
              ? text.slice(0, i) + text.slice(i + 1)
              : text.slice(0, i) + char + text.slice(i + 1);
        if (holds(changed)) read++;
      }),
      withSeed({ numRuns: 5000 }),
    );
    // Many changes keep the text plain (a blank, a letter in a string): those were compared.
    expect(read).toBeGreaterThan(1000);
  });
});
