/**
 * Format-preserving edits of pyproject.toml: locate with
 * toml-eslint-parser, splice only the bytes that change, then re-parse the result with smol-toml
 * and compare it with the intended document. A splice bug throws EditVerificationError instead of
 * returning a damaged file. Pure functions: text in, text out.
 */
import { parse as parseToml, type TomlTable, type TomlValue } from 'smol-toml';
import type { AST } from 'toml-eslint-parser';
import { at, GlxError } from '../errors.js';
import { withoutUserinfo } from '../util/redact.js';
import { envVarStem, indexEnvVars, validateIndexName } from './index-name.js';
import { type Definition, definitions, locatorFor, type Program, parseCst, samePath, startsWith } from './locate.js';
import {
  type AuthPolicy,
  describeType,
  type IndexEntry,
  isPackageName,
  isTable,
  type Locate,
  listIndexes,
  normalizePackageName,
  parsePyproject,
  sourceIndex,
  type TomlPath,
} from './read.js';
import {
  addBlock,
  addBlockBefore,
  appendToArray,
  applySplices,
  eolOf,
  indentAt,
  insertLines,
  lineEnd,
  lineStart,
  renderInlineTable,
  renderKey,
  renderPair,
  renderValue,
  type Splice,
  setInInline,
  setInTable,
  type WriteValue,
} from './splice.js';
import { mayBeToml11, type Section, sections, sectionsAfterEdit } from './view.js';

export interface IndexSpec {
  name: string;
  url: string;
  authenticate?: AuthPolicy;
  explicit?: boolean;
  default?: boolean;
  ignoreErrorCodes?: number[];
  publishUrl?: string;
}

export type EditAction = 'added' | 'updated' | 'unchanged';

/**
 * A pyproject.toml text with its smol-toml document, for a caller that has parsed it already:
 * the edits take one and give one back (the verified parse of the edited text), so that a chain
 * of edits parses each text once.
 */
export interface Parsed {
  text: string;
  doc: TomlTable;
}

export interface EditResult extends Parsed {
  action: EditAction;
  /** The name the index has in the result: `spec.name`, or the name of a reused entry. */
  name: string;
  /**
   * Set when no entry had `spec.name` and an entry with the same URL was reused instead: that
   * entry's name before the edit, or `tool.uv.index[<position>]` when it had none.
   */
  reusedFrom?: string;
  /** The entry as it was before the edit, when one was updated or left unchanged. */
  previous?: IndexEntry;
  /** Things the caller should tell the user (credentials in a URL, TOML 1.1 syntax, ...). */
  notes: string[];
}

export interface SourcePin {
  package: string;
  index: string;
}

export interface PinResult {
  /** The package key as it is written in the result (an existing key keeps the user's spelling). */
  package: string;
  index: string;
  /** `skipped`: a list of sources with markers, which glx leaves to the user. */
  action: EditAction | 'skipped';
}

export interface SourcesEditResult extends Parsed {
  action: EditAction;
  pins: PinResult[];
  notes: string[];
}

/** The result of an edit did not re-parse to the intended document: a glx bug, nothing was written. */
export class EditVerificationError extends Error {
  override readonly name = 'EditVerificationError';
}

const BOM = '\uFEFF';
const TOOL_UV: TomlPath = ['tool', 'uv'];
const INDEX: TomlPath = ['tool', 'uv', 'index'];
const SOURCES: TomlPath = ['tool', 'uv', 'sources'];

/** Keys glx manages in an index entry, in the order a new entry is written. */
const MANAGED = [
  ['url', 'url'],
  ['publishUrl', 'publish-url'],
  ['explicit', 'explicit'],
  ['default', 'default'],
  ['authenticate', 'authenticate'],
  ['ignoreErrorCodes', 'ignore-error-codes'],
] as const satisfies readonly (readonly [keyof IndexSpec & keyof IndexEntry, string])[];

interface Prepared {
  file: string;
  bom: string;
  body: string;
  doc: TomlTable;
  readonly program: Program;
  readonly defs: Definition[];
  locate: Locate;
  readonly eol: string;
  /** The top-level sections of `body` (view.ts), found on first use. */
  readonly sections: Section[];
  notes: string[];
}

/** The text to edit and its document: parsed here unless the caller has parsed it already. */
function parsedOf(source: string | Parsed, file: string): Parsed {
  return typeof source === 'string' ? { text: source, doc: parsePyproject(source, file) } : source;
}

/**
 * The text ready to edit. Its CST (toml-eslint-parser) is parsed on first use: an edit that
 * changes nothing needs no positions. The one thing the CST tells without an edit, the TOML 1.1
 * note, needs one of the marks of 1.1-only syntax (view.ts), so only such a text is parsed at once.
 */
