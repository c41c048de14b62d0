import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { createFakePypi, type FakePypi } from '../support/fake-pypi.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { glx, tempDir } from '../support/test-deps.js';

const ajv = new Ajv({ strict: false, allErrors: true });
const validate = ajv.compile(
  JSON.parse(readFileSync(new URL('../../schemas/doctor.schema.json', import.meta.url), 'utf8')),
);

interface Report {
  ok: boolean;
  summary: Record<string, number>;
  checks: Array<{ id: string; status: string; title: string; message: string; fix?: string }>;
}

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;
let pypi: FakePypi;
let pypiUrl: string;

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => new Date('2026-11-22T12:00:00Z') });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  pypi = await createFakePypi();
  pypiUrl = pypi.simpleUrl;
});

afterEach(async () => {
  await fake.close();
  await pypi.close();
  pypi.assertClean();
  cleanup();
  fake.assertClean();
});

interface IndexSpec {
  name: string;
  path: string;
  publish?: boolean;
  explicit?: boolean;
  authenticate?: string | null;
  url?: string;
}

function writeProject(indexes: IndexSpec[], pins: Record<string, string> = {}): void {
  const blocks = indexes.map((i) => {
    const url = i.url ?? `${fake.url}/api/v4/${i.path}/packages/pypi/simple`;
    const lines = [`[[tool.uv.index]]`, `name = "${i.name}"`, `url = "${url}"`];
    if (i.publish) lines.push(`publish-url = "${fake.url}/api/v4/${i.path.replace('/-', '')}/packages/pypi"`);
    if (i.explicit) lines.push('explicit = true');
    if (i.authenticate !== null) lines.push(`authenticate = "${i.authenticate ?? 'always'}"`);
    return lines.join('\n');
  });
  const sources = Object.entries(pins).map(([pkg, index]) => `${pkg} = { index = "${index}" }`);
  const text = `[project]\nname = "demo"\nversion = "0.1.0"\n\n${blocks.join('\n\n')}\n${sources.length ? `\n[tool.uv.sources]\n${sources.join('\n')}\n` : ''}`;
  writeFileSync(path.join(dir, 'pyproject.toml'), text);
}

function storeNetrc(token: string, login = '__token__', mode = 0o600): void {
  writeFileSync(path.join(dir, 'netrc'), `machine 127.0.0.1 login ${login} password ${token}\n`, { mode });
}

async function doctor(
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<{ code: number; report: Report; stdout: string; stderr: string }> {
  const result = await glx(['--cwd', dir, '--json', 'doctor', ...args], {
    env: { NETRC: path.join(dir, 'netrc'), GLX_PYPI_URL: pypiUrl, ...env },
    homeDir: dir,
    now: new Date('2026-11-22T12:00:00Z'),
  });
  const report = JSON.parse(result.stdout) as Report;
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  return { code: result.code, report, stdout: result.stdout, stderr: result.stderr };
}

function find(report: Report, id: string) {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

describe('glx doctor on a healthy project', () => {
  it('passes every check, exits 0, and never prints the token', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7', publish: true, explicit: true }], { 'acme-utils': 'tools' });
    storeNetrc(world.tokens.alicePat);

    const { code, report, stdout } = await doctor();

    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.summary.fail).toBe(0);
    expect(find(report, 'index.tools.credentials').message).toMatch(/uv takes them from netrc/);
    expect(find(report, 'index.tools.token').message).toMatch(/Personal access token of alice, scopes api/);
    expect(find(report, 'index.tools.access').message).toMatch(/Developer; the registry answered 200/);
    expect(find(report, 'package.acme-utils.confusion').status).toBe('ok');
    expect(stdout).not.toContain(world.tokens.alicePat);
  });

  it('prints one line per check with the fix under each failure', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7', authenticate: null }]);
    storeNetrc(world.tokens.alicePat);

    const result = await glx(['--cwd', dir, 'doctor'], {
      env: { NETRC: path.join(dir, 'netrc'), GLX_PYPI_URL: pypiUrl },
      homeDir: dir,
    });

    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ index tools: authenticate: authenticate is "auto".*\n {4}fix: glx init --project 7 --name tools {3}\(sets authenticate = "always"\)$/m,
    );
    expect(result.stdout).toMatch(/^✓ index tools: token: /m);
    expect(result.stdout).toMatch(/\d+ checks: 1 failed/);
  });
});

