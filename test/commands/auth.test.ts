import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes } from '../support/routes.js';
import { glx, type TestDepsOptions, tempDir } from '../support/test-deps.js';

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let netrc: string;
let cleanup: () => void;

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

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => new Date('2026-11-22T12:00:00Z') });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  netrc = path.join(dir, 'netrc');
  writePyproject([{ name: 'tools', path: 'projects/7', publish: true }]);
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], env: Record<string, string> = {}, options: TestDepsOptions = {}) {
  return glx(['--cwd', dir, ...args], {
    env: { NETRC: netrc, ...env },
    homeDir: dir,
    now: new Date('2026-11-22T12:00:00Z'),
    ...options,
  });
}

function readNetrc(): string {
  return readFileSync(netrc, 'utf8');
}

function pythonNetrc(host: string): unknown {
  const out = execFileSync('python3', [
    '-c',
    'import netrc,json,sys; print(json.dumps(netrc.netrc(sys.argv[1]).authenticators(sys.argv[2])))',
    netrc,
    host,
  ]);
  return JSON.parse(out.toString());
}

describe('glx auth --netrc', () => {
  it('validates a personal access token and stores it for the host, mode 0600', async () => {
    fake.expect(checkRoutes());
    const token = world.tokens.alicePat;

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: token });

    expect(result.code).toBe(0);
    expect(readNetrc()).toBe(`machine 127.0.0.1 login __token__ password ${token}\n`);
    expect(statSync(netrc).mode & 0o777).toBe(0o600);
    expect(pythonNetrc('127.0.0.1')).toEqual(['__token__', '', token]);
    expect(result.stderr).toContain('Personal access token of alice');
    expect(result.stderr).toMatch(/✓ project 7: Developer, registry answered 200/);
    expect(result.stdout + result.stderr).not.toContain(token);
  });

  it('reads the token from stdin with --token-stdin', async () => {
    fake.expect(checkRoutes());
    const result = await run(['auth', '--netrc', '--token-stdin'], {}, { stdin: `${world.tokens.alicePat}\n` });

    expect(result.code).toBe(0);
    expect(readNetrc()).toContain(world.tokens.alicePat);
  });

  it('prompts for the token, hidden, only when stdin is a terminal', async () => {
    fake.expect(checkRoutes());
    const result = await run(['auth', '--netrc'], {}, { stdinIsTTY: true, prompt: () => world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /GitLab token for 127\.0\.0\.1 \(create one at http:\/\/127\.0\.0\.1:\d+\/-\/user_settings\/personal_access_tokens\?name=glx&scopes=read_api\)/,
    );
    expect(readNetrc()).toContain(world.tokens.alicePat);
  });

  it('exits 4 with a hint naming --token-stdin and GITLAB_TOKEN when there is no token and no terminal', async () => {
    const result = await run(['auth', '--netrc']);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: no GitLab token found for 127\.0\.0\.1\nhint: .*GITLAB_TOKEN.*--token-stdin/,
    );
    expect(existsSync(netrc)).toBe(false);
  });

  it('takes the token stored by glab for the host', async () => {
    fake.expect(checkRoutes());
    const glabDir = path.join(dir, 'glab');
    mkdirSync(glabDir);
    writeFileSync(
      path.join(glabDir, 'config.yml'),
      `host: 127.0.0.1\nhosts:\n  127.0.0.1:\n    token: ${world.tokens.alicePat}\n    api_protocol: http\n`,
    );

    const result = await run(['auth', '--netrc'], { GLAB_CONFIG_DIR: glabDir });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Token from glab');
  });

  it('updates an existing entry in place and keeps every other byte', async () => {
    fake.expect(checkRoutes());
    const before =
      '# my machines\nmachine example.com login me password secret1\n\nmachine 127.0.0.1 login old password glpat-old000000000000\ndefault login anon password x\n';
    writeFileSync(netrc, before, { mode: 0o600 });

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(readNetrc()).toBe(
      before.replace('login old password glpat-old000000000000', `login __token__ password ${world.tokens.alicePat}`),
    );
  });

  it('refuses to write into a group-readable netrc unless --fix-permissions', async () => {
    fake.expect(checkRoutes());
    writeFileSync(netrc, 'machine example.com login me password secret1\n');
    chmodSync(netrc, 0o644);

    const refused = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat });
    const fixed = await run(['auth', '--netrc', '--fix-permissions'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/hint: .*--fix-permissions/);
    expect(fixed.code).toBe(0);
    expect(statSync(netrc).mode & 0o777).toBe(0o600);
  });

  it('refuses a netrc that others can read before asking for a token', async () => {
    writeFileSync(netrc, 'machine example.com login me password secret1\n');
    chmodSync(netrc, 0o644);

    const result = await run(
      ['auth', '--netrc'],
      {},
      { stdinIsTTY: true, prompt: () => expect.fail('asked for a token the netrc cannot take') },
    );

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*netrc can be read or changed by other users \(mode 0644\)/);
    expect(result.stderr).not.toContain('GitLab token for');
    expect(readNetrc()).toBe('machine example.com login me password secret1\n');
    expect(fake.requests).toHaveLength(0);
  });

  it('warns when it stores a CI job token outside GitLab CI', async () => {
    fake.expect(['GET /job', 'GET /projects/:id/packages/pypi/simple']);
    const result = await run(['auth', '--netrc', '--token-stdin'], {}, { stdin: `${world.tokens.jobSelf}\n` });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: a CI job token is stored in the netrc outside GitLab CI; it stops working when its job ends',
    );
  });

  it('shows the change with --dry-run, passwords masked, and writes nothing', async () => {
    fake.expect(checkRoutes());
    writeFileSync(netrc, 'machine example.com login me password secretsecret1\n', { mode: 0o600 });

    const result = await run(['auth', '--netrc', '--dry-run'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('+machine 127.0.0.1 login __token__ password glpat');
    // An absolute path keeps its own name in the headers, not git's b/ prefix.
    expect(result.stdout).toMatch(new RegExp(`^--- ${netrc}\\n\\+\\+\\+ ${netrc}\\n`));
    expect(result.stdout).not.toContain(world.tokens.alicePat);
    expect(result.stdout).not.toContain('secretsecret1');
    expect(readNetrc()).toBe('machine example.com login me password secretsecret1\n');
  });

  it('skips GitLab entirely with --no-verify', async () => {
    const result = await run(['auth', '--netrc', '--no-verify'], { GITLAB_TOKEN: 'glpat-notcheckednotchecked' });

    expect(result.code).toBe(0);
    expect(fake.requests).toHaveLength(0);
    expect(readNetrc()).toContain('glpat-notcheckednotchecked');
  });
});

