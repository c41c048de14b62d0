import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { type IndexSpec, type SourcePin, upsertIndex, upsertSources } from '../../src/pyproject/edit.js';
import { parsePyproject } from '../../src/pyproject/read.js';
import { withSeed } from '../support/seed.js';

const goldenRoot = new URL('../golden/pyproject/', import.meta.url);
const seeds = readdirSync(goldenRoot, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !entry.name.startsWith('refuse-'))
  .map((entry) => readFileSync(new URL(`${entry.name}/input.toml`, goldenRoot), 'utf8'));

const specArb: fc.Arbitrary<IndexSpec> = fc.record(
  {
    name: fc.constantFrom('gitlab', 'a', 'b', 'company', 'glx', 'pytorch'),
    url: fc.constantFrom(
      'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple',
      'https://a.example.com/simple',
      'https://old.example.com/simple/',
      "https://it's.example.com/simple",
    ),
    authenticate: fc.constantFrom('always', 'auto', 'never'),
    explicit: fc.boolean(),
    default: fc.boolean(),
    ignoreErrorCodes: fc.array(fc.constantFrom(401, 403, 404), { maxLength: 2 }),
    publishUrl: fc.constant('https://gitlab.example.com/api/v4/projects/7/packages/pypi'),
  },
  { requiredKeys: ['name', 'url'] },
);
const pinArb: fc.Arbitrary<SourcePin> = fc.record({
  package: fc.constantFrom('foo', 'acme-utils', 'Acme_Utils', 'zope.interface', 'torch', 'lib-a'),
  index: fc.constantFrom('gitlab', 'a', 'b'),
});
const stepArb = fc.oneof(
  specArb.map((spec) => ({ spec })),
  fc.array(pinArb, { minLength: 1, maxLength: 3 }).map((pins) => ({ pins })),
);

/** One step: an edit that either applies cleanly or refuses with a GlxError, never a broken file. */
function step(text: string, edit: { spec?: IndexSpec; pins?: SourcePin[] }): string {
  try {
    const result = edit.spec
      ? upsertIndex(text, edit.spec, 'pyproject.toml')
      : upsertSources(text, edit.pins ?? [], 'pyproject.toml');
    const again = edit.spec
      ? upsertIndex(result.text, edit.spec, 'pyproject.toml')
      : upsertSources(result.text, edit.pins ?? [], 'pyproject.toml');
    expect(again.text).toBe(result.text);
    expect(again.action).toBe('unchanged');
    expect(text.startsWith('\uFEFF')).toBe(result.text.startsWith('\uFEFF'));
    parsePyproject(result.text, 'pyproject.toml');
    return result.text;
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    expect(['INDEX_NAME_COLLISION', 'USAGE', 'PYPROJECT_UNSUPPORTED']).toContain(error.code);
    return text;
  }
}

describe('random sequences of edits on the golden inputs', () => {
  test('every step applies idempotently or refuses with a GlxError, never with a broken file', () => {
    const property = fc.property(
      fc.constantFrom(...seeds),
      fc.array(stepArb, { minLength: 1, maxLength: 5 }),
      (seed, steps) => {
        let text = seed;

        for (const edit of steps) text = step(text, edit);

        parsePyproject(text, 'pyproject.toml');
      },
    );

    fc.assert(property, withSeed({ numRuns: 300 }));
  });
});