describe('each doctor check, broken on purpose and then fixed', () => {
  it('authenticate must be "always"', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7', authenticate: 'auto' }]);
    storeNetrc(world.tokens.alicePat);
    const broken = await doctor();

    await glx(['--cwd', dir, 'init', '--project', '7', '--name', 'tools'], { homeDir: dir });
    const fixed = await doctor();

    expect(broken.code).toBe(1);
    expect(find(broken.report, 'index.tools.auth-policy').status).toBe('fail');
    // uv does send credentials under "auto", after a 401/403/404; the danger is the anonymous 200.
    expect(find(broken.report, 'index.tools.auth-policy').message).toMatch(
      /after a 401, 403 or 404; the risk is the anonymous 200/,
    );
    expect(find(broken.report, 'index.tools.auth-policy').message).not.toMatch(/never sends credentials/);
    expect(find(fixed.report, 'index.tools.auth-policy').status).toBe('ok');
  });

  it('a $VARIABLE in the URL is never expanded by uv', async () => {
    writeProject([
      {
        name: 'tools',
        path: 'projects/7',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} in the URL is what this test is about
        url: `${fake.url.replace('//', '//__token__:${GITLAB_TOKEN}@')}/api/v4/projects/7/packages/pypi/simple`,
      },
    ]);
    storeNetrc(world.tokens.alicePat);

    const { report } = await doctor();

    expect(find(report, 'index.tools.url')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/does not expand/),
    });
  });

  it('a group registry cannot be a publish target', async () => {
    fake.expect([...checkRoutes('group'), 'GET /groups/:id/-/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'acme', path: 'groups/42/-', publish: true }]);
    storeNetrc(world.tokens.alicePat);

    const { report } = await doctor();

    expect(find(report, 'index.acme.publish-url')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/glx init --project/),
    });
  });

  it('index names must not share variables, and stray variables are pointed out', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([
      { name: 'tools', path: 'projects/7' },
      { name: 'Tools', path: 'projects/11' },
    ]);
    storeNetrc(world.tokens.alicePat);

    const { report } = await doctor({ UV_INDEX_GITLAB_USERNAME: '__token__' });

    expect(find(report, 'env-vars.collision').status).toBe('fail');
    expect(find(report, 'env-vars.orphan')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/UV_INDEX_GITLAB_\*/),
    });
  });

  it('UV_INDEX_* for an index that uv.toml names is not an orphan: uv applies it there too', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat);
    writeFileSync(path.join(dir, 'uv.toml'), '[[index]]\nname = "mirror"\nurl = "https://mirror.example.com/simple"\n');

    const { report } = await doctor({ UV_INDEX_MIRROR_USERNAME: 'me', UV_INDEX_OTHER_USERNAME: 'me' });

    expect(find(report, 'env-vars.orphan').message).toMatch(
      /^UV_INDEX_OTHER_\* set in this shell, but no index in pyproject.toml or uv.toml has that name: uv uses them only for an index of that name given with --index or UV_INDEX/,
    );
  });

  it('a netrc keyword uv does not know makes uv ignore the whole file', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    writeFileSync(
      path.join(dir, 'netrc'),
      `machine 127.0.0.1 port 8080 login __token__ password ${world.tokens.alicePat}\n`,
      { mode: 0o600 },
    );
    const broken = await doctor();

    storeNetrc(world.tokens.alicePat);
    const fixed = await doctor();

    expect(find(broken.report, 'netrc.syntax')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/uv ignores the whole file: .*netrc:1:19/),
    });
    expect(find(broken.report, 'index.tools.credentials').status).toBe('fail');
    expect(find(fixed.report, 'netrc.syntax')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/: 1 entry uv can read$/),
    });
    expect(fixed.code).toBe(0);
  });

  it('a netrc others can read is flagged', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat, '__token__', 0o644);
    execFileSync('chmod', ['644', path.join(dir, 'netrc')]);

    const { report } = await doctor();

    expect(find(report, 'netrc.permissions')).toMatchObject({
      status: 'warn',
      fix: `chmod 600 ${path.join(dir, 'netrc')}`,
    });
  });

  it('a netrc login that disagrees with the username uv already has is skipped by uv', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat, 'alice');

    const { report } = await doctor({ UV_INDEX_TOOLS_USERNAME: '__token__' });

    expect(find(report, 'index.tools.credentials')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/login alice, but uv already has username __token__/),
    });
  });

  it('credentials in the URL are a leak risk', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([
      {
        name: 'tools',
        path: 'projects/7',
        url: `${fake.url.replace('//', `//__token__:${world.tokens.alicePat}@`)}/api/v4/projects/7/packages/pypi/simple`,
      },
    ]);

    const { report, stdout } = await doctor();

    expect(find(report, 'index.tools.credentials').status).toBe('warn');
    expect(stdout).not.toContain(world.tokens.alicePat);
  });

  it('no credentials at all', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);

    const { report, code } = await doctor();

    expect(code).toBe(1);
    expect(find(report, 'index.tools.credentials')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/glx auth --netrc/),
    });
  });

  it('an expired token fails and a token about to expire warns', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.aliceExpired);
    const expired = await doctor();

    storeNetrc(fake.addToken({ kind: 'personal', user: 'alice', scopes: ['api'], expiresAt: '2026-12-01' }));
    const soon = await doctor();

    expect(find(expired.report, 'index.tools.token')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/expired/),
    });
    expect(find(soon.report, 'index.tools.token')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/expires in 8 days/),
    });
  });

  it('a role too low to read the registry', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.carolPat);

    const { report } = await doctor();

    expect(find(report, 'index.tools.access')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/carol is Guest/),
    });
  });

  it('forwarding to pypi.org on a non-explicit index, and after it is turned off', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat);
    const on = await doctor();

    fake.group('acme').forwarding = false;
    const off = await doctor();

    expect(find(on.report, 'index.tools.forwarding')).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/Forward PyPI package requests/),
    });
    expect(find(off.report, 'index.tools.forwarding').status).toBe('ok');
  });

  it('a pinned package the registry does not hold, or that pypi.org also has (--check-pypi)', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7', explicit: true }], {
      'acme-missing': 'tools',
      'acme-utils': 'tools',
    });
    pypi.expect(['acme-utils']);
    storeNetrc(world.tokens.alicePat);
    pypi.addPackage({
      name: 'acme-utils',
      version: '9.0',
      files: [{ fileName: 'acme_utils-9.0-py3-none-any.whl', content: 'public' }],
    });

    const { report } = await doctor({}, ['--check-pypi']);

    expect(find(report, 'package.acme-missing.confusion')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/forwards the request to pypi\.org/),
    });
    expect(find(report, 'package.acme-utils.confusion')).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/exists on pypi\.org/),
    });
    expect(pypi.requests.map((r) => r.url)).toEqual(['/simple/acme-utils/']);
  });

  it('sends no package name to pypi.org without --check-pypi, and says how to compare', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7', explicit: true }], { 'acme-utils': 'tools' });
    storeNetrc(world.tokens.alicePat);
    pypi.addPackage({
      name: 'acme-utils',
      version: '9.0',
      files: [{ fileName: 'acme_utils-9.0-py3-none-any.whl', content: 'public' }],
    });

    const { report, code } = await doctor();

    expect(code).toBe(0);
    expect(find(report, 'package.acme-utils.confusion')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/pypi\.org not asked \(glx doctor --check-pypi/),
    });
    expect(pypi.requests).toEqual([]);
  });

  it('logs the pypi.org URL it asks with --check-pypi -v', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    pypi.expect(['acme-utils']);
    writeProject([{ name: 'tools', path: 'projects/7', explicit: true }], { 'acme-utils': 'tools' });
    storeNetrc(world.tokens.alicePat);

    const result = await glx(['--cwd', dir, '-v', 'doctor', '--check-pypi'], {
      env: { NETRC: path.join(dir, 'netrc'), GLX_PYPI_URL: pypiUrl },
      homeDir: dir,
      now: new Date('2026-11-22T12:00:00Z'),
    });

    expect(result.stderr).toContain(`GET ${pypiUrl}acme-utils/ (--check-pypi)`);
    expect(result.stdout).toMatch(
      /package acme-utils: pinned to "tools"; the registry answered 200, and pypi\.org has no package of that name/,
    );
    expect(result.stderr + result.stdout).not.toContain(world.tokens.alicePat);
  });

  it('a token committed to a tracked file', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat);
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, '.env.ci'), `TOKEN=${world.tokens.alicePat}\n`);
    execFileSync('git', ['-C', dir, 'add', '.env.ci', 'pyproject.toml']);
    const broken = await doctor();

    execFileSync('git', ['-C', dir, 'rm', '-q', '--cached', '.env.ci']);
    const fixed = await doctor();

    expect(find(broken.report, 'secrets.tracked')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/\.env\.ci:1 \(glpat-…\)/),
    });
    expect(broken.stdout).not.toContain(world.tokens.alicePat);
    expect(find(fixed.report, 'secrets.tracked').status).toBe('ok');
  });

  it('a token only staged is "not committed yet", not "in the git history"', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    storeNetrc(world.tokens.alicePat);
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(path.join(dir, '.env.ci'), 'TOKEN=\n');
    execFileSync('git', ['-C', dir, 'add', '.env.ci', 'pyproject.toml']);
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init']);
    writeFileSync(path.join(dir, '.env.ci'), `TOKEN=${world.tokens.alicePat}\n`);
    execFileSync('git', ['-C', dir, 'add', '.env.ci']);
    const staged = await doctor();

    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'oops']);
    const committed = await doctor();

    expect(find(staged.report, 'secrets.tracked')).toMatchObject({
      status: 'fail',
      message: 'a token is in a tracked file, not committed yet: .env.ci:1 (glpat-…)',
    });
    expect(find(staged.report, 'secrets.tracked').fix).not.toMatch(/history\)|is in the git history/);
    expect(find(committed.report, 'secrets.tracked')).toMatchObject({
      status: 'fail',
      message: 'a token is committed: .env.ci:1 (glpat-…)',
      fix: expect.stringMatching(/it is in the git history/),
    });
  });
});

