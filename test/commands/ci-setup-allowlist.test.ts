/**
 * `glx ci-setup --allowlist` and `--lint` against the GitLab stand-in. The pipeline belongs to
 * beta/app (project 9, from git remote origin); pyproject.toml reads acme/tools (project 7) and
 * the group acme/libs (43), whose PyPI packages live in acme/libs/core (project 11). Only private
 * project registries check the job-token allowlist (rule 2 in test/support/fake-gitlab/README.md).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { glx, tempDir } from '../support/test-deps.js';

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

function writePyproject(paths: string[]): void {
  const blocks = paths.map(
    (where, i) =>
      `\n[[tool.uv.index]]\nname = "reg${i}"\nurl = "${fake.url}/api/v4/${where}/packages/pypi/simple"\nauthenticate = "always"\n`,
  );
  writeFileSync(path.join(dir, 'pyproject.toml'), `[project]\nname = "app"\nversion = "0.1.0"\n${blocks.join('')}`);
}

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => new Date('2026-11-22T12:00:00Z') });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['remote', 'add', 'origin', `${fake.url}/beta/app.git`], { cwd: dir });
  writePyproject(['projects/7', 'groups/43/-']);
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], token: string, env: Record<string, string> = {}) {
  return glx(['--cwd', dir, 'ci-setup', ...args], { env: { GITLAB_TOKEN: token, ...env }, homeDir: dir, cwd: dir });
}

function allowlistPosts() {
  return fake.requestsTo('POST /projects/:id/job_token_scope/allowlist');
}

describe('glx ci-setup --allowlist', () => {
  it('adds this project to the allowlist of each private registry project it reads, and says why it skips a group, a public and an internal project', async () => {
    fake.expect(['GET /projects/:id', 'POST /projects/:id/job_token_scope/allowlist']);
    fake.addProject({ pathWithNamespace: 'acme/inner', id: 12, visibility: 'internal' });
    writePyproject(['projects/7', 'groups/43/-', 'projects/8', 'projects/12']);

    const result = await run(['--allowlist'], world.tokens.davePat);

    expect(result.code).toBe(0);
    expect(allowlistPosts().map((r) => [r.rawUrl, r.body?.json])).toEqual([
      ['/api/v4/projects/7/job_token_scope/allowlist', { target_project_id: 9 }],
    ]);
    expect(fake.project(7).jobTokenScope.allowlistProjectIds).toEqual([9]);
    for (const id of [11, 8, 12]) expect(fake.project(id).jobTokenScope.allowlistProjectIds).toEqual([]);
    expect(fake.requestsTo('GET /groups/:id/packages')).toEqual([]);
    expect(result.stderr).toContain('Job-token allowlist entries for beta/app (id 9):');
    expect(result.stderr).toMatch(/ {2}added +acme\/tools \(id 7\), read through index "reg0"/);
    expect(result.stderr).toContain(
      `note: index "reg1" reads group 43's registry: group registries do not check job-token allowlists`,
    );
    expect(result.stderr).toContain(
      'note: index "reg2" reads public project oss/pub: job tokens of any project may read its registry without the allowlist',
    );
    expect(result.stderr).toContain(
      'note: index "reg3" reads internal project acme/inner: job tokens of any project may read its registry without the allowlist',
    );
    expect(result.stdout + result.stderr).not.toContain(world.tokens.davePat);
  });

  it('makes no allowlist call at all when the only index is a group registry', async () => {
    fake.expect(['GET /projects/:id']);
    writePyproject(['groups/42/-']);

    const result = await run(['--allowlist'], world.tokens.davePat);

    expect(result.code).toBe(0);
    expect(allowlistPosts()).toEqual([]);
    expect(fake.requests.filter((r) => r.rawUrl.includes('/groups/'))).toEqual([]);
    expect(result.stderr).toContain('none needed.');
  });

  it('reports an entry that exists as already there (GitLab answers 400) and exits 0', async () => {
    fake.expect(['GET /projects/:id', 'POST /projects/:id/job_token_scope/allowlist']);
    fake.project(7).jobTokenScope.allowlistProjectIds.push(9);

    const result = await run(['--allowlist', '--json'], world.tokens.davePat);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout).allowlist;
    expect(report.entries.map((e: { project: { id: string }; status: string }) => [e.project.id, e.status])).toEqual([
      ['7', 'present'],
    ]);
    expect(allowlistPosts().map((r) => r.status)).toEqual([400]);
  });

  it('exits 4 for a Developer (403), printing the exact call with a token placeholder and the UI path, never the token', async () => {
    fake.expect(['GET /projects/:id', 'POST /projects/:id/job_token_scope/allowlist']);
    const result = await run(['--allowlist'], world.tokens.alicePat);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      / {2}not permitted +acme\/tools \(id 7\), read through index "reg0": changing the allowlist needs the Maintainer role on that project/,
    );
    expect(result.stderr).toContain(
      `curl --request POST --header "PRIVATE-TOKEN: <your token>" --header "Content-Type: application/json" --data '{"target_project_id":9}' "${fake.apiUrl}/projects/7/job_token_scope/allowlist"`,
    );
    expect(result.stderr).toContain(
      'or in GitLab: acme/tools: Settings > CI/CD > Job token permissions > Add > Add group or project > beta/app',
    );
    expect(result.stderr).toMatch(/error: 1 job-token allowlist entry not added: acme\/tools\nhint: A Maintainer/);
    expect(result.stdout + result.stderr).not.toContain(world.tokens.alicePat);
    // The pipeline file itself was written: only the allowlist is left to a maintainer.
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('.glx-uv:');
  });

  it('resolves path ids to numeric ids before the POST, which takes numeric ids only', async () => {
    fake.expect(['GET /projects/:id', 'POST /projects/:id/job_token_scope/allowlist']);
    writePyproject(['projects/acme%2Ftools']);

    const result = await run(['--allowlist'], world.tokens.davePat);

    expect(result.code).toBe(0);
    const order = fake.requests.map((r) => `${r.method} ${r.rawUrl}`);
    expect(order).toEqual([
      'GET /api/v4/projects/beta%2Fapp',
      'GET /api/v4/projects/acme%2Ftools',
      'POST /api/v4/projects/7/job_token_scope/allowlist',
    ]);
    expect(allowlistPosts()[0]?.body?.json).toEqual({ target_project_id: 9 });
  });

  it('--dry-run lists the calls it would make, makes none, and writes nothing', async () => {
    fake.expect(['GET /projects/:id']);
    const result = await run(['--allowlist', '--dry-run'], world.tokens.davePat);

    expect(result.code).toBe(0);
    expect(allowlistPosts()).toEqual([]);
    expect(result.stderr).toContain('— dry run, no call made');
    expect(result.stderr).toContain(`POST ${fake.apiUrl}/projects/7/job_token_scope/allowlist {"target_project_id":9}`);
    expect(result.stderr).not.toContain('/projects/11/job_token_scope');
    expect(fake.project(7).jobTokenScope.allowlistProjectIds).toEqual([]);
    expect(result.stdout).toMatch(/^--- \/dev\/null/);
  });

  it("needs no entry for this project's own registry, nor for a group", async () => {
    fake.expect(['GET /projects/:id']);
    writePyproject(['projects/9', 'groups/50/-']);

    const result = await run(['--allowlist'], world.tokens.davePat);

    expect(result.code).toBe(0);
    expect(allowlistPosts()).toEqual([]);
    expect(result.stderr).toContain(`note: index "reg0" is this project's own registry: its jobs always have access.`);
    expect(result.stderr).toContain(
      `note: index "reg1" reads group 50's registry: group registries do not check job-token allowlists`,
    );
  });

  it('refuses a CI job token before writing anything: it cannot change allowlists', async () => {
    const result = await glx(['--cwd', dir, 'ci-setup', '--allowlist'], {
      env: { GITLAB_CI: 'true', CI_JOB_TOKEN: world.tokens.jobOther, CI_PROJECT_ID: '9', CI_SERVER_URL: fake.url },
      homeDir: dir,
      cwd: dir,
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('a CI job token cannot call that API');
    expect(fake.requests).toEqual([]);
    expect(() => readFileSync(path.join(dir, '.gitlab-ci.yml'))).toThrow();
  });
});

describe('glx ci-setup --lint', () => {
  it("sends the merged file to GitLab's CI lint for this project and writes it when valid", async () => {
    fake.expect(['POST /projects/:id/ci/lint']);
    const result = await run(['--lint', '--publish'], world.tokens.alicePat);

    expect(result.code).toBe(0);
    const lint = fake.requestsTo('POST /projects/:id/ci/lint');
    expect(lint).toHaveLength(1);
    expect(lint[0]?.rawUrl).toBe('/api/v4/projects/beta%2Fapp/ci/lint');
    expect((lint[0]?.body?.json as { content?: string } | undefined)?.content).toBe(
      readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8'),
    );
  });

  it('writes nothing and exits 1 when GitLab rejects the result, printing its errors', async () => {
    fake.expect(['POST /projects/:id/ci/lint']);
    const original = '? [complex, key]\n: value\n';
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), original);

    const result = await run(['--lint'], world.tokens.alicePat);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('GitLab CI lint: Invalid configuration format');
    expect(result.stderr).toContain('hint: Nothing was written.');
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toBe(original);
  });

  it('warns and still writes when there is no token to lint with', async () => {
    const result = await glx(['--cwd', dir, 'ci-setup', '--lint'], { homeDir: dir, cwd: dir });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: --lint skipped: no GitLab token for 127.0.0.1');
    expect(readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('.glx-uv:');
  });
});
