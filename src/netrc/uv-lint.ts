/** What in a netrc file makes uv, Python tools or curl miss credentials: the checks behind `glx doctor`. */
import { LineIndex } from './lexer.js';
import { type NetrcDocument, type NetrcEntry, type NetrcProblemCode, parseNetrc, printableHost } from './parse.js';

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
  const issue = (
    code: NetrcIssue['code'],
    severity: NetrcIssue['severity'],
    offset: number,
    message: string,
    hint: string,
    affects: NetrcReader[],
  ): void => {
    issues.push({ code, severity, line: lines.line(offset), column: lines.column(offset), message, hint, affects });
  };
  for (const problem of doc.errors) issues.push({ ...problem, severity: 'error', affects: [doc.dialect] });
  if (doc.dialect === 'uv') {
    const python = parseNetrc(doc.text, doc.file, { dialect: 'python', tolerant: true });
    const first = python.errors[0];
    if (first && doc.errors.length === 0) {
      issue(
        'python-rejects',
        'warning',
        first.offset,
        `Python's netrc module rejects this file: ${first.message}`,
        first.hint,
        ['python'],
      );
    }
  }
  if (doc.stoppedAt !== undefined) {
    issue(
      'stops-early',
      'warning',
      doc.stoppedAt,
      'an empty quoted word ("") where a keyword belongs: uv and Python stop reading the file here',
      'Delete the "" so the entries below it are read.',
      ['uv', 'python'],
    );
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
      const bare =
        host
          .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
          .split('/')[0]
          ?.split(':')[0] ?? '';
      issue(
        'machine-with-scheme',
        'warning',
        at,
        `machine ${shown} never matches: uv looks entries up by host name only`,
        `Write \`machine ${printableHost(bare.toLowerCase())}\`.`,
        ['uv', 'python', 'curl'],
      );
    } else if (host.includes(':') && !host.startsWith('[')) {
      issue(
        'machine-with-port',
        'warning',
        at,
        `machine ${shown} never matches: uv looks entries up by host name, without the port`,
        `Write \`machine ${printableHost(host.split(':')[0]!.toLowerCase())}\`; one entry serves every port.`,
        ['uv', 'python'],
      );
    } else if (host !== host.toLowerCase()) {
      issue(
        'machine-uppercase',
        'warning',
        at,
        `machine ${shown} never matches: uv compares the URL's lowercase host name exactly`,
        `Write \`machine ${printableHost(host.toLowerCase())}\`.`,
        ['uv', 'python'],
      );
    }
    if (host === 'default') {
      issue(
        'machine-named-default',
        'warning',
        at,
        '`machine default` shares its slot with the default entry in uv and Python',
        'Rename or delete it.',
        ['uv', 'python'],
      );
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
    issue(
      'duplicate-default',
      'warning',
      defaults[defaults.length - 1]!.span.start,
      `${defaults.length} default entries: uv and Python use the last, curl the first`,
      'Keep one default entry.',
      ['uv', 'python', 'curl'],
    );
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
      issue(
        'macdef-whitespace-end',
        'warning',
        macro.span.start,
        `macro ${printableHost(macro.name)} ends at a line of blanks: uv stops there, Python and curl read on to the next empty line`,
        'Make the line after the macro empty.',
        ['python', 'curl'],
      );
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
        issue(
          'user-keyword',
          'warning',
          field.keywordSpan.start,
          '`user` is an alias of `login` for uv and Python, but curl ignores it',
          'Write `login`.',
          ['curl'],
        );
      }
    }
    for (const value of [entry.hostValue, ...entry.fields.map((f) => f.value)]) {
      if (value?.unterminated) {
        issue(
          'unterminated-quote',
          'warning',
          value.span.start,
          'a quoted value has no closing quote: curl rejects the whole file',
          'Add the closing double quote.',
          ['curl'],
        );
      }
    }
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i === -1 ? text.length : i;
}