function prepare({ text, doc }: Parsed, file: string): Prepared {
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  const notes: string[] = [];
  let cst: { program: Program; defs: Definition[]; locate: Locate } | undefined;
  let layout: Section[] | undefined;
  const laidOut = () => (layout ??= sections(body));
  const located = () => {
    if (cst) return cst;
    const { program, toml11 } = parseCst(body, file, laidOut());
    if (toml11) {
      notes.push(
        `${at(file, toml11.line, toml11.column)}: this file uses TOML 1.1 syntax (${toml11.message}); uv reads it, but Python's tomllib (pip, build backends) reads TOML 1.0 only`,
      );
    }
    const defs = definitions(program);
    cst = { program, defs, locate: locatorFor(defs) };
    return cst;
  };
  if (mayBeToml11(body)) located();
  return {
    file,
    bom,
    body,
    doc,
    notes,
    get program() {
      return located().program;
    },
    get defs() {
      return located().defs;
    },
    locate: (path) => located().locate(path),
    get eol() {
      return eolOf(body);
    },
    get sections() {
      return laidOut();
    },
  };
}

function position(prep: Prepared, path: TomlPath): string {
  const pos = prep.locate(path);
  return at(prep.file, pos?.line, pos?.column);
}

// ---------------------------------------------------------------------------------------------
// URLs

function parsedUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function hasCredentials(url: string): boolean {
  const parsed = parsedUrl(url);
  return parsed !== undefined && (parsed.username !== '' || parsed.password !== '');
}

/** The URL with `***@` in place of any user info, for messages. */
function redact(url: string): string {
  return hasCredentials(url) ? withoutUserinfo(url).replace('://', '://***@') : url;
}

/** Same index location: user info and a trailing `/` ignored (URL parsing also folds host case). */
function sameUrl(a: string, b: string): boolean {
  const canonical = (url: string) => (parsedUrl(withoutUserinfo(url))?.href ?? url).replace(/\/+$/, '');
  return canonical(a) === canonical(b);
}

// ---------------------------------------------------------------------------------------------
// Verification

/**
 * Whether two parsed documents are equal: tables by their keys in any order, arrays element by
 * element, dates by their TOML text, numbers with NaN equal to NaN. Equal JSON text (`sameJson`)
 * answers first; otherwise the walk decides.
 */
function sameDocument(a: TomlTable, b: TomlTable): boolean {
  return sameJson(a, b) || walkSame(a, b);
}

/**
 * `sameDocument` by walking both. Iterative, not recursive: a dotted key a few thousand parts
 * long nests tables that deep, which is valid TOML and overflowed the call stack (hostile input).
 * It stops at the first difference.
 */
function walkSame(a: TomlTable, b: TomlTable): boolean {
  const work: Array<[unknown, unknown]> = [[a, b]];
  while (work.length > 0) {
    const [x, y] = work.pop()!;
    if (x instanceof Date || y instanceof Date) {
      if (!(x instanceof Date && y instanceof Date) || x.toISOString() !== y.toISOString()) return false;
    } else if (Array.isArray(x) || Array.isArray(y)) {
      if (!(Array.isArray(x) && Array.isArray(y)) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) work.push([x[i], y[i]]);
    } else if (isTable(x) || isTable(y)) {
      if (!(isTable(x) && isTable(y))) return false;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      for (const key of keys) {
        if (!Object.hasOwn(y, key)) return false;
        work.push([x[key], y[key]]);
      }
    } else if (!Object.is(x, y) && !(typeof x === 'number' && typeof y === 'number' && x === y)) return false;
  }
  return true;
}

/**
 * A copy of a parsed document's tables and arrays (null-prototype, as smol-toml makes them, so a
 * `__proto__` key stays a key), sharing the leaves, dates included: what `finish` changes is
 * tables and arrays only. Saves parsing the original text a second time. Iterative, like
 * `sameDocument`.
 */
function copyDocument(doc: TomlTable): TomlTable {
  const root = Object.create(null) as TomlTable;
  const work: Array<[Record<string, unknown>, Record<string, unknown>]> = [[doc, root]];
  while (work.length > 0) {
    const [from, to] = work.pop()!;
    for (const key of Object.keys(from)) {
      const value = from[key];
      // An array is copied whole, then each of its tables and arrays replaced by a copy.
      const copy = Array.isArray(value) ? value.slice() : isTable(value) ? Object.create(null) : undefined;
      to[key] = copy ?? value;
      if (Array.isArray(value)) {
        for (const [i, element] of value.entries())
          if (Array.isArray(element) || isTable(element)) work.push([{ [i]: element }, copy]);
      } else if (copy) work.push([value as Record<string, unknown>, copy]);
    }
  }
  return root;
}

