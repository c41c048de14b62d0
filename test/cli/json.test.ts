/**
 * --json on every command that prints a result, failures included: stdout holds exactly
 * one JSON object, valid against its schema in schemas/, and never a token glx was not asked for.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes } from '../support/routes.js';
import { glx, tempDir } from '../support/test-deps.js';

const ajv = new Ajv({ strict: false, allErrors: true });
const schemas = new Map<string, ValidateFunction>();
function schema(name: string): ValidateFunction {
  if (!schemas.has(name))
    schemas.set(
      name,
      ajv.compile(JSON.parse(readFileSync(new URL(`../../schemas/${name}.schema.json`, import.meta.url), 'utf8'))),
    );
  return schemas.get(name)!;
}

/** The whole of stdout is one JSON object valid against the schema; returns it. */
function oneObject(stdout: string, name: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  const validate = schema(name);
  expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}\n${stdout}`).toBe(true);
  return value;
}

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

const PYPROJECT = (url: string) =>
  `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n[[tool.uv.index]]\nname = "tools"\nurl = "${url}/api/v4/projects/7/packages/pypi/simple"\npublish-url = "${url}/api/v4/projects/7/packages/pypi"\nauthenticate = "always"\n`;

beforeEach(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT(fake.url));
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', dir, '--json', ...args], {
    env: { NETRC: path.join(dir, 'netrc'), SHELL: '/bin/bash', ...env },
    homeDir: dir,
    cwd: dir,
  });
}

describe('--json results, one object each, valid against schemas/', () => {
  it('init', async () => {
    const result = await run(['init', '--group', '42', '--name', 'acme']);

    expect(result.code).toBe(0);
    expect(oneObject(result.stdout, 'init')).toMatchObject({
      changed: true,
      index: { name: 'acme', action: 'added' },
      registry: { kind: 'group', id: '42', host: '127.0.0.1' },
    });
  });

  it('auth login and auth logout, with the token masked', async () => {
    fake.expect(checkRoutes());
    const login = await run(['auth', '--netrc'], { GITLAB_TOKEN: world.tokens.alicePat });
    const dry = await run(['auth', 'logout', '--dry-run']);
    const logout = await run(['auth', 'logout']);

    expect(login.code).toBe(0);
    expect(oneObject(login.stdout, 'auth-login')).toMatchObject({
      host: '127.0.0.1',
      verified: true,
      token: { source: 'GITLAB_TOKEN', kind: 'personal', user: 'alice', username: '__token__' },
      registries: [{ kind: 'project', id: '7', registryStatus: 200 }],
      stored: { in: 'netrc', action: 'added' },
    });
    expect(login.stdout).not.toContain(world.tokens.alicePat);
    expect(oneObject(dry.stdout, 'auth-logout')).toMatchObject({
      dryRun: true,
      removed: { in: 'netrc', action: 'removed', diff: expect.stringContaining('-machine 127.0.0.1') },
    });
    expect(dry.stdout).not.toContain(world.tokens.alicePat);
    expect(oneObject(logout.stdout, 'auth-logout')).toMatchObject({
      dryRun: false,
      removed: { in: 'netrc', action: 'removed' },
    });
  });

  it('auth login --dry-run puts the masked netrc diff in the object instead of printing it beside', async () => {
    const result = await run(['auth', '--netrc', '--dry-run', '--no-verify'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(oneObject(result.stdout, 'auth-login')).toMatchObject({
      dryRun: true,
      verified: false,
      stored: {
        in: 'netrc',
        action: 'added',
        diff: expect.stringContaining('+machine 127.0.0.1 login __token__ password glpat'),
      },
    });
    expect(result.stdout).not.toContain(world.tokens.alicePat);
  });

  it('env', async () => {
    const result = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(oneObject(result.stdout, 'env')).toEqual({
      variables: { UV_INDEX_TOOLS_USERNAME: '__token__', UV_INDEX_TOOLS_PASSWORD: world.tokens.alicePat },
    });
  });

  it('ci-setup', async () => {
    const result = await run(['ci-setup', '--dry-run', '--ci-file', path.join(dir, '.gitlab-ci.yml')]);

    expect(result.code, result.stderr).toBe(0);
    expect(oneObject(result.stdout, 'ci-setup')).toMatchObject({
      dryRun: true,
      created: true,
      indexes: [{ name: 'tools', username: 'UV_INDEX_TOOLS_USERNAME', password: 'UV_INDEX_TOOLS_PASSWORD' }],
    });
  });

  it('publish: every file carries both digests, a url or null, and its attempts, also in a dry run', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    mkdirSync(path.join(dir, 'dist'));
    await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'acme-json', version: '1.0' }]);

    const result = await run(['publish', '--dry-run'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code, result.stderr).toBe(0);
    const files = oneObject(result.stdout, 'publish').files as Array<Record<string, unknown>>;
    expect(files[0]).toMatchObject({
      status: 'would-upload',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      blake2_256: expect.stringMatching(/^[0-9a-f]{64}$/),
      attempts: 0,
    });
  });

  it('publish that does not complete: one object, the result with the error folded in', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    mkdirSync(path.join(dir, 'dist'));
    const [wheel] = await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'acme-clash', version: '1.0' }]);
    fake.addPackage(7, {
      name: 'acme-clash',
      version: '1.0',
      files: [{ fileName: path.basename(wheel!), content: 'other bytes' }],
    });

    const result = await run(['publish'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(1);
    const value = oneObject(result.stdout, 'publish');
    expect(value).toMatchObject({
      ok: false,
      error: 'publish incomplete: 1 conflicting with the registry',
      exitCode: 1,
      code: 'PUBLISH_INCOMPLETE',
      files: [{ status: 'conflict', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
    });
    expect(result.stderr).toMatch(/^error: publish incomplete/m);
  });
});

describe('--json failures: one object with error, hint, exitCode (schemas/error.schema.json)', () => {
  it.each<{ name: string; args: string[]; env: Record<string, string>; exitCode: number; code: string }>([
    { name: 'no token (env)', args: ['env'], env: {}, exitCode: 4, code: 'NO_TOKEN' },
    { name: 'no token (auth)', args: ['auth'], env: {}, exitCode: 4, code: 'NO_TOKEN' },
    { name: 'a bad flag value (init)', args: ['init', '--group', '0'], env: {}, exitCode: 2, code: 'USAGE' },
    { name: 'an unknown option (commander)', args: ['doctor', '--nope'], env: {}, exitCode: 2, code: 'USAGE' },
    {
      name: 'an unreachable host (auth)',
      args: ['auth', '--host', 'http://127.0.0.1:9'],
      env: { GITLAB_TOKEN: 'glpat-aaaaaaaaaaaaaaaaaaaa' },
      exitCode: 1,
      code: 'GITLAB_UNREACHABLE',
    },
  ])('$name', async ({ args, env, exitCode, code }) => {
    const result = await run(args, env);

    expect(result.code).toBe(exitCode);
    const value = oneObject(result.stdout, 'error');
    expect(value).toMatchObject({ exitCode, code, error: expect.any(String) });
    expect(result.stderr).toContain(`error: ${value.error as string}`);
  });

  it('a broken pyproject.toml names file:line:col in the JSON error too', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project\n');

    const result = await run(['doctor']);

    expect(result.code).toBe(1);
    // doctor reports a broken file as a failed check, in its own schema.
    expect(JSON.parse(result.stdout).ok).toBe(false);
    const env = await run(['env'], { GITLAB_TOKEN: world.tokens.alicePat });
    expect(env.code).toBe(2);
    expect(oneObject(env.stdout, 'error')).toMatchObject({
      code: 'PYPROJECT_INVALID',
      error: expect.stringMatching(/pyproject\.toml:1:\d+/),
    });
  });
});
