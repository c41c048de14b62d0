/**
 * Reading pyproject.toml: parse with smol-toml (a plain file with the fast reader of plain-toml.ts,
 * to the same document) and extract uv's index and source settings, checked the way uv checks
 * them, with every problem collected before failing.
 *
 * TOML version: smol-toml implements TOML 1.1 (a superset of 1.0) and has no 1.0-only mode.
 * Reading stays that lenient on purpose, because uv's toml_edit parser accepts 1.1 too
 * (https://github.com/toml-rs/toml/tree/main/crates/toml_edit), so `glx env` and `glx doctor` see the file as uv does. The editor
 * (edit.ts) re-parses in TOML 1.0 mode and notes 1.1-only syntax, which Python's tomllib (pip,
 * build backends) rejects.
 */
import { parse, TomlError, type TomlTable, type TomlValue } from 'smol-toml';
import { at, GlxError } from '../errors.js';
import { validateIndexName } from './index-name.js';
import { plainToml } from './plain-toml.js';

export type { TomlTable, TomlValue };

/** A path into the document: table keys and array positions. */
export type TomlPath = readonly (string | number)[];

/** 1-based line and column. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * Finds where a path is written in the text. Built by `createLocator` (locate.ts), which loads
 * the CST parser; optional here so that reading stays cheap on `glx env`'s start-up path.
 */
export type Locate = (path: TomlPath) => TextPosition | undefined;

export type AuthPolicy = 'auto' | 'always' | 'never';

export interface IndexEntry {
  name?: string;
  url: string;
  explicit?: boolean;
  default?: boolean;
  authenticate?: AuthPolicy;
  publishUrl?: string;
  ignoreErrorCodes?: number[];
  format?: 'simple' | 'flat';
  /** Position in the `tool.uv.index` array (0-based): uv's priority order. */
  position: number;
}

const BOM = '\uFEFF';

const SYNTAX_HINT =
  'pyproject.toml must be valid TOML; fix the file at that position (uv, pip and build backends would reject it too).';
const INDEX_HINT =
  'Fields of [[tool.uv.index]]: name (letters, digits, -, _, .), url (string, required), explicit and default (true/false), authenticate ("auto", "always", "never"), publish-url (string), ignore-error-codes (list of HTTP status codes), format ("simple", "flat"). See https://docs.astral.sh/uv/concepts/indexes/';
const SHAPE_HINT =
  'uv reads indexes only from an array of tables: write each entry as a [[tool.uv.index]] block (double brackets) with name and url keys.';

/**
 * smol-toml document of the file; a leading BOM is ignored. Throws PYPROJECT_INVALID on a syntax
 * error. A plain file (plain-toml.ts) is read by the fast reader, to the same document.
 */
export function parsePyproject(text: string, file: string): TomlTable {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  const plain = plainToml(body);
  if (plain) return plain;
  try {
    return parse(body);
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message is "Invalid TOML document: <what>\n\n<code frame>"; keep the first line.
      const first = error.message.split('\n', 1)[0] ?? 'invalid TOML';
      throw new GlxError('PYPROJECT_INVALID', `${at(file, error.line, error.column)}: ${first}`, SYNTAX_HINT, {
        cause: error,
      });
    }
    // Depth limits and the like: still the file's fault, never a raw library error.
    const reason = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
    throw new GlxError('PYPROJECT_INVALID', `${file}: invalid TOML: ${reason}`, SYNTAX_HINT, { cause: error });
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Words for a value's TOML type, for messages like "found a string". */
export function describeType(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isInteger(value) || typeof value === 'bigint' ? 'an integer' : 'a float';
  }
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isTable(value)) return 'a table';
  return 'a value';
}

