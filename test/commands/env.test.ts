import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes } from '../support/routes.js';
import { glx, type TestDepsOptions, tempDir } from '../support/test-deps.js';

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

const TWO_INDEXES = (url: string) =>
  `[project]\nname = "demo"\nversion = "0.1.0"\n\n[[tool.uv.index]]\nname = "acme-group"\nurl = "${url}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n\n[[tool.uv.index]]\nname = "tools"\nurl = "${url}/api/v4/projects/7/packages/pypi/simple"\npublish-url = "${url}/api/v4/projects/7/packages/pypi"\nauthenticate = "always"\n\n[[tool.uv.index]]\nname = "pytorch"\nurl = "https://download.pytorch.org/whl/cpu"\nexplicit = true\n`;

beforeEach(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), TWO_INDEXES(fake.url));
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], env: Record<string, string> = {}, options: TestDepsOptions = {}) {
  return glx(['--cwd', dir, ...args], {
    env: { NETRC: path.join(dir, 'netrc'), SHELL: '/bin/bash', ...env },
    homeDir: dir,
    ...options,
  });
}

describe('glx env', () => {
  it('prints username and password variables for every GitLab index, and only those', async () => {
    const token = world.tokens.alicePat;

    const result = await run(['env'], { GITLAB_TOKEN: token });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "export UV_INDEX_ACME_GROUP_USERNAME='__token__'",
        `export UV_INDEX_ACME_GROUP_PASSWORD='${token}'`,
        "export UV_INDEX_TOOLS_USERNAME='__token__'",
        `export UV_INDEX_TOOLS_PASSWORD='${token}'`,
        '',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(fake.requests).toHaveLength(0);
  });

  it('uses gitlab-ci-token and the job token in GitLab CI', async () => {
    const result = await run(['env', '--shell', 'sh'], { GITLAB_CI: 'true', CI_JOB_TOKEN: world.tokens.jobSelf });

    expect(result.stdout).toContain("export UV_INDEX_TOOLS_USERNAME='gitlab-ci-token'");
    expect(result.stdout).toContain(`export UV_INDEX_TOOLS_PASSWORD='${world.tokens.jobSelf}'`);
  });

  it('prefers an explicit token over the job token in CI', async () => {
    const result = await run(['env'], {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: world.tokens.jobSelf,
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.stdout).toContain("UV_INDEX_TOOLS_USERNAME='__token__'");
    expect(result.stdout).not.toContain(world.tokens.jobSelf);
  });

  it('takes a deploy token and its login from the netrc', async () => {
    const login = world.deployUsernames.deployRead;
    writeFileSync(path.join(dir, 'netrc'), `machine 127.0.0.1 login ${login} password ${world.tokens.deployRead}\n`, {
      mode: 0o600,
    });

    const result = await run(['env', '--index', 'tools']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `export UV_INDEX_TOOLS_USERNAME='${login}'\nexport UV_INDEX_TOOLS_PASSWORD='${world.tokens.deployRead}'\n`,
    );
  });

  it('adds UV_PUBLISH_* for the index with a publish-url', async () => {
    const result = await run(['env', '--publish', '--shell', 'fish'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.stdout).toContain("set -gx UV_PUBLISH_INDEX 'tools';");
    expect(result.stdout).not.toContain('UV_PUBLISH_URL');
    expect(result.stdout).toContain("set -gx UV_PUBLISH_USERNAME '__token__';");
    expect(result.stdout).toContain(`set -gx UV_PUBLISH_PASSWORD '${world.tokens.alicePat}';`);
  });

  it('picks the shell syntax from $SHELL', async () => {
    const result = await run(['env', '--index', 'tools'], {
      GITLAB_TOKEN: world.tokens.alicePat,
      SHELL: '/usr/bin/fish',
    });

    expect(result.stdout).toMatch(/^set -gx UV_INDEX_TOOLS_USERNAME '__token__';/);
  });

  it('checks the credentials with --verify and prints nothing when they fail', async () => {
    fake.expect([...checkRoutes('group'), ...checkRoutes()]);
    const ok = await run(['env', '--verify'], { GITLAB_TOKEN: world.tokens.alicePat });
    const bad = await run(['env', '--verify'], { GITLAB_TOKEN: world.tokens.bobPat });

    expect(ok.code).toBe(0);
    expect(bad.code).toBe(4);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/error: index "acme-group": bob is not a member on group 42/);
  });
});

describe('glx env never lets eval run half an answer', () => {
  it('exits 4 with nothing on stdout when there is no token', async () => {
    const result = await run(['env']);

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: no GitLab token for 127\.0\.0\.1 \(index "acme-group"\)\nhint: /);
  });

  it('exits 2 with nothing on stdout when two index names share a variable', async () => {
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `${TWO_INDEXES(fake.url)}\n[[tool.uv.index]]\nname = "Tools"\nurl = "https://example.com/simple"\n`,
    );

    const result = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/indexes "tools" and "Tools" .* share the variable UV_INDEX_TOOLS_USERNAME/);
  });

  it('exits 2 when pyproject.toml has no GitLab index', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');

    const result = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/has no GitLab index\nhint: Add one with `glx init/);
  });

  it('exits 2 for an unknown --index or --shell', async () => {
    const index = await run(['env', '--index', 'nope'], { GITLAB_TOKEN: world.tokens.alicePat });
    const shell = await run(['env', '--shell', 'tcsh'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect([index.code, shell.code]).toEqual([2, 2]);
    expect(index.stdout + shell.stdout).toBe('');
    expect(index.stderr).toMatch(/GitLab indexes there: acme-group, tools/);
  });

  it('refuses --publish when no index has a publish-url', async () => {
    const result = await run(['env', '--publish', '--index', 'acme-group'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/glx init --project <id\|path> --publish/);
  });
});

describe('glx env sends a token only to the host it is for', () => {
  // The stand-in answers on 127.0.0.1 and on localhost: to uv and glx these are two hosts.
  const otherHost = () => fake.url.replace('127.0.0.1', 'localhost');
  const withOtherHost = () =>
    `${TWO_INDEXES(fake.url)}\n[[tool.uv.index]]\nname = "elsewhere"\nurl = "${otherHost()}/api/v4/groups/42/-/packages/pypi/simple"\n`;

  it('does not export GITLAB_TOKEN for an index on another host, and says so', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), withOtherHost());
    const token = world.tokens.alicePat;

    const result = await run(['env'], { GITLAB_TOKEN: token });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`UV_INDEX_TOOLS_PASSWORD='${token}'`);
    expect(result.stdout).not.toContain('UV_INDEX_ELSEWHERE');
    expect(result.stderr).toMatch(
      /warning: index "elsewhere" is on localhost, but GITLAB_TOKEN is for 127\.0\.0\.1: no credentials printed for it/,
    );
  });

  it("gives an index on another host its own host's netrc entry", async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), withOtherHost());
    writeFileSync(path.join(dir, 'netrc'), `machine localhost login __token__ password ${world.tokens.bobPat}\n`, {
      mode: 0o600,
    });

    const result = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`UV_INDEX_ELSEWHERE_PASSWORD='${world.tokens.bobPat}'`);
    expect(result.stdout).toContain(`UV_INDEX_TOOLS_PASSWORD='${world.tokens.alicePat}'`);
    expect(result.stderr).toBe('');
  });

  it('exits 4 with nothing on stdout when GITLAB_HOST names another host than every index', async () => {
    const result = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat, GITLAB_HOST: otherHost() });

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /error: no GitLab token for 127\.0\.0\.1 \(index "acme-group"\): GITLAB_TOKEN is for localhost/,
    );
    expect(result.stderr).not.toContain(world.tokens.alicePat);
  });

  it('does not hand CI_JOB_TOKEN to an index outside the CI server', async () => {
    const result = await run(['env'], {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: world.tokens.jobSelf,
      CI_SERVER_URL: otherHost(),
    });

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
  });
});

describe('glx env refuses a malformed token as glx auth does', () => {
  it('exits 4 on a GITLAB_TOKEN with a trailing CR, naming the position, printing nothing', async () => {
    const token = `${world.tokens.alicePat}\r`;

    const result = await run(['env'], { GITLAB_TOKEN: token });
    const auth = await run(['auth', '--no-verify'], { GITLAB_TOKEN: token });

    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      `error: the token from GITLAB_TOKEN contains a control character at position ${token.length}`,
    );
    expect(result.stderr).toBe(auth.stderr);
  });
});
