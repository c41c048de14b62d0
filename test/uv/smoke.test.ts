/**
 * The harness itself: each real uv runs, and `uv lock && uv sync` installs a package from the stand-in with netrc credentials.
 * Then a uv workspace configured by `glx init` run in a member: uv, locking in the root, resolves from the GitLab index.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { glx, tempDir } from '../support/test-deps.js';
import { runUv, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('real uv against the GitLab stand-in', () => {
  let fake: FakeGitLab;
  let world: StandardWorld;
  let dir: string;
  let cleanup: () => void;

  beforeAll(async () => {
    fake = await createFakeGitLab();
    world = fake.seed.standard();
    ({ dir, cleanup } = tempDir());
    const wheel = await buildDist(dir, { kind: 'wheel', name: 'acme-thing', version: '2.0.0', metadata: 'Metadata-Version: 2.1\nName: acme-thing\nVersion: 2.0.0\n' });
    fake.addPackage(7, { name: 'acme-thing', version: '2.0.0', files: [{ fileName: path.basename(wheel), content: readFileSync(wheel) }] });
  });

  afterAll(async () => {
    await fake.close();
    cleanup();
  });

  for (const uv of binaries) {
    it(`uv ${uv.version} installs from a group registry with a netrc`, async () => {
      const work = path.join(dir, uv.version);
      const project = path.join(work, 'project');
      mkdirSync(project, { recursive: true });
      const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
      writeFileSync(path.join(project, 'pyproject.toml'), `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${fake.url}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n`);
      writeFileSync(path.join(sandbox.home, '.netrc'), `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

      const lock = await runUv(uv, ['lock'], { cwd: project, env: sandbox.env });
      const sync = await runUv(uv, ['sync'], { cwd: project, env: sandbox.env });

      expect(lock.stderr).toContain('Resolved');
      expect(lock.code).toBe(0);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stderr).toContain('acme-thing==2.0.0');
      rmSync(work, { recursive: true, force: true });
    });

    it(`uv ${uv.version} locks the root with the index glx wrote from packages/app (no pin: uv ignores member indexes)`, async () => {
      const work = path.join(dir, `${uv.version}-workspace`);
      const root = path.join(work, 'ws');
      const member = path.join(root, 'packages', 'app');
      mkdirSync(member, { recursive: true });
      const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
      writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["app"]\n\n[tool.uv]\npackage = false\n\n[tool.uv.sources]\napp = { workspace = true }\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n');
      writeFileSync(path.join(member, 'pyproject.toml'), '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[build-system]\nrequires = ["uv_build>=0.8,<1"]\nbuild-backend = "uv_build"\n');
      writeFileSync(path.join(sandbox.home, '.netrc'), `machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`, { mode: 0o600 });

      const init = await glx(['--cwd', member, 'init', '--group', '42'], { env: { GITLAB_HOST: fake.url }, homeDir: work });
      const lock = await runUv(uv, ['lock', '--no-build'], { cwd: root, env: sandbox.env });

      expect(init.code, init.stderr).toBe(0);
      expect(lock.code, lock.stderr).toBe(0);
      const locked = readFileSync(path.join(root, 'uv.lock'), 'utf8');
      expect(locked).toContain(`source = { registry = "${fake.url}/api/v4/groups/42/-/packages/pypi/simple" }`);
    });
  }
});
