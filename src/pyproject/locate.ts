/**
 * Positions in pyproject.toml: toml-eslint-parser's CST gives a range for every table, key and
 * value (https://github.com/ota-meshi/toml-eslint-parser). The editor splices text at these ranges; error messages use
 * them for file:line:col.
 */
import { type AST, ParseError, parseTOML, traverseNodes } from 'toml-eslint-parser';
import { at, GlxError } from '../errors.js';
import { lineBreaks } from '../util/text.js';
import type { Locate, TextPosition, TomlPath } from './read.js';
import { editSegments, type Section, type Segment } from './view.js';

export type Program = AST.TOMLProgram;

/** Where a path is defined: a `[table]`/`[[table]]` header, a `key = value`, or an array element. */
export type Definition =
  | { kind: 'table'; path: (string | number)[]; node: AST.TOMLTable }
  | {
      kind: 'keyValue';
      path: (string | number)[];
      node: AST.TOMLKeyValue;
      /** The header table the pair sits in; undefined at top level. */
      table: AST.TOMLTable | undefined;
      /** True when the pair is inside an inline table. */
      inline: boolean;
    }
  | { kind: 'element'; path: (string | number)[]; node: AST.TOMLContentNode };

export interface ParsedCst {
  program: Program;
  /** Set when the file parses only as TOML 1.1: what Python's tomllib would trip over. */
  toml11?: { line: number; column: number; message: string };
}

/**
 * Parses in TOML 1.0 mode (Python's tomllib), falling back to 1.1 (uv's toml_edit) so that a
 * file uv accepts can still be edited; the caller turns `toml11` into a note. smol-toml has
 * already accepted the text, so a failure here is a parser disagreement, not a user typo.
 * It parses only the parts of the text the editor reads (view.ts) and moves every position
 * back to the file's; when those parts do not parse on their own, it parses the whole text.
 */
export function parseCst(text: string, file: string, layout?: Section[]): ParsedCst {
  const segments = editSegments(text, layout);
  if (segments) {
    try {
      return relocate(parseEither(segments.map((segment) => segment.text).join('')), segments);
    } catch {
      // The whole text decides: its result, or its error with the position in it.
    }
  }
  try {
    return parseEither(text);
  } catch (error) {
    const e = error instanceof ParseError ? error : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    throw new GlxError(
      'PYPROJECT_UNSUPPORTED',
      `${at(file, e?.lineNumber, e ? e.column + 1 : undefined)}: glx cannot edit this TOML: ${reason}`,
      'uv may accept this file, but glx could not locate its parts to edit them safely; make the change by hand.',
      { cause: error },
    );
  }
}

/**
 * Moves the ranges and lines of a CST parsed from the joined segments to the file's. Each segment
 * starts a line, so columns stay as they are. A node that spans segments (the program, the
 * top-level table) gets its start and its end moved each by its own segment.
 */
function relocate(parsed: ParsedCst, segments: readonly Segment[]): ParsedCst {
  if (segments.length === 0) return parsed; // nothing kept: an empty program, and nothing to move
  const joined: { offset: number; line: number; segment: Segment }[] = [];
  let offset = 0;
  let line = 1;
  for (const segment of segments) {
    joined.push({ offset, line, segment });
    offset += segment.text.length;
    line += lineBreaks(segment.text);
  }
  const byOffset = (at: number) => joined.findLast((part) => part.offset <= at) ?? joined[0]!;
  const byLine = (at: number) => joined.findLast((part) => part.line <= at) ?? joined[0]!;
  const move = (item: { range: [number, number]; loc: AST.SourceLocation }) => {
    const [start, end] = [byOffset(item.range[0]), byOffset(Math.max(item.range[0], item.range[1] - 1))];
    item.range = [item.range[0] - start.offset + start.segment.start, item.range[1] - end.offset + end.segment.start];
    item.loc = {
      start: { line: item.loc.start.line - start.line + start.segment.line, column: item.loc.start.column },
      end: { line: item.loc.end.line - end.line + end.segment.line, column: item.loc.end.column },
    };
  };
  const { program } = parsed;
  traverseNodes(program, { enterNode: (node) => move(node), leaveNode: () => {} });
  for (const token of program.tokens) move(token);
  for (const comment of program.comments) move(comment);
  if (!parsed.toml11) return parsed;
  const part = byLine(parsed.toml11.line);
  return { program, toml11: { ...parsed.toml11, line: parsed.toml11.line - part.line + part.segment.line } };
}

function parseEither(text: string): ParsedCst {
  try {
    return { program: parseTOML(text, { tomlVersion: '1.0.0' }) };
  } catch (strict) {
    const program = parseTOML(text, { tomlVersion: '1.1.0' });
    const where =
      strict instanceof ParseError ? { line: strict.lineNumber, column: strict.column + 1 } : { line: 1, column: 1 };
    return { program, toml11: { ...where, message: (strict as Error).message } };
  }
}

export function keyPath(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

export function samePath(a: TomlPath, b: TomlPath): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function startsWith(path: TomlPath, prefix: TomlPath): boolean {
  return path.length >= prefix.length && prefix.every((x, i) => path[i] === x);
}

/** Every table, key/value and array element with its absolute path, in document order. */
export function definitions(program: Program): Definition[] {
  const out: Definition[] = [];
  const value = (node: AST.TOMLContentNode, path: (string | number)[], table: AST.TOMLTable | undefined) => {
    if (node.type === 'TOMLInlineTable') {
      for (const kv of node.body) keyValue(kv, path, table, true);
    } else if (node.type === 'TOMLArray') {
      node.elements.forEach((element, i) => {
        out.push({ kind: 'element', path: [...path, i], node: element });
        value(element, [...path, i], table);
      });
    }
  };
  const keyValue = (
    kv: AST.TOMLKeyValue,
    base: (string | number)[],
    table: AST.TOMLTable | undefined,
    inline: boolean,
  ) => {
    const path = [...base, ...keyPath(kv.key)];
    out.push({ kind: 'keyValue', path, node: kv, table, inline });
    value(kv.value, path, table);
  };
  const top = program.body[0];
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') keyValue(node, [], undefined, false);
    else {
      out.push({ kind: 'table', path: [...node.resolvedKey], node });
      for (const kv of node.body) keyValue(kv, node.resolvedKey, node, false);
    }
  }
  return out;
}

function startOf(def: Definition): TextPosition {
  const loc = def.kind === 'keyValue' ? def.node.key.loc.start : def.node.loc.start;
  return { line: loc.line, column: loc.column + 1 };
}

/**
 * Where `path` is written: its own definition, else the first definition below it (a table
 * created implicitly by `[tool.uv.index.x]` is "at" that header).
 */
export function locatorFor(defs: readonly Definition[]): Locate {
  return (path) => {
    const exact = defs.find((d) => samePath(d.path, path));
    if (exact) return startOf(exact);
    const below = defs.find((d) => startsWith(d.path, path));
    return below ? startOf(below) : undefined;
  };
}

/** A Locate for error messages; positions are omitted when the CST parser cannot read the text. */
export function createLocator(text: string): Locate {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return locatorFor(definitions(parseTOML(body, { tomlVersion: '1.1.0' })));
  } catch {
    return () => undefined;
  }
}
