/**
 * `glx auth rotate` with the real uv: a token in uv's credentials store is rotated through
 * `uv auth login`, `uv lock && uv sync` then work with the new token, and the old one is dead.
 * The built bin runs with the sandbox environment only (`npm run build` first).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDist } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { installRoutes } from '../support/routes.js';
import { tempDir } from '../support/test-deps.js';
import { runProgram, runUv, uvBinaries, uvSandbox } from '../support/uv.js';

const binaries = uvBinaries();
const BIN = path.resolve('bin/glx.js');

describe.skipIf(binaries.length === 0)('glx auth rotate with the real uv', () => {
  const { dir, cleanup } = tempDir();
  let fake: FakeGitLab;

  beforeAll(async () => {
    const wheel = await buildDist(dir, {
      kind: 'wheel',
      name: 'acme-thing',
      version: '2.0.0',
      metadata: 'Metadata-Version: 2.1\nName: acme-thing\nVersion: 2.0.0\n',
    });
    fake = await createFakeGitLab();
    fake.seed.standard();
    fake.addPackage(7, {
      name: 'acme-thing',
      version: '2.0.0',
      files: [{ fileName: path.basename(wheel), content: readFileSync(wheel) }],
    });
    return async () => {
      await fake.close();
      cleanup();
    };
  });
  assertCleanAfterEach(() => fake);

  for (const uv of binaries) {
    it(`uv ${uv.version}: the uv store entry gets the new token, uv sync works with it, the old one is revoked`, async () => {
      // glx: the token, its rotation, a check of the index; uv: the package page and file.
      fake.expect([
        'GET /personal_access_tokens/self',
        'POST /personal_access_tokens/self/rotate',
        'GET /projects/:id/packages/pypi/simple',
        ...installRoutes(),
      ]);
      const work = path.join(dir, uv.version);
      const project = path.join(work, 'project');
      mkdirSync(project, { recursive: true });
      const sandbox = uvSandbox(work, `${fake.url}/no-default-index/`);
      // uv first on PATH: glx runs `uv auth login` for the store.
      const env = { ...sandbox.env, PATH: `${path.dirname(uv.path)}${path.delimiter}${sandbox.env.PATH}` };
      const index = `${fake.url}/api/v4/projects/7/packages/pypi/simple`;
      writeFileSync(
        path.join(project, 'pyproject.toml'),
        `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["acme-thing"]\n\n[tool.uv]\npackage = false\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${index}"\nauthenticate = "always"\n`,
      );
      const old = fake.addToken({
        kind: 'personal',
        user: 'alice',
        scopes: ['api'],
        expiresAt: '2099-01-01',
        name: `uv-${uv.version}`,
      });
      const login = await runUv(uv, ['auth', 'login', index, '--username', '__token__', '--password', '-'], {
        cwd: project,
        env,
        input: `${old}\n`,
      });
      expect(login.code, login.stderr).toBe(0);

      const rotated = await runProgram(process.execPath, [BIN, 'auth', 'rotate', '--expires-in', '30d'], {
        cwd: project,
        env,
      });
      const fresh = fake.state.tokens.at(-1)!;
      const since = fake.requests.length;
      const lock = await runUv(uv, ['lock'], { cwd: project, env });
      const sync = await runUv(uv, ['sync'], { cwd: project, env });
      const used = fake.requests.length;
      const withOld = await runUv(uv, ['lock', '--refresh'], {
        cwd: project,
        env: { ...env, UV_INDEX_GITLAB_USERNAME: '__token__', UV_INDEX_GITLAB_PASSWORD: old },
      });

      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stderr).toMatch(
        /updated uv's credentials store \(http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/7\/packages\/pypi\)/,
      );
      expect(rotated.stdout + rotated.stderr).not.toContain(old);
      expect(rotated.stdout + rotated.stderr).not.toContain(fresh.token);
      expect(fresh.name).toBe(`uv-${uv.version}`);
      expect(fake.token(old).revoked).toBe(true);
      expect(lock.code, lock.stderr).toBe(0);
      expect(sync.code, sync.stderr).toBe(0);
      expect(sync.stderr).toContain('acme-thing==2.0.0');
      const fromUv = fake.requests
        .slice(since, used)
        .filter((r) => r.headers['user-agent']?.startsWith('uv/') && r.auth.outcome === 'authenticated');
      expect(fromUv.length).toBeGreaterThan(0);
      expect(fromUv.every((r) => r.auth.tokenId === fresh.id)).toBe(true);
      expect(withOld.code).not.toBe(0);
      expect(fake.requests.slice(used).some((r) => r.auth.reason === 'revoked')).toBe(true);
      rmSync(work, { recursive: true, force: true });
    });
  }
});
