/**
 * A uv workspace configured by `glx init` run in a member: uv reads indexes from the workspace root
 * only (a member's [[tool.uv.index]] serves only packages that member pins to it), so the real uv,
 * locking in the root, must resolve the unpinned dependency from the GitLab registry glx wrote there.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { uvBinaries } from '../support/uv.js';
import { authenticatedSimpleRequests, PACKAGE, REGISTRIES, registryFlag, scene, useUvWorld } from './world.js';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('real uv in a workspace set up by glx init from a member', () => {
  const w = useUvWorld();

  for (const uv of binaries) {
    for (const registry of REGISTRIES) {
      it(`uv ${uv.version}, ${registry.kind} registry: glx init in packages/app, glx auth --netrc, uv lock in the root`, async () => {
        w.fake.expect([...checkRoutes(registry.kind), ...installRoutes(registry.kind)]);
        const s = scene(w.dir, `workspace-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl, []);
        const member = path.join(s.project, 'packages', 'app');
        mkdirSync(member, { recursive: true });
        writeFileSync(
          path.join(s.project, 'pyproject.toml'),
          '[project]\nname = "root"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["app"]\n\n[tool.uv]\npackage = false\n\n[tool.uv.sources]\napp = { workspace = true }\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        );
        writeFileSync(
          path.join(member, 'pyproject.toml'),
          `[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = ["${PACKAGE}"]\n\n[build-system]\nrequires = ["uv_build>=0.8,<1"]\nbuild-backend = "uv_build"\n`,
        );
        const env = { GITLAB_HOST: w.fake.url, GITLAB_TOKEN: w.world.tokens.alicePat };

        const init = await s.glx(['--cwd', member, 'init', ...registryFlag(registry)], env);
        const auth = await s.glx(['--cwd', member, 'auth', '--netrc'], env);
        const before = authenticatedSimpleRequests(w.fake, registry);
        const lock = await s.uv(['lock', '--no-build']);

        expect(init.code, init.stderr).toBe(0);
        expect(auth.code, auth.stderr).toBe(0);
        expect(readFileSync(path.join(member, 'pyproject.toml'), 'utf8')).not.toContain('[[tool.uv.index]]');
        expect(lock.code, lock.stderr).toBe(0);
        const prefix = registry.kind === 'group' ? `groups/${registry.id}/-` : `projects/${registry.id}`;
        expect(readFileSync(path.join(s.project, 'uv.lock'), 'utf8')).toContain(
          `source = { registry = "${w.fake.url}/api/v4/${prefix}/packages/pypi/simple" }`,
        );
        expect(authenticatedSimpleRequests(w.fake, registry)).toBeGreaterThan(before);
      });
    }
  }
});
