/** Per-test set-up shared by command tests: the GitLab stand-in with the standard world and a temp project dir. */
import { afterEach, beforeEach } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from './fake-gitlab/index.js';
import { tempDir } from './test-deps.js';

export interface FakeProject {
  fake: FakeGitLab;
  world: StandardWorld;
  dir: string;
}

/** Registers beforeEach/afterEach; the returned object holds the current test's stand-in and dir. */
export function useFakeProject(): FakeProject {
  const current = {} as FakeProject;
  let cleanup: () => void = () => {};
  beforeEach(async () => {
    current.fake = await createFakeGitLab();
    current.world = current.fake.seed.standard();
    ({ dir: current.dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await current.fake.close();
    cleanup();
    current.fake.assertClean();
  });
  return current;
}

/**
 * For a stand-in shared by a file (started in beforeAll; the GitLab or the pypi.org one): after each
 * test, fail on an undeclared or unused route, then forget the declarations so the next test declares its own.
 */
export function assertCleanAfterEach(standIn: () => { assertClean(): void; resetLog(): void } | undefined): void {
  afterEach(() => {
    const current = standIn();
    if (!current) return;
    try {
      current.assertClean();
    } finally {
      current.resetLog();
    }
  });
}
