/**
 * A lossless netrc reader that follows uv's parser exactly: `crates/uv-netrc`
 * (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc), "a translation of the official
 * Python netrc library". Every byte stays in `text`; entries, macros and comments point into it
 * by offset, so an edit can splice values and keep the rest as it was.
 *
 * The `python` dialect reproduces CPython's `Lib/netrc.py` (3.11+), which shares the tokenizer
 * but translates CRLF, needs an exactly empty line to end a macro and only skips a top-level
 * comment line that starts with a lone `#`. glx uses it to check that an edit keeps Python
 * tools (pip, requests, twine) reading the file as before.
 */
import { at, GlxError } from '../errors.js';
import { Lexer, LineIndex, type NetrcDialect, type Token } from './lexer.js';

export interface NetrcSpan {
  start: number;
  /** Exclusive. */
  end: number;
}

export interface NetrcValue {
  /** The value as uv reads it: quotes removed, backslash escapes applied. */
  value: string;
  /** The token in the text, quotes included. */
  span: NetrcSpan;
  quoted: boolean;
  /** A quote that runs to EOF: uv and Python accept it, curl rejects the whole file. */
  unterminated?: true;
}

export type NetrcFieldName = 'login' | 'account' | 'password';

export interface NetrcField {
  /** `login` for both `login` and its alias `user`; undefined for a keyword uv rejects (tolerant parse only). */
  name: NetrcFieldName | undefined;
  keyword: string;
  keywordSpan: NetrcSpan;
  /** Absent when the keyword is the last token of the file: uv then reads an empty value. */
  value?: NetrcValue;
}

export interface NetrcEntry {
  type: 'entry';
  kind: 'machine' | 'default';
  /** The machine name; undefined for `default`. */
  host?: string;
  hostValue?: NetrcValue;
  /** The values uv keeps (the last of each keyword); undefined when the keyword is absent. */
  login?: string;
  account?: string;
  password?: string;
  keywordSpan: NetrcSpan;
  /** From the `machine`/`default` keyword to the end of the entry's last token. */
  span: NetrcSpan;
  fields: NetrcField[];
  line: number;
}

export interface NetrcMacro {
  type: 'macdef';
  name: string;
  /** Body lines as written (without their line break). */
  lines: string[];
  /** From `macdef` through the line that ends the macro (or EOF). */
  span: NetrcSpan;
  /** How the macro ended; `whitespace-line` ends it for uv but not for Python or curl. */
  end: 'empty-line' | 'whitespace-line' | 'eof';
  line: number;
}

export interface NetrcComment {
  type: 'comment';
  span: NetrcSpan;
  /** True when the parser skipped the rest of the line; false when only the `#word` token was a comment. */
  skipsLine: boolean;
  line: number;
}

export interface NetrcInvalid {
  type: 'invalid';
  span: NetrcSpan;
  line: number;
}

export type NetrcItem = NetrcEntry | NetrcMacro | NetrcComment | NetrcInvalid;

export type NetrcProblemCode = 'bad-toplevel-token' | 'bad-follower-token' | 'missing-name' | 'macdef-eof';

export interface NetrcProblem {
  code: NetrcProblemCode;
  offset: number;
  line: number;
  column: number;
  /** One line, safe to print: it never quotes a word that could be part of a secret. */
  message: string;
  hint: string;
}

export interface NetrcSegment {
  kind: 'entry' | 'macdef' | 'comment' | 'space' | 'invalid' | 'ignored';
  start: number;
  end: number;
}

export interface NetrcDocument {
  file: string;
  text: string;
  dialect: NetrcDialect;
  /** The first line break's style; new lines use it. */
  eol: '\n' | '\r\n';
  /** False when the text is non-empty and does not end with a line break. */
  finalNewline: boolean;
  /** Everything the parser recognised, in text order (comments inside an entry included). */
  items: NetrcItem[];
  entries: NetrcEntry[];
  macros: NetrcMacro[];
  comments: NetrcComment[];
  /** Offset of an empty quoted token (`""`) in keyword position: uv and Python stop reading there. */
  stoppedAt?: number;
  /** Parse problems; only a tolerant parse returns a document that has any. */
  errors: NetrcProblem[];
  /** Contiguous pieces that cover the whole text; joining them gives `text` back. */
  segments: NetrcSegment[];
}

export interface ParseOptions {
  dialect?: NetrcDialect;
  /** Record problems in `errors` and keep going (for `glx doctor`) instead of throwing the first. */
  tolerant?: boolean;
}

