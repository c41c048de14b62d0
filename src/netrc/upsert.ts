/**
 * Pure netrc edits: add, update or remove the credentials for one host and keep every other
 * byte (entries, `default`, `macdef` bodies, comments, layout, CRLF, a missing final newline).
 *
 * Every edit is checked by parsing the result again, as uv and as Python's netrc: all other hosts
 * and macros must read exactly as before, and uv must find the new credentials. uv's comment rule
 * makes a few layouts fragile (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc; astral-sh/uv#16083), so an edit that would change how
 * the rest of the file reads is refused rather than written.
 */
import { GlxError } from '../errors.js';
import type { NetrcDialect } from './lexer.js';
import {
  type NetrcDocument,
  type NetrcEntry,
  type NetrcField,
  type NetrcSegment,
  type NetrcValue,
  parseNetrc,
} from './parse.js';

export interface NetrcEntryInput {
  host: string;
  login: string;
  password: string;
}

export interface NetrcEditOptions {
  /** Named in error messages. */
  file?: string;
}

export type UpsertAction = 'added' | 'updated' | 'unchanged';

export interface UpsertResult {
  text: string;
  action: UpsertAction;
  /** The host as written: lowercase, no port. */
  host: string;
  /** Line of the entry that now holds the credentials. */
  line: number;
  /** Lines of other entries for the same host, left as they were (uv reads the last one). */
  duplicates: number[];
  /** Things the caller should tell the user (never contain a login or password). */
  notes: string[];
}

export interface RemoveResult {
  text: string;
  action: 'removed' | 'absent';
  host: string;
  /** How many `machine <host>` entries were removed (all of them, so uv cannot fall back to an older one). */
  removed: number;
  notes: string[];
}

/**
 * `host` as a netrc machine name, or a USAGE error. uv looks entries up by the URL's host name:
 * lowercase and without a port (`Credentials::from_netrc`, https://github.com/astral-sh/uv/tree/main/crates/uv-netrc).
 */
