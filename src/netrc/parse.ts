/**
 * A lossless netrc reader that follows uv's parser exactly (uv.md §3.3): `crates/uv-netrc`, "a
 * translation of the official Python netrc library". Every byte stays in `text`; entries, macros
 * and comments point into it by offset, so an edit can splice values and keep the rest as it was.
 *
 * The `python` dialect reproduces CPython's `Lib/netrc.py` (3.11+), which shares the tokenizer
 * but translates CRLF, needs an exactly empty line to end a macro and only skips a top-level
 * comment line that starts with a lone `#`. glx uses it to check that an edit keeps Python
 * tools (pip, requests, twine) reading the file as before.
 */
import path from 'node:path';
import type { Env } from '../deps.js';
import { at, GlxError } from '../errors.js';

export type NetrcDialect = 'uv' | 'python';

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

export interface NetrcCredentials {
  login: string;
  password: string;
  account: string;
  source: 'machine' | 'default';
  entry: NetrcEntry;
}

const KEYWORDS = new Set(['machine', 'default', 'macdef', 'login', 'user', 'account', 'password']);

/** Words from other tools' netrc dialects; safe to quote in a message because they are not secrets. */
const FOREIGN_KEYWORDS = new Set(['port', 'protocol', 'force', 'proxy', 'path', 'realm', 'scheme', 'method', 'type', 'username', 'passwd', 'pass', 'token', 'host', 'hostname', 'url']);

const PYTHON_REJECTS = "Python's netrc module raises NetrcParseError for this file, so pip, requests and twine get no credentials from it.";

const UV_IGNORES_FILE =
  'uv ignores the whole netrc file when it cannot parse it (it says so only with -v), so no credentials come from it. ' +
  'uv knows only machine, default, macdef, login (or user), account and password.';

interface Token {
  value: string;
  start: number;
  end: number;
  /** Position after the token and, for an unquoted token, the one blank that ended it. */
  next: number;
  quoted: boolean;
  /** Nothing left to read (uv's empty token at EOF). */
  eof: boolean;
  /** A line break was read while getting this token: uv's `lineno` changed. */
  sawNewline: boolean;
  unterminated?: true;
}

/** Rust's `char::is_whitespace`, which `str::trim` uses to spot the line that ends a uv macro. */
const RUST_BLANK_LINE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

class Lexer {
  pos = 0;
  private readonly pushback: Token[] = [];

  constructor(
    private readonly text: string,
    private readonly dialect: NetrcDialect,
  ) {}

  /** One character as the dialect reads it: Python's text mode turns `\r\n` and `\r` into `\n`. */
  private read(i: number): [string, number] {
    const ch = this.text[i]!;
    if (this.dialect === 'python' && ch === '\r') return ['\n', this.text[i + 1] === '\n' ? i + 2 : i + 1];
    return [ch, i + 1];
  }

  push(token: Token): void {
    this.pushback.push(token);
  }

  next(): Token {
    const pushed = this.pushback.shift();
    if (pushed) return pushed;
    const { text } = this;
    const n = text.length;
    let i = this.pos;
    let sawNewline = false;
    // Port of `Lex::get_token` (crates/uv-netrc/src/lex.rs): blanks are space, tab, CR, LF.
    while (i < n) {
      const [ch, after] = this.read(i);
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
        if (ch === '\n') sawNewline = true;
        i = after;
        continue;
      }
      const start = i;
      let value = '';
      i = after;
      if (ch === '"') {
        while (i < n) {
          const [c, next] = this.read(i);
          i = next;
          if (c === '\n') sawNewline = true;
          if (c === '"') return this.emit({ value, start, end: i, next: i, quoted: true, eof: false, sawNewline });
          if (c === '\\') {
            if (i < n) {
              const [escaped, afterEscape] = this.read(i);
              if (escaped === '\n') sawNewline = true;
              value += escaped;
              i = afterEscape;
            } else if (this.dialect === 'uv') {
              value += ' '; // `read_char().unwrap_or(' ')`
            }
          } else {
            value += c;
          }
        }
        // An unterminated quote runs to EOF; neither uv nor Python complains (curl does).
        return this.emit({ value, start, end: n, next: n, quoted: true, eof: false, sawNewline, unterminated: true });
      }
      let c = ch;
      for (;;) {
        if (c === '\\') {
          if (i < n) {
            const [escaped, afterEscape] = this.read(i);
            if (escaped === '\n') sawNewline = true;
            value += escaped;
            i = afterEscape;
          } else if (this.dialect === 'uv') {
            value += ' ';
          }
        } else {
          value += c;
        }
        if (i >= n) return this.emit({ value, start, end: n, next: n, quoted: false, eof: false, sawNewline });
        const [following, afterFollowing] = this.read(i);
        if (following === ' ' || following === '\t' || following === '\r' || following === '\n') {
          if (following === '\n') sawNewline = true;
          return this.emit({ value, start, end: i, next: afterFollowing, quoted: false, eof: false, sawNewline });
        }
        c = following;
        i = afterFollowing;
      }
    }
    return this.emit({ value: '', start: n, end: n, next: n, quoted: false, eof: true, sawNewline });
  }

  private emit(token: Token): Token {
    this.pos = token.next;
    return token;
  }

  /** `read_line`: the rest of the current line (without its break, which it consumes). */
  readLine(): { line: string; start: number; end: number; atEof: boolean } {
    const { text } = this;
    const start = this.pos;
    if (start >= text.length) return { line: '', start, end: start, atEof: true };
    let i = start;
    while (i < text.length) {
      const [ch, next] = this.read(i);
      if (ch === '\n') {
        this.pos = next;
        return { line: text.slice(start, i), start, end: next, atEof: false };
      }
      i = next;
    }
    this.pos = text.length;
    return { line: text.slice(start), start, end: text.length, atEof: false };
  }
}

