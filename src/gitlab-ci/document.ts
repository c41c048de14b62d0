/**
 * Reading .gitlab-ci.yml with the yaml library's Document API: the parsed documents, the
 * top-level mapping, and the byte offsets of its entries, so that merge.ts can splice glx's
 * part in as text and leave every other byte as the user wrote it.
 */
import {
  type CollectionTag,
  type Document,
  type DocumentOptions,
  isAlias,
  isMap,
  isNode,
  isScalar,
  type Node,
  type Pair,
  type ParseOptions,
  parseAllDocuments,
  type SchemaOptions,
  visit,
  type YAMLMap,
} from 'yaml';
import { at, GlxError } from '../errors.js';

/**
 * GitLab's `!reference [job, key]` (https://docs.gitlab.com/ci/yaml/yaml_optimization/#reference-tags).
 * Registered so that it parses as the sequence it is, keeps its tag, and raises no warning.
 */
export const referenceTag: CollectionTag = {
  tag: '!reference',
  collection: 'seq',
  default: false,
  resolve: (seq) => seq,
};

/**
 * Options GitLab's YAML loader (Psych) matches: `<<` merge keys work, and a repeated key is not an
 * error (the last one wins; gitlab-ci-local has a test case for exactly that).
 */
export const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  customTags: [referenceTag],
  merge: true,
  uniqueKeys: false,
};

export interface CiFile {
  file: string;
  text: string;
  /** The line ending the file uses, for what glx adds. */
  eol: '\n' | '\r\n';
  /** The document GitLab reads: the only one, or the one after a `spec:` header; none for an empty file. */
  config: Document | undefined;
  /** Its top-level mapping; undefined for an empty file or one with only comments. */
  map: YAMLMap | undefined;
}

const HINT =
  '.gitlab-ci.yml must be valid YAML; fix it at that position (GitLab would reject it too). Nothing was changed.';

/** Parses a .gitlab-ci.yml (or its absence, as ''). Throws GITLAB_CI_INVALID with file:line:col. */
export function parseCiFile(text: string, file: string): CiFile {
  const eol = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const docs = parseAllDocuments(text, PARSE_OPTIONS);
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const first = error.message.split('\n', 1)[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new GlxError('GITLAB_CI_INVALID', `${at(file, pos?.line, pos?.col)}: ${first}`, HINT);
    }
  }
  let config: Document | undefined;
  if (list.length <= 1) config = list[0];
  else if (list.length === 2 && isSpecHeader(list[0]!)) config = list[1];
  else {
    const pos = linePos(text, list[1]!.range[0]);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${at(file, pos.line, pos.column)}: a second YAML document, and the first is no spec: header; glx will not guess which one GitLab reads`,
      'Keep the pipeline in one document (a spec: inputs header, if any, goes first, then ---). Nothing was changed.',
    );
  }
  if (!config) return { file, text, eol, config, map: undefined };
  const contents = config.contents;
  if (contents === null || (isScalar(contents) && contents.value === null))
    return { file, text, eol, config, map: undefined };
  if (!isMap(contents)) {
    const pos = linePos(text, (contents as Node).range?.[0] ?? 0);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${at(file, pos.line, pos.column)}: the top level is not a mapping of jobs and keywords`,
      HINT,
    );
  }
  if (contents.flow) {
    const pos = linePos(text, contents.range?.[0] ?? 0);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${at(file, pos.line, pos.column)}: the top level is a flow mapping ({...}); glx edits block-style files only`,
      'Write the top level in block style (one key per line). Nothing was changed.',
    );
  }
  const first = contents.items[0]?.key;
  // The line the first key is on must not start with blanks (`? key` for a complex key is fine).
  if (isNode(first) && first.range && /^[ \t]/.test(text.slice(text.lastIndexOf('\n', first.range[0] - 1) + 1))) {
    const pos = linePos(text, first.range[0]);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${at(file, pos.line, pos.column)}: top-level keys are indented; glx expects them in column 1`,
      'Remove the indentation of the top-level keys. Nothing was changed.',
    );
  }
  return { file, text, eol, config, map: contents };
}

function isSpecHeader(doc: Document): boolean {
  const contents = doc.contents;
  return isMap(contents) && contents.items.length > 0 && contents.items.every((pair) => keyOf(pair) === 'spec');
}

/** A top-level key as text (`.glx-uv`, `test`, `1`). */
export function keyOf(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

export function findPairs(ci: CiFile, key: string): Pair[] {
  return (ci.map?.items ?? []).filter((pair) => keyOf(pair) === key);
}

export function topLevelKeys(ci: CiFile): string[] {
  return (ci.map?.items ?? []).flatMap((pair) => {
    const key = keyOf(pair);
    return key === undefined ? [] : [key];
  });
}

/** The plain JS value of a top-level key (aliases and merge keys resolved), or undefined. */
export function jobValue(ci: CiFile, key: string): unknown {
  const pair = findPairs(ci, key).at(-1);
  if (!pair || !ci.config) return undefined;
  const value = pair.value;
  return isNode(value) ? value.toJS(ci.config, { maxAliasCount: -1 }) : value;
}

/** Keywords that are not jobs (https://docs.gitlab.com/ci/yaml/#global-keywords, plus deprecated globals). */
export const GLOBAL_KEYWORDS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'spec',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'types',
]);

/** Jobs GitLab would run: top-level keys that are not keywords and do not start with a dot. */
export function visibleJobs(ci: CiFile): string[] {
  return topLevelKeys(ci).filter((key) => !GLOBAL_KEYWORDS.has(key) && !key.startsWith('.'));
}

/** 1-based line and column of an offset. */
export function linePos(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Anchors defined inside a node that an alias elsewhere in the document uses. */
export function anchorsUsedElsewhere(ci: CiFile, pair: Pair): string[] {
  const inside = new Set<string>();
  const collect = (node: unknown) => {
    if (!isNode(node)) return;
    visit(node, {
      Node(_, n) {
        if (n.anchor) inside.add(n.anchor);
      },
    });
    if (node.anchor) inside.add(node.anchor);
  };
  collect(pair.key);
  collect(pair.value);
  if (inside.size === 0) return [];
  const used = new Set<string>();
  for (const other of ci.map?.items ?? []) {
    if (other === pair) continue;
    for (const part of [other.key, other.value]) {
      if (isAlias(part) && inside.has(part.source)) used.add(part.source);
      if (!isNode(part)) continue;
      visit(part, {
        Alias(_, alias) {
          if (inside.has(alias.source)) used.add(alias.source);
        },
      });
    }
  }
  return [...used];
}
