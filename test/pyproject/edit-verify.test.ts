import { parse } from 'smol-toml';
import { describe, expect, test, vi } from 'vitest';
import { EditVerificationError, upsertIndex, upsertSources } from '../../src/pyproject/edit.js';

// Stands in for a splice bug: the edit code computes its splices, then the text comes out wrong.
const corruption = vi.hoisted(() => ({
  mode: 'none' as
    | 'none'
    | 'drop-line'
    | 'drop-far-line'
    | 'change-date'
    | 'date-to-string'
    | 'nan-to-inf'
    | 'break-syntax',
}));
vi.mock('../../src/pyproject/splice.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/pyproject/splice.js')>();
  return {
    ...real,
    applySplices: (text: string, splices: Parameters<typeof real.applySplices>[1]) => {
      const out = real.applySplices(text, splices);
      if (corruption.mode === 'drop-line') return out.replace('managed = true\n', '');
      if (corruption.mode === 'drop-far-line') return out.replace('far = 1\n', '');
      if (corruption.mode === 'change-date')
        return out.replace('1979-05-27T07:32:00-08:00', '1979-05-27T07:32:01-08:00');
      // Same JSON text as the intended document: a date and its text, NaN and infinity (both null).
      if (corruption.mode === 'date-to-string') return out.replace('released = 1979-05-27', 'released = "1979-05-27"');
      if (corruption.mode === 'nan-to-inf') return out.replace('odd = nan', 'odd = inf');
      if (corruption.mode === 'break-syntax') return `${out}[[\n`;
      return out;
    },
  };
});

const INPUT = '[tool.uv]\nmanaged = true\n';
const SPEC = { name: 'gitlab', url: 'https://gitlab.example.com/simple' };

describe('the edit is verified before it is returned', () => {
  test('a result that lost an unrelated key is refused as an internal error', () => {
    corruption.mode = 'drop-line';

    const run = () => upsertIndex(INPUT, SPEC, 'pyproject.toml');

    expect(run).toThrow(EditVerificationError);
    expect(run).toThrow(/did not produce the intended document; nothing was written/);
  });

  test('a result that no longer parses is refused as an internal error', () => {
    corruption.mode = 'break-syntax';

    const run = () => upsertSources(INPUT, [{ package: 'foo', index: 'gitlab' }], 'pyproject.toml');

    expect(run).toThrow(EditVerificationError);
    expect(run).toThrow(/produced invalid TOML/);
  });

  test('a loss in a part of the file the editor did not parse (src/pyproject/view.ts) is refused too', () => {
    corruption.mode = 'drop-far-line';
    const input = `[project]\nname = "x"\n\n[tool.black]\nfar = 1\n\n${INPUT}`;

    const run = () => upsertIndex(input, SPEC, 'pyproject.toml');

    expect(run).toThrow(EditVerificationError);
    expect(run).toThrow(/did not produce the intended document/);
  });

  const DATED = `[project]\n"__proto__" = { polluted = true }\nreleased = 1979-05-27\nat = 07:32:00\nstamp = 1979-05-27T07:32:00-08:00\nodd = nan\n\n${INPUT}`;

  test('dates, times and a __proto__ key survive the comparison', () => {
    corruption.mode = 'none';

    const result = upsertIndex(DATED, SPEC, 'pyproject.toml');

    expect(result.action).toBe('added');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a changed date is refused', () => {
    corruption.mode = 'change-date';

    expect(() => upsertIndex(DATED, SPEC, 'pyproject.toml')).toThrow(/did not produce the intended document/);
  });

  test('a date that became a string with the same text is refused', () => {
    corruption.mode = 'date-to-string';

    expect(() => upsertIndex(DATED, SPEC, 'pyproject.toml')).toThrow(/did not produce the intended document/);
  });

  test('a NaN that became an infinity is refused', () => {
    corruption.mode = 'nan-to-inf';

    expect(() => upsertIndex(DATED, SPEC, 'pyproject.toml')).toThrow(/did not produce the intended document/);
  });

  test('an intact result passes', () => {
    corruption.mode = 'none';

    const result = upsertIndex(INPUT, SPEC, 'pyproject.toml');

    expect(result.action).toBe('added');
  });

  test.each([
    ['with tool.uv', INPUT],
    ['with tool but not tool.uv', '[tool.black]\nline-length = 100\n'],
    ['without tool', '[project]\nname = "x"\n'],
  ])("leaves the caller's document as it was (%s)", (_, text) => {
    corruption.mode = 'none';
    const doc = parse(text);

    const index = upsertIndex({ text, doc }, SPEC, 'pyproject.toml');
    upsertSources(index, [{ package: 'foo', index: 'gitlab' }], 'pyproject.toml');

    expect(doc).toEqual(parse(text));
    expect(index.doc).toEqual(parse(index.text));
  });
});