class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  line(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  column(offset: number): number {
    const start = this.starts[this.line(offset) - 1]!;
    return Array.from(this.text.slice(start, offset)).length + 1;
  }
}

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
    const problem: NetrcProblem = { code, offset, line: lines.line(offset), column: lines.column(offset), message, hint };
    if (!tolerant) throw new GlxError('NETRC_INVALID', `${at(file, problem.line, problem.column)}: ${message}`, hint);
    errors.push(problem);
  };

  const comment = (token: Token): void => {
    // uv skips the rest of the line only when the `#` token is on the line where the previous
    // token ended; after a blank line, trailing blanks, a quoted value or a CRLF it ends after
    // its first word (astral-sh/uv#16083, python/cpython#104306). Python also needs a lone `#`
    // at top level; uv dropped that rule in 0.11.17 (#19494).
    const skips = !token.sawNewline && (dialect === 'uv' || token.value.length === 1 || inEntry);
    if (skips) {
      const rest = lexer.readLine();
      const end = rest.atEof ? rest.end : trimLineBreak(text, rest.end);
      items.push({ type: 'comment', span: { start: token.start, end }, skipsLine: true, line: lines.line(token.start) });
      openComment = undefined;
    } else {
      items.push({ type: 'comment', span: { start: token.start, end: token.end }, skipsLine: false, line: lines.line(token.start) });
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
        fail('missing-name', token.start, '`machine` without a host name', `Write \`machine <host> login <user> password <token>\`. ${consequence}`);
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
    const label = kind === 'machine' ? ` in the entry for machine ${printableHost(entry.host ?? '')}` : ' in the default entry';
    inEntry = true;
    for (;;) {
      const follower = lexer.next();
      if (follower.value.startsWith('#')) {
        comment(follower);
        continue;
      }
      if (follower.value === '' || follower.value === 'machine' || follower.value === 'default' || follower.value === 'macdef') {
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
          entry.fields.push({ name: undefined, keyword: follower.value, keywordSpan: { start: follower.start, end: follower.end } });
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
      const field: NetrcField = { name, keyword: follower.value, keywordSpan: { start: follower.start, end: follower.end } };
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
      if (dialect === 'python') fail('macdef-eof', keyword.start, 'macro definition missing null line terminator', 'End the macro with an empty line.');
      return macro(keyword, name, body, line.end, 'eof', lines);
    }
    if (empty) return macro(keyword, name, body, line.end, 'empty-line', lines);
    // uv trims the line (Rust whitespace); Python and curl need it to be exactly empty.
    if (dialect === 'uv' && RUST_BLANK_LINE.test(line.line)) return macro(keyword, name, body, line.end, 'whitespace-line', lines);
    body.push(line.line);
  }
}

function macro(keyword: Token, name: Token, body: string[], end: number, how: NetrcMacro['end'], lines: LineIndex): NetrcMacro {
  return { type: 'macdef', name: name.value, lines: body, span: { start: keyword.start, end: Math.max(end, name.end) }, end: how, line: lines.line(keyword.start) };
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

function printableHost(host: string): string {
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
  if (doc.text.length > Math.max(pos, limit)) segments.push({ kind: 'ignored', start: Math.max(pos, limit), end: doc.text.length });
  return segments;
}

/** Rebuilds the text from the document's segments: always identical to the input. */
export function serializeNetrc(doc: NetrcDocument): string {
  return doc.segments.map((segment) => doc.text.slice(segment.start, segment.end)).join('');
}

/**
 * The credentials uv sends for `host` (a URL's lowercase host, no port): the last `machine host`
 * entry, else the last `default` (uv keeps one map entry per name, `Credentials::from_netrc`).
 * With `username` (from the URL or UV_INDEX_*_USERNAME) the entry's login must equal it, and a
 * mismatch does not fall back to `default`.
 */
export function lookup(doc: NetrcDocument, host: string, username?: string): NetrcCredentials | undefined {
  const byName = new Map<string, NetrcEntry>();
  // uv stores `default` under the key "default", so `machine default` and `default` share a slot.
  for (const entry of doc.entries) byName.set(entry.kind === 'default' ? 'default' : (entry.host ?? ''), entry);
  const entry = byName.get(host) ?? byName.get('default');
  if (!entry) return undefined;
  const login = entry.login ?? '';
  if (username !== undefined && username !== login) return undefined;
  return { login, password: entry.password ?? '', account: entry.account ?? '', source: entry.kind, entry };
}

/** Same as `lookup`: the name src/credentials/token.ts imports. */
export function lookupHost(doc: NetrcDocument, host: string, username?: string): NetrcCredentials | undefined {
  return lookup(doc, host, username);
}

/** The file glx writes: `$NETRC` when set (with `~` expanded), else `~/.netrc` (DESIGN.md "Resolution rules"). */
export function netrcPath(env: Env, homeDir: string): string {
  const fromEnv = env.NETRC;
  if (fromEnv !== undefined && fromEnv !== '') return expandTilde(fromEnv, homeDir);
  return path.join(homeDir, '.netrc');
}

/**
 * The files uv tries, in order; it reads the first that exists (`Netrc::get_file`), so a `NETRC`
 * that names a missing file falls back to `~/.netrc` (uv.md §3.3). uv takes the home directory
 * from `HOME` (`USERPROFILE` on Windows, where `_netrc` is tried too).
 */
export function uvNetrcCandidates(env: Env, homeDir: string, platform: NodeJS.Platform = 'linux'): string[] {
  const candidates: string[] = [];
  if (env.NETRC !== undefined && env.NETRC !== '') candidates.push(expandTilde(env.NETRC, homeDir));
  if (platform === 'win32') {
    const home = env.USERPROFILE;
    // Windows joins with backslashes; a POSIX-looking profile (MSYS, tests on Linux) keeps its slashes.
    const join = home?.startsWith('/') ? path.posix.join : path.win32.join;
    if (home !== undefined) candidates.push(join(home, '.netrc'), join(home, '_netrc'));
  } else {
    const home = env.HOME ?? homeDir;
    candidates.push(path.join(home, '.netrc'));
  }
  return candidates;
}

function expandTilde(file: string, homeDir: string): string {
  if (file === '~') return homeDir;
  if (file.startsWith('~/')) return path.join(homeDir, file.slice(2));
  return file;
}

export type NetrcReader = 'uv' | 'python' | 'curl';

export interface NetrcIssue {
  code:
    | NetrcProblemCode
    | 'python-rejects'
    | 'stops-early'
    | 'machine-with-port'
    | 'machine-with-scheme'
    | 'machine-uppercase'
    | 'machine-named-default'
    | 'duplicate-machine'
    | 'duplicate-default'
    | 'machine-after-default'
    | 'macdef-whitespace-end'
    | 'comment-read-as-entries'
    | 'user-keyword'
    | 'unterminated-quote';
  severity: 'error' | 'warning';
  line: number;
  column: number;
  /** One line; names hosts and keywords, never a login or password value. */
  message: string;
  hint: string;
  /** Which readers the problem hurts: uv itself, Python tools (pip, requests, twine), curl. */
  affects: NetrcReader[];
}

/**
 * Everything in a netrc that makes uv (or the other readers of the same file) miss credentials,
 * for `glx doctor`. Pass a tolerant parse to see every parse problem, not just the first.
 */
export function validateForUv(doc: NetrcDocument): NetrcIssue[] {
  const issues: NetrcIssue[] = [];
  const lines = new LineIndex(doc.text);
  const issue = (code: NetrcIssue['code'], severity: NetrcIssue['severity'], offset: number, message: string, hint: string, affects: NetrcReader[]): void => {
    issues.push({ code, severity, line: lines.line(offset), column: lines.column(offset), message, hint, affects });
  };
  for (const problem of doc.errors) issues.push({ ...problem, severity: 'error', affects: [doc.dialect] });
  if (doc.dialect === 'uv') {
    const python = parseNetrc(doc.text, doc.file, { dialect: 'python', tolerant: true });
    const first = python.errors[0];
    if (first && doc.errors.length === 0) {
      issue('python-rejects', 'warning', first.offset, `Python's netrc module rejects this file: ${first.message}`, first.hint, ['python']);
    }
  }
  if (doc.stoppedAt !== undefined) {
    issue('stops-early', 'warning', doc.stoppedAt, 'an empty quoted word ("") where a keyword belongs: uv and Python stop reading the file here', 'Delete the "" so the entries below it are read.', ['uv', 'python']);
  }
  const machines = new Map<string, NetrcEntry[]>();
  const defaults: NetrcEntry[] = [];
  for (const entry of doc.entries) {
    if (entry.kind === 'default') {
      defaults.push(entry);
      continue;
    }
    const host = entry.host ?? '';
    const at = entry.hostValue?.span.start ?? entry.span.start;
    machines.set(host, [...(machines.get(host) ?? []), entry]);
    const shown = printableHost(host);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || host.includes('/')) {
      const bare = host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]?.split(':')[0] ?? '';
      issue('machine-with-scheme', 'warning', at, `machine ${shown} never matches: uv looks entries up by host name only`, `Write \`machine ${printableHost(bare.toLowerCase())}\`.`, ['uv', 'python', 'curl']);
    } else if (host.includes(':') && !host.startsWith('[')) {
      issue('machine-with-port', 'warning', at, `machine ${shown} never matches: uv looks entries up by host name, without the port`, `Write \`machine ${printableHost(host.split(':')[0]!.toLowerCase())}\`; one entry serves every port.`, ['uv', 'python']);
    } else if (host !== host.toLowerCase()) {
      issue('machine-uppercase', 'warning', at, `machine ${shown} never matches: uv compares the URL's lowercase host name exactly`, `Write \`machine ${printableHost(host.toLowerCase())}\`.`, ['uv', 'python']);
    }
    if (host === 'default') {
      issue('machine-named-default', 'warning', at, '`machine default` shares its slot with the default entry in uv and Python', 'Rename or delete it.', ['uv', 'python']);
    }
  }
  for (const [host, entries] of machines) {
    if (entries.length < 2) continue;
    const last = entries[entries.length - 1]!;
    issue(
      'duplicate-machine',
      'warning',
      last.span.start,
      `machine ${printableHost(host)} has ${entries.length} entries (lines ${entries.map((e) => e.line).join(', ')}): uv and Python use the last, curl the first`,
      'Keep one entry per host.',
      ['uv', 'python', 'curl'],
    );
  }
  if (defaults.length > 1) {
    issue('duplicate-default', 'warning', defaults[defaults.length - 1]!.span.start, `${defaults.length} default entries: uv and Python use the last, curl the first`, 'Keep one default entry.', ['uv', 'python', 'curl']);
  }
  const firstDefault = defaults[0];
  if (firstDefault) {
    const after = doc.entries.filter((e) => e.kind === 'machine' && e.span.start > firstDefault.span.start);
    if (after.length > 0) {
      issue(
        'machine-after-default',
        'warning',
        after[0]!.span.start,
        `${after.length} machine ${after.length === 1 ? 'entry follows' : 'entries follow'} the default entry (line ${firstDefault.line}); curl stops at default and never reads them`,
        'Move the default entry to the end of the file.',
        ['curl'],
      );
    }
  }
  for (const macro of doc.macros) {
    if (macro.end === 'whitespace-line') {
      issue('macdef-whitespace-end', 'warning', macro.span.start, `macro ${printableHost(macro.name)} ends at a line of blanks: uv stops there, Python and curl read on to the next empty line`, 'Make the line after the macro empty.', ['python', 'curl']);
    }
  }
  const errorLines = new Set(doc.errors.map((e) => e.line));
  for (const comment of doc.comments) {
    if (comment.skipsLine || errorLines.has(comment.line)) continue;
    const rest = doc.text.slice(comment.span.end, lineEnd(doc.text, comment.span.end));
    if (/\S/.test(rest.replace(/\r/g, ''))) {
      issue(
        'comment-read-as-entries',
        'warning',
        comment.span.start,
        `uv reads the words after \`#\` on line ${comment.line} as netrc entries: after a blank line, trailing blanks, a quoted value or a CRLF line break it ends a comment after its first word`,
        'Delete the comment or write it as one word (`#like-this`).',
        ['uv'],
      );
    }
  }
  for (const entry of doc.entries) {
    for (const field of entry.fields) {
      if (field.keyword === 'user') {
        issue('user-keyword', 'warning', field.keywordSpan.start, '`user` is an alias of `login` for uv and Python, but curl ignores it', 'Write `login`.', ['curl']);
      }
    }
    for (const value of [entry.hostValue, ...entry.fields.map((f) => f.value)]) {
      if (value?.unterminated) {
        issue('unterminated-quote', 'warning', value.span.start, 'a quoted value has no closing quote: curl rejects the whole file', 'Add the closing double quote.', ['curl']);
      }
    }
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i === -1 ? text.length : i;
}
