import type { Reporter, TestModule } from 'vitest/node';
import { TEST_SEED } from './seed.js';

/**
 * Prints a plain `tests: N passed, N failed, N skipped` closing line that any CI log reader
 * understands and, when something failed, the seed of the run's random test data (seed.ts).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (failed > 0)
      process.stdout.write(`random test data came from seed ${TEST_SEED}: GLX_TEST_SEED=${TEST_SEED} makes it again\n`);
  }
}