/** `tool.uv` as a table, undefined when absent. Throws when it exists but is not a table. */
function toolUv(doc: TomlTable, file: string, locate: Locate | undefined): TomlTable | undefined {
  const tool = doc.tool;
  if (tool === undefined) return undefined;
  if (!isTable(tool)) throw shapeError(file, locate, ['tool'], `tool must be a table, found ${describeType(tool)}`);
  const uv = tool.uv;
  if (uv === undefined) return undefined;
  if (!isTable(uv))
    throw shapeError(file, locate, ['tool', 'uv'], `tool.uv must be a table, found ${describeType(uv)}`);
  return uv;
}

function shapeError(file: string, locate: Locate | undefined, path: TomlPath, message: string): GlxError {
  const pos = locate?.(path);
  return new GlxError('PYPROJECT_UNSUPPORTED', `${at(file, pos?.line, pos?.column)}: ${message}`, SHAPE_HINT);
}

interface Problem {
  path: TomlPath;
  message: string;
  /** A hint for this kind of problem; the field reference otherwise. */
  hint?: string;
}

const STATUS_MIN = 100;
// uv parses codes with the http crate's StatusCode::from_u16, which accepts 100..=999.
const STATUS_MAX = 999;

/** Reads one entry, pushing a problem for each field uv would reject. */
function readEntry(raw: TomlTable, position: number, problems: Problem[]): IndexEntry | undefined {
  const base: TomlPath = ['tool', 'uv', 'index', position];
  const label = typeof raw.name === 'string' ? `index "${raw.name}"` : `tool.uv.index[${position}]`;
  const before = problems.length;
  const problem = (key: string, message: string, hint?: string) =>
    problems.push({ path: [...base, key], message: `${label}: ${message}`, ...(hint ? { hint } : {}) });
  const entry: IndexEntry = { url: '', position };

  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string') problem('name', `name must be a string, found ${describeType(raw.name)}`);
    else {
      try {
        // uv reads name = "" without complaint; glx refuses it only when it writes (edit.ts, init).
        validateIndexName(raw.name, { allowEmpty: true });
        entry.name = raw.name;
      } catch (error) {
        problem('name', (error as Error).message);
      }
    }
  }
  if (raw.url === undefined) problems.push({ path: base, message: `${label}: url is missing (uv requires it)` });
  else if (typeof raw.url !== 'string') problem('url', `url must be a string, found ${describeType(raw.url)}`);
  else entry.url = raw.url;

  for (const key of ['explicit', 'default'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value === 'boolean') entry[key] = value;
    else problem(key, `${key} must be true or false, found ${describeType(value)}`);
  }
  if (raw.authenticate !== undefined) {
    const value = raw.authenticate;
    if (value === 'auto' || value === 'always' || value === 'never') entry.authenticate = value;
    else problem('authenticate', `authenticate must be "auto", "always" or "never", found ${JSON.stringify(value)}`);
  }
  if (raw.format !== undefined) {
    const value = raw.format;
    if (value === 'simple' || value === 'flat') entry.format = value;
    else problem('format', `format must be "simple" or "flat", found ${JSON.stringify(value)}`);
  }
  if (raw['publish-url'] !== undefined) {
    const value = raw['publish-url'];
    if (typeof value === 'string') entry.publishUrl = value;
    else problem('publish-url', `publish-url must be a string, found ${describeType(value)}`);
  }
  if (raw['ignore-error-codes'] !== undefined) {
    const value = raw['ignore-error-codes'];
    const isStatus = (c: unknown): c is number =>
      typeof c === 'number' && Number.isInteger(c) && c >= STATUS_MIN && c <= STATUS_MAX;
    if (Array.isArray(value) && value.every(isStatus)) entry.ignoreErrorCodes = value.filter(isStatus);
    else {
      const bad = Array.isArray(value) ? JSON.stringify(value.find((c) => !isStatus(c))) : describeType(value);
      problem('ignore-error-codes', `ignore-error-codes must be a list of HTTP status codes, found ${bad}`);
    }
  }
  // index.rs: "An index with `explicit = true` requires a `name`" (a hard error since uv 0.10.0).
  if (entry.explicit === true && raw.name === undefined) {
    problem(
      'explicit',
      'explicit = true requires a name (uv refuses an explicit index without one)',
      'Add name = "..." to the entry; sources pin packages to an explicit index by that name.',
    );
  }
  return problems.length === before ? entry : undefined;
}