describe('glx auth knows every token kind', () => {
  it('recognises a project access token by its bot user', async () => {
    fake.expect(checkRoutes());
    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.projectBot });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Project access token of project_7_bot');
  });

  it('recognises a group access token and lets it read the group registry', async () => {
    fake.expect(checkRoutes('group'));
    writePyproject([{ name: 'acme', path: 'groups/42/-' }]);

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.groupBot });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Group access token of group_42_bot');
    expect(result.stderr).toMatch(/✓ group 42: Developer, registry answered 200/);
  });

  it('stores a deploy token under its own username, checked on the registry itself', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const result = await run(['auth', '--netrc', '--username', world.deployUsernames.deployRead], {
      GITLAB_TOKEN: world.tokens.deployRead,
    });

    expect(result.code).toBe(0);
    expect(readNetrc()).toBe(
      `machine 127.0.0.1 login ${world.deployUsernames.deployRead} password ${world.tokens.deployRead}\n`,
    );
    expect(fake.requests.map((r) => r.route)).toEqual(['GET /projects/:id/packages/pypi/simple']);
  });

  it('asks for the username of a deploy token', async () => {
    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.deployRead });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/deploy token .*\nhint: Pass --username/);
  });

  it('uses the CI job token as gitlab-ci-token in GitLab CI', async () => {
    fake.expect(['GET /job', 'GET /projects/:id/packages/pypi/simple']);
    const result = await run(['auth', '--netrc'], {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: world.tokens.jobSelf,
      CI_SERVER_URL: fake.url,
    });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('CI job token');
    expect(readNetrc()).toBe(`machine 127.0.0.1 login gitlab-ci-token password ${world.tokens.jobSelf}\n`);
    expect(fake.requestsTo('GET /job')[0]?.headers['job-token']).toBe(world.tokens.jobSelf);
  });
});