export function normalizeNetrcHost(host: string): string {
  if (host === '')
    throw new GlxError(
      'USAGE',
      'the netrc host name is empty',
      'Pass the GitLab host name, for example gitlab.example.com.',
    );
  if (/[\s\u0000-\u001f\u007f]/.test(host)) {
    throw new GlxError(
      'USAGE',
      'the netrc host name contains whitespace or control characters',
      'Pass the bare host name, for example gitlab.example.com.',
    );
  }
  if (host.includes('://') || host.includes('/')) {
    throw new GlxError(
      'USAGE',
      `netrc entries name a host, not a URL: ${host}`,
      'Pass only the host name, for example gitlab.example.com.',
    );
  }
  // uv matches a netrc machine against the URL's host as written, brackets included, so an IPv6
  // literal is `machine [::1]` (crates/uv-auth/src/credentials.rs `from_netrc`: url.host_str()).
  const ipv6 = /^\[[0-9a-f:.]+\]$/i.test(host);
  if (host.includes(':') && !ipv6) {
    const bare = host.startsWith('[') ? undefined : host.split(':')[0];
    throw new GlxError(
      'USAGE',
      `netrc entries match a host name without a port: ${host}`,
      bare
        ? `Use ${bare.toLowerCase()}: uv ignores the port when it looks up netrc, so one entry serves every port.`
        : 'Write an IPv6 literal in brackets without a port, e.g. [::1].',
    );
  }
  if (/["\\#@]/.test(host))
    throw new GlxError(
      'USAGE',
      `not a host name: ${host}`,
      'Pass the GitLab host name, for example gitlab.example.com.',
    );
  const lower = host.toLowerCase();
  // uv and Python keep `default` under the key "default", so `machine default` would be the default entry.
  if (lower === 'default')
    throw new GlxError('USAGE', '`default` cannot be a netrc machine name', 'Pass the GitLab host name.');
  return lower;
}

/**
 * A value as a netrc token that uv, Python and curl (7.84+) all read back unchanged. Bare unless it
 * is empty or holds a blank, `"`, `\` or `#`: uv and Python apply backslash escapes even outside
 * quotes, curl 7.x ends a line at a token that starts with `#`, and naive parsers cut at any `#`.
 * Inside quotes only `"` and `\` are escaped: curl turns `\n`, `\r`, `\t` into control characters,
 * so a backslash is always doubled.
 */
export function formatNetrcValue(value: string): string {
  if (value !== '' && !/[\s"\\#]/u.test(value)) return value;
  return `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

function checkValue(what: 'login' | 'password', value: string): void {
  // curl reads netrc a line at a time and Python turns CR into LF: no quoting carries a line break.
  if (/[\r\n]/.test(value)) {
    throw new GlxError(
      'USAGE',
      `the ${what} contains a line break, which a netrc file cannot hold`,
      'curl reads netrc line by line and Python turns CR into LF; use a credential without line breaks.',
    );
  }
  if (value.includes('\u0000'))
    throw new GlxError(
      'USAGE',
      `the ${what} contains a NUL character, which curl cuts off`,
      'Use a credential without NUL characters.',
    );
  if (/\p{Surrogate}/u.test(value))
    throw new GlxError('USAGE', `the ${what} is not valid Unicode`, 'Check that the credential was copied whole.');
}

/** Adds or updates `machine <host> login <login> password <password>`; see the module comment. */
export function upsertNetrc(text: string, input: NetrcEntryInput, options: NetrcEditOptions = {}): UpsertResult {
  const file = options.file ?? 'netrc';
  const host = normalizeNetrcHost(input.host);
  checkValue('login', input.login);
  checkValue('password', input.password);
  const line = `machine ${host} login ${formatNetrcValue(input.login)} password ${formatNetrcValue(input.password)}`;
  // curl before 8.x reads netrc through a 4096-byte line buffer and skips longer lines.
  if (Buffer.byteLength(line) > 4000)
    throw new GlxError(
      'USAGE',
      'the credential is too long for a netrc line',
      'curl skips netrc lines longer than 4 KiB; use a shorter credential.',
    );

  const doc = parseNetrc(text, file);
  const python = tryParse(text, file, 'python');
  const mine = doc.entries.filter((entry) => entry.kind === 'machine' && entry.host === host);
  const target = mine[mine.length - 1];
  const wanted = { login: input.login, password: input.password };

  if (target) {
    const duplicates = mine.slice(0, -1).map((entry) => entry.line);
    const notes = entryNotes(doc, target, duplicates, host);
    const edits = planUpdate(doc, target, wanted);
    if (edits.length === 0) return { text, action: 'unchanged', host, line: target.line, duplicates, notes };
    const after = applyEdits(text, edits);
    const failure = verify(doc, python, after, file, { host, ...wanted, entries: doc.entries.length });
    if (failure) throw cannotEdit(file, host, failure);
    return {
      text: after,
      action: 'updated',
      host,
      line: target.line,
      duplicates,
      notes: [...notes, ...pythonNotes(after, file, host, wanted)],
    };
  }

  let failure = 'no place to insert the entry';
  for (const at of insertionPoints(doc)) {
    const after = insertEntry(doc, at, line);
    const problem = verify(doc, python, after, file, { host, ...wanted, entries: doc.entries.length + 1 });
    if (problem) {
      failure = problem;
      continue;
    }
    const inserted = parseNetrc(after, file).entries.find((entry) => entry.kind === 'machine' && entry.host === host);
    const notes: string[] = [];
    const firstDefault = doc.entries.find((entry) => entry.kind === 'default');
    if (firstDefault && at > firstDefault.span.start)
      notes.push(
        `machine ${host} went after the default entry (line ${firstDefault.line}); curl stops at default and will not read it`,
      );
    return {
      text: after,
      action: 'added',
      host,
      line: inserted?.line ?? 1,
      duplicates: [],
      notes: [...notes, ...pythonNotes(after, file, host, wanted)],
    };
  }
  throw cannotEdit(file, host, failure);
}

/** Removes every `machine <host>` entry (uv would otherwise fall back to an older duplicate). */
export function removeNetrc(text: string, hostInput: string, options: NetrcEditOptions = {}): RemoveResult {
  const file = options.file ?? 'netrc';
  const host = normalizeNetrcHost(hostInput);
  const doc = parseNetrc(text, file);
  const python = tryParse(text, file, 'python');
  const mine = doc.entries.filter((entry) => entry.kind === 'machine' && entry.host === host);
  if (mine.length === 0) return { text, action: 'absent', host, removed: 0, notes: [] };
  const expectation = { host, entries: doc.entries.length - mine.length };
  // Tidy first (whole lines, no doubled empty line, keep "no final newline"), then whole lines
  // only, then just the entry's words: uv's comment rule can make the line break matter.
  const candidates = (['tidy', 'lines', 'words'] as const).map((mode) =>
    applyEdits(
      text,
      mergeRanges(mine.map((entry) => removalRange(doc, entry, mode))).map((range) => ({ ...range, text: '' })),
    ),
  );
  const both = candidates.find((after) => verify(doc, python, after, file, expectation) === undefined);
  if (both !== undefined) return { text: both, action: 'removed', host, removed: mine.length, notes: [] };
  // Python's reading is no reason to keep a credential the user wants gone: it is only noted.
  const uvOnly = candidates.find((after) => verify(doc, undefined, after, file, expectation) === undefined);
  if (uvOnly !== undefined) {
    const note =
      "Python's netrc module reads the rest of this file differently after the removal; run `glx doctor` for details";
    return { text: uvOnly, action: 'removed', host, removed: mine.length, notes: [note] };
  }
  throw cannotEdit(file, host, verify(doc, undefined, candidates[0]!, file, expectation) ?? 'unknown');
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies edits from the end; two insertions at one offset land in the order they were planned. */
function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  const order = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => b.edit.start - a.edit.start || b.index - a.index);
  for (const { edit } of order) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Replaces the login and password values uv reads (the last of each) and adds missing ones. */
function planUpdate(doc: NetrcDocument, entry: NetrcEntry, wanted: { login: string; password: string }): Edit[] {
  const edits: Edit[] = [];
  const last = (name: NetrcField['name']): NetrcField | undefined => entry.fields.filter((f) => f.name === name).at(-1);
  const login = last('login');
  const password = last('password');
  const replace = (field: NetrcField, value: string): void => {
    if ((field.value?.value ?? '') === value) return;
    if (field.value) edits.push({ ...field.value.span, text: formatNetrcValue(value) });
    else edits.push({ start: field.keywordSpan.end, end: field.keywordSpan.end, text: ` ${formatNetrcValue(value)}` });
  };
  if (login) replace(login, wanted.login);
  if (password) replace(password, wanted.password);
  const missing: [string, string][] = [];
  if (!login) missing.push(['login', wanted.login]);
  if (!password) missing.push(['password', wanted.password]);
  if (missing.length === 0) return edits;
  // A missing password goes after the login; a missing login right after the machine name.
  const anchor: NetrcValue | NetrcField = (login ? (login.value ?? login) : undefined) ?? entry.hostValue!;
  const anchorEnd = 'span' in anchor ? anchor.span.end : anchor.keywordSpan.end;
  edits.push(fieldInsertion(doc, entry, anchorEnd, missing));
  return edits;
}

/**
 * Where and how to add fields: on their own lines with the entry's indentation when its fields
 * already sit one per line (`machine h` / `  login u`), else on the same line after the anchor.
 */
function fieldInsertion(doc: NetrcDocument, entry: NetrcEntry, anchorEnd: number, fields: [string, string][]): Edit {
  const { text, eol } = doc;
  const indent = fieldIndent(text, entry);
  const lineEndAt = endOfLine(text, anchorEnd);
  const rest = text.slice(anchorEnd, lineEndAt);
  const restIsCommentOrBlank = /^[ \t]*(#.*)?\r?$/.test(rest);
  if (indent !== undefined && restIsCommentOrBlank) {
    const at = text[lineEndAt - 1] === '\r' && lineEndAt > anchorEnd ? lineEndAt - 1 : lineEndAt;
    return {
      start: at,
      end: at,
      text: fields.map(([keyword, value]) => `${eol}${indent}${keyword} ${formatNetrcValue(value)}`).join(''),
    };
  }
  return {
    start: anchorEnd,
    end: anchorEnd,
    text: fields.map(([keyword, value]) => ` ${keyword} ${formatNetrcValue(value)}`).join(''),
  };
}

/** The indentation of the entry's fields when at least one field starts its own line. */
function fieldIndent(text: string, entry: NetrcEntry): string | undefined {
  for (const field of entry.fields) {
    const start = startOfLine(text, field.keywordSpan.start);
    const before = text.slice(start, field.keywordSpan.start);
    if (start > entry.span.start && /^[ \t]*$/.test(before)) return before;
  }
  return undefined;
}

/**
 * Candidate offsets for a new entry, best first. Before the first `default`: curl stops reading at
 * `default` (curl test 2039) while uv and Python look it up by name, so an entry after it would
 * serve uv but not curl. Comment lines right above `default` stay with it. Never after a `""`
 * where uv stops reading. When `default` shares its line with the words of the entry before it,
 * the line is split right before `default`, in the file's line break style.
 */
function insertionPoints(doc: NetrcDocument): number[] {
  const { text } = doc;
  const firstDefault = doc.entries.find((entry) => entry.kind === 'default')?.span.start;
  const anchors = [firstDefault, doc.stoppedAt].filter((offset): offset is number => offset !== undefined);
  if (anchors.length === 0) return [...new Set([text.length, ...fallbackPoints(doc, text.length)])];
  const anchor = Math.min(...anchors);
  const points = pointsBefore(doc, anchor);
  if (points[0] === startOfLine(text, anchor)) {
    let blockStart = points[0];
    while (blockStart > 0) {
      const previous = startOfLine(text, blockStart - 1);
      if (!/^[ \t]*#/.test(text.slice(previous, blockStart))) break;
      blockStart = previous;
    }
    points.unshift(blockStart);
  }
  if (doc.stoppedAt === undefined) points.push(text.length);
  return [...new Set([...points, ...fallbackPoints(doc, anchor)])];
}

/**
 * Where a new line can go in front of the token at `offset`: the start of its line, unless an
 * entry's words come first on that line (`machine a` / ` account z default`), which would then
 * follow the new entry and become its fields; else right before the token, splitting the line.
 */
function pointsBefore(doc: NetrcDocument, offset: number): number[] {
  const lineStart = startOfLine(doc.text, offset);
  const shared = doc.entries.some((entry) => entry.span.start < offset && entry.span.end > lineStart);
  return shared ? [offset] : [lineStart, offset];
}

/**
 * Places before earlier entries, last first: used when the preferred place would change how
 * a neighbour reads, e.g. after `machine h login` at EOF (the new line would become its value)
 * or inside a quote that runs to EOF.
 */
function fallbackPoints(doc: NetrcDocument, limit: number): number[] {
  return doc.segments
    .filter((segment) => segment.kind === 'entry' && segment.start <= limit)
    .reverse()
    .flatMap((segment) => pointsBefore(doc, segment.start))
    .concat(0);
}

function insertEntry(doc: NetrcDocument, at: number, line: string): string {
  const { text, eol } = doc;
  const before = text.slice(0, at);
  let lead = before.length > 0 && !before.endsWith('\n') ? eol : '';
  const previous = doc.segments.filter((segment) => segment.end <= at && segment.kind !== 'space').at(-1);
  const macro = previous?.kind === 'macdef' ? doc.macros.find((m) => m.span.start === previous.start) : undefined;
  // A macro ends at an empty line for Python and curl (uv also takes a line of blanks, or EOF),
  // so a new entry after a macro needs an empty line in front of it or it becomes macro text.
  const blankSeparated = usesBlankLines(doc);
  if ((macro && macro.end !== 'empty-line') || (blankSeparated && at === text.length && doc.entries.length > 0)) {
    if (!endsWithEmptyLine(before + lead)) lead += eol;
  }
  let trail: string = eol;
  if (at === text.length && !doc.finalNewline && text.trim() !== '') trail = ''; // keep "no newline at end of file"
  if (at < text.length && blankSeparated && !startsWithEmptyLine(text.slice(at))) trail += eol;
  return before + lead + line + trail + text.slice(at);
}

/** True when the file separates its entries with empty lines; new entries follow that style. */
function usesBlankLines(doc: NetrcDocument): boolean {
  let pairs = 0;
  let previous: NetrcSegment | undefined;
  let between = '';
  for (const segment of doc.segments) {
    if (segment.kind === 'entry') {
      if (previous) {
        // Only gaps of blanks and comments tell the style; a macro's own empty line does not.
        pairs++;
        if (!/\n[ \t]*\r?\n/.test(between)) return false;
      }
      previous = segment;
      between = '';
    } else if (segment.kind === 'space' || segment.kind === 'comment') {
      between += doc.text.slice(segment.start, segment.end);
    } else {
      previous = undefined;
    }
  }
  return pairs > 0;
}

function endsWithEmptyLine(text: string): boolean {
  return text === '' || /(^|\n)\r?\n$/.test(text);
}

function startsWithEmptyLine(text: string): boolean {
  return /^\r?\n/.test(text);
}

/** The text to delete for an entry: whole lines when it has them to itself, with a trailing comment. */
function removalRange(
  doc: NetrcDocument,
  entry: NetrcEntry,
  mode: 'tidy' | 'lines' | 'words',
): { start: number; end: number } {
  const { text } = doc;
  if (mode === 'words') return { ...entry.span };
  const lineStart = startOfLine(text, entry.span.start);
  const ownsLineStart = /^[ \t]*$/.test(text.slice(lineStart, entry.span.start));
  let end = entry.span.end;
  const tail = /^[ \t]*(#[^\r\n]*)?(\r?\n|$)/.exec(text.slice(end));
  if (!ownsLineStart) {
    // Another entry before it on the line: remove from the blanks before it to its end.
    let start = entry.span.start;
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
    return { start, end: tail ? end + tail[0].length - (tail[2]?.length ?? 0) : end };
  }
  if (!tail) {
    // Another entry follows on the same line: remove up to it.
    const next = /^[ \t]*/.exec(text.slice(end));
    return { start: lineStart, end: end + (next?.[0].length ?? 0) };
  }
  end += tail[0].length;
  let start = lineStart;
  const atEof = tail[2] === '';
  if (mode === 'lines') return { start, end };
  if (atEof && start > 0) {
    // The file has no final newline: take the line break before the entry instead, unless it ends a macro.
    const breakStart = text[start - 2] === '\r' ? start - 2 : start - 1;
    const inMacro = doc.macros.some((m) => breakStart < m.span.end && breakStart >= m.span.start);
    if (!inMacro) start = breakStart;
  } else if (!atEof && (start === 0 || endsWithEmptyLine(text.slice(0, start)))) {
    // Entries separated by empty lines: drop one of the two that would now touch.
    const blank = /^[ \t]*\r?\n/.exec(text.slice(end));
    if (blank) end += blank[0].length;
  }
  return { start, end };
}

/** Two entries on one line give touching ranges; splicing them separately would cut the wrong bytes. */
function mergeRanges(ranges: { start: number; end: number }[]): { start: number; end: number }[] {
  const merged: { start: number; end: number }[] = [];
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function endOfLine(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i === -1 ? text.length : i;
}

function tryParse(text: string, file: string, dialect: NetrcDialect): NetrcDocument | undefined {
  try {
    return parseNetrc(text, file, { dialect });
  } catch {
    return undefined;
  }
}

/**
 * What a reader gets for every name but `host`. For uv's parse that is every entry in order:
 * uv reads the last entry per name but curl the first, and an edit must not move a word from a
 * shadowed entry either. Python tools only see their map (last entry per name wins).
 */
function readings(doc: NetrcDocument, host: string): [name: string, values: string][] {
  const rows = doc.entries
    .map((entry): [string, string] => [
      entry.kind === 'default' ? 'default' : (entry.host ?? ''),
      JSON.stringify([entry.login ?? '', entry.account ?? '', entry.password ?? '']),
    ])
    .filter(([name]) => name !== host);
  return doc.dialect === 'uv' ? rows : [...new Map(rows)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Other names read the same; for uv also the macros (an edit must never land inside one). */
function sameReading(before: NetrcDocument, after: NetrcDocument, host: string): string | undefined {
  const a = readings(before, host);
  const b = readings(after, host);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (JSON.stringify(a[i]) === JSON.stringify(b[i])) continue;
    const name = (a[i] ?? b[i])![0];
    return name === 'default' ? 'the default entry would read differently' : `machine ${name} would read differently`;
  }
  const macros = (doc: NetrcDocument): string => JSON.stringify(doc.macros.map((m) => [m.name, m.lines]));
  // Python may read an entry as macro text (a macro uv ended at a line of blanks); only uv's must hold.
  if (before.dialect === 'uv' && macros(before) !== macros(after)) return 'a macdef block would change';
  if ((before.stoppedAt === undefined) !== (after.stoppedAt === undefined))
    return 'the point where uv stops reading would move';
  return undefined;
}

interface Expectation {
  host: string;
  login?: string;
  password?: string;
  entries: number;
}

/** Re-reads the edited text as uv and as Python; returns why it is wrong, or undefined. */
function verify(
  before: NetrcDocument,
  python: NetrcDocument | undefined,
  afterText: string,
  file: string,
  expect: Expectation,
): string | undefined {
  const after = tryParse(afterText, file, 'uv');
  if (!after) return 'uv could no longer parse the file';
  const differs = sameReading(before, after, expect.host);
  if (differs) return differs;
  if (after.entries.length !== expect.entries) return 'the number of entries would change unexpectedly';
  const mine = after.entries.filter((entry) => entry.kind === 'machine' && entry.host === expect.host).at(-1);
  if (expect.login === undefined) {
    if (mine) return `machine ${expect.host} would still be read`;
  } else if (!mine || mine.login !== expect.login || mine.password !== expect.password) {
    return 'uv would not read the new credentials';
  }
  if (python) {
    const pythonAfter = tryParse(afterText, file, 'python');
    if (!pythonAfter) return "Python's netrc module could no longer parse the file";
    const pythonDiffers = sameReading(python, pythonAfter, expect.host);
    if (pythonDiffers) return `for Python, ${pythonDiffers}`;
  }
  return undefined;
}

function pythonNotes(
  afterText: string,
  file: string,
  host: string,
  wanted: { login: string; password: string },
): string[] {
  const python = tryParse(afterText, file, 'python');
  if (!python)
    return [
      "Python's netrc module cannot parse this file (pip, requests and twine get no credentials from it); run `glx doctor` for details",
    ];
  const entry = python.entries.filter((e) => e.kind === 'machine' && e.host === host).at(-1);
  if (!entry || entry.login !== wanted.login || entry.password !== wanted.password)
    return [`Python's netrc module reads this file differently and will not see machine ${host}`];
  return [];
}

function entryNotes(doc: NetrcDocument, target: NetrcEntry, duplicates: number[], host: string): string[] {
  const notes: string[] = [];
  if (duplicates.length > 0) {
    notes.push(
      `machine ${host} also appears on line${duplicates.length > 1 ? 's' : ''} ${duplicates.join(', ')}; uv uses the last entry (line ${target.line}), which glx updated, but curl uses the first`,
    );
  }
  const firstDefault = doc.entries.find((entry) => entry.kind === 'default');
  if (firstDefault && target.span.start > firstDefault.span.start)
    notes.push(
      `machine ${host} is after the default entry (line ${firstDefault.line}); curl stops at default and does not read it`,
    );
  return notes;
}

function cannotEdit(file: string, host: string, reason: string): GlxError {
  return new GlxError(
    'NETRC_INVALID',
    `cannot edit machine ${host} in ${file} without changing how the rest of it is read: ${reason}`,
    'A quoted value or a CRLF line break right before a `# comment` line makes uv read the comment as entries; move or delete that comment, or edit the file by hand.',
  );
}

export interface ReplacePasswordResult {
  text: string;
  /** The entries that held the old password, as `machine <host>` or `default`, with their line. */
  entries: Array<{ name: string; line: number }>;
}

/**
 * Replaces `oldPassword` with `newPassword` in every entry that holds it, whatever its host (a
 * rotated token is dead everywhere at once). Only those values change; the result is read back as
 * uv reads it and every entry must read as before apart from the new password.
 */
export function replaceNetrcPassword(
  text: string,
  oldPassword: string,
  newPassword: string,
  options: NetrcEditOptions = {},
): ReplacePasswordResult {
  const file = options.file ?? 'netrc';
  checkValue('password', newPassword);
  const doc = parseNetrc(text, file);
  const edits: Edit[] = [];
  const entries: ReplacePasswordResult['entries'] = [];
  for (const entry of doc.entries) {
    const held = entry.fields.filter((field) => field.name === 'password' && field.value?.value === oldPassword);
    if (held.length === 0) continue;
    entries.push({ name: entry.kind === 'default' ? 'default' : `machine ${entry.host}`, line: entry.line });
    // A quoted value stays quoted: only the password's own characters change.
    for (const field of held)
      edits.push({
        ...field.value!.span,
        text: field.value!.quoted
          ? `"${newPassword.replace(/["\\]/g, (ch) => `\\${ch}`)}"`
          : formatNetrcValue(newPassword),
      });
  }
  if (edits.length === 0) return { text, entries };
  const after = applyEdits(text, edits);
  const reread = tryParse(after, file, 'uv');
  const expected = doc.entries.map((e) => [
    e.kind,
    e.host,
    e.login,
    e.account,
    e.password === oldPassword ? newPassword : e.password,
  ]);
  if (
    !reread ||
    JSON.stringify(reread.entries.map((e) => [e.kind, e.host, e.login, e.account, e.password])) !==
      JSON.stringify(expected)
  ) {
    throw cannotEdit(
      file,
      entries[0]!.name.replace(/^machine /, ''),
      'the entries would read differently after the password is replaced',
    );
  }
  return { text: after, entries };
}
