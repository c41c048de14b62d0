/**
 * A fast reader for plain TOML, in front of smol-toml: the document smol-toml would give, or
 * undefined, and then smol-toml reads the file (and reports its errors). Why: every glx run parses
 * pyproject.toml cold, and smol-toml's character loop runs interpreted until V8 optimises it; on a
 * 4,800-line file that one parse was most of `glx init`'s time (bench/toml-parse.mjs). Here each
 * line is one native regex match.
 *
 * Plain means, and nothing else is read here:
 * - blank lines and comments;
 * - `[a.b]` and `[[a.b]]` headers of bare keys;
 * - `key = value` with one bare key, where the value is a basic string without escapes, a literal
 *   string (both on one line), a decimal integer of at most 15 digits without sign or
 *   underscores, `true`, `false`, or an array of those (over lines, with comments and a trailing
 *   comma).
 *
 * That part of TOML is the same in 1.0 and 1.1 (https://toml.io/en/v1.0.0). Whatever is outside
 * it, or breaks a rule of it (a key or table defined twice, a table over a value, a `[[ ]]` over a
 * static array, a lone CR, a control character), returns undefined: this reader never rejects a
 * file and never accepts one smol-toml would not. test/pyproject/plain-toml.test.ts holds it to
 * smol-toml on generated, mutated and real files. Tables are null-prototype objects, in the order
 * smol-toml makes them, so the two documents are alike down to key order.
 */
import type { TomlTable, TomlValue } from 'smol-toml';

// Every regex is linear on any input: each repetition starts on a character the one before cannot
// take, and a comment must end its line (a shorter match of it fails at once), so a 1 MB comment
// or run of blanks cannot make the engine backtrack through it more than once.
const KEY = '[A-Za-z0-9_-]+';
const COMMENT = '#[^\\x00-\\x08\\x0a-\\x1f\\x7f]*(?=\\r?\\n|$)';
// The end of a line: a comment or not, then the line break. END allows blanks before it; a blank
// or comment line takes LINE_END only, as LINE has read the blanks once already.
const LINE_END = `(?:${COMMENT})?(?:\\r?\\n|$)`;
const END = `[ \\t]*${LINE_END}`;
// Basic string, literal string, integer, boolean: four groups, in that order.
const SCALAR = `"([^"\\\\\\x00-\\x08\\x0a-\\x1f\\x7f]*)"|'([^'\\x00-\\x08\\x0a-\\x1f\\x7f]*)'|(0|[1-9][0-9]{0,14})|(true|false)`;
/**
 * One line from where the last one ended: 1 `[` when the header is `[[`, 2 the header's keys,
 * 3 `]` when it closes with `]]`; 4 a key, 5–8 its scalar value, 9 `[` when its value is an array
 * (the match then ends after that `[`, and ITEM reads on). A blank or comment line matches with
 * every group empty.
 */
const LINE = new RegExp(
  `[ \\t]*(?:\\[(\\[)?[ \\t]*(${KEY}(?:[ \\t]*\\.[ \\t]*${KEY})*)[ \\t]*\\](\\])?${END}|(${KEY})[ \\t]*=[ \\t]*(?:(?:${SCALAR})${END}|(\\[))|${LINE_END})`,
  'y',
);
// Between array items: blanks, line breaks, comments.
const GAP = `[ \\t\\n]*(?:(?:\\r\\n|${COMMENT})[ \\t\\n]*)*`;
/** One array item and what follows it: 1–4 a scalar, 5 `,` or `]` after it; or 6 the closing `]`. */
const ITEM = new RegExp(`${GAP}(?:(?:${SCALAR})${GAP}([,\\]])?|(\\]))`, 'y');
/** The rest of the line after an array's `]`. */
const AFTER = new RegExp(END, 'y');

export function plainToml(text: string): TomlTable | undefined {
  const root: TomlTable = Object.create(null);
  // Tables a header defined (one header each), and the arrays `[[ ]]` headers made.
  const defined = new Set<TomlTable>();
  const tableArrays = new Set<TomlValue[]>();
  let table = root;
  let at = 0;
  while (at < text.length) {
    LINE.lastIndex = at;
    const line = LINE.exec(text);
    if (!line || LINE.lastIndex === at) return undefined;
    at = LINE.lastIndex;
    const header = line[2];
    const key = line[4];
    if (header !== undefined) {
      const open = line[1];
      const close = line[3];
      if ((open === undefined) !== (close === undefined)) return undefined;
      const found = headerTable(root, header.split('.'), open !== undefined, defined, tableArrays);
      if (!found) return undefined;
      table = found;
    } else if (key !== undefined) {
      if (key === '__proto__' || Object.hasOwn(table, key)) return undefined;
      if (line[9] === undefined) {
        table[key] = scalar(line, 5);
        continue;
      }
      const items: TomlValue[] = [];
      ITEM.lastIndex = at;
      for (;;) {
        const item = ITEM.exec(text);
        if (!item) return undefined;
        if (item[6] !== undefined) break; // `]`: an empty array, or one with a trailing comma
        items.push(scalar(item, 1));
        if (item[5] === ']') break;
        if (item[5] !== ',') return undefined;
      }
      AFTER.lastIndex = ITEM.lastIndex;
      if (!AFTER.exec(text)) return undefined;
      at = AFTER.lastIndex;
      table[key] = items;
    }
  }
  return root;
}

/** The value of a scalar whose four groups start at `first`. */
function scalar(match: RegExpExecArray, first: number): TomlValue {
  const basic = match[first];
  if (basic !== undefined) return basic;
  const literal = match[first + 1];
  if (literal !== undefined) return literal;
  const integer = match[first + 2];
  return integer !== undefined ? Number(integer) : match[first + 3] === 'true';
}

/**
 * The table a header opens, made as needed, or undefined where TOML forbids it: a key on the way
 * that holds a value or a static array, a table defined before, `[[ ]]` over anything but an
 * array of tables. Under an array of tables, its last table is the one meant.
 */
function headerTable(
  root: TomlTable,
  keys: string[],
  array: boolean,
  defined: Set<TomlTable>,
  tableArrays: Set<TomlValue[]>,
): TomlTable | undefined {
  let table = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!.trim();
    if (key === '__proto__') return undefined;
    const last = i === keys.length - 1;
    const value = table[key];
    if (last && array) {
      const element: TomlTable = Object.create(null);
      if (value === undefined) {
        const made = [element];
        tableArrays.add(made);
        table[key] = made;
      } else if (Array.isArray(value) && tableArrays.has(value)) value.push(element);
      else return undefined;
      defined.add(element);
      return element;
    }
    if (value === undefined) {
      const made: TomlTable = Object.create(null);
      table[key] = made;
      table = made;
    } else if (Array.isArray(value)) {
      if (last || !tableArrays.has(value)) return undefined;
      table = value[value.length - 1] as TomlTable;
    } else if (typeof value === 'object')
      table = value as TomlTable; // what else is an object here is a table
    else return undefined;
  }
  if (defined.has(table)) return undefined;
  defined.add(table);
  return table;
}
