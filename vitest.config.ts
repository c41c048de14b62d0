import { randomInt } from 'node:crypto';
import { defineConfig } from 'vitest/config';

// GLX_TEST_SEED=random draws the random test data (test/support/seed.ts) from a new seed, one for
// the whole run: the test processes inherit it, and a failed run prints it (summary-reporter.ts).
if (process.env.GLX_TEST_SEED === 'random') process.env.GLX_TEST_SEED = String(randomInt(2 ** 31));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