const KEYWORDS = new Set(['machine', 'default', 'macdef', 'login', 'user', 'account', 'password']);

/** Words from other tools' netrc dialects; safe to quote in a message because they are not secrets. */
const FOREIGN_KEYWORDS = new Set([
  'port',
  'protocol',
  'force',
  'proxy',
  'path',
  'realm',
  'scheme',
  'method',
  'type',
  'username',
  'passwd',
  'pass',
  'token',
  'host',
  'hostname',
  'url',
]);

const PYTHON_REJECTS =
  "Python's netrc module raises NetrcParseError for this file, so pip, requests and twine get no credentials from it.";

const UV_IGNORES_FILE =
  'uv ignores the whole netrc file when it cannot parse it (it says so only with -v), so no credentials come from it. ' +
  'uv knows only machine, default, macdef, login (or user), account and password.';

/** Rust's `char::is_whitespace`, which `str::trim` uses to spot the line that ends a uv macro. */
const RUST_BLANK_LINE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Parses netrc text the way uv does. Throws GlxError NETRC_INVALID (file:line:col) unless `tolerant`. */
export function parseNetrc(text: string, file: string, options: ParseOptions = {}): NetrcDocument {
  const dialect = options.dialect ?? 'uv';
  const tolerant = options.tolerant ?? false;
  const lexer = new Lexer(text, dialect);
  const lines = new LineIndex(text);
  const items: NetrcItem[] = [];
  const errors: NetrcProblem[] = [];
  let stoppedAt: number | undefined;
  // The last comment that did not skip its line: the words after it are parsed, which explains errors.
  let openComment: { line: number; end: number } | undefined;
  // Inside a machine/default entry (Python's follower loop skips after any `#word`, its top level only after `#`).
  let inEntry = false;

  const consequence = dialect === 'uv' ? UV_IGNORES_FILE : PYTHON_REJECTS;
  const fail = (code: NetrcProblemCode, offset: number, message: string, hint: string): void => {
    const problem: NetrcProblem = {
      code,
      offset,
      line: lines.line(offset),
      column: lines.column(offset),
      message,
      hint,
    };
    if (!tolerant) throw new GlxError('NETRC_INVALID', `${at(file, problem.line, problem.column)}: ${message}`, hint);
    errors.push(problem);
  };

  const comment = (token: Token): void => {
    // uv skips the rest of the line only when the `#` token is on the line where the previous
    // token ended; after a blank line, trailing blanks, a quoted value or a CRLF it ends after
    // its first word (astral-sh/uv#16083, python/cpython#104306). Python also needs a lone `#`
    // at top level; uv dropped that rule in 0.11.17 (astral-sh/uv#19494).
    const skips = !token.sawNewline && (dialect === 'uv' || token.value.length === 1 || inEntry);
    if (skips) {
      const rest = lexer.readLine();
      const end = rest.atEof ? rest.end : trimLineBreak(text, rest.end);
      items.push({
        type: 'comment',
        span: { start: token.start, end },
        skipsLine: true,
        line: lines.line(token.start),
      });
      openComment = undefined;
    } else {
      items.push({
        type: 'comment',
        span: { start: token.start, end: token.end },
        skipsLine: false,
        line: lines.line(token.start),
      });
      openComment = { line: lines.line(token.start), end: token.end };
    }
  };

  const badWord = (token: Token, where: 'toplevel' | 'follower', entryLabel: string): void => {
    const line = lines.line(token.start);
    const afterComment = openComment !== undefined && openComment.line === line && openComment.end <= token.start;
    const word = printableWord(token.value);
    let message: string;
    let hint: string;
    if (afterComment) {
      message =
        dialect === 'uv'
          ? `uv reads the words after \`#\` on line ${line} as netrc keywords: after a blank line, trailing blanks, ` +
            'a quoted value or a CRLF line break, uv ends a comment after its first word'
          : `Python reads the words after \`#\` on line ${line} as netrc keywords: it ends a comment after its first word ` +
            'unless the `#` stands alone at the start of the file or follows a word on the same line';
      hint = `Delete the comment or write it as one word (\`#like-this\`). ${consequence}`;
    } else if (token.start === 0 && token.value.startsWith('\ufeff')) {
      message = 'the file starts with a byte order mark, which uv reads as part of the first word';
      hint = `Save the file as UTF-8 without a BOM. ${consequence}`;
    } else if (word !== undefined && word.toLowerCase() === 'port') {
      message = `unknown keyword 'port'${entryLabel}`;
      hint = `Delete \`port …\`: uv matches netrc entries by host only, so \`machine <host>\` serves every port. ${consequence}`;
    } else if (word !== undefined && KEYWORDS.has(word.toLowerCase())) {
      message = `'${word}'${entryLabel}: uv's netrc keywords are lowercase`;
      hint = `Write '${word.toLowerCase()}'. ${consequence}`;
    } else if (word !== undefined) {
      message = `unknown keyword '${word}'${entryLabel}`;
      hint = `Delete it. ${consequence}`;
    } else if (where === 'follower') {
      // Usually a value with a blank in it; the word may be part of a secret, so it is not shown.
      message = `unexpected word${entryLabel} (not login, account or password)`;
      hint = `A value that contains spaces needs double quotes ("like this"). ${consequence}`;
    } else {
      message = 'unexpected word where uv expects machine, default or macdef';
      hint = `Delete it, or quote a value that contains spaces. ${consequence}`;
    }
    fail(where === 'toplevel' ? 'bad-toplevel-token' : 'bad-follower-token', token.start, message, hint);
    items.push({ type: 'invalid', span: { start: token.start, end: token.end }, line });
  };

  for (;;) {
    inEntry = false;
    const token = lexer.next();
    if (token.value === '') {
      if (!token.eof) stoppedAt = token.start; // `""` here ends the file for uv and Python
      break;
    }
    if (token.value.startsWith('#')) {
      comment(token);
      continue;
    }
    if (token.value === 'macdef') {
      items.push(readMacro(lexer, token, dialect, lines, fail));
      continue;
    }
    if (token.value !== 'machine' && token.value !== 'default') {
      badWord(token, 'toplevel', '');
      if (!tolerant) break;
      continue;
    }
    const kind = token.value;
    let hostValue: NetrcValue | undefined;
    if (kind === 'machine') {
      const name = lexer.next();
      if (name.value === '') {
        fail(
          'missing-name',
          token.start,
          '`machine` without a host name',
          `Write \`machine <host> login <user> password <token>\`. ${consequence}`,
        );
        if (name.eof) break;
      }
      hostValue = tokenValue(name);
    }
    const entry: NetrcEntry = {
      type: 'entry',
      kind,
      keywordSpan: { start: token.start, end: token.end },
      span: { start: token.start, end: hostValue?.span.end ?? token.end },
      fields: [],
      line: lines.line(token.start),
    };
    if (hostValue) {
      entry.host = hostValue.value;
      entry.hostValue = hostValue;
    }
    items.push(entry);
    const label =
      kind === 'machine' ? ` in the entry for machine ${printableHost(entry.host ?? '')}` : ' in the default entry';
    inEntry = true;
    for (;;) {
      const follower = lexer.next();
      if (follower.value.startsWith('#')) {
        comment(follower);
        continue;
      }
      if (
        follower.value === '' ||
        follower.value === 'machine' ||
        follower.value === 'default' ||
        follower.value === 'macdef'
      ) {
        lexer.push(follower);
        break;
      }
      const name = fieldName(follower.value);
      if (name === undefined) {
        badWord(follower, 'follower', label);
        if (!tolerant) break;
        // Recovery for doctor: `port 8443` reads as one unknown field, so one problem is reported.
        const value = lexer.next();
        const sameLine = !text.slice(follower.end, value.start).includes('\n');
        if (value.eof || !sameLine || KEYWORDS.has(value.value) || value.value.startsWith('#')) {
          lexer.push(value);
          entry.fields.push({
            name: undefined,
            keyword: follower.value,
            keywordSpan: { start: follower.start, end: follower.end },
          });
          entry.span.end = follower.end;
        } else {
          entry.fields.push({
            name: undefined,
            keyword: follower.value,
            keywordSpan: { start: follower.start, end: follower.end },
            value: tokenValue(value),
          });
          entry.span.end = value.end;
        }
        continue;
      }
      const value = lexer.next();
      const field: NetrcField = {
        name,
        keyword: follower.value,
        keywordSpan: { start: follower.start, end: follower.end },
      };
      if (value.eof) {
        entry.span.end = follower.end;
      } else {
        field.value = tokenValue(value);
        entry.span.end = value.end;
      }
      entry.fields.push(field);
      entry[name] = value.value; // a repeated keyword overwrites, as in uv
    }
    if (errors.length > 0 && !tolerant) break;
  }

  items.sort((a, b) => a.span.start - b.span.start);
  const eolMatch = /\r?\n/.exec(text);
  const doc: NetrcDocument = {
    file,
    text,
    dialect,
    eol: eolMatch?.[0] === '\r\n' ? '\r\n' : '\n',
    finalNewline: text.length === 0 || text.endsWith('\n'),
    items,
    entries: items.filter((item): item is NetrcEntry => item.type === 'entry'),
    macros: items.filter((item): item is NetrcMacro => item.type === 'macdef'),
    comments: items.filter((item): item is NetrcComment => item.type === 'comment'),
    errors,
    segments: [],
  };
  if (stoppedAt !== undefined) doc.stoppedAt = stoppedAt;
  doc.segments = buildSegments(doc);
  return doc;
}

