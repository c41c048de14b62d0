/**
 * GitLab's access rules as GitLab applies them, one command-level test per rule against the
 * stand-in. Each rule is cited in the stand-in (test/support/fake-gitlab/README.md has the table).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes, PUBLISH_ROUTES } from '../support/routes.js';
import { glx, tempDir } from '../support/test-deps.js';

const NOW = new Date('2026-11-22T12:00:00Z');

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let netrc: string;
let cleanup: () => void;

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => NOW });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  netrc = path.join(dir, 'netrc');
  mkdirSync(path.join(dir, 'dist'));
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function writePyproject(indexes: Array<{ name: string; path: string; publish?: boolean }>): void {
  const blocks = indexes.map(
    (index) =>
      `[[tool.uv.index]]\nname = "${index.name}"\nurl = "${fake.url}/api/v4/${index.path}/packages/pypi/simple"\n${index.publish ? `publish-url = "${fake.url}/api/v4/${index.path}/packages/pypi"\n` : ''}authenticate = "always"\n`,
  );
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    `[project]\nname = "demo"\nversion = "0.1.0"\n\n${blocks.join('\n')}`,
  );
}

function run(args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', dir, ...args], { env: { NETRC: netrc, ...env }, homeDir: dir, cwd: dir, now: NOW });
}

interface Check {
  id: string;
  status: string;
  message: string;
  fix?: string;
}

async function doctorChecks(env: Record<string, string>): Promise<{ code: number; checks: Check[] }> {
  const result = await run(['--json', 'doctor'], { GLX_PYPI_URL: `${fake.url}/no-pypi`, ...env });
  return { code: result.code, checks: (JSON.parse(result.stdout) as { checks: Check[] }).checks };
}

function find(checks: Check[], id: string): Check {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}

/** CI variables for a job of beta/app (project 9) run by `user`, with uv credentials for index `name`. */
function ciEnv(job: string, index: string, user = 'alice'): Record<string, string> {
  const prefix = `UV_INDEX_${index.toUpperCase()}`;
  return {
    GITLAB_CI: 'true',
    CI_JOB_TOKEN: job,
    CI_PROJECT_ID: '9',
    CI_PROJECT_PATH: 'beta/app',
    CI_SERVER_URL: fake.url,
    GITLAB_USER_LOGIN: user,
    [`${prefix}_USERNAME`]: 'gitlab-ci-token',
    [`${prefix}_PASSWORD`]: job,
  };
}