/**
 * A copy of a parsed document for `finish` to make the intended change in, which is always under
 * tool.uv (`tableAt(doc, TOOL_UV)` and below): the root and `tool` tables are copied shallowly,
 * `tool.uv` whole, and every other table is shared with the original. On a large file copying it
 * all cost more than the rest of the edit.
 */
function copyForEdit(doc: TomlTable): TomlTable {
  const shallow = (table: TomlTable) => Object.assign(Object.create(null) as TomlTable, table);
  const root = shallow(doc);
  if (isTable(root.tool)) {
    const tool = shallow(root.tool);
    root.tool = tool;
    if (isTable(tool.uv)) tool.uv = copyDocument(tool.uv);
  }
  return root;
}

/**
 * Two parsed documents as JSON, compared as text by the engine: much cheaper than walking them
 * (`walkSame`) on a large file. A date, a big integer and NaN or an infinity are written as an
 * array that starts with null, which no TOML value can be, so that equal text means equal
 * documents. Key order counts in the text and not in the documents: unequal text only means the
 * walk must decide.
 */
function sameJson(a: TomlTable, b: TomlTable): boolean {
  function tagged(this: unknown, key: string, value: unknown): unknown {
    if ((this as Record<string, unknown>)[key] instanceof Date) return [null, 'date', value];
    if (typeof value === 'bigint') return [null, 'integer', value.toString()];
    if (typeof value === 'number' && !Number.isFinite(value)) return [null, String(value)];
    return value;
  }
  try {
    return JSON.stringify(a, tagged) === JSON.stringify(b, tagged);
  } catch {
    return false; // nested deeper than the engine's stack (a long dotted key): the walk decides
  }
}

/** `doc.a.b...` as a table, created (as `{}`) where missing. */
function tableAt(doc: TomlTable, path: TomlPath): TomlTable {
  let node: TomlTable = doc;
  for (const key of path) {
    const next = node[String(key)];
    if (isTable(next)) node = next;
    else node = node[String(key)] = {};
  }
  return node;
}

/**
 * Applies the splices, then checks the result: it parses, equals the old document plus the
 * intended change, and still passes uv's index checks.
 */
function finish(prep: Prepared, splices: Splice[], mutate: (doc: TomlTable) => void): Parsed {
  let out: string;
  try {
    out = applySplices(prep.body, splices);
  } catch (error) {
    throw new EditVerificationError(`internal error: ${(error as Error).message} in ${prep.file}; nothing was written`);
  }
  const expected = copyForEdit(prep.doc);
  mutate(expected);
  const actual = verifiedInPart(prep, splices, out, mutate, expected) ?? verifiedWhole(prep, out, expected);
  try {
    listIndexes(actual, prep.file);
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    throw new GlxError(error.code, `the edit would make ${prep.file} invalid for uv: ${error.message}`, error.hint);
  }
  return { text: prep.bom + out, doc: actual };
}

/** The edited text parsed whole and compared with the intended document. */
function verifiedWhole(prep: Prepared, out: string, expected: TomlTable): TomlTable {
  let actual: TomlTable;
  try {
    actual = parseToml(out);
  } catch (error) {
    throw new EditVerificationError(
      `internal error: the edit of ${prep.file} produced invalid TOML (${(error as Error).message.split('\n', 1)[0]}); nothing was written`,
    );
  }
  if (!sameDocument(actual, expected)) {
    throw new EditVerificationError(
      `internal error: the edit of ${prep.file} did not produce the intended document; nothing was written`,
    );
  }
  return actual;
}

/**
 * The same check without parsing the whole edited text, where that is sure to come to the same
 * answer; undefined where it is not, and `verifiedWhole` decides. It applies when every splice
 * lies inside a section (view.ts) whose header is tool.uv or below it, and the scanner finds every
 * section of the original that cannot reach tool.uv again in the result, byte for byte and in
 * place. The sections that can (the kept ones, which hold every definition under tool.uv and of
 * tool itself) are parsed on their own, before and after: they must differ by the intended
 * change, and before, they must hold the whole tool.uv of the original. The other sections define
 * nothing there and are unchanged, and the original parsed whole, so the result parses to the
 * original document with the intended change: `expected`, which this returns.
 */
