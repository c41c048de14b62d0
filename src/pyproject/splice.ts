/**
 * The mechanics of the surgical edit: line arithmetic, TOML rendering of the few value kinds glx
 * writes, splices at CST ranges (set keys in a table, append to an array, add a block) and
 * applying them. Nothing here knows about uv; edit.ts decides what goes where.
 */
import type { AST } from 'toml-eslint-parser';

export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** A value glx writes: strings, booleans, integer lists and inline tables of those. */
export type WriteValue = string | boolean | number[] | { [key: string]: WriteValue };

/**
 * The line ending for inserted lines: the file's majority (CRLF wins only when most lines use
 * it), LF for a file without line breaks. uv rewrites CRLF files as LF (astral-sh/uv#8559); glx
 * keeps them.
 */
export function eolOf(text: string): '\n' | '\r\n' {
  if (!text.includes('\r\n')) return '\n';
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = (text.match(/\n/g)?.length ?? 0) - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

export function lineStart(text: string, pos: number): number {
  return pos <= 0 ? 0 : text.lastIndexOf('\n', pos - 1) + 1;
}

/** Start of the next line (after the `\n`), or the end of the text. */
export function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  return i === -1 ? text.length : i + 1;
}

export function indentAt(text: string, pos: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, pos)))?.[0] ?? '';
}

function isBlank(line: string): boolean {
  return /^[ \t]*\r?\n?$/.test(line);
}

/** The line that ends right before `pos` (or the partial line `pos` is in) is empty or whitespace. */
function blankBefore(text: string, pos: number): boolean {
  if (pos === 0) return true;
  const start = text[pos - 1] === '\n' ? lineStart(text, pos - 1) : lineStart(text, pos);
  return isBlank(text.slice(start, pos));
}

export interface BlockOptions {
  /** Keep one blank line between the block and the text before it. */
  separateBefore?: boolean;
  /** Keep one blank line between the block and the text after it. */
  separateAfter?: boolean;
}

/**
 * Inserts whole lines at `pos`, which is a line start or the end of the text. At the end of a
 * file without a final newline the block goes on a new line and ends without one, so the file
 * keeps that property; an empty file gets a final newline.
 */
export function insertLines(
  text: string,
  pos: number,
  lines: readonly string[],
  eol: string,
  options: BlockOptions = {},
): Splice {
  const all = [...lines];
  if (options.separateBefore && !blankBefore(text, pos)) all.unshift('');
  if (options.separateAfter && pos < text.length && !isBlank(text.slice(pos, lineEnd(text, pos)))) all.push('');
  const unterminated = pos === text.length && text.length > 0 && !text.endsWith('\n');
  const inserted = unterminated ? eol + all.join(eol) : all.map((line) => line + eol).join('');
  return { start: pos, end: pos, text: inserted };
}

