/**
 * The generated pipeline as gitlab-ci-local (the npm dev dependency, 4.73.0: the last release for
 * Node 20) reads it, offline: it parses the file, validates it against its own copy of GitLab's
 * schema, resolves `extends:` and evaluates `rules:`. A missing tool fails under CI and skips outside.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../support/peers.js';
import { glx, tempDir } from '../support/test-deps.js';

const bin = fileURLToPath(new URL('../../node_modules/.bin/gitlab-ci-local', import.meta.url));

function canRun(): boolean {
  if (!existsSync(bin)) return false;
  try {
    execFileSync(bin, ['--version'], { stdio: 'pipe', timeout: 20_000 });
    execFileSync('git', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const available = required(
  canRun(),
  'gitlab-ci-local reading the generated pipeline',
  'node_modules/.bin/gitlab-ci-local or git does not run',
);
const run = promisify(execFile);

interface ListedJob {
  name: string;
  stage: string;
  when: string;
}

describe.skipIf(!available)('gitlab-ci-local reads the generated pipeline', () => {
  let dir: string;
  let cleanup: () => void;
  const token = 'glpat-gitlabcilocal0000000000';

  async function gcl(args: string[]): Promise<string> {
    // HOME in the temp dir: no ~/.gitlab-ci-local variables of the machine leak in.
    const { stdout } = await run(bin, args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir }, timeout: 60_000 });
    return stdout;
  }

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('glx-gcl-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['remote', 'add', 'origin', 'git@gitlab.example.com:acme/tools.git'], { cwd: dir });
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "tools"\nversion = "1.0.0"\nrequires-python = ">=3.12"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n',
    );
    writeFileSync(
      path.join(dir, '.gitlab-ci.yml'),
      '# our own job, on the uv image\npytest:\n  extends: .glx-uv\n  script:\n    - uv run pytest\n',
    );
    const setup = await glx(['--cwd', dir, 'ci-setup', '--publish', '--local'], {
      env: { GITLAB_TOKEN: token },
      homeDir: dir,
      cwd: dir,
    });
    expect(setup.code).toBe(0);
    execFileSync('git', ['add', '.gitlab-ci.yml', 'pyproject.toml', '.gitignore'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-m', 'ci'], {
      cwd: dir,
    });
  });

  afterAll(() => cleanup?.());

  it('lists the user job on a branch, and glx-publish only in a tag pipeline', async () => {
    const branch = (JSON.parse(await gcl(['--list-json'])) as ListedJob[]).map((job) => job.name);
    const list = await gcl(['--list']);
    const tagList = await gcl(['--list', '--variable', 'CI_COMMIT_TAG=v1.0.0']);

    expect(branch).toEqual(['pytest', 'glx-publish']);
    expect(list).toMatch(/^pytest\s+test\s+on_success/m);
    expect(list).not.toMatch(/^glx-publish/m);
    expect(tagList).toMatch(/^glx-publish\s+deploy\s+on_success/m);
  });

  it('expands extends: .glx-uv into the jobs, image, variables, cache and all', async () => {
    const preview = await gcl(['--preview']);

    expect(preview).toContain('name: ghcr.io/astral-sh/uv:$UV_VERSION-python$PYTHON_VERSION-$BASE_LAYER');
    expect(preview).toMatch(/pytest:[\s\S]*UV_INDEX_GITLAB_PASSWORD: \$CI_JOB_TOKEN[\s\S]*uv run pytest/);
    expect(preview).toMatch(
      /glx-publish:[\s\S]*UV_PUBLISH_URL: \$\{CI_API_V4_URL\}\/projects\/\$\{CI_PROJECT_ID\}\/packages\/pypi/,
    );
    expect(preview).not.toContain(token);
  });
});
