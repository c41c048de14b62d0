/**
 * Random test data comes from the run's seed (test/support/seed.ts), so that a
 * failure can be made again: every fast-check run takes withSeed(), and no test draws its data
 * from Math.random or node:crypto's random functions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** Randomness that is not test data: names the stand-in makes up, and a child's scheduling jitter. */
const NOT_DATA = new Map([
  ['test/support/fake-gitlab/server.ts', 'the x-request-id header'],
  ['test/hardening/lock.test.ts', 'sleeps inside the lock workers, to vary how they interleave'],
]);

const files = testFiles('test').filter((file) => file !== path.join('test', 'support', 'seed.ts'));

describe('random test data', () => {
  it('gives every fast-check run the seed of the run', () => {
    const unseeded = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const runs = text.match(/\bfc\.(assert|check|sample|statistics)\(/g)?.length ?? 0;
      const seeded = text.match(/\bwithSeed\(/g)?.length ?? 0;
      return runs > seeded ? [`${file}: ${runs} fast-check runs, ${seeded} withSeed()`] : [];
    });

    expect(unseeded).toEqual([]);
  });

  it('draws no test data from Math.random, randomBytes or randomUUID', () => {
    const unseeded = files
      .filter((file) => !NOT_DATA.has(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => (/\b(Math\.random|randomBytes|randomUUID)\(/.test(line) ? [`${file}:${i + 1}`] : [])),
      );

    expect(unseeded).toEqual([]);
  });
});
