import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { applySteps, lostLines, type Steps } from './helpers.js';

interface GoldenCase extends Steps {
  description: string;
  expect?: {
    action?: string;
    name?: string;
    reusedFrom?: string;
    sourcesAction?: string;
    notes?: string[];
    notesMustNotContain?: string[];
  };
  /** Lines of input allowed to differ in expected (replaced values); default 0. */
  maxChangedLines?: number;
  error?: { code: string; message: string[]; mustNotContain?: string[] };
}

const root = new URL('../golden/pyproject/', import.meta.url);
const cases = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
// GLX_UPDATE_GOLDEN=1 writes expected.toml from the current output; review the diff before keeping it.
const update = process.env.GLX_UPDATE_GOLDEN === '1';

function load(name: string): { input: string; config: GoldenCase; expectedFile: URL } {
  const dir = new URL(`${name}/`, root);
  return {
    input: readFileSync(new URL('input.toml', dir), 'utf8'),
    config: JSON.parse(readFileSync(new URL('case.json', dir), 'utf8')) as GoldenCase,
    expectedFile: new URL('expected.toml', dir),
  };
}

describe.each(cases)('golden case %s', (name) => {
  const { input, config, expectedFile } = load(name);

  if (config.error) {
    const wanted = config.error;
    test(`refuses: ${config.description}`, () => {
      let caught: unknown;

      try {
        applySteps(input, config);
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(GlxError);
      const error = caught as GlxError;
      expect(error.code).toBe(wanted.code);
      for (const part of wanted.message) expect(error.message).toContain(part);
      for (const secret of wanted.mustNotContain ?? []) expect(`${error.message} ${error.hint}`).not.toContain(secret);
      expect(error.message).not.toContain('\n');
      expect(error.hint).toBeTruthy();
    });
    return;
  }

  test(`produces expected.toml: ${config.description}`, () => {
    const result = applySteps(input, config);

    if (update) writeFileSync(expectedFile, result.text);
    expect(existsSync(expectedFile)).toBe(true);
    expect(result.text).toBe(readFileSync(expectedFile, 'utf8'));
    if (config.expect?.action) expect(result.index?.action).toBe(config.expect.action);
    if (config.expect?.name) expect(result.index?.name).toBe(config.expect.name);
    expect(result.index?.reusedFrom).toBe(config.expect?.reusedFrom);
    if (config.expect?.sourcesAction) expect(result.sources?.action).toBe(config.expect.sourcesAction);
    const notes = [...(result.index?.notes ?? []), ...(result.sources?.notes ?? [])].join('\n');
    for (const note of config.expect?.notes ?? []) expect(notes).toContain(note);
    for (const secret of config.expect?.notesMustNotContain ?? []) expect(notes).not.toContain(secret);
  });

  test('changes only the intended lines (input lines survive in order)', () => {
    const expected = readFileSync(expectedFile, 'utf8');

    const lost = lostLines(input, expected);

    expect(lost).toBeLessThanOrEqual(config.maxChangedLines ?? 0);
  });

  test('is idempotent: editing expected.toml again changes nothing', () => {
    const expected = readFileSync(expectedFile, 'utf8');

    const again = applySteps(expected, config);

    expect(again.text).toBe(expected);
    if (again.index) expect(again.index.action).toBe('unchanged');
    if (again.sources) expect(['unchanged']).toContain(again.sources.action);
  });

  test('keeps line endings and the BOM', () => {
    const expected = readFileSync(expectedFile, 'utf8');

    const crlfInput = input.includes('\r\n');

    expect(expected.startsWith('\uFEFF')).toBe(input.startsWith('\uFEFF'));
    if (crlfInput) expect(expected).not.toMatch(/(^|[^\r])\n/);
    else expect(expected).not.toContain('\r');
    if (input.length > 0) expect(expected.endsWith('\n')).toBe(input.endsWith('\n'));
  });
});
