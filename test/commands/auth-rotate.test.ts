import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes } from '../support/routes.js';
import { glx, type TestDepsOptions, tempDir } from '../support/test-deps.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const ROTATE = 'POST /personal_access_tokens/self/rotate';
const validate = new Ajv({ strict: false, allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('../../schemas/auth-rotate.schema.json', import.meta.url), 'utf8')),
);

/** stdout as one JSON object valid against schemas/auth-rotate.schema.json. */
function rotateJson(stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
  return value;
}

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let netrc: string;
let cleanup: () => void;
let onAnswered: (route: string | null) => void;

beforeEach(async () => {
  onAnswered = () => {};
  fake = await createFakeGitLab({ now: () => NOW, onRequest: (request) => onAnswered(request.route) });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  netrc = path.join(dir, 'netrc');
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    `[project]\nname = "demo"\nversion = "0.1.0"\n\n[[tool.uv.index]]\nname = "tools"\nurl = "${fake.url}/api/v4/projects/7/packages/pypi/simple"\nauthenticate = "always"\n`,
  );
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], env: Record<string, string> = {}, options: TestDepsOptions = {}) {
  return glx(['--cwd', dir, 'auth', 'rotate', ...args], {
    env: { NETRC: netrc, GLAB_CONFIG_DIR: path.join(dir, 'glab'), ...env },
    homeDir: dir,
    now: NOW,
    ...options,
  });
}

/** A token of alice's with scope api that expires on `expiresAt` (created 2025-01-15 by the stand-in). */
function aliceToken(expiresAt = '2026-12-01', scopes = ['api']): string {
  return fake.addToken({ kind: 'personal', user: 'alice', scopes, expiresAt, name: 'laptop' });
}

/** A token stored for the stand-in's host in the netrc: the token and the file's text. */
function storeToken(token = aliceToken()): { old: string; before: string } {
  const before = `machine 127.0.0.1 login __token__ password ${token}\n`;
  writeFileSync(netrc, before, { mode: 0o600 });
  return { old: token, before };
}

function newestToken(): string {
  return fake.state.tokens.at(-1)!.token;
}

function rotations() {
  return fake.requestsTo(ROTATE);
}