function verifiedInPart(
  prep: Prepared,
  splices: readonly Splice[],
  out: string,
  mutate: (doc: TomlTable) => void,
  expected: TomlTable,
): TomlTable | undefined {
  const before = prep.sections;
  const underToolUv = (section: Section) => section.path !== undefined && startsWith(section.path, TOOL_UV);
  const around = (splice: Splice) =>
    before.findIndex((section) => section.start < splice.start && splice.end <= section.end && underToolUv(section));
  const spliced = splices.map(around);
  if (before.length === 1 || spliced.includes(-1)) return undefined;
  // The untouched sections of the original that cannot reach tool.uv, where they must be in the result.
  const moved = (at: number) =>
    at +
    splices.reduce((sum, splice) => sum + (splice.end <= at ? splice.text.length - (splice.end - splice.start) : 0), 0);
  // The result's sections, scanning again only from the first spliced section to the last.
  const after =
    sectionsAfterEdit(before, out, Math.min(...spliced), Math.max(...spliced), out.length - prep.body.length) ??
    sections(out);
  const stayed = after.filter((section) => !section.kept);
  const left = before.filter((section) => !section.kept);
  if (
    stayed.length !== left.length ||
    stayed.some(
      (section, i) =>
        section.start !== moved(left[i]!.start) ||
        out.slice(section.start, section.end) !== prep.body.slice(left[i]!.start, left[i]!.end),
    )
  )
    return undefined;
  const keptText = (text: string, list: Section[]) =>
    list
      .filter((section) => section.kept)
      .map((section) => text.slice(section.start, section.end))
      .join('');
  let keptBefore: TomlTable;
  let keptAfter: TomlTable;
  try {
    keptBefore = parseToml(keptText(prep.body, before));
    keptAfter = parseToml(keptText(out, after));
  } catch {
    return undefined;
  }
  const uvOf = (doc: TomlTable): TomlTable => {
    const uv = isTable(doc.tool) ? doc.tool.uv : undefined;
    return uv === undefined ? {} : { uv };
  };
  if (!sameDocument(uvOf(keptBefore), uvOf(prep.doc))) return undefined;
  const intended = copyForEdit(keptBefore);
  mutate(intended);
  return sameDocument(keptAfter, intended) ? expected : undefined;
}

/** Refuses layouts where a new `[table]` header under tool.uv would be invalid TOML. */
function assertHeaderable(prep: Prepared, what: string): void {
  for (const path of [['tool'], TOOL_UV]) {
    const def = prep.defs.find((d) => d.kind === 'keyValue' && samePath(d.path, path));
    if (def?.kind === 'keyValue' && (def.inline || def.node.value.type === 'TOMLInlineTable')) {
      throw new GlxError(
        'PYPROJECT_UNSUPPORTED',
        `${position(prep, path)}: ${path.join('.')} is written as an inline table, so glx cannot add ${what} after it`,
        `Rewrite \`${path.join('.')} = { ... }\` as a [${path.join('.')}] table (one key per line), then run glx again.`,
      );
    }
  }
}

/** The last header table at or below `prefix` (an index entry's sub-tables count), in document order. */
function lastTableUnder(prep: Prepared, prefix: TomlPath): AST.TOMLTable | undefined {
  let found: AST.TOMLTable | undefined;
  for (const def of prep.defs) if (def.kind === 'table' && startsWith(def.path, prefix)) found = def.node;
  return found;
}

function standardTable(prep: Prepared, path: TomlPath): AST.TOMLTable | undefined {
  const def = prep.defs.find((d) => d.kind === 'table' && d.node.kind === 'standard' && samePath(d.path, path));
  return def?.kind === 'table' ? def.node : undefined;
}

// ---------------------------------------------------------------------------------------------
// Indexes

function checkSpec(spec: IndexSpec): void {
  validateIndexName(spec.name);
  if (hasCredentials(spec.url)) {
    throw new GlxError(
      'USAGE',
      `refusing to write credentials into pyproject.toml: the index URL ${redact(spec.url)} has a user name or password`,
      'Give the URL without user:password@ and store the token with `glx auth` (netrc or uv credentials store).',
    );
  }
  for (const url of [spec.url, spec.publishUrl]) {
    if (url !== undefined && (url.trim() === '' || /[\x00-\x1f]/.test(url))) {
      throw new GlxError(
        'USAGE',
        `invalid index URL ${JSON.stringify(url)}`,
        'Give an http(s) URL such as https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple',
      );
    }
  }
  if (spec.publishUrl !== undefined && hasCredentials(spec.publishUrl)) {
    throw new GlxError(
      'USAGE',
      `refusing to write credentials into pyproject.toml: the publish URL ${redact(spec.publishUrl)} has a user name or password`,
      'Give the URL without user:password@; uv publish reads credentials from UV_PUBLISH_* or --username/--password.',
    );
  }
  for (const code of spec.ignoreErrorCodes ?? []) {
    if (!Number.isInteger(code) || code < 100 || code > 999) {
      throw new GlxError(
        'USAGE',
        `invalid HTTP status code ${code} for ignore-error-codes`,
        'Use status codes such as 401 or 403.',
      );
    }
  }
}

