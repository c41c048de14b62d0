/** Shared set-up for the publish tests: a fake GitLab with the standard world and a project dir with dist/. */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildDists, type DistSpec } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { glx, type TestDepsOptions, tempDir } from '../support/test-deps.js';

export interface PublishWorld {
  fake: FakeGitLab;
  world: StandardWorld;
  dir: string;
  dist: string;
  cleanup(): Promise<void>;
}

export async function publishWorld(): Promise<PublishWorld> {
  const fake = await createFakeGitLab();
  const world = fake.seed.standard();
  const tmp = tempDir('glx-publish-');
  const dist = path.join(tmp.dir, 'dist');
  mkdirSync(dist);
  return {
    fake,
    world,
    dir: tmp.dir,
    dist,
    async cleanup() {
      await fake.close();
      tmp.cleanup();
      fake.assertClean();
    },
  };
}

/** Builds distributions into dist/; returns their file names. */
export async function dists(w: PublishWorld, specs: DistSpec[]): Promise<string[]> {
  return (await buildDists(w.dist, specs)).map((file) => path.basename(file));
}

export function bytesOf(w: PublishWorld, fileName: string): Buffer {
  return readFileSync(path.join(w.dist, fileName));
}

export interface RunOptions extends TestDepsOptions {
  /** GITLAB_TOKEN; alice's api token by default, none with null. */
  token?: string | null;
  /** Pass --host <fake> (default true). */
  host?: boolean;
}

/** `glx publish ...` in the project dir, against the fake, with alice's api token unless told otherwise. */
export function publishCli(w: PublishWorld, args: string[], options: RunOptions = {}) {
  const { token, env, host, ...rest } = options;
  return glx(['publish', ...args, ...(host === false ? [] : ['--host', w.fake.url])], {
    cwd: w.dir,
    homeDir: w.dir,
    ...rest,
    env: { ...(token === null ? {} : { GITLAB_TOKEN: token ?? w.world.tokens.alicePat }), ...env },
  });
}

export const UPLOAD = 'POST /projects/:id/packages/pypi';