describe('glx auth rotate', () => {
  it('replaces the token in every netrc entry that holds it, whatever the host, and nothing else', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const old = aliceToken();
    const before = `# laptop\nmachine 127.0.0.1 login __token__ password ${old}\nmachine pypi.example.com login bob password s3cret-not-gitlab\n\nmachine gitlab.mirror.example\n  login __token__\n  password "${old}" # same token\n`;
    writeFileSync(netrc, before, { mode: 0o600 });

    const result = await run(['--verbose']);

    const fresh = newestToken();
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(netrc, 'utf8')).toBe(before.split(old).join(fresh));
    expect(statSync(netrc).mode & 0o777).toBe(0o600);
    expect(fake.token(old).revoked).toBe(true);
    expect(fake.token(fresh).revoked).toBeFalsy();
    expect(rotations()).toHaveLength(1);
    // The kept lifetime (2025-01-15 to 2026-12-01) is more than GitLab's 365 days, so 365 from today.
    expect(rotations()[0]!.body?.json).toEqual({ expires_at: '2027-11-22' });
    expect(result.stderr).toMatch(
      /Rotated "laptop": the old token is revoked; the new one expires 2027-11-22 \(in 364 days\)/,
    );
    expect(result.stderr).toContain('machine 127.0.0.1, machine gitlab.mirror.example');
    // The registry answered the new token before glx said so.
    expect(fake.requestsTo('GET /projects/:id/packages/pypi/simple').at(-1)?.auth.tokenId).toBe(fake.token(fresh).id);
    expect(result.stdout + result.stderr).not.toContain(old);
    expect(result.stdout + result.stderr).not.toContain(fresh);
  });

  it('sends the expiry asked for with --expires-in or --expires-at', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    storeToken();

    const byDays = await run(['--expires-in', '90d']);
    const byDate = await run(['--expires-at', '2027-03-01']);

    expect(byDays.code, byDays.stderr).toBe(0);
    expect(byDate.code, byDate.stderr).toBe(0);
    expect(rotations().map((r) => r.body?.json)).toEqual([{ expires_at: '2027-02-20' }, { expires_at: '2027-03-01' }]);
    expect(fake.token(newestToken()).expiresAt).toBe('2027-03-01');
    expect(readFileSync(netrc, 'utf8')).toBe(`machine 127.0.0.1 login __token__ password ${newestToken()}\n`);
  });

  it("replaces the token in glab's config when it came from there, keeping comments, quotes and mode", async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const old = aliceToken();
    const config = path.join(dir, 'glab', 'config.yml');
    mkdirSync(path.dirname(config));
    const before = `# glab config\ngit_protocol: ssh\nhosts:\n  gitlab.com:\n    token: glpat-unrelated-token-000\n  127.0.0.1:\n    # laptop token\n    token: '${old}'\n    api_protocol: http\nhost: 127.0.0.1\n`;
    writeFileSync(config, before, { mode: 0o600 });

    // NETRC names a file in a directory that does not exist: uv reads ~/.netrc, and glx has nothing to lock there.
    const result = await run([], { NETRC: path.join(dir, 'missing', 'netrc') });

    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(config, 'utf8')).toBe(before.replace(old, newestToken()));
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(fake.token(old).revoked).toBe(true);
    expect(result.stderr).toContain(`${config} (glab, host 127.0.0.1)`);
  });

  it('with --if-expiring-within rotates a token that is due and leaves one that is not (exit 0 both times)', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const { old } = storeToken(aliceToken('2026-12-01')); // 8 days (and a half) from now

    const notDue = await run(['--if-expiring-within', '7d']);
    const due = await run(['--if-expiring-within', '14d']);

    expect(notDue.code).toBe(0);
    expect(notDue.stderr).toMatch(
      /Not due: the token "laptop" expires 2026-12-01 \(in 8 days\), not within 7 days; nothing done/,
    );
    expect(due.code, due.stderr).toBe(0);
    expect(rotations()).toHaveLength(1);
    expect(fake.token(old).revoked).toBe(true);
  });

  it('--dry-run shows which token, where it is and what would change, and rotates nothing', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    const { old, before } = storeToken();

    const text = await run(['--dry-run', '--expires-in', '30d']);
    const json = await glx(['--cwd', dir, '--json', 'auth', 'rotate', '--dry-run'], {
      env: { NETRC: netrc },
      homeDir: dir,
      now: NOW,
    });

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^token {6}glpat-… from netrc: Personal access token "laptop", scopes api, expires 2026-12-01 \(in 8 days\)$/m,
    );
    expect(text.stdout).toContain(`update     ${netrc}: machine 127.0.0.1 (line 1)`);
    expect(text.stdout).toMatch(/new expiry 2026-12-22/);
    expect(rotateJson(json.stdout)).toMatchObject({
      source: 'netrc',
      name: 'laptop',
      due: true,
      newExpiresAt: '2027-11-22',
      rotated: false,
      stores: [{ kind: 'netrc', file: netrc }],
    });
    expect(readFileSync(netrc, 'utf8')).toBe(before);
    expect(rotations()).toHaveLength(0);
    expect(text.stdout + text.stderr + json.stdout).not.toContain(old);
  });

  it('--json reports a rotation and a token that is not due as one object each; the new token only with --print-token', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const { old } = storeToken();

    const notDue = await glx(['--cwd', dir, '--json', 'auth', 'rotate', '--if-expiring-within', '3d'], {
      env: { NETRC: netrc },
      homeDir: dir,
      now: NOW,
    });
    const rotated = await glx(['--cwd', dir, '--json', 'auth', 'rotate', '--print-token'], {
      env: { NETRC: netrc },
      homeDir: dir,
      now: NOW,
    });

    expect(rotateJson(notDue.stdout)).toMatchObject({ due: false, rotated: false, expiresInDays: 8 });
    const result = rotateJson(rotated.stdout);
    expect(result).toMatchObject({
      due: true,
      rotated: true,
      newExpiresAt: '2027-11-22',
      newToken: newestToken(),
      stores: [{ kind: 'netrc', entries: [{ name: 'machine 127.0.0.1', line: 1 }] }],
    });
    expect(result.token).not.toContain(old.slice(8));
    expect(notDue.stdout).not.toContain(old);
  });

  it('refuses a token only GITLAB_TOKEN holds unless --print-token, which prints the new one on stdout only', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const old = aliceToken();

    const refused = await run([], { GITLAB_TOKEN: old });
    const printed = await run(['--print-token'], { GITLAB_TOKEN: old });

    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/hint: Pass --print-token/);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(`${newestToken()}\n`);
    expect(printed.stderr).not.toContain(newestToken());
    expect(printed.stderr).toMatch(/warning: GITLAB_TOKEN still holds the old, revoked token/);
    expect(rotations()).toHaveLength(1);
  });

  it.each([
    [
      'a CI job token',
      () => ({ env: { GITLAB_CI: 'true', CI_JOB_TOKEN: world.tokens.jobSelf } }),
      /CI job token/,
      /new job token for every job/,
    ],
    [
      'a deploy token',
      () => ({
        netrc: `machine 127.0.0.1 login ${world.deployUsernames.deployRead} password ${world.tokens.deployRead}\n`,
      }),
      /deploy token/,
      /Deploy tokens/,
    ],
    [
      'an OAuth token from glab',
      () => ({ glab: fake.addToken({ kind: 'oauth', user: 'alice' }) }),
      /OAuth token/,
      /glab auth login/,
    ],
  ])('refuses %s with exit 4 before calling GitLab', async (_name, setup, message, hint) => {
    const given = setup() as { env?: Record<string, string>; netrc?: string; glab?: string };
    if (given.netrc) writeFileSync(netrc, given.netrc, { mode: 0o600 });
    if (given.glab) {
      mkdirSync(path.join(dir, 'glab'));
      writeFileSync(
        path.join(dir, 'glab', 'config.yml'),
        `hosts:\n  127.0.0.1:\n    token: ${given.glab}\n    is_oauth2: "true"\n`,
        { mode: 0o600 },
      );
    }

    const result = await run([], given.env ?? {});

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(hint);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a token without api or self_rotate after reading its scopes, before any rotation', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    storeToken(aliceToken('2026-12-01', ['read_api']));

    const result = await run([]);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/error: the token "laptop" \(scopes read_api\) cannot rotate itself/);
    expect(result.stderr).toMatch(/hint: .*self_rotate/);
    expect(fake.requests.map((r) => r.route)).toEqual(['GET /personal_access_tokens/self']);
  });

  it('rotates a token that has self_rotate without api', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    storeToken(aliceToken('2026-12-01', ['read_api', 'self_rotate']));

    const result = await run([]);

    expect(result.code, result.stderr).toBe(0);
    expect(fake.token(newestToken()).scopes).toEqual(['read_api', 'self_rotate']);
  });

  it('keeps the new token in a 0600 recovery file when a store cannot be written after the rotation', async () => {
    fake.expect([...checkRoutes(), 'POST /personal_access_tokens/self/rotate']);
    const { old } = storeToken();
    // The netrc turns into a directory while GitLab answers: the write after the rotation fails.
    onAnswered = (route) => {
      if (route !== ROTATE) return;
      rmSync(netrc);
      mkdirSync(netrc);
    };

    const result = await run([]);

    const fresh = newestToken();
    const recovery = readdirSync(dir).find((name) => name.startsWith('.glx-rotated-token-'));
    expect(result.code).toBe(1);
    expect(recovery).toBeDefined();
    const file = path.join(dir, recovery!);
    expect(readFileSync(file, 'utf8')).toBe(`${fresh}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(result.stderr).toContain(
      `error: the token was rotated (the old one is revoked), but ${netrc} could not be written`,
    );
    expect(result.stderr).toContain(`hint: Finish with: glx auth --netrc --token-stdin < ${file}`);
    expect(result.stdout + result.stderr).not.toContain(fresh);
    expect(fake.token(old).revoked).toBe(true);

    // The hint works: the recovered token is valid and goes where uv reads it.
    rmSync(netrc, { recursive: true });
    onAnswered = () => {};
    const finish = await glx(['--cwd', dir, 'auth', '--netrc', '--token-stdin'], {
      env: { NETRC: netrc },
      homeDir: dir,
      now: NOW,
      stdin: readFileSync(file, 'utf8'),
    });
    expect(finish.code, finish.stderr).toBe(0);
    expect(readFileSync(netrc, 'utf8')).toBe(`machine 127.0.0.1 login __token__ password ${fresh}\n`);
  });

  it('two rotations at once take turns: the second rotates the token the first stored, and the stored token works', async () => {
    fake.expect([
      'GET /personal_access_tokens/self',
      'POST /personal_access_tokens/self/rotate',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    const { old } = storeToken();

    const [a, b] = await Promise.all([run([]), run([])]);

    const stored = /password (\S+)/.exec(readFileSync(netrc, 'utf8'))![1]!;
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(rotations().map((r) => r.status)).toEqual([200, 200]);
    // Without the lock both would rotate the old token: GitLab answers the second 401 and revokes the first's new token.
    expect(fake.token(stored).revoked).toBeFalsy();
    expect(fake.token(stored).previousTokenId).toBe(fake.token(old).id + 1);
  });

  it('never retries the rotation: a lost answer is checked with a read and reported, and nothing changes', async () => {
    fake.expect(['GET /personal_access_tokens/self', 'POST /personal_access_tokens/self/rotate']);
    const { old, before } = storeToken();
    fake.faults.push({ route: ROTATE, kind: 'reset' });

    const result = await run([]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the token was not rotated and still works/);
    expect(rotations()).toHaveLength(1);
    expect(readFileSync(netrc, 'utf8')).toBe(before);
    expect(fake.token(old).revoked).toBeFalsy();
  });

  it('says so when GitLab rotated but the answer was cut off, without asking again (which would revoke the new token too)', async () => {
    fake.expect(['GET /personal_access_tokens/self', 'POST /personal_access_tokens/self/rotate']);
    const { old, before } = storeToken();
    fake.faults.push({ route: ROTATE, kind: 'truncate' });

    const result = await run([]);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /error: GitLab rotated the token but its answer was lost .*: the old token is revoked and the new one never arrived/,
    );
    expect(result.stderr).toMatch(/hint: Create a new token in GitLab .*Do not rotate the old one again/);
    expect(rotations()).toHaveLength(1);
    expect(fake.token(old).revoked).toBe(true);
    expect(fake.token(newestToken()).revoked).toBeFalsy();
    expect(readFileSync(netrc, 'utf8')).toBe(before);
  });

  it('maps a date GitLab will not take to exit 1 with the fix, and rotates nothing', async () => {
    fake.expect(['GET /personal_access_tokens/self', 'POST /personal_access_tokens/self/rotate']);
    const { old } = storeToken();

    const result = await run(['--expires-in', '400d']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /GitLab refused to rotate the token "laptop": 400 Bad request - Expires at must be before 2027-11-22; nothing changed/,
    );
    expect(result.stderr).toMatch(/hint: Pick an earlier date/);
    expect(fake.token(old).revoked).toBeFalsy();
  });

  it.each([
    // What self_rotation.rb answers a token that is not a PersonalAccessToken.
    [405, '405 Method Not Allowed', 4, /error: GitLab will not rotate the token "laptop": 405 Method Not Allowed/],
    // RotateService when another rotation revoked the token after it authenticated.
    [
      400,
      '400 Bad request - Token already revoked',
      1,
      /Token already revoked; nothing changed\nhint: Another rotation revoked this token first/,
    ],
  ])('maps a %i "%s" to its exit code and changes nothing', async (status, message, code, error) => {
    fake.expect(['GET /personal_access_tokens/self', ROTATE]);
    const { before } = storeToken();
    fake.faults.push({ route: ROTATE, kind: 'status', status, body: { message } });

    const result = await run([]);

    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(error);
    expect(readFileSync(netrc, 'utf8')).toBe(before);
  });

  it('refuses a date that is not in the future, and a bad number of days, as usage errors', async () => {
    const past = await run(['--expires-at', '2026-11-22']);
    const bad = await run(['--if-expiring-within', 'soon']);

    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/--expires-at 2026-11-22 is not in the future/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--if-expiring-within "soon" is not a number of days/);
  });
});

describe('pointers to glx auth rotate', () => {
  it('auth status and doctor point at glx auth rotate for a token expiring within 14 days', async () => {
    fake.expect([...checkRoutes(), 'GET /projects/:id/packages/pypi/simple/:package_name']);
    storeToken(aliceToken('2026-12-01'));

    const status = await glx(['--cwd', dir, 'auth', 'status'], { env: { NETRC: netrc }, homeDir: dir, now: NOW });
    const doctor = await glx(['--cwd', dir, 'doctor'], { env: { NETRC: netrc }, homeDir: dir, now: NOW });

    expect(status.stdout).toMatch(
      /the token expires in 8 days \(2026-12-01\); renew it in place with `glx auth rotate`/,
    );
    expect(doctor.stdout).toMatch(/expires in 8 days \(2026-12-01\)\n\s+fix: glx auth rotate/);
  });
});
