/**
 * A NETRC naming a missing file: uv falls back to ~/.netrc, and creating the NETRC file would hide
 * ~/.netrc from uv. glx auth --netrc writes where uv reads instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitLab, StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { glx } from '../support/test-deps.js';
import { runUv, standInWithPackage, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('NETRC names a missing file', () => {
  let fake: FakeGitLab;
  let world: StandardWorld;
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ fake, world, dir, cleanup } = await standInWithPackage('glx-netrcvar-'));
  });

  afterAll(async () => {
    await cleanup();
  });
  assertCleanAfterEach(() => fake);

  for (const uv of binaries) {
    it(`uv ${uv.version} keeps reading ~/.netrc after glx auth --netrc`, async () => {
      // glx checks the group index (on 127.0.0.1); uv installs from the project index (on localhost).
      fake.expect([...checkRoutes('group'), ...installRoutes('project')]);
      const work = path.join(dir, uv.version);
      const cwd = path.join(work, 'project');
      mkdirSync(cwd, { recursive: true });
      const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
      const missing = path.join(work, 'netrc-not-there');
      const env = {
        ...sandbox.env,
        PATH: `${path.dirname(uv.path)}${path.delimiter}${sandbox.env.PATH}`,
        NETRC: missing,
      };
      // The stand-in answers on localhost too: to uv and the netrc that is another host.
      const local = fake.url.replace('127.0.0.1', 'localhost');
      writeFileSync(
        path.join(cwd, 'pyproject.toml'),
        `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${local}/api/v4/projects/${world.projects.tools}/packages/pypi/simple"\nexplicit = true\nauthenticate = "always"\n\n[[tool.uv.index]]\nname = "other"\nurl = "${fake.url}/api/v4/groups/${world.groups.acme}/-/packages/pypi/simple"\nexplicit = true\nauthenticate = "always"\n\n[tool.uv.sources]\nacme-thing = { index = "gitlab" }\n`,
      );
      const home = path.join(sandbox.home, '.netrc');
      writeFileSync(home, `machine localhost login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

      const login = await glx(['--cwd', cwd, 'auth', '--netrc', '--host', fake.url], {
        env: { ...env, GITLAB_TOKEN: world.tokens.alicePat },
        homeDir: sandbox.home,
        cwd,
      });
      const lock = await runUv(uv, ['lock'], { cwd, env });

      expect(login.code, login.stderr).toBe(0);
      expect(login.stderr).toContain(`NETRC=${missing} does not exist, so uv reads ${home}`);
      expect(existsSync(missing)).toBe(false);
      expect(readFileSync(home, 'utf8')).toContain('machine 127.0.0.1 login __token__');
      expect(lock.code, lock.stderr).toBe(0);
    });
  }
});
