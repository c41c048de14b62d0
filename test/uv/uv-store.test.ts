/**
 * `glx auth --uv-store` / `glx auth logout --uv-store` with the real `uv auth`: uv keys its store by
 * (service, username), so glx must log out the username it stored, replace rather than add, refuse
 * plain http where uv does, and find the store where uv keeps it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitLab, StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { glx } from '../support/test-deps.js';
import { runUv, standInWithPackage, type UvBinary, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('uv credentials store through glx', () => {
  let fake: FakeGitLab;
  let world: StandardWorld;
  let dir: string;
  let cleanup: () => Promise<void>;
  let index: string;

  beforeAll(async () => {
    ({ fake, world, dir, cleanup } = await standInWithPackage('glx-uvstore-'));
    index = `${fake.url}/api/v4/projects/${world.projects.tools}/packages/pypi/simple`;
  });

  afterAll(async () => {
    await cleanup();
  });
  assertCleanAfterEach(() => fake);

  function project(
    uv: UvBinary,
    name: string,
    url = index,
  ): { cwd: string; env: Record<string, string>; home: string; work: string } {
    const work = path.join(dir, `${name}-${uv.version}`);
    const cwd = path.join(work, 'project');
    mkdirSync(cwd, { recursive: true });
    const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
    writeFileSync(
      path.join(cwd, 'pyproject.toml'),
      `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${url}"\nexplicit = true\nauthenticate = "always"\n\n[tool.uv.sources]\nacme-thing = { index = "gitlab" }\n`,
    );
    // glx drives the same uv the test checks with.
    const env = {
      ...sandbox.env,
      PATH: `${path.dirname(uv.path)}${path.delimiter}${sandbox.env.PATH}`,
      GITLAB_HOST: fake.url,
    };
    return { cwd, env, home: sandbox.home, work };
  }

  for (const uv of binaries) {
    it(`uv ${uv.version}: logout removes a deploy-token entry (stored under its own username) and uv stops authenticating`, async () => {
      // A deploy token is not looked up, only tried on the index; uv, without credentials, asks nothing.
      fake.expect(['GET /projects/:id/packages/pypi/simple']);
      const p = project(uv, 'logout');
      const user = world.deployUsernames.deployRead;
      const login = await glx(['--cwd', p.cwd, 'auth', '--uv-store', '--username', user], {
        env: { ...p.env, GITLAB_TOKEN: world.tokens.deployRead },
        homeDir: p.home,
        cwd: p.cwd,
      });
      expect(login.code, login.stderr).toBe(0);
      expect(
        (await runUv(uv, ['auth', 'token', index, '--username', user], { cwd: p.cwd, env: p.env })).stdout.trim(),
      ).toBe(world.tokens.deployRead);

      const logout = await glx(['--cwd', p.cwd, 'auth', 'logout', '--uv-store'], {
        env: p.env,
        homeDir: p.home,
        cwd: p.cwd,
      });

      expect(logout.code, logout.stderr).toBe(0);
      expect(logout.stderr).toContain(`login ${user}`);
      const token = await runUv(uv, ['auth', 'token', index, '--username', user], { cwd: p.cwd, env: p.env });
      expect(token.code).not.toBe(0);
      const lock = await runUv(uv, ['lock'], { cwd: p.cwd, env: p.env });
      expect(lock.stderr).toContain('Missing credentials');
    });

    it(`uv ${uv.version}: a second --uv-store with another username replaces the entry, and uv lock works`, async () => {
      fake.expect([...checkRoutes(), ...installRoutes()]);
      const p = project(uv, 'replace');
      const first = await glx(['--cwd', p.cwd, 'auth', '--uv-store', '--username', world.deployUsernames.deployRead], {
        env: { ...p.env, GITLAB_TOKEN: world.tokens.deployRead },
        homeDir: p.home,
        cwd: p.cwd,
      });
      expect(first.code, first.stderr).toBe(0);

      const second = await glx(['--cwd', p.cwd, 'auth', '--uv-store'], {
        env: { ...p.env, GITLAB_TOKEN: world.tokens.alicePat },
        homeDir: p.home,
        cwd: p.cwd,
      });

      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('Removed the old entry');
      const store = readFileSync(path.join(p.work, 'xdg-data', 'uv', 'credentials', 'credentials.toml'), 'utf8');
      expect(store.match(/\[\[credential\]\]/g)).toHaveLength(1);
      expect(store).not.toContain(world.tokens.deployRead);
      const status = JSON.parse(
        (await glx(['--cwd', p.cwd, '--json', 'auth', 'status'], { env: p.env, homeDir: p.home, cwd: p.cwd })).stdout,
      );
      expect(status.indexes[0]).toMatchObject({ source: 'uv-store', outcome: 'works' });
      const lock = await runUv(uv, ['lock'], { cwd: p.cwd, env: p.env });
      expect(lock.code, lock.stderr).toBe(0);
    });

    it(`uv ${uv.version}: glx finds the store where uv keeps it (asked with uv auth dir: a relative XDG_DATA_HOME does not count)`, async () => {
      fake.expect(checkRoutes()); // what auth status checks
      const p = project(uv, 'dir');
      const env = { ...p.env, XDG_DATA_HOME: 'relative/data' };
      const login = await runUv(uv, ['auth', 'login', index, '--username', '__token__', '--password', '-'], {
        cwd: p.cwd,
        env,
        input: `${world.tokens.alicePat}\n`,
      });
      expect(login.code, login.stderr).toBe(0);

      const status = JSON.parse(
        (await glx(['--cwd', p.cwd, '--json', 'auth', 'status'], { env, homeDir: p.home, cwd: p.cwd })).stdout,
      );

      expect(status.indexes[0]).toMatchObject({ source: 'uv-store', outcome: 'works' });
      expect(status.indexes[0].sources.find((s: { source: string }) => s.source === 'uv-store').detail).toContain(
        path.join(p.home, '.local', 'share', 'uv', 'credentials', 'credentials.toml'),
      );
    });

    it(`uv ${uv.version}: a plain-http index uv does not count as local is refused up front with a --netrc hint, as uv auth login refuses it`, async () => {
      // 127.0.0.2 is loopback (glx talks http to it) but not one of uv's local hosts.
      const url = `http://127.0.0.2:${fake.port}/api/v4/projects/7/packages/pypi/simple`;
      const p = project(uv, 'http', url);
      const refused = await runUv(uv, ['auth', 'login', url, '--username', '__token__', '--password', 'x'], {
        cwd: p.cwd,
        env: p.env,
      });
      expect(refused.stderr).toContain('HTTPS is required');

      const result = await glx(['--cwd', p.cwd, 'auth', '--uv-store', '--no-verify'], {
        env: { ...p.env, GITLAB_TOKEN: world.tokens.alicePat, GITLAB_HOST: `http://127.0.0.2:${fake.port}` },
        homeDir: p.home,
        cwd: p.cwd,
      });

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error: .*https only.*\nhint: .*--netrc/);
      expect(result.stderr).not.toContain(world.tokens.alicePat);
    });
  }
});