describe('glx auth refuses what cannot work, with exit 4 and nothing written', () => {
  // What each refusal costs: the token lookup alone, then the registry probe, then the role lookup.
  const lookup = ['GET /personal_access_tokens/self'];
  const probe = [...lookup, 'GET /user', 'GET /projects/:id/packages/pypi/simple'];
  const role = [...probe, 'GET /projects/:id', 'GET /projects/:id/members/all/:user_id'];
  it.each([
    [
      'an unknown token',
      () => 'glpat-doesnotexist000000',
      [],
      /rejected the credentials.*401/,
      /unknown to this GitLab/,
      lookup,
    ],
    ['a revoked token', () => world.tokens.aliceRevoked, [], /revoked/, /new token/, lookup],
    ['an expired token', () => world.tokens.aliceExpired, [], /expired/, /new token/, lookup],
    [
      'a token without read_api',
      () => world.tokens.aliceReadUser,
      [],
      /cannot read package registries/,
      /read_api/,
      probe,
    ],
    [
      'a read_api token asked to publish',
      () => world.tokens.aliceReadApi,
      ['--publish'],
      /cannot publish/,
      /scope api/,
      probe,
    ],
    [
      'a Guest on a private project',
      () => world.tokens.carolPat,
      [],
      /carol is Guest on project 7; installing needs Reporter/,
      /Reporter role/,
      role,
    ],
    [
      'a Reporter asked to publish',
      () => world.tokens.bobPat,
      ['--publish'],
      /bob is Reporter on project 7; publishing needs Developer/,
      /Developer role/,
      role,
    ],
    ['a finished CI job token', () => world.tokens.jobFinished, [], /401/, /only while its job runs/, ['GET /job']],
  ])('%s', async (_name, token, extra, message, hint, routes) => {
    fake.expect(routes as string[]);
    const result = await run(['auth', '--netrc', ...(extra as string[])], { GITLAB_TOKEN: (token as () => string)() });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`error: .*${(message as RegExp).source}`));
    expect(result.stderr).toMatch(new RegExp(`hint: .*${(hint as RegExp).source}`));
    expect(existsSync(netrc)).toBe(false);
    expect(result.stderr).not.toContain((token as () => string)());
  });

  it('explains that a project-only member cannot read a group registry', async () => {
    fake.expect(checkRoutes('group'));
    writePyproject([{ name: 'acme', path: 'groups/42/-' }]);

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.bobPat });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/bob is not a member on group 42/);
    expect(result.stderr).toMatch(/hint: A private group registry needs membership of the group itself/);
  });

  it('explains that a project access token cannot read a group registry', async () => {
    fake.expect(checkRoutes('group'));
    writePyproject([{ name: 'acme', path: 'groups/42/-' }]);

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.projectBot });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/hint: A project access token is a member of its project only/);
  });

  it('warns when the token expires within 14 days', async () => {
    fake.expect(checkRoutes());
    const soon = fake.addToken({ kind: 'personal', user: 'alice', scopes: ['api'], expiresAt: '2026-11-30' });

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: soon });

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: the token expires in 7 days \(2026-11-30\)/);
  });
});