function readMacro(
  lexer: Lexer,
  keyword: Token,
  dialect: NetrcDialect,
  lines: LineIndex,
  fail: (code: NetrcProblemCode, offset: number, message: string, hint: string) => void,
): NetrcMacro {
  const name = lexer.next();
  const body: string[] = [];
  // The body starts with whatever follows the name on its own line (uv and Python both call
  // read_line right after the name token), so `macdef x ` with a trailing blank ends at once for uv.
  for (;;) {
    const line = lexer.readLine();
    const broke = line.end > line.start + line.line.length;
    const empty = broke && (line.line === '' || line.line === '\r');
    if (line.atEof) {
      // uv ends a macro at EOF; Python raises "Macro definition missing null line terminator."
      if (dialect === 'python')
        fail(
          'macdef-eof',
          keyword.start,
          'macro definition missing null line terminator',
          'End the macro with an empty line.',
        );
      return macro(keyword, name, body, line.end, 'eof', lines);
    }
    if (empty) return macro(keyword, name, body, line.end, 'empty-line', lines);
    // uv trims the line (Rust whitespace); Python and curl need it to be exactly empty.
    if (dialect === 'uv' && RUST_BLANK_LINE.test(line.line))
      return macro(keyword, name, body, line.end, 'whitespace-line', lines);
    body.push(line.line);
  }
}

