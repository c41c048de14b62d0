/** An IPv6 literal GitLab host: uv matches `machine [::1]` in a netrc, so glx writes exactly that. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitLab, StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { glx } from '../support/test-deps.js';
import { runUv, standInWithPackage, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('a GitLab on [::1]', () => {
  let fake: FakeGitLab;
  let world: StandardWorld;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ fake, world, dir, cleanup } = await standInWithPackage('glx-ipv6-', { hostname: '::1' }));
  });

  afterAll(async () => {
    await cleanup();
  });
  assertCleanAfterEach(() => fake);

  for (const uv of binaries) {
    it(`uv ${uv.version} installs with the netrc entry glx auth --netrc writes for [::1]`, async () => {
      fake.expect([...checkRoutes(), ...installRoutes()]);
      const work = path.join(dir, uv.version);
      const cwd = path.join(work, 'project');
      mkdirSync(cwd, { recursive: true });
      const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
      const env = { ...sandbox.env, PATH: `${path.dirname(uv.path)}${path.delimiter}${sandbox.env.PATH}` };
      writeFileSync(
        path.join(cwd, 'pyproject.toml'),
        `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${fake.url}/api/v4/projects/${world.projects.tools}/packages/pypi/simple"\nexplicit = true\nauthenticate = "always"\n\n[tool.uv.sources]\nacme-thing = { index = "gitlab" }\n`,
      );

      const login = await glx(['--cwd', cwd, 'auth', '--netrc'], {
        env: { ...env, GITLAB_TOKEN: world.tokens.alicePat },
        homeDir: sandbox.home,
        cwd,
      });
      const status = JSON.parse(
        (await glx(['--cwd', cwd, '--json', 'auth', 'status'], { env, homeDir: sandbox.home, cwd })).stdout,
      );
      const lock = await runUv(uv, ['lock'], { cwd, env });

      expect(login.code, login.stderr).toBe(0);
      expect(readFileSync(path.join(sandbox.home, '.netrc'), 'utf8')).toBe(
        `machine [::1] login __token__ password ${world.tokens.alicePat}\n`,
      );
      expect(status.indexes[0]).toMatchObject({ source: 'netrc', outcome: 'works' });
      expect(lock.code, lock.stderr).toBe(0);
    });
  }
});
