/**
 * The release-link step of the publish job, run for real: the Python program with python3 (the
 * uv image's Python stands in) against the GitLab stand-in, with a job token as in CI and with a
 * personal token as under gitlab-ci-local. A missing python3 fails under CI and skips outside.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseLinksProgram, releaseLinksStep } from '../../src/gitlab-ci/release-links.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { hasPeer } from '../support/peers.js';
import { tempDir } from '../support/test-deps.js';

const WHEEL = 'acme_utils-2.0.0-py3-none-any.whl';
const SDIST = 'acme_utils-2.0.0.tar.gz';

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => new Date('2026-11-22T12:00:00Z') });
  world = fake.seed.standard();
  fake.project(7).tags.push('v2.0.0');
  ({ dir, cleanup } = tempDir('glx-release-'));
  mkdirSync(path.join(dir, 'dist'));
  writeFileSync(path.join(dir, 'dist', WHEEL), 'wheel bytes\n');
  writeFileSync(path.join(dir, 'dist', SDIST), 'sdist bytes\n');
  writeFileSync(path.join(dir, 'dist', '.gitignore'), '*\n');
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function ciEnv(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    CI_API_V4_URL: fake.apiUrl,
    CI_PROJECT_ID: '7',
    CI_COMMIT_TAG: 'v2.0.0',
    UV_PUBLISH_URL: `${fake.apiUrl}/projects/7/packages/pypi`,
    CI_JOB_TOKEN: token,
    ...extra,
  };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the stand-in answers from this process, so a sync spawn would deadlock. */
function spawnAsync(file: string, args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

function runProgram(env: Record<string, string>): Promise<Run> {
  return spawnAsync('python3', ['-'], env, releaseLinksProgram());
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe.skipIf(!hasPeer('python3'))('the release-link step of glx-publish', () => {
  it('creates the missing release and links each wheel and sdist with its registry download URL', async () => {
    fake.expect([
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    const result = await runProgram(ciEnv(world.tokens.jobSelf, { GITLAB_CI: 'true' }));

    expect(result.status).toBe(0);
    const release = fake.project(7).releases.find((r) => r.tagName === 'v2.0.0');
    expect(release?.links.map((l) => [l.name, l.url, l.linkType])).toEqual([
      [WHEEL, `${fake.apiUrl}/projects/7/packages/pypi/files/${sha256('wheel bytes\n')}/${WHEEL}`, 'package'],
      [SDIST, `${fake.apiUrl}/projects/7/packages/pypi/files/${sha256('sdist bytes\n')}/${SDIST}`, 'package'],
    ]);
    expect(result.stdout).toContain(`${WHEEL}: linked to release v2.0.0`);
    const created = fake.requestsTo('POST /projects/:id/releases');
    expect(created).toHaveLength(1);
    expect(created[0]?.headers['job-token']).toBe(world.tokens.jobSelf);
  });

  it('is idempotent: a re-run of the job finds the links there and succeeds', async () => {
    fake.expect([
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    await runProgram(ciEnv(world.tokens.jobSelf, { GITLAB_CI: 'true' }));

    const again = await runProgram(ciEnv(world.tokens.jobSelf, { GITLAB_CI: 'true' }));

    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${WHEEL}: already linked to release v2.0.0`);
    expect(fake.project(7).releases.find((r) => r.tagName === 'v2.0.0')?.links).toHaveLength(2);
  });

  it('uses PRIVATE-TOKEN with a personal token under gitlab-ci-local (GITLAB_CI is not true there)', async () => {
    fake.expect(['GET /projects/:id/releases/:tag_name', 'POST /projects/:id/releases/:tag_name/assets/links']);
    const result = await runProgram(ciEnv(world.tokens.alicePat, { GITLAB_CI: 'false', CI_COMMIT_TAG: 'v1.0.0' }));

    expect(result.status).toBe(0);
    expect(fake.project(7).releases.find((r) => r.tagName === 'v1.0.0')?.links).toHaveLength(2);
    expect(
      fake
        .requestsTo('POST /projects/:id/releases/:tag_name/assets/links')
        .every((r) => r.headers['private-token'] === world.tokens.alicePat),
    ).toBe(true);
  });

  it('fails the job with the answer when the token may not write releases, without printing the token', async () => {
    fake.expect(['GET /projects/:id/releases/:tag_name']);
    const result = await runProgram(ciEnv(world.tokens.jobOther, { GITLAB_CI: 'true' }));

    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/release v2\.0\.0: HTTP 40[34]/);
    expect(result.stdout + result.stderr).not.toContain(world.tokens.jobOther);
  });

  it('runs as written in the job: a quoted here-document the shell passes through untouched', async () => {
    fake.expect([
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    // `uv run --no-project python` is the image's Python; python3 plays it here.
    const step = releaseLinksStep().replace('uv run --no-project python -', 'python3 -');

    const result = await spawnAsync('sh', ['-c', step], ciEnv(world.tokens.jobSelf, { GITLAB_CI: 'true' }));

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`${SDIST}: linked to release v2.0.0`);
  });
});