describe('glx auth --uv-store', () => {
  it('hands the token to `uv auth login` on stdin, never in argv', async () => {
    fake.expect(checkRoutes());
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const log = path.join(dir, 'uv.log');
    writeFileSync(
      path.join(bin, 'uv'),
      `#!/bin/sh\necho "argv: $*" >> ${log}\necho "stdin: $(cat)" >> ${log}\necho "Stored credentials" >&2\n`,
      { mode: 0o755 },
    );

    const result = await run(['auth', '--uv-store'], {
      GITLAB_TOKEN: world.tokens.alicePat,
      PATH: `${bin}:${process.env.PATH}`,
    });

    expect(result.stderr).toContain('Stored credentials for');
    expect(result.code).toBe(0);
    const calls = readFileSync(log, 'utf8');
    expect(calls).toContain(
      `argv: auth login ${fake.url}/api/v4/projects/7/packages/pypi/simple --username __token__ --password -`,
    );
    expect(calls).toContain(`stdin: ${world.tokens.alicePat}`);
    expect(calls.split('\n').find((line) => line.startsWith('argv'))).not.toContain(world.tokens.alicePat);
  });

  it('says clearly when uv is not installed', async () => {
    fake.expect(checkRoutes());
    const result = await run(['auth', '--uv-store'], { GITLAB_TOKEN: world.tokens.alicePat, PATH: '/nonexistent' });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/uv is not on PATH.*\nhint: Install uv/);
  });
});

describe('glx auth keeps a token on the host it is for', () => {
  // The stand-in answers on 127.0.0.1 and on localhost: to uv and glx these are two hosts.
  const otherHost = () => fake.url.replace('127.0.0.1', 'localhost');

  it('refuses (exit 4) when GITLAB_HOST names a host none of the indexes is on, storing nothing', async () => {
    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat, GITLAB_HOST: otherHost() });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /error: the token would be for localhost \(from GITLAB_HOST\), but the GitLab indexes in pyproject.toml are on 127\.0\.0\.1; nothing was checked or stored/,
    );
    expect(result.stderr).toContain(
      `hint: Run \`glx auth --host ${fake.url}\` to check and store a token for 127.0.0.1, or unset GITLAB_HOST.`,
    );
    expect(existsSync(netrc)).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('checks only the indexes on the token host, and says which ones it left alone', async () => {
    fake.expect(checkRoutes());
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `${readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')}\n[[tool.uv.index]]\nname = "elsewhere"\nurl = "${otherHost()}/api/v4/groups/42/-/packages/pypi/simple"\n`,
    );

    const result = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: index "elsewhere" is on localhost, but the token is for 127.0.0.1 (from pyproject.toml): it is not checked, and nothing is stored for localhost',
    );
    expect(readNetrc()).toBe(`machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`);
    expect(fake.requests.map((request) => request.headers.host)).not.toContain(new URL(otherHost()).host);
  });
});

