/**
 * Before/after pairs for .gitlab-ci.yml (test/golden/gitlab-ci/<case>/: input.yml, absent for a new
 * file; expected.yml; case.json). GLX_UPDATE_GOLDEN=1 rewrites expected.yml from the current
 * output; review the diff before keeping it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MARKER } from '../../src/gitlab-ci/build.js';
import { parseCiFile, topLevelKeys } from '../../src/gitlab-ci/document.js';
import { type CiPlanOptions, planCiSetup } from '../../src/gitlab-ci/plan.js';
import { rejectionOf } from '../support/errors.js';
import { schemaAvailable, schemaErrors } from './schema.js';

interface GoldenCase {
  description: string;
  options: Omit<CiPlanOptions, 'file' | 'projectDir'> & { projectDir?: string };
  expect?: { template?: string; publish?: string; starter?: string };
  error?: { code: string; message: string[] };
}

const root = new URL('../golden/gitlab-ci/', import.meta.url);
const cases = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const update = process.env.GLX_UPDATE_GOLDEN === '1';

function load(name: string): {
  input: string | undefined;
  config: GoldenCase;
  expectedFile: URL;
  options: CiPlanOptions;
} {
  const dir = new URL(`${name}/`, root);
  const inputFile = new URL('input.yml', dir);
  const config = JSON.parse(readFileSync(new URL('case.json', dir), 'utf8')) as GoldenCase;
  return {
    input: existsSync(inputFile) ? readFileSync(inputFile, 'utf8') : undefined,
    config,
    expectedFile: new URL('expected.yml', dir),
    options: { projectDir: '', ...config.options, file: '.gitlab-ci.yml' },
  };
}

/** The lines of a text that glx does not own: everything outside its marked blocks. */
function userLines(text: string): string[] {
  const ci = parseCiFile(text, '.gitlab-ci.yml');
  const owned = new Set(['.glx-uv', 'glx-publish']);
  const lines = text.split(/\r?\n/);
  const drop = new Set<number>();
  for (const pair of ci.map?.items ?? []) {
    const key = (pair.key as { value?: unknown }).value;
    const range = (pair.value as { range?: [number, number, number] } | null)?.range;
    if (!owned.has(String(key)) || !range) continue;
    const first = text.slice(0, (pair.key as { range: [number] }).range[0]).split('\n').length - 1;
    const last = text.slice(0, range[1] - 1).split('\n').length - 1;
    for (let line = first; line <= last; line++) drop.add(line);
    for (let line = first - 1; line >= 0 && lines[line]?.startsWith(MARKER); line--) drop.add(line);
  }
  return lines.filter((_, index) => !drop.has(index));
}

/** True when `needles` appear in `haystack` in order (other lines may come between). */
function inOrder(needles: string[], haystack: string[]): boolean {
  let at = 0;
  for (const line of needles) {
    while (at < haystack.length && haystack[at] !== line) at++;
    if (at === haystack.length) return false;
    at++;
  }
  return true;
}

describe.each(cases)('golden case %s', (name) => {
  const { input, config, expectedFile, options } = load(name);

  if (config.error) {
    const wanted = config.error;
    test(`refuses: ${config.description}`, async () => {
      const error = await rejectionOf(Promise.resolve().then(() => planCiSetup(input, options)));

      expect(error.code).toBe(wanted.code);
      for (const part of wanted.message) expect(error.message).toContain(part);
      expect(error.message).not.toContain('\n');
      expect(error.hint).toContain('Nothing was changed');
    });
    return;
  }

  test(`produces expected.yml: ${config.description}`, () => {
    const plan = planCiSetup(input, options);

    if (update) writeFileSync(expectedFile, plan.after);
    expect(plan.after).toBe(readFileSync(expectedFile, 'utf8'));
    if (config.expect?.template) expect(plan.template).toBe(config.expect.template);
    expect(plan.publish).toBe(config.expect?.publish);
    expect(plan.starter).toBe(config.expect?.starter);
  });

  test('running again changes no byte', () => {
    const expected = readFileSync(expectedFile, 'utf8');

    const again = planCiSetup(expected, { ...options, publish: undefined });
    const withSameFlags = planCiSetup(expected, options);

    expect(again.changed).toBe(false);
    expect(again.after).toBe(expected);
    expect(withSameFlags.after).toBe(expected);
  });

  test("keeps every line of the user's part, in order, and every top-level key", () => {
    const expected = readFileSync(expectedFile, 'utf8');
    const before = input ?? '';

    const kept = userLines(before).filter((line) => line !== '');

    expect(inOrder(kept, userLines(expected))).toBe(true);
    const removed = options.publish === false ? ['glx-publish'] : [];
    expect(topLevelKeys(parseCiFile(expected, 'x')).filter((key) => !removed.includes(key))).toEqual(
      expect.arrayContaining(topLevelKeys(parseCiFile(before, 'x')).filter((key) => !removed.includes(key))),
    );
    if (input !== undefined && !input.includes('.glx-uv')) {
      // Nothing of the user's is rewritten: the old file is a prefix (plus a missing final newline).
      expect(expected.startsWith(input.endsWith('\n') ? input : `${input}\n`)).toBe(true);
    }
  });

  test.skipIf(!schemaAvailable)("validates against GitLab's CI schema", () => {
    expect(schemaErrors(readFileSync(expectedFile, 'utf8'))).toBe('');
  });
});
