/**
 * The part of pyproject.toml the editor reads, for the CST parser. Every top-level section (a
 * `[table]` or `[[array]]` header and the lines up to the next one) that cannot define anything
 * under tool.uv is left out, and locate.ts moves the positions of what is parsed back to where
 * they are in the file. On a 5,000-line file whose tool.uv part is a few lines,
 * toml-eslint-parser then reads a few lines instead of the whole file: it was the largest cost of
 * `glx init` there.
 *
 * Kept: the lines before the first header (dotted keys there can reach tool.uv), every header
 * that is a prefix of tool.uv or lies under it, every header this scanner cannot read for
 * certain, and every section that may hold TOML 1.1-only syntax (the editor notes that syntax
 * anywhere in the file): an inline table (newlines and trailing commas), `\e` or `\x` in a
 * string, a time without seconds (https://toml.io/en/v1.1.0, "Changes"). The scanner can be
 * wrong only in the safe direction: whatever it leaves out, the editor still verifies the edited
 * text by parsing it whole (edit.ts `finish`), and a part the CST parser refuses is dropped for
 * the whole text (locate.ts `parseCst`).
 */

import { lineBreaks } from '../util/text.js';

const TOOL_UV = ['tool', 'uv'];
const MAYBE_TOML_11 = /\{|\\[ex]|\d\d:\d\d(?!:)/;

/** Whether `text` may hold TOML 1.1-only syntax; false means it is TOML 1.0 where it is TOML at all. */
export function mayBeToml11(text: string): boolean {
  return MAYBE_TOML_11.test(text);
}

/** A run of kept lines: where it starts in the file (offset, 1-based line) and its text. */
export interface Segment {
  start: number;
  line: number;
  text: string;
}

/**
 * A top-level section: from the start of its header's line (or of the text, for the lines before
 * the first header) to the next header's line. `kept`: it may define something under tool.uv, or
 * hold TOML 1.1-only syntax.
 */
export interface Section {
  start: number;
  end: number;
  /** The header's keys; undefined before the first header and for a header the scanner cannot take apart. */
  path: string[] | undefined;
  kept: boolean;
}

export function sections(text: string): Section[] {
  const headers = headed(text, headerStarts(text), text.length);
  return [{ start: 0, end: headers[0]?.start ?? text.length, path: undefined, kept: true }, ...headers];
}

/** The sections of the headers at `headers` (offsets of their `[`), the last one ending at `end`. */
function headed(text: string, headers: readonly number[], end: number): Section[] {
  const starts = headers.map((header) => lineStart(text, header));
  return starts.map((start, i) => {
    const section = text.slice(start, starts[i + 1] ?? end);
    const path = headerPath(section.trimStart());
    return { start, end: starts[i + 1] ?? end, path, kept: mayReachToolUv(path) || mayBeToml11(section) };
  });
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * `sections(edited)` for a text that differs from the one `before` lays out only inside its
 * sections `first` to `last` (never in their headers' line starts), by `shift` characters in
 * length, without scanning all of it again. The sections before `first` are the same; the span
 * is scanned again; and once that scan finds, at the top level, the header that followed the
 * span where `shift` moved it, the rest are the old sections moved by `shift`: from a top-level
 * header on, the scanner reads the same text in the same state. Undefined when the scan does not
 * meet that header, or does not find the span's own first header where it was.
 */
export function sectionsAfterEdit(
  before: readonly Section[],
  edited: string,
  first: number,
  last: number,
  shift: number,
): Section[] | undefined {
  const from = before[first]!.start;
  const next = before[last + 1];
  const headers = headerStarts(edited, from, next && next.start + shift);
  if (headers.length === 0 || lineStart(edited, headers[0]!) !== from) return undefined;
  if (next) {
    const met = headers.pop()!;
    if (headers.length === 0 || lineStart(edited, met) !== next.start + shift) return undefined;
  }
  const moved = before
    .slice(last + 1)
    .map((section) => ({ ...section, start: section.start + shift, end: section.end + shift }));
  return [...before.slice(0, first), ...headed(edited, headers, next ? next.start + shift : edited.length), ...moved];
}

/** The kept parts of the text, or undefined when nothing can be left out. */
export function editSegments(text: string, all = sections(text)): Segment[] | undefined {
  if (all.length === 1) return undefined;
  const segments: Segment[] = [];
  let line = 1;
  for (const { start, end, kept } of all) {
    const section = text.slice(start, end);
    const last = segments[segments.length - 1];
    if (kept && section !== '') {
      if (last && last.start + last.text.length === start) last.text += section;
      else segments.push({ start, line, text: section });
    }
    line += lineBreaks(text, start, end);
  }
  return all.some((section) => !section.kept) ? segments : undefined;
}

function mayReachToolUv(path: string[] | undefined): boolean {
  if (!path) return true;
  const shorter = Math.min(path.length, TOOL_UV.length);
  return path.slice(0, shorter).every((key, i) => key === TOOL_UV[i]);
}

// A header and its keys; the part of a header's line that can end it (a quoted key is skipped whole).
// Module-level, with lastIndex set before each use: a regex literal inside a function is a new
// object on every call, and the scanner calls these once per section of a large file.
const HEADER = /^\[\[?([^\]\r\n]*)\]/;
const HEADER_KEY = /[ \t]*(?:([A-Za-z0-9_-]+)|"([^"\\\r\n]*)"|'([^'\r\n]*)')[ \t]*(\.|$)/y;
const HEADER_PART = /"(?:\\.|[^"\\\n])*"?|'[^'\n]*'?|\]\]?|\n/g;