describe('glx doctor --ci', () => {
  it('blames the job-token allowlist for a 404, and passes once the project is added', async () => {
    fake.expect([
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
    ]);
    writeProject([{ name: 'tools', path: 'projects/7' }]);
    const ci = {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: world.tokens.jobOther,
      CI_PROJECT_ID: '9',
      CI_PROJECT_PATH: 'beta/app',
      UV_INDEX_TOOLS_USERNAME: 'gitlab-ci-token',
      UV_INDEX_TOOLS_PASSWORD: world.tokens.jobOther,
    };
    const broken = await doctor(ci);
    const pagesBroken = fake.requests.filter((r) => r.route === 'GET /projects/:id/packages/pypi/simple').length;

    fake.project(7).jobTokenScope.allowlistProjectIds.push(9);
    const fixed = await doctor(ci);
    const pagesFixed =
      fake.requests.filter((r) => r.route === 'GET /projects/:id/packages/pypi/simple').length - pagesBroken;

    expect(find(broken.report, 'ci.tools.job-token')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/glx ci-setup --allowlist/),
    });
    expect(broken.report.checks.map((c) => c.id)).toContain('ci.tools.job-token');
    expect(find(fixed.report, 'ci.tools.job-token').status).toBe('ok');
    // uv's credentials here are the job token itself: the access check and the CI check read the
    // same page with the same credentials, and doctor asks GitLab for it once.
    expect([pagesBroken, pagesFixed]).toEqual([1, 1]);
  });
});

describe('glx doctor runs its network checks concurrently', () => {
  it('has the requests for five indexes in flight at once', async () => {
    // The stand-in counts the requests it is holding back (200 ms each), instead of timing doctor.
    let inFlight = 0;
    let maxInFlight = 0;
    await fake.close();
    fake = await createFakeGitLab({
      latencyMs: 200,
      sleep: async (ms) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, ms));
        inFlight--;
      },
    });
    world = fake.seed.standard();
    // Each index: the token check and a probe of a package page.
    fake.expect([...checkRoutes(), ...checkRoutes('group'), installRoutes()[0], installRoutes('group')[0]]);
    writeProject([
      { name: 'a', path: 'projects/7', explicit: true },
      { name: 'b', path: 'projects/11', explicit: true },
      { name: 'c', path: 'groups/42/-', explicit: true },
      { name: 'd', path: 'groups/43/-', explicit: true },
      { name: 'e', path: 'projects/8', explicit: true },
    ]);
    storeNetrc(world.tokens.alicePat);

    const { report } = await doctor();

    expect(report.summary.fail).toBe(0);
    expect(maxInFlight).toBeGreaterThanOrEqual(5);
  });
});
