/**
 * The editor against real pyproject.toml files (shared/corpus/pyproject, see its SOURCES.tsv).
 * Every file lands in exactly one bucket, and the summary line prints the counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, test } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { type IndexSpec, upsertIndex, upsertSources } from '../../src/pyproject/edit.js';
import { envVarStem } from '../../src/pyproject/index-name.js';
import { isTable, listIndexes, listSources, parsePyproject, type TomlTable } from '../../src/pyproject/read.js';
import { sharedPath } from '../support/peers.js';
import { lostLines } from './helpers.js';

const corpus = sharedPath('corpus/pyproject', 'the pyproject.toml corpus');
const schemaFile = sharedPath('reference/uv.schema.json', 'the pyproject.toml corpus');
const available = corpus !== undefined && schemaFile !== undefined;
const corpusDir = `${corpus}/`;

const SPEC: IndexSpec = {
  name: 'glx-test',
  url: 'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple',
  authenticate: 'always',
};
const PROBE_PACKAGE = 'glx-corpus-probe';

type Bucket = 'passed' | 'refused' | 'unparseable' | 'preExistingInvalid' | 'alreadyHasGlxTest';

function toolUv(doc: TomlTable): TomlTable | undefined {
  const tool = doc.tool;
  return isTable(tool) && isTable(tool.uv) ? tool.uv : undefined;
}

/** Why a file must be refused, judged from the original alone, or undefined when it must be edited. */
function expectedRefusal(doc: TomlTable, file: string): string | undefined {
  const index = toolUv(doc)?.index;
  if (index !== undefined && (!Array.isArray(index) || !index.every(isTable))) return 'PYPROJECT_UNSUPPORTED';
  try {
    const names = listIndexes(doc, file).flatMap((entry) => (entry.name ? [entry.name] : []));
    if (names.some((name) => name !== SPEC.name && envVarStem(name) === envVarStem(SPEC.name)))
      return 'INDEX_NAME_COLLISION';
  } catch (error) {
    return (error as GlxError).code;
  }
  return undefined;
}

/** Lines an insertion may legitimately touch: a last line that gains its newline, one-line inline forms. */
function allowedLostLines(text: string, doc: TomlTable): number {
  const uv = toolUv(doc);
  const inlineIndex = Array.isArray(uv?.index) && !/^[ \t]*\[\[[ \t]*tool\.uv\.index[ \t]*\]\]/m.test(text);
  const inlineSources = /(^|\.)sources[ \t]*=[ \t]*\{/m.test(text);
  return (text.endsWith('\n') || text === '' ? 0 : 1) + (inlineIndex ? 1 : 0) + (inlineSources ? 1 : 0);
}

describe.skipIf(!available)('corpus of real pyproject.toml files', () => {
  const files = available
    ? readdirSync(corpusDir)
        .filter((name) => name.endsWith('.toml'))
        .sort()
    : [];
  const schema = available ? JSON.parse(readFileSync(schemaFile!, 'utf8')) : {};
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  const validate = ajv.compile(schema);
  const buckets = new Map<string, Bucket>();
  const eligible = new Set<string>();

  function schemaErrors(uv: TomlTable | undefined): string {
    if (uv === undefined || validate(uv)) return '';
    return ajv.errorsText(validate.errors);
  }

  afterAll(() => {
    const count = (bucket: Bucket) => [...buckets.values()].filter((b) => b === bucket).length;
    const parsed = buckets.size - count('unparseable');
    console.log(
      `pyproject corpus: files ${buckets.size}, parsed ${parsed}, passed ${count('passed')}, refused as expected ${count('refused')}, ` +
        `pre-existing-invalid ${count('preExistingInvalid')}, already-has-glx-test ${count('alreadyHasGlxTest')}, unparseable ${count('unparseable')}`,
    );
  });

  test.each(files)('%s: adds an index and a pin without touching anything else, idempotently', (name) => {
    const file = `corpus/${name}`;
    const text = readFileSync(`${corpusDir}${name}`, 'utf8');
    let doc: TomlTable;
    try {
      doc = parsePyproject(text, file);
    } catch (error) {
      expect((error as GlxError).code).toBe('PYPROJECT_INVALID');
      expect((error as GlxError).message).toMatch(
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `),
      );
      buckets.set(name, 'unparseable');
      return;
    }
    if (schemaErrors(toolUv(doc)) !== '') {
      buckets.set(name, 'preExistingInvalid');
      return;
    }
    const refusal = expectedRefusal(doc, file);
    if (refusal === undefined && listIndexes(doc, file).some((entry) => entry.name === SPEC.name)) {
      buckets.set(name, 'alreadyHasGlxTest');
      return;
    }
    if (refusal !== undefined) {
      expect(() => upsertIndex(text, SPEC, file)).toThrow(GlxError);
      try {
        upsertIndex(text, SPEC, file);
      } catch (error) {
        expect((error as GlxError).code).toBe(refusal);
      }
      buckets.set(name, 'refused');
      return;
    }

    eligible.add(name);
    const index = upsertIndex(text, SPEC, file);
    const pins = upsertSources(index.text, [{ package: PROBE_PACKAGE, index: index.name }], file);

    const after = parsePyproject(pins.text, file);
    expect(index.action).toBe('added');
    expect(pins.action).toBe('added');
    expect(lostLines(text, pins.text)).toBeLessThanOrEqual(allowedLostLines(text, doc));
    expect(schemaErrors(toolUv(after))).toBe('');
    expect(listIndexes(after, file).find((entry) => entry.name === SPEC.name)?.url).toBe(SPEC.url);
    expect(listSources(after).get(PROBE_PACKAGE)).toEqual({ index: SPEC.name });
    const again = upsertIndex(pins.text, SPEC, file);
    const pinsAgain = upsertSources(again.text, [{ package: PROBE_PACKAGE, index: SPEC.name }], file);
    expect(again.action).toBe('unchanged');
    expect(pinsAgain.action).toBe('unchanged');
    expect(pinsAgain.text).toBe(pins.text);
    buckets.set(name, 'passed');
  });

  test.each(files)('%s: re-pinning an existing source keeps the file valid and is idempotent', (name) => {
    const text = readFileSync(`${corpusDir}${name}`, 'utf8');
    const file = `corpus/${name}`;
    let doc: TomlTable;
    try {
      doc = parsePyproject(text, file);
    } catch {
      return;
    }
    const first = [...listSources(doc)].find(([, value]) => !Array.isArray(value));
    if (!first || schemaErrors(toolUv(doc)) !== '' || expectedRefusal(doc, file) !== undefined) return;
    const [key] = first;

    const result = upsertSources(text, [{ package: key, index: 'glx-test' }], file);

    const after = parsePyproject(result.text, file);
    expect(schemaErrors(toolUv(after))).toBe('');
    expect(listSources(after).get(key)).toMatchObject({ index: 'glx-test' });
    expect(lostLines(text, result.text)).toBeLessThanOrEqual(1);
    expect(upsertSources(result.text, [{ package: key, index: 'glx-test' }], file).text).toBe(result.text);
  });

  test('every file is counted in one bucket, and every eligible file passed', () => {
    const passed = [...buckets].filter(([, bucket]) => bucket === 'passed').map(([name]) => name);

    const unaccounted = files.filter((name) => !buckets.has(name));

    expect(unaccounted).toEqual([]);
    expect(passed.length).toBe(eligible.size);
  });
});