/** Applies splices right to left; they must not overlap (two inserts at one point keep their order). */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, i) => ({ ...s, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const s of ordered) {
    if (s.end > limit) throw new Error(`overlapping splices at ${s.start}..${s.end}`);
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

export function renderKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : renderString(key, 'basic');
}

export function renderString(value: string, style: 'basic' | 'literal'): string {
  if (style === 'literal' && !/['\x00-\x08\x0a-\x1f\x7f]/.test(value)) return `'${value}'`;
  const escapes: Record<string, string> = {
    '\\': '\\\\',
    '"': '\\"',
    '\n': '\\n',
    '\t': '\\t',
    '\r': '\\r',
    '\b': '\\b',
    '\f': '\\f',
  };
  const body = value.replace(
    /[\\"\x00-\x1f\x7f]/g,
    (c) => escapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${body}"`;
}

/** Renders a value; a string replacing a single-line literal string stays literal when it can. */
export function renderValue(value: WriteValue, like?: AST.TOMLContentNode): string {
  if (typeof value === 'string') {
    const literal = like?.type === 'TOMLValue' && like.kind === 'string' && like.style === 'literal' && !like.multiline;
    return renderString(value, literal ? 'literal' : 'basic');
  }
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`;
  return renderInlineTable(Object.entries(value));
}

export function renderInlineTable(pairs: readonly (readonly [string, WriteValue])[]): string {
  if (pairs.length === 0) return '{}';
  return `{ ${pairs.map(([k, v]) => `${renderKey(k)} = ${renderValue(v)}`).join(', ')} }`;
}

export function renderPair(key: string, value: WriteValue): string {
  return `${renderKey(key)} = ${renderValue(value)}`;
}

// ---------------------------------------------------------------------------------------------
// Splicing into the CST of a document

/** What the CST splices need: the text (without BOM), its CST and the EOL for new lines. */
export interface SpliceTarget {
  body: string;
  program: AST.TOMLProgram;
  eol: string;
}

/** The pair `key = ...` directly in a table body (not a dotted key that goes deeper). */
function pairIn(body: readonly AST.TOMLKeyValue[], key: string): AST.TOMLKeyValue | undefined {
  return body.find((kv) => kv.key.keys.length === 1 && keyName(kv.key.keys[0]!) === key);
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

/** Splices that set `pairs` in a `[table]`: replace values in place, add missing keys as lines. */
export function setInTable(
  target: SpliceTarget,
  table: AST.TOMLTable,
  pairs: readonly [string, WriteValue][],
  out: Splice[],
): void {
  const missing: [string, WriteValue][] = [];
  for (const [key, value] of pairs) {
    const kv = pairIn(table.body, key);
    if (kv) out.push({ start: kv.value.range[0], end: kv.value.range[1], text: renderValue(value, kv.value) });
    else missing.push([key, value]);
  }
  if (missing.length === 0) return;
  const first = table.body[0];
  const last = table.body.at(-1);
  const indent = indentAt(target.body, (last ?? table).range[0]);
  // A name goes first, where a reader looks for it; other keys after the entry's last line.
  const name = missing.find(([key]) => key === 'name');
  const rest = missing.filter(([key]) => key !== 'name');
  if (name && first) {
    const start = lineStart(target.body, first.range[0]);
    out.push(insertLines(target.body, start, [indent + renderPair(...name)], target.eol));
  } else if (name) rest.unshift(name);
  if (rest.length > 0) {
    const pos = lineEnd(target.body, last ? last.range[1] : table.key.range[1]);
    out.push(
      insertLines(
        target.body,
        pos,
        rest.map((p) => indent + renderPair(...p)),
        target.eol,
      ),
    );
  }
}

/** Splices that set `pairs` in an inline table `{ ... }`. */
export function setInInline(table: AST.TOMLInlineTable, pairs: readonly [string, WriteValue][], out: Splice[]): void {
  const missing: [string, WriteValue][] = [];
  for (const [key, value] of pairs) {
    const kv = pairIn(table.body, key);
    if (kv) out.push({ start: kv.value.range[0], end: kv.value.range[1], text: renderValue(value, kv.value) });
    else missing.push([key, value]);
  }
  if (missing.length === 0) return;
  const first = table.body[0];
  const last = table.body.at(-1);
  if (!first || !last) {
    out.push({ start: table.range[0], end: table.range[1], text: renderInlineTable(missing) });
    return;
  }
  const name = missing.find(([key]) => key === 'name');
  const rest = missing.filter(([key]) => key !== 'name');
  if (name) out.push({ start: first.range[0], end: first.range[0], text: `${renderPair(...name)}, ` });
  if (rest.length > 0)
    out.push({ start: last.range[1], end: last.range[1], text: rest.map((p) => `, ${renderPair(...p)}`).join('') });
}

/** The first token at or after `pos`, skipping comments (they are not tokens). */
function tokenAfter(program: AST.TOMLProgram, pos: number): AST.Token | undefined {
  return program.tokens.find((token) => token.range[0] >= pos);
}

/**
 * Appends `element` to an inline array. Single-line: `, element` after the last element.
 * Multi-line: a new line (the last element's indent) before the line of `]`, with a comma added
 * after the old last element if it had none; the new element ends with a comma when the old one did.
 */
export function appendToArray(target: SpliceTarget, array: AST.TOMLArray, element: string, out: Splice[]): void {
  const last = array.elements.at(-1);
  if (!last) {
    out.push({ start: array.range[0] + 1, end: array.range[0] + 1, text: element });
    return;
  }
  const close = array.range[1] - 1;
  const next = tokenAfter(target.program, last.range[1]);
  const comma = next?.type === 'Punctuator' && next.value === ',' && next.range[0] < close ? next : undefined;
  const afterLast = comma ? comma.range[1] : last.range[1];
  if (!target.body.slice(afterLast, close).includes('\n')) {
    // `]` on the same line as the last element (or the whole array on one line).
    out.push({ start: afterLast, end: afterLast, text: comma ? ` ${element},` : `, ${element}` });
    return;
  }
  if (!comma) out.push({ start: last.range[1], end: last.range[1], text: ',' });
  const indent = indentAt(target.body, last.range[0]);
  out.push(
    insertLines(target.body, lineStart(target.body, close), [`${indent}${element}${comma ? ',' : ''}`], target.eol),
  );
}

/** Adds a new `[header]` block with `lines` after `anchor`'s content, or at the end of the file. */
/**
 * Inserts a table block just above `anchor`, and above the comment lines that sit directly on top
 * of it (they belong to that table), with a blank line between.
 */
export function addBlockBefore(
  target: SpliceTarget,
  anchor: AST.TOMLTable,
  header: string,
  pairs: string[],
  out: Splice[],
): void {
  const text = target.body;
  let pos = lineStart(text, anchor.range[0]);
  while (pos > 0) {
    const previous = lineStart(text, pos - 1);
    if (!text.slice(previous, pos).trimStart().startsWith('#')) break;
    pos = previous;
  }
  const indent = indentAt(text, anchor.range[0]);
  out.push(
    insertLines(text, pos, [indent + header, ...pairs.map((p) => indent + p)], target.eol, { separateAfter: true }),
  );
}

export function addBlock(
  target: SpliceTarget,
  anchor: AST.TOMLTable | undefined,
  header: string,
  pairs: string[],
  out: Splice[],
): void {
  if (!anchor) {
    out.push(insertLines(target.body, target.body.length, [header, ...pairs], target.eol, { separateBefore: true }));
    return;
  }
  const last = anchor.body.at(-1);
  const headerIndent = indentAt(target.body, anchor.range[0]);
  const indent = last ? indentAt(target.body, last.range[0]) : headerIndent;
  const pos = lineEnd(target.body, last ? last.range[1] : anchor.key.range[1]);
  out.push(
    insertLines(target.body, pos, [headerIndent + header, ...pairs.map((p) => indent + p)], target.eol, {
      separateBefore: true,
      separateAfter: true,
    }),
  );
}
