/**
 * Every way glx hands uv credentials, proven by the real uv installing
 * what `glx publish` uploaded, from a group registry and a project registry, on every uv of
 * uvBinaries(). 1: `glx init` + `glx auth --netrc`; 2: no netrc, `eval "$(glx env)"` in bash and
 * `glx env --shell fish | source` in fish; 3: `glx auth --uv-store` (the real `uv auth login`),
 * then `glx auth logout --uv-store`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasPeer } from '../support/peers.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { uvBinaries } from '../support/uv.js';
import {
  authenticatedSimpleRequests,
  installedVersion,
  lockAndSync,
  PACKAGE,
  REGISTRIES,
  registryFlag,
  scene,
  useUvWorld,
  VERSION,
} from './world.js';

const binaries = uvBinaries();
const fish = hasPeer('fish', 'real uv reading `glx env --shell fish`');

describe.skipIf(binaries.length === 0)(
  'uv installs what glx publish uploaded, with the credentials glx hands it',
  () => {
    const w = useUvWorld();

    for (const uv of binaries) {
      for (const registry of REGISTRIES) {
        const label = `uv ${uv.version}, ${registry.kind} registry`;
        const host = () => ({ GITLAB_HOST: w.fake.url });

        it(`${label}: glx init + glx auth --netrc, then uv lock && uv sync`, async () => {
          w.fake.expect([...checkRoutes(registry.kind), ...installRoutes(registry.kind)]);
          const s = scene(w.dir, `netrc-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);

          const init = await s.glx(['init', ...registryFlag(registry)], {
            ...host(),
            GITLAB_TOKEN: w.world.tokens.alicePat,
          });
          const auth = await s.glx(['auth', '--netrc'], { ...host(), GITLAB_TOKEN: w.world.tokens.alicePat });
          const before = authenticatedSimpleRequests(w.fake, registry);
          await lockAndSync(s);

          expect(init.code, init.stderr).toBe(0);
          expect(auth.code, auth.stderr).toBe(0);
          expect(readFileSync(s.env.NETRC!, 'utf8')).toBe(
            `machine 127.0.0.1 login __token__ password ${w.world.tokens.alicePat}\n`,
          );
          expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
          expect(authenticatedSimpleRequests(w.fake, registry)).toBeGreaterThan(before);
        });

        it(`${label}: no netrc, eval "$(glx env)" in bash, then uv sync`, async () => {
          w.fake.expect(installRoutes(registry.kind));
          const s = scene(w.dir, `env-bash-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);
          await s.glx(['init', ...registryFlag(registry)], host());

          const result = await s.run(
            'bash',
            ['--norc', '--noprofile', '-c', 'set -e; eval "$(glx env --shell bash)"; uv lock; uv sync'],
            { ...host(), GITLAB_TOKEN: w.world.tokens.alicePat },
          );

          expect(result.code, result.stderr).toBe(0);
          expect(existsSync(s.env.NETRC!)).toBe(false);
          expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
          expect(result.stderr).not.toContain(w.world.tokens.alicePat);
        });

        it.skipIf(!fish)(`${label}: no netrc, glx env --shell fish | source in fish, then uv sync`, async () => {
          w.fake.expect(installRoutes(registry.kind));
          const s = scene(w.dir, `env-fish-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);
          await s.glx(['init', ...registryFlag(registry)], host());

          const result = await s.run(
            'fish',
            ['--no-config', '-c', 'glx env --shell fish | source; and uv lock; and uv sync'],
            { ...host(), GITLAB_TOKEN: w.world.tokens.alicePat },
          );

          expect(result.code, result.stderr).toBe(0);
          expect(existsSync(s.env.NETRC!)).toBe(false);
          expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
        });

        it(`${label}: glx auth --uv-store, uv sync with no netrc or env; glx auth logout --uv-store, uv auth token fails`, async () => {
          w.fake.expect([...checkRoutes(registry.kind), ...installRoutes(registry.kind)]);
          const s = scene(w.dir, `store-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);
          await s.glx(['init', ...registryFlag(registry)], host());
          const url =
            readFileSync(path.join(s.project, 'pyproject.toml'), 'utf8').match(/^url = "([^"]+)"$/m)?.[1] ?? '';

          const login = await s.glx(['auth', '--uv-store'], { ...host(), GITLAB_TOKEN: w.world.tokens.alicePat });
          const tokenBefore = await s.uv(['auth', 'token', url]);
          await lockAndSync(s);
          const logout = await s.glx(['auth', 'logout', '--uv-store'], host());
          const tokenAfter = await s.uv(['auth', 'token', url]);

          expect(login.code, login.stderr).toBe(0);
          expect(existsSync(s.env.NETRC!)).toBe(false);
          expect(tokenBefore.code, tokenBefore.stderr).toBe(0);
          expect(tokenBefore.stdout.trim()).toBe(w.world.tokens.alicePat);
          expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
          expect(logout.code, logout.stderr).toBe(0);
          expect(tokenAfter.code).not.toBe(0);
          expect(tokenAfter.stdout).not.toContain(w.world.tokens.alicePat);
          expect(login.stderr + logout.stderr).not.toContain(w.world.tokens.alicePat);
        });
      }
    }
  },
);