/**
 * The `[[tool.uv.index]]` entries, in either form (`[[tool.uv.index]]` blocks or an inline
 * `index = [{...}]` array). Checks what uv checks when it loads the file: field types, names,
 * `explicit` without a name, duplicate names and more than one `default = true`
 * (`deserialize_index_vec`, crates/uv-workspace/src/pyproject.rs).
 */
export function listIndexes(doc: TomlTable, file: string, locate?: Locate): IndexEntry[] {
  const uv = toolUv(doc, file, locate);
  const list = uv?.index;
  if (list === undefined) return [];
  const path: TomlPath = ['tool', 'uv', 'index'];
  if (!Array.isArray(list)) {
    throw shapeError(
      file,
      locate,
      path,
      `tool.uv.index must be an array of tables ([[tool.uv.index]]), found ${describeType(list)}`,
    );
  }
  const notTable = list.findIndex((item) => !isTable(item));
  if (notTable >= 0) {
    const item = list[notTable];
    throw shapeError(
      file,
      locate,
      [...path, notTable],
      `tool.uv.index[${notTable}] must be a table, found ${describeType(item)}`,
    );
  }

  const problems: Problem[] = [];
  const entries: IndexEntry[] = [];
  list.forEach((raw, position) => {
    const entry = readEntry(raw as TomlTable, position, problems);
    if (entry) entries.push(entry);
  });
  const seen = new Map<string, IndexEntry>();
  let firstDefault: IndexEntry | undefined;
  for (const entry of entries) {
    if (entry.name !== undefined) {
      if (seen.has(entry.name)) {
        problems.push({
          path: [...path, entry.position, 'name'],
          message: `duplicate index name "${entry.name}"`,
          hint: 'uv refuses two [[tool.uv.index]] entries with the same name in one pyproject.toml; rename or remove one.',
        });
      } else seen.set(entry.name, entry);
    }
    if (entry.default === true) {
      if (firstDefault) {
        const first = firstDefault.name ? `"${firstDefault.name}"` : `tool.uv.index[${firstDefault.position}]`;
        problems.push({
          path: [...path, entry.position, 'default'],
          message: `found multiple indexes with default = true (${first} is the first); only one index may be marked as default`,
          hint: 'Keep default = true on one entry only; the default index replaces PyPI as the fallback.',
        });
      } else firstDefault = entry;
    }
  }
  const first = problems[0];
  if (first) {
    const pos = locate?.(first.path);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new GlxError(
      'PYPROJECT_INVALID',
      `${at(file, pos?.line, pos?.column)}: ${first.message}${more}`,
      first.hint ?? INDEX_HINT,
    );
  }
  return entries;
}

/**
 * `[tool.uv.sources]` as written: package key (the user's spelling) → source value, which is a
 * table (`{ index = "x" }`, `{ git = "..." }`, ...) or a list of them with markers. Empty when
 * absent or not a table (listIndexes / the editor report that shape).
 */
export function listSources(doc: TomlTable): Map<string, TomlValue> {
  const tool = doc.tool;
  const uv = isTable(tool) ? tool.uv : undefined;
  const sources = isTable(uv) ? uv.sources : undefined;
  return new Map(isTable(sources) ? Object.entries(sources) : []);
}

/** The index a source pins to, when it is a single `{ index = "..." }` source. */
export function sourceIndex(value: TomlValue | undefined): string | undefined {
  return isTable(value) && typeof value.index === 'string' ? value.index : undefined;
}

/** A valid distribution name (https://packaging.python.org/en/latest/specifications/name-normalization/). */
export function isPackageName(name: string): boolean {
  return /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/.test(name);
}

/** PEP 503 normalisation: runs of `-`, `_`, `.` become `-`, lowercase. uv compares package names this way. */
export function normalizePackageName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