function describeEntry(entry: IndexEntry): string {
  return entry.name ?? `tool.uv.index[${entry.position}]`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * Adds or updates one `[[tool.uv.index]]` entry. Match by name, else by URL (a reused entry keeps
 * its name, as `uv add --index` does), else add. Only the keys given in `spec` are written; every
 * other byte stays. Where it goes is chosen on purpose, not copied from uv: uv asks the first
 * non-explicit index first, and `uv add --index` moves an added or updated index to the top
 * (crates/uv-workspace/src/pyproject_mut.rs `add_index`). glx puts a new non-explicit, non-default
 * index first, so a GitLab index does not silently rank below the others; an explicit or default
 * one goes last (its position does not matter to uv). An updated entry stays where it is: moving
 * a block the user wrote is not glx's call, and init says how it ranks.
 */
export function upsertIndex(source: string | Parsed, spec: IndexSpec, file: string): EditResult {
  checkSpec(spec);
  const parsed = parsedOf(source, file);
  const prep = prepare(parsed, file);
  const entries = listIndexes(prep.doc, file, prep.locate);
  const byName = entries.find((e) => e.name === spec.name);
  const sameUrlEntries = byName ? [] : entries.filter((e) => sameUrl(e.url, spec.url));
  const target = byName ?? sameUrlEntries.find((e) => e.name !== undefined) ?? sameUrlEntries[0];
  const name = target?.name ?? spec.name;
  const notes = [...prep.notes];

  // Two names that select the same UV_INDEX_* variables would share credentials (https://github.com/astral-sh/uv/blob/main/crates/uv-static/src/env_vars.rs).
  const clash = entries.find(
    (e) => e !== target && e.name !== undefined && e.name !== name && envVarStem(e.name) === envVarStem(name),
  );
  if (clash?.name) {
    const vars = indexEnvVars(name);
    throw new GlxError(
      'INDEX_NAME_COLLISION',
      `${position(prep, [...INDEX, clash.position, 'name'])}: index name "${name}" collides with existing index "${clash.name}": both read ${vars.username} and ${vars.password}`,
      `uv would give both indexes the same credentials. Choose a name that differs from "${clash.name}" in more than case or punctuation, or use "${clash.name}" itself.`,
    );
  }
  if (spec.default === true) {
    const other = entries.find((e) => e !== target && e.default === true);
    if (other) {
      throw new GlxError(
        'USAGE',
        `${position(prep, [...INDEX, other.position, 'default'])}: index "${describeEntry(other)}" is already the default index; uv allows only one index with default = true`,
        `Add "${name}" without making it the default, or remove default = true from "${describeEntry(other)}" first.`,
      );
    }
  }

  const pairs: [string, WriteValue][] = [];
  for (const [field, key] of MANAGED) {
    const wanted = spec[field];
    if (wanted === undefined) continue;
    const current = target?.[field];
    // An equivalent URL is left as written: no churn over a trailing slash, and credentials the
    // user put there are reported rather than silently dropped.
    const same =
      field === 'url' && current !== undefined ? sameUrl(String(current), spec.url) : sameValue(current, wanted);
    if (!target || !same) pairs.push([key, wanted]);
  }
  if (target?.url !== undefined && hasCredentials(target.url)) {
    notes.push(
      pairs.some(([key]) => key === 'url')
        ? `index "${name}": the previous url carried credentials; they are no longer in pyproject.toml but remain in version control history, so revoke that token`
        : `index "${name}" url carries credentials in pyproject.toml; store them with \`glx auth\` and remove them from the url`,
    );
  }
  const result = (action: EditAction, out: Parsed): EditResult => ({
    ...out,
    action,
    name,
    ...(target && !byName ? { reusedFrom: describeEntry(target) } : {}),
    ...(target ? { previous: target } : {}),
    notes,
  });

  if (target) {
    if (target.name === undefined) pairs.unshift(['name', name]);
    if (pairs.length === 0) return result('unchanged', parsed);
    const splices: Splice[] = [];
    const node = indexEntryNode(prep, target.position);
    if (node.type === 'TOMLTable') setInTable(prep, node, pairs, splices);
    else setInInline(node, pairs, splices);
    const out = finish(prep, splices, (doc) => {
      const list = tableAt(doc, TOOL_UV).index as TomlValue[];
      Object.assign(list[target.position] as TomlTable, Object.fromEntries(pairs));
    });
    return result('updated', out);
  }

  const entry: [string, WriteValue][] = [['name', name], ...pairs];
  const splices: Splice[] = [];
  const firstEntry = prep.defs.find((d) => d.kind === 'table' && startsWith(d.path, INDEX));
  const ranked =
    spec.explicit !== true && spec.default !== true && entries.some((e) => e.explicit !== true && e.default !== true);
  if (ranked && firstEntry?.kind === 'table') {
    addBlockBefore(
      prep,
      firstEntry.node,
      '[[tool.uv.index]]',
      entry.map((p) => renderPair(...p)),
      splices,
    );
    const out = finish(prep, splices, (doc) => {
      const uv = tableAt(doc, TOOL_UV);
      uv.index = [Object.fromEntries(entry), ...((uv.index as TomlValue[] | undefined) ?? [])];
    });
    return result('added', out);
  }
  const lastEntry = lastTableUnder(prep, INDEX);
  const inlineArray = prep.defs.find((d) => d.kind === 'keyValue' && samePath(d.path, INDEX));
  if (lastEntry) {
    addBlock(
      prep,
      lastEntry,
      '[[tool.uv.index]]',
      entry.map((p) => renderPair(...p)),
      splices,
    );
  } else if (inlineArray?.kind === 'keyValue' && inlineArray.node.value.type === 'TOMLArray') {
    appendToArray(prep, inlineArray.node.value, renderInlineTable(entry), splices);
  } else {
    assertHeaderable(prep, '[[tool.uv.index]]');
    addBlock(
      prep,
      standardTable(prep, TOOL_UV),
      '[[tool.uv.index]]',
      entry.map((p) => renderPair(...p)),
      splices,
    );
  }
  const out = finish(prep, splices, (doc) => {
    const uv = tableAt(doc, TOOL_UV);
    uv.index = [...((uv.index as TomlValue[] | undefined) ?? []), Object.fromEntries(entry)];
  });
  return result('added', out);
}

/** The CST node of entry `position`: its `[[tool.uv.index]]` table or its `{ ... }` element. */
function indexEntryNode(prep: Prepared, position: number): AST.TOMLTable | AST.TOMLInlineTable {
  const path = [...INDEX, position];
  for (const def of prep.defs) {
    if (!samePath(def.path, path)) continue;
    if (def.kind === 'table') return def.node;
    if (def.kind === 'element' && def.node.type === 'TOMLInlineTable') return def.node;
  }
  throw new EditVerificationError(`internal error: cannot locate tool.uv.index[${position}] in ${prep.file}`);
}

// ---------------------------------------------------------------------------------------------
// Sources

function describeSource(value: TomlValue | undefined): string {
  if (!isTable(value)) return `source (${describeType(value)})`;
  for (const kind of ['git', 'path', 'url', 'workspace', 'index']) if (kind in value) return `${kind} source`;
  return 'source';
}

/**
 * Pins packages to indexes: `name = { index = "<index>" }` in tool.uv.sources, written in
 * whichever form the file uses (a [tool.uv.sources] table, `tool.uv.sources.x = ` or
 * `sources.x = ` dotted keys, an inline `sources = { ... }`), or a new [tool.uv.sources] table
 * after the index entries.
 */
export function upsertSources(source: string | Parsed, pins: readonly SourcePin[], file: string): SourcesEditResult {
  for (const pin of pins) {
    validateIndexName(pin.index);
    if (!isPackageName(pin.package)) {
      throw new GlxError(
        'INVALID_NAME',
        `invalid package name ${JSON.stringify(pin.package)}`,
        'Package names use letters, digits, "-", "_" and "." and start and end with a letter or digit (PEP 508).',
      );
    }
  }
  const wanted = new Map<string, SourcePin>();
  for (const pin of pins) {
    const earlier = wanted.get(normalizePackageName(pin.package));
    if (earlier && earlier.index !== pin.index) {
      throw new GlxError(
        'USAGE',
        `package "${pin.package}" cannot be pinned to both index "${earlier.index}" and index "${pin.index}"`,
        'uv takes one index per package (or a list with markers, which glx leaves to you); pin each package once.',
      );
    }
    wanted.set(normalizePackageName(pin.package), pin);
  }
  let current = parsedOf(source, file);
  const notes = new Set<string>();
  const results: PinResult[] = [];
  for (const pin of pins) {
    const step = upsertSource(current, pin, file);
    current = step.parsed;
    for (const note of step.notes) notes.add(note);
    results.push(step.pin);
  }
  const action: EditAction = results.some((r) => r.action === 'updated')
    ? 'updated'
    : results.some((r) => r.action === 'added')
      ? 'added'
      : 'unchanged';
  return { ...current, action, pins: results, notes: [...notes] };
}

function upsertSource(
  parsed: Parsed,
  pin: SourcePin,
  file: string,
): { parsed: Parsed; pin: PinResult; notes: string[] } {
  const prep = prepare(parsed, file);
  const entries = listIndexes(prep.doc, file, prep.locate);
  const notes = [...prep.notes];
  const uv = isTable(prep.doc.tool) ? prep.doc.tool.uv : undefined;
  const sources = isTable(uv) ? uv.sources : undefined;
  if (sources !== undefined && !isTable(sources)) {
    throw new GlxError(
      'PYPROJECT_UNSUPPORTED',
      `${position(prep, SOURCES)}: tool.uv.sources must be a table, found ${describeType(sources)}`,
      'Write sources as a [tool.uv.sources] table with one `package = { index = "name" }` line per package.',
    );
  }
  if (!entries.some((e) => e.name === pin.index)) {
    notes.push(
      `index "${pin.index}" is not defined in ${file}; uv also accepts one defined in the workspace root's pyproject.toml`,
    );
  }

  const wanted = normalizePackageName(pin.package);
  const key = Object.keys(sources ?? {}).find((k) => normalizePackageName(k) === wanted);
  const done = (action: PinResult['action'], out: Parsed, written = key ?? pin.package) => ({
    parsed: out,
    pin: { package: written, index: pin.index, action },
    notes,
  });

  if (key !== undefined) {
    const value = (sources as TomlTable)[key];
    if (Array.isArray(value)) {
      if (value.every((v) => sourceIndex(v) === pin.index)) return done('unchanged', parsed);
      notes.push(
        `tool.uv.sources.${key} lists several sources (with markers); glx did not change them — add { index = "${pin.index}" } there yourself`,
      );
      return done('skipped', parsed);
    }
    if (sourceIndex(value) === pin.index) return done('unchanged', parsed);
    const keepOthers = sourceIndex(value) !== undefined;
    if (!keepOthers) notes.push(`replaced the ${describeSource(value)} of "${key}" with index "${pin.index}"`);
    const next: TomlTable = keepOthers ? { ...(value as TomlTable), index: pin.index } : { index: pin.index };
    const splices = replaceSource(prep, [...SOURCES, key], keepOthers, pin.index);
    const out = finish(prep, splices, (doc) => {
      tableAt(doc, SOURCES)[key] = next;
    });
    return done('updated', out);
  }

  const splices = addSource(prep, pin);
  const out = finish(prep, splices, (doc) => {
    tableAt(doc, SOURCES)[pin.package] = { index: pin.index };
  });
  return done('added', out, pin.package);
}

/** Splices that point an existing source at `index`: only its `index` value, or the whole value. */
function replaceSource(prep: Prepared, path: TomlPath, keepOthers: boolean, index: string): Splice[] {
  const splices: Splice[] = [];
  const own = prep.defs.find((d) => samePath(d.path, path) && d.kind !== 'element');
  if (own?.kind === 'keyValue') {
    const value = own.node.value;
    if (keepOthers && value.type === 'TOMLInlineTable') setInInline(value, [['index', index]], splices);
    else splices.push({ start: value.range[0], end: value.range[1], text: renderInlineTable([['index', index]]) });
    return splices;
  }
  if (own?.kind === 'table') {
    // `[tool.uv.sources.pkg]` written as its own table.
    const body = own.node.body;
    const first = body[0];
    const last = body.at(-1);
    if (keepOthers || !first || !last) setInTable(prep, own.node, [['index', index]], splices);
    else splices.push({ start: first.range[0], end: last.range[1], text: renderPair('index', index) });
    return splices;
  }
  // Dotted keys that spell the package: `pkg.workspace = true`, `pkg.index = "x"` + `pkg.marker = ...`.
  const depth = path.length - 1;
  const spelled = prep.defs.filter(
    (d): d is Extract<Definition, { kind: 'keyValue' }> =>
      d.kind === 'keyValue' &&
      d.path.length > path.length &&
      startsWith(d.path, path) &&
      d.node.key.keys.length > d.path.length - path.length,
  );
  const subTables = prep.defs.some((d) => d.kind === 'table' && startsWith(d.path, path));
  const indexPair = spelled.find((d) => samePath(d.path, [...path, 'index']));
  if (keepOthers && indexPair) {
    splices.push({
      start: indexPair.node.value.range[0],
      end: indexPair.node.value.range[1],
      text: renderValue(index, indexPair.node.value),
    });
    return splices;
  }
  const [first, ...others] = spelled;
  if (first && !subTables && others.every((d) => !d.inline)) {
    const keys = first.node.key.keys;
    const packageKey = keys[keys.length - (first.path.length - depth)]!;
    const spelling = prep.body.slice(first.node.range[0], packageKey.range[1]);
    splices.push({
      start: first.node.range[0],
      end: first.node.range[1],
      text: `${spelling} = ${renderInlineTable([['index', index]])}`,
    });
    // The other dotted lines of the same source go, with their trailing comments.
    for (const d of others)
      splices.push({
        start: lineStart(prep.body, d.node.range[0]),
        end: lineEnd(prep.body, d.node.range[1]),
        text: '',
      });
    return splices;
  }
  throw new GlxError(
    'PYPROJECT_UNSUPPORTED',
    `${position(prep, path)}: ${path.join('.')} is written in a form glx does not rewrite`,
    `Write it as \`${renderKey(String(path.at(-1)))} = { index = "${index}" }\` in [tool.uv.sources] yourself.`,
  );
}

/** Splices that add `pkg = { index = "..." }` in the form the file already uses for sources. */
function addSource(prep: Prepared, pin: SourcePin): Splice[] {
  const splices: Splice[] = [];
  const value = renderInlineTable([['index', pin.index]]);
  const line = `${renderKey(pin.package)} = ${value}`;
  const table = standardTable(prep, SOURCES);
  const inline = prep.defs.find((d) => d.kind === 'keyValue' && samePath(d.path, SOURCES));
  const dotted = prep.defs.filter(
    (d): d is Extract<Definition, { kind: 'keyValue' }> =>
      d.kind === 'keyValue' &&
      !d.inline &&
      d.path.length > SOURCES.length &&
      startsWith(d.path, SOURCES) &&
      !(d.table && startsWith(d.table.resolvedKey, SOURCES)),
  );
  if (table) {
    const last = table.body.at(-1);
    const indent = indentAt(prep.body, (last ?? table).range[0]);
    const pos = lineEnd(prep.body, last ? last.range[1] : table.key.range[1]);
    splices.push(insertLines(prep.body, pos, [indent + line], prep.eol));
  } else if (inline?.kind === 'keyValue' && inline.node.value.type === 'TOMLInlineTable') {
    setInInline(inline.node.value, [[pin.package, { index: pin.index }]], splices);
  } else if (dotted.length > 0) {
    // Reuse how the sibling spelled the prefix (`tool.uv.sources.` or `sources.`).
    const last = dotted.at(-1)!;
    const keys = last.node.key.keys;
    const packageKey = keys[keys.length - (last.path.length - SOURCES.length)]!;
    const prefix = prep.body.slice(last.node.key.range[0], packageKey.range[0]);
    const pos = lineEnd(prep.body, last.node.range[1]);
    splices.push(insertLines(prep.body, pos, [indentAt(prep.body, last.node.range[0]) + prefix + line], prep.eol));
  } else {
    assertHeaderable(prep, '[tool.uv.sources]');
    const anchor = lastTableUnder(prep, INDEX) ?? standardTable(prep, TOOL_UV);
    addBlock(prep, anchor, '[tool.uv.sources]', [line], splices);
  }
  return splices;
}

// ---------------------------------------------------------------------------------------------
// Legacy index-url / extra-index-url

/**
 * Takes `url` out of `[tool.uv] index-url` or `extra-index-url` (the whole line when nothing else
 * is left), for `glx init --migrate`. Comments and every other byte stay.
 */
export function removeLegacyUrl(
  source: string | Parsed,
  key: 'index-url' | 'extra-index-url',
  url: string,
  file: string,
): Parsed {
  const prep = prepare(parsedOf(source, file), file);
  const path: TomlPath = [...TOOL_UV, key];
  const def = prep.defs.find((d) => d.kind === 'keyValue' && samePath(d.path, path));
  if (def?.kind !== 'keyValue' || def.inline) {
    throw new GlxError(
      'PYPROJECT_UNSUPPORTED',
      `${position(prep, path)}: tool.uv.${key} is written in a form glx does not rewrite`,
      `Move it to a [[tool.uv.index]] entry yourself, or write it as ${key} = ... under [tool.uv].`,
    );
  }
  const current = tableAt(prep.doc, TOOL_UV)[key];
  const rest = Array.isArray(current) ? current.filter((item) => item !== url) : [];
  const splices: Splice[] =
    rest.length === 0
      ? [{ start: lineStart(prep.body, def.node.range[0]), end: lineEnd(prep.body, def.node.range[1]), text: '' }]
      : [
          {
            start: def.node.value.range[0],
            end: def.node.value.range[1],
            text: `[${rest.map((item) => renderValue(String(item))).join(', ')}]`,
          },
        ];
  return finish(prep, splices, (doc) => {
    const uv = tableAt(doc, TOOL_UV);
    if (rest.length === 0) delete uv[key];
    else uv[key] = rest;
  });
}