function macro(
  keyword: Token,
  name: Token,
  body: string[],
  end: number,
  how: NetrcMacro['end'],
  lines: LineIndex,
): NetrcMacro {
  return {
    type: 'macdef',
    name: name.value,
    lines: body,
    span: { start: keyword.start, end: Math.max(end, name.end) },
    end: how,
    line: lines.line(keyword.start),
  };
}

function tokenValue(token: Token): NetrcValue {
  const value: NetrcValue = { value: token.value, span: { start: token.start, end: token.end }, quoted: token.quoted };
  if (token.unterminated) value.unterminated = true;
  return value;
}

function fieldName(keyword: string): NetrcFieldName | undefined {
  if (keyword === 'login' || keyword === 'user') return 'login';
  if (keyword === 'account' || keyword === 'password') return keyword;
  return undefined;
}

/** A word is quoted in a message only when it cannot be a secret: a known keyword of some netrc dialect. */
function printableWord(word: string): string | undefined {
  const lower = word.toLowerCase();
  return KEYWORDS.has(lower) || FOREIGN_KEYWORDS.has(lower) ? word : undefined;
}

export function printableHost(host: string): string {
  return /^[\w.:[\]-]{1,253}$/.test(host) ? host : '(unprintable name)';
}

function trimLineBreak(text: string, end: number): number {
  let e = end;
  if (text[e - 1] === '\n') e--;
  if (text[e - 1] === '\r') e--;
  return e;
}

function buildSegments(doc: NetrcDocument): NetrcSegment[] {
  const segments: NetrcSegment[] = [];
  let pos = 0;
  const limit = doc.stoppedAt ?? doc.text.length;
  const add = (kind: NetrcSegment['kind'], start: number, end: number): void => {
    if (start > pos) segments.push({ kind: 'space', start: pos, end: start });
    if (end > start) segments.push({ kind, start, end });
    pos = Math.max(pos, end);
  };
  for (const item of doc.items) {
    if (item.span.start < pos) continue; // a comment inside an entry belongs to the entry's segment
    add(item.type, item.span.start, item.span.end);
  }
  if (limit > pos) segments.push({ kind: 'space', start: pos, end: limit });
  if (doc.text.length > Math.max(pos, limit))
    segments.push({ kind: 'ignored', start: Math.max(pos, limit), end: doc.text.length });
  return segments;
}

/**
 * Rebuilds the text from the document's segments: always identical to the input (the tests hold
 * the parser to that; glx itself splices `text` directly).
 * @internal
 */
export function serializeNetrc(doc: NetrcDocument): string {
  return doc.segments.map((segment) => doc.text.slice(segment.start, segment.end)).join('');
}
