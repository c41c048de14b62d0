import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lookup } from '../../src/netrc/lookup.js';
import { parseNetrc } from '../../src/netrc/parse.js';
import { removeNetrc, upsertNetrc } from '../../src/netrc/upsert.js';

interface GoldenCase {
  description: string;
  operation: 'upsert' | 'remove';
  host: string;
  login?: string;
  password?: string;
  action: string;
  duplicates?: number[];
  removed?: number;
}

const root = new URL('../golden/netrc/', import.meta.url);
const names = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function read(name: string, file: string): string {
  return readFileSync(new URL(`${name}/${file}`, root), 'utf8');
}

function run(
  spec: GoldenCase,
  text: string,
): { text: string; action: string; duplicates?: number[]; removed?: number } {
  if (spec.operation === 'remove') return removeNetrc(text, spec.host);
  return upsertNetrc(text, { host: spec.host, login: spec.login ?? '', password: spec.password ?? '' });
}

describe('golden netrc edits', () => {
  it('has the cases the brief asks for', () => {
    expect(names.length).toBeGreaterThanOrEqual(20);
  });

  describe.each(names)('%s', (name) => {
    const spec = JSON.parse(read(name, 'case.json')) as GoldenCase;
    const input = read(name, 'input.netrc');
    const expected = read(name, 'expected.netrc');

    it(`produces expected.netrc: ${spec.description}`, () => {
      const result = run(spec, input);

      expect(result.text).toBe(expected);
      expect(result.action).toBe(spec.action);
      if (spec.duplicates) expect(result.duplicates).toEqual(spec.duplicates);
      if (spec.removed !== undefined) expect(result.removed).toBe(spec.removed);
    });

    it('changes nothing when run again on its own output', () => {
      const again = run(spec, expected);

      expect(again.text).toBe(expected);
      expect(again.action).toBe(spec.operation === 'remove' ? 'absent' : 'unchanged');
    });

    it('leaves a file uv reads the intended way', () => {
      const doc = parseNetrc(expected, 'expected.netrc');
      const found = lookup(doc, spec.host);

      if (spec.operation === 'upsert') {
        expect(found?.source).toBe('machine');
        expect([found?.login, found?.password]).toEqual([spec.login, spec.password]);
      } else {
        expect(found?.source).not.toBe('machine');
      }
    });
  });
});
