/**
 * glx's merge against real .gitlab-ci.yml files (shared/corpus/gitlab-ci, see its SOURCES.tsv).
 * Every file lands in one bucket; files GitLab's schema (the copy in shared/reference) already
 * rejects are counted, not hidden, and must gain no new schema errors. The summary line prints
 * the counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { parseCiFile, topLevelKeys } from '../../src/gitlab-ci/document.js';
import { type CiPlanOptions, planCiSetup } from '../../src/gitlab-ci/plan.js';
import { sharedPath } from '../support/peers.js';
import { schemaAvailable, schemaErrors } from './schema.js';

const corpus = sharedPath('corpus/gitlab-ci', 'the .gitlab-ci.yml corpus');
const available = corpus !== undefined;
const corpusDir = `${corpus}/`;

const OPTIONS: CiPlanOptions = {
  file: '.gitlab-ci.yml',
  indexNames: ['gitlab', 'acme-internal'],
  projectDir: '',
  locked: true,
  publish: true,
};

interface Outcome {
  bucket: 'merged' | 'refused';
  validBefore?: boolean;
  validAfter?: boolean;
}

/** Comment lines as written (a `#` first on the line), which must all come through. */
function commentLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => /^\s*#/.test(line));
}

/** Schema errors as a set of "path: message" lines, to compare before and after. */
function errorSet(text: string): Set<string> {
  const errors = schemaErrors(text);
  return new Set(errors === '' ? [] : errors.split(', '));
}

describe.skipIf(!available)('corpus of real .gitlab-ci.yml files', () => {
  const files = available
    ? readdirSync(corpusDir)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
    : [];
  const outcomes = new Map<string, Outcome>();

  afterAll(() => {
    const all = [...outcomes.values()];
    const merged = all.filter((o) => o.bucket === 'merged');
    const count = (pick: (o: Outcome) => boolean | undefined) => merged.filter(pick).length;
    const schema = schemaAvailable
      ? `, schema-valid before ${count((o) => o.validBefore)} after ${count((o) => o.validAfter)}, invalid before glx touched them ${count((o) => o.validBefore === false)}`
      : ', schema not available';
    console.log(
      `gitlab-ci corpus: files ${all.length}, merged ${merged.length}, refused ${all.length - merged.length}${schema}`,
    );
  });

  test.each(files)('%s: keeps every comment line and job, adds glx part, and a second run is a no-op', (name) => {
    const text = readFileSync(`${corpusDir}${name}`, 'utf8');
    let plan: ReturnType<typeof planCiSetup>;
    try {
      plan = planCiSetup(text, { ...OPTIONS, file: name });
    } catch (error) {
      // Refusals are the user's input, never a crash: a GlxError with the position.
      expect(error).toBeInstanceOf(GlxError);
      expect((error as GlxError).code).toBe('GITLAB_CI_INVALID');
      expect((error as GlxError).message).toMatch(
        new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `),
      );
      outcomes.set(name, { bucket: 'refused' });
      return;
    }

    const after = plan.after;
    expect(after.startsWith(text.endsWith('\n') ? text : `${text}\n`)).toBe(true);
    expect(commentLines(after)).toEqual(expect.arrayContaining(commentLines(text)));
    const keys = topLevelKeys(parseCiFile(after, name));
    expect(keys).toEqual(expect.arrayContaining([...topLevelKeys(parseCiFile(text, name)), '.glx-uv', 'glx-publish']));
    const again = planCiSetup(after, { ...OPTIONS, file: name, publish: undefined });
    expect(again.changed).toBe(false);
    expect(again.after).toBe(after);

    const outcome: Outcome = { bucket: 'merged' };
    if (schemaAvailable) {
      const before = errorSet(text);
      const afterErrors = errorSet(after);
      outcome.validBefore = before.size === 0;
      outcome.validAfter = afterErrors.size === 0;
      // glx's part adds no schema error of its own.
      expect([...afterErrors].filter((error) => !before.has(error))).toEqual([]);
    }
    outcomes.set(name, outcome);
  });

  test('every file is counted in one bucket, and every valid file stays valid', () => {
    expect(files.filter((name) => !outcomes.has(name))).toEqual([]);
    const broken = [...outcomes]
      .filter(([, o]) => o.validBefore === true && o.validAfter === false)
      .map(([name]) => name);
    expect(broken).toEqual([]);
  });
});