describe('glx auth logout', () => {
  it("removes the host's netrc entry and nothing else", async () => {
    writeFileSync(
      netrc,
      `machine example.com login me password secret1\nmachine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`,
      { mode: 0o600 },
    );

    const result = await run(['auth', 'logout']);

    expect(result.code).toBe(0);
    expect(readNetrc()).toBe('machine example.com login me password secret1\n');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('glx auth status', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(
    JSON.parse(readFileSync(new URL('../../schemas/auth-status.schema.json', import.meta.url), 'utf8')),
  );

  it('reports netrc credentials as what uv uses, and exits 0 when they work', async () => {
    fake.expect(checkRoutes());
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

    const result = await run(['--json', 'auth', 'status']);

    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
    expect(status.indexes[0]).toMatchObject({
      name: 'tools',
      source: 'netrc',
      ok: true,
      credentials: { kind: 'personal', user: 'alice', role: 'Developer', registryStatus: 200 },
    });
    expect(result.stdout).not.toContain(world.tokens.alicePat);
  });

  it('reads keyring-provider from uv.toml and [tool.uv], as doctor does (uv.toml wins; UV_KEYRING_PROVIDER over both)', async () => {
    fake.expect(checkRoutes());
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });
    const keyringOf = async (env: Record<string, string> = {}) =>
      JSON.parse((await run(['--json', 'auth', 'status'], env)).stdout).indexes[0].sources.find(
        (s: { source: string }) => s.source === 'keyring',
      ).detail;
    const pyproject = path.join(dir, 'pyproject.toml');
    writeFileSync(
      pyproject,
      readFileSync(pyproject, 'utf8').replace(
        '[[tool.uv.index]]',
        '[tool.uv]\nkeyring-provider = "subprocess"\n\n[[tool.uv.index]]',
      ),
    );

    const fromPyproject = await keyringOf();
    writeFileSync(path.join(dir, 'uv.toml'), 'keyring-provider = "disabled"\n');
    const fromUvToml = await keyringOf();
    const fromEnv = await keyringOf({ UV_KEYRING_PROVIDER: 'subprocess' });

    expect(fromPyproject).toMatch(/keyring-provider = subprocess/);
    expect(fromUvToml).toMatch(/^disabled/);
    expect(fromEnv).toMatch(/keyring-provider = subprocess/);
  });

  it('puts env vars ahead of netrc, as uv does, and exits 4 when they fail', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

    const result = await run(['--json', 'auth', 'status'], {
      UV_INDEX_TOOLS_USERNAME: '__token__',
      UV_INDEX_TOOLS_PASSWORD: world.tokens.aliceRevoked,
    });

    expect(result.code).toBe(4);
    const status = JSON.parse(result.stdout);
    expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
    expect(status.indexes[0].source).toBe('env');
    expect(status.indexes[0].problems[0].message).toMatch(/revoked/);
  });

  it('exits 1, not 4, when the GitLab host cannot be reached', async () => {
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[[tool.uv.index]]\nname = "tools"\nurl = "http://127.0.0.1:9/api/v4/projects/7/packages/pypi/simple"\n',
    );

    const result = await run(['--json', 'auth', 'status'], {
      UV_INDEX_TOOLS_USERNAME: '__token__',
      UV_INDEX_TOOLS_PASSWORD: world.tokens.alicePat,
    });

    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout);
    expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
    expect(status.indexes[0].problems[0].message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
  });

  it('warns about a token that expires within 14 days, as doctor does', async () => {
    fake.expect(checkRoutes());
    const soon = fake.addToken({ kind: 'personal', user: 'alice', scopes: ['api'], expiresAt: '2026-11-30' });
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${soon}\n`, { mode: 0o600 });

    const text = await run(['auth', 'status']);
    const json = await run(['--json', 'auth', 'status']);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /warning +the token expires in 7 days \(2026-11-30\); renew it in place with `glx auth rotate`/,
    );
    const status = JSON.parse(json.stdout);
    expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
    expect(status.indexes[0].warnings).toEqual([
      'the token expires in 7 days (2026-11-30); renew it in place with `glx auth rotate`',
    ]);
  });

  it('warns about a CI job token kept in the netrc outside CI', async () => {
    fake.expect(['GET /job', 'GET /projects/:id/packages/pypi/simple']);
    writeFileSync(netrc, `machine 127.0.0.1 login gitlab-ci-token password ${world.tokens.jobSelf}\n`, { mode: 0o600 });

    const result = await run(['--json', 'auth', 'status']);

    const status = JSON.parse(result.stdout);
    expect(validate(status), JSON.stringify(validate.errors)).toBe(true);
    expect(status.indexes[0].warnings).toContain(
      'a CI job token is stored in the netrc outside GitLab CI; it stops working when its job ends: store a personal, project or group access token instead',
    );
  });

  it('flags a netrc login that disagrees with a username uv already has', async () => {
    writeFileSync(netrc, `machine 127.0.0.1 login someone password ${world.tokens.alicePat}\n`, { mode: 0o600 });

    const result = await run(['--json', 'auth', 'status'], { UV_INDEX_TOOLS_USERNAME: '__token__' });

    const status = JSON.parse(result.stdout);
    expect(result.code).toBe(4);
    expect(status.indexes[0].source).toBe('none');
    expect(status.indexes[0].sources.find((s: { source: string }) => s.source === 'netrc').detail).toMatch(
      /login someone, but uv already has username __token__/,
    );
  });

  it('prints a readable report without --json', async () => {
    fake.expect(checkRoutes());
    writeFileSync(netrc, `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

    const result = await run(['auth', 'status']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ tools +http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/7\/packages\/pypi\/simple/);
    expect(result.stdout).toMatch(/→ netrc/);
    expect(result.stdout).not.toContain(world.tokens.alicePat);
  });
});