/**
 * The keys of the header that starts `section` (`[a."b".'c']`, `[[a.b]]`), or undefined for one
 * this reader does not take apart for certain (an escape in a quoted key, anything odd).
 */
export function headerPath(section: string): string[] | undefined {
  const match = HEADER.exec(section);
  if (!match) return undefined;
  const keys: string[] = [];
  const key = HEADER_KEY;
  key.lastIndex = 0;
  const inner = match[1]!;
  while (key.lastIndex < inner.length) {
    const part = key.exec(inner);
    if (!part) return undefined;
    keys.push(part[1] ?? part[2] ?? part[3]!);
    if (part[4] === '') break;
  }
  return keys.length > 0 && key.lastIndex >= inner.length ? keys : undefined;
}

// What can change the scanner's state, in one regex so that the engine skips everything else:
// multi-line strings (up to two more quotes belong to the content: `""""` ends with one `"` in
// the string), single-line strings (an unclosed one ends at the line's end), comments, a `[`
// first on its line (after blanks), and the other brackets.
const TOKEN =
  /"""(?:\\[\s\S]|[^\\])*?"""(?:"{0,2})|'''[\s\S]*?'''(?:'{0,2})|"(?:\\.|[^"\\\n])*"?|'[^'\n]*'?|#[^\n]*|^[ \t]*\[|[[\]{}]/gm;

/**
 * Offsets of the top-level headers: a `[` first on its line (after blanks), outside strings,
 * comments, arrays and inline tables. From `from` (the start of the text, or of a top-level
 * header's line), and up to the first header whose line starts at or after `until`, that one included.
 */
export function headerStarts(text: string, from = 0, until?: number): number[] {
  const starts: number[] = [];
  const token = new RegExp(TOKEN);
  token.lastIndex = from;
  let depth = 0;
  for (let match = token.exec(text); match; match = token.exec(text)) {
    const first = match[0][0];
    if (first === '[' || first === ' ' || first === '\t') {
      // A `[`, first on its line when the match starts one: a header at the top level.
      const start = match.index + match[0].length - 1;
      if (depth === 0 && (match.index === 0 || text[match.index - 1] === '\n')) {
        starts.push(start);
        if (until !== undefined && match.index >= until) break;
        token.lastIndex = headerEnd(text, start);
      } else depth++;
    } else if (first === '{') depth++;
    else if ((first === ']' || first === '}') && depth > 0) depth--;
  }
  return starts;
}

/** The offset just past the header that opens at `start`: its closing `]` or `]]`, quoted keys skipped. */
function headerEnd(text: string, start: number): number {
  HEADER_PART.lastIndex = start + 1;
  for (let part = HEADER_PART.exec(text); part; part = HEADER_PART.exec(text)) {
    if (part[0][0] === ']') return part.index + part[0].length;
    if (part[0] === '\n') return part.index;
  }
  return text.length;
}