describe('rule 1: public groups and open registries need no role', () => {
  it('glx auth stores the token of a non-member for a public group registry, exit 0', async () => {
    fake.expect(checkRoutes('group'));
    writePyproject([{ name: 'oss', path: 'groups/60/-' }]);

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.erinPat });

    expect(result.code).toBe(0);
    expect(readFileSync(netrc, 'utf8')).toBe(`machine 127.0.0.1 login __token__ password ${world.tokens.erinPat}\n`);
    expect(result.stderr).toMatch(
      /✓ group 60: not a member, registry answered 200 \(a public group's registry needs no role to read\)/,
    );
    expect(result.stdout + result.stderr).not.toContain(world.tokens.erinPat);
  });

  it('glx auth accepts a non-member for a private project whose package registry is open to everyone', async () => {
    fake.expect(checkRoutes());
    fake.project(7).packageRegistryAccess = 'public';
    writePyproject([{ name: 'tools', path: 'projects/7' }]);

    const result = await run(['auth'], { GITLAB_TOKEN: world.tokens.erinPat });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      '✓ project 7: registry answered 200 (GitLab lets these credentials read it without a role)',
    );
  });

  it('glx doctor passes the access check of a non-member on a public group registry', async () => {
    fake.expect([...checkRoutes('group'), 'GET /groups/:id/-/packages/pypi/simple/:package_name']);
    writePyproject([{ name: 'oss', path: 'groups/60/-' }]);
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.erinPat}\n`, { mode: 0o600 });

    const { checks } = await doctorChecks({});

    expect(find(checks, 'index.oss.access')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('the registry answered 200'),
    });
  });

  it('still refuses a non-member of a private group: the registry answers 403 there', async () => {
    fake.expect(checkRoutes('group'));
    writePyproject([{ name: 'acme', path: 'groups/42/-' }]);

    const result = await run(['auth'], { GITLAB_TOKEN: world.tokens.erinPat });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: group 42 is not visible to erin; nothing was stored');
  });
});

describe('rule 2: the job-token allowlist closes private projects only; group registries skip it', () => {
  it('doctor --ci names the job user, not the allowlist, when a group registry refuses the job token', async () => {
    fake.expect([
      'GET /job',
      'GET /groups/:id/-/packages/pypi/simple',
      'GET /groups/:id/-/packages/pypi/simple/:package_name',
    ]);
    writePyproject([{ name: 'acme', path: 'groups/42/-' }]);
    const job = fake.addToken({ kind: 'job', project: 9, user: 'erin' });

    const { checks } = await doctorChecks(ciEnv(job, 'acme', 'erin'));

    const ci = find(checks, 'ci.acme.job-token');
    expect(ci.status).toBe('fail');
    expect(ci.message).toContain(
      'group 42 is read with the rights of erin (who started this pipeline), who cannot see the group (group registries ignore the job-token allowlist)',
    );
    expect(ci.fix).toContain('Give erin the Reporter role in group 42');
    expect(ci.fix).not.toContain('--allowlist');
  });

  it('doctor --ci passes a job token on an internal project registry that has no allowlist entry for it', async () => {
    fake.expect([
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
    ]);
    fake.addProject({ pathWithNamespace: 'acme/inner', id: 12, visibility: 'internal' });
    writePyproject([{ name: 'inner', path: 'projects/12' }]);

    const { checks } = await doctorChecks(ciEnv(world.tokens.jobOther, 'inner'));

    expect(find(checks, 'ci.inner.job-token')).toMatchObject({ status: 'ok' });
  });

  it('doctor --ci still blames the allowlist for a private project registry', async () => {
    fake.expect([
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
    ]);
    writePyproject([{ name: 'tools', path: 'projects/7' }]);

    const { checks } = await doctorChecks(ciEnv(world.tokens.jobOther, 'tools'));

    const ci = find(checks, 'ci.tools.job-token');
    expect(ci.message).toContain('project 7 is private and does not allow jobs of beta/app (job-token allowlist)');
    expect(ci.fix).toContain('glx ci-setup --allowlist');
  });

  it('a 403 "token permission is required: read_packages" is the allowlist entry, at doctor --ci and at glx auth', async () => {
    fake.expect([
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
    ]);
    writePyproject([{ name: 'tools', path: 'projects/7' }]);
    const scope = fake.project(7).jobTokenScope;
    scope.allowlistProjectIds.push(9);
    scope.policies = { 9: ['read_releases'] };

    const { checks } = await doctorChecks(ciEnv(world.tokens.jobOther, 'tools'));
    const auth = await run(['auth'], ciEnv(world.tokens.jobOther, 'tools'));

    const ci = find(checks, 'ci.tools.job-token');
    expect(ci.message).toContain(
      'Insufficient permissions to access this resource in project tools. The following token permission is required: read_packages.',
    );
    expect(ci.fix).toContain('Job token permissions');
    expect(ci.fix).not.toContain('Reporter');
    expect(auth.code).toBe(4);
    expect(auth.stderr).toMatch(
      /hint: The job-token allowlist entry of this project on the registry project lacks the read packages permission/,
    );
  });

  it('publishing to a public project from another project still needs the allowlist (403, not 200)', async () => {
    fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'POST /projects/:id/packages/pypi',
    ]);
    const [wheel] = await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'oss-extra', version: '1.0.0' }]);

    const result = await run(
      ['publish', wheel!, '--project', '8', '--host', fake.url],
      ciEnv(world.tokens.jobOther, 'x'),
    );

    expect(result.code).toBe(4);
    expect(fake.uploads).toEqual([]);
    expect(fake.requestsTo('POST /projects/:id/packages/pypi').map((r) => r.status)).toEqual([403]);
  });
});

describe('rule 3: GitLab ignores a deploy token username on package routes', () => {
  it('any username works with a good deploy token', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    writePyproject([{ name: 'tools', path: 'projects/7' }]);

    const result = await run(['auth', '--username', 'not-the-real-name'], { GITLAB_TOKEN: world.tokens.deployRead });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('✓ project 7: registry answered 200');
  });

  it('a 401 for a revoked deploy token never blames the username', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    writePyproject([{ name: 'tools', path: 'projects/7' }]);
    fake.token(world.tokens.deployRead).revoked = true;

    const result = await run(['auth', '--username', world.deployUsernames.deployRead], {
      GITLAB_TOKEN: world.tokens.deployRead,
    });

    expect(result.code).toBe(4);
    const hint = result.stderr.split('\n').find((line) => line.startsWith('hint:')) ?? '';
    expect(hint).toContain('mistyped, revoked or expired');
    expect(hint).toContain('not the username');
    expect(hint).not.toMatch(/username is wrong|its username|--username/);
  });
});

describe('rule 4: "Package protected." names the protection rule and the role it needs', () => {
  async function publishProtected(token: string) {
    const [wheel] = await buildDists(path.join(dir, 'dist'), [
      { kind: 'wheel', name: 'acme-secure', version: '1.0.0' },
    ]);
    return run(['publish', wheel!, '--project', '7', '--host', fake.url], { GITLAB_TOKEN: token });
  }

  it('for a Maintainer who may list the rules, the rule pattern, its id and the role', async () => {
    fake.expect([...PUBLISH_ROUTES, 'GET /projects/:id/packages/protection/rules']);
    fake.project(7).protectionRules = [{ id: 31, packageNamePattern: 'acme-sec*', minimumAccessLevelForPush: 'owner' }];
    fake.addMember({ project: 7, user: 'dave', role: 'maintainer' });

    const result = await publishProtected(world.tokens.davePat);

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('the package name is protected (403: 403 Forbidden - Package protected.)');
    expect(result.stderr).toContain(
      'hint: Package protection rule "acme-sec*" (id 31) of project 7 covers acme-secure: pushing it needs Owner or higher',
    );
    expect(fake.project(7).packages.some((p) => p.name === 'acme-secure')).toBe(false);
  });

  it('for a Developer who cannot list them, where the rule lives and which roles it can ask for', async () => {
    fake.expect([...PUBLISH_ROUTES, 'GET /projects/:id/packages/protection/rules']);
    fake.project(7).protectionRules = [
      { id: 32, packageNamePattern: 'acme-*', minimumAccessLevelForPush: 'maintainer' },
    ];

    const result = await publishProtected(world.tokens.alicePat);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /hint: A package protection rule of the project matches this name \(Settings > Packages and registries > Protected packages\): pushing it needs the role the rule names/,
    );
    expect(result.stderr).not.toContain('role is too low');
  });
});

describe('rule 5: a disabled package registry is said as such', () => {
  beforeEach(() => {
    fake.project(7).packageRegistryAccess = 'disabled';
  });

  it('at init', async () => {
    fake.expect(['GET /projects/:id']);
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\n');

    const result = await run(['init', '--project', 'acme/tools', '--host', fake.url], {
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: the package registry of project acme/tools is turned off');
  });

  it('at auth, exit 1 and not a role problem', async () => {
    fake.expect(checkRoutes());
    writePyproject([{ name: 'tools', path: 'projects/7' }]);

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: the package registry of project 7 is turned off; nothing was stored');
    expect(result.stderr).toContain(
      'Settings > General > Visibility, project features, permissions > Package registry',
    );
    expect(result.stderr).not.toMatch(/role/i);
  });

  it('at doctor', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writePyproject([{ name: 'tools', path: 'projects/7' }]);
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

    const { checks } = await doctorChecks({});

    expect(find(checks, 'index.tools.access')).toMatchObject({
      status: 'fail',
      message: 'the package registry of project 7 is turned off',
    });
  });
});

describe('rule 6: Workhorse answers 413 for a file over the limit', () => {
  it('publish reports the file as too large, with the limit to raise', async () => {
    fake.expect(PUBLISH_ROUTES);
    fake.settings.maxFileSize = 64;
    const [wheel] = await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'acme-big', version: '1.0.0' }]);

    const result = await run(['publish', wheel!, '--project', '7', '--host', fake.url], {
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.code).toBe(1);
    expect(fake.requestsTo('POST /projects/:id/packages/pypi').map((r) => r.status)).toEqual([413]);
    expect(result.stderr).toContain('too large for this GitLab');
    expect(result.stderr).toContain(
      "hint: The file exceeds the instance's PyPI size limit (pypi_max_file_size, 3 GiB by default)",
    );
  });
});

describe('rule 7: only 422 "Ref is not specified" means "push the tag first"', () => {
  it('another 422 (a CI/CD Catalog project without a description) says what GitLab said, not "push the tag"', async () => {
    fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      ...checkRoutes(),
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
    ]);
    const project = fake.project(7);
    project.catalogResource = true;
    project.tags.push('v2.0.0');
    const [wheel] = await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'acme-cat', version: '2.0.0' }]);

    const result = await run(
      ['publish', wheel!, '--project', '7', '--host', fake.url, '--release', 'v2.0.0', '--release-create'],
      { GITLAB_TOKEN: world.tokens.alicePat },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: cannot create release v2.0.0: Project must have a description, Project must contain a README file; nothing was uploaded',
    );
    expect(result.stderr).not.toContain('push it first');
    expect(fake.uploads).toEqual([]);
  });
});

describe('rule 8: a renamed or moved project answers 301 for its old path', () => {
  it('init follows it to the numeric id on the same GitLab and reports the rename', async () => {
    fake.expect(['GET /projects/:id']);
    fake.project(7).previousPaths = ['acme/old-tools'];
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\n');

    const result = await run(['init', '--project', 'acme/old-tools', '--name', 'tools', '--host', fake.url], {
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.code).toBe(0);
    expect(fake.requests.map((r) => [r.rawUrl, r.status])).toEqual([
      ['/api/v4/projects/acme%2Fold-tools', 301],
      ['/api/v4/projects/7', 200],
    ]);
    expect(result.stderr).toContain(
      'warning: project acme/old-tools was renamed or moved: it is now acme/tools (id 7); using that',
    );
    expect(readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')).toContain(
      `url = "${fake.url}/api/v4/projects/7/packages/pypi/simple"`,
    );
  });

  it('a 301 to another host is not followed, and the token goes nowhere else', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({
      route: 'GET /projects/:id',
      kind: 'redirect',
      status: 301,
      location: 'https://elsewhere.example/api/v4/projects/7',
    });
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\n');

    const result = await run(['init', '--project', 'acme/tools', '--host', fake.url], {
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: project acme/tools: GitLab redirected to https://elsewhere.example/api/v4/projects/7, which is not a project on',
    );
    expect(readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')).not.toContain('tool.uv');
  });
});

describe('stand-in extra: a group deploy token reads its own group registry only', () => {
  it("glx auth says so for a subgroup's registry", async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple']);
    writePyproject([{ name: 'libs', path: 'groups/43/-' }]);

    const result = await run(['auth', '--username', world.deployUsernames.groupDeploy], {
      GITLAB_TOKEN: world.tokens.groupDeploy,
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      "hint: A group deploy token reads only its own group's registry (not a subgroup's or a parent's)",
    );
  });
});
