/**
 * The job-token credentials `glx ci-setup` writes into `.glx-uv`, read back
 * from the written YAML with `$CI_JOB_TOKEN` replaced by a running job's token of the stand-in,
 * let the real uv install what `glx publish` uploaded; and the generated `uv-sync` job, run by
 * gitlab-ci-local with its shell executor (no Docker here, so the uv image is not pulled: the job's
 * script runs with the uv of this test on PATH), does the same. Group and project registry, every uv.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasPeer, required } from '../support/peers.js';
import { installRoutes } from '../support/routes.js';
import { uvBinaries } from '../support/uv.js';
import {
  installedVersion,
  lockAndSync,
  PACKAGE,
  REGISTRIES,
  registryFlag,
  scene,
  type UvWorld,
  useUvWorld,
  VERSION,
} from './world.js';

const binaries = uvBinaries();
const gitlabCiLocal = fileURLToPath(new URL('../../node_modules/.bin/gitlab-ci-local', import.meta.url));
const canRunGcl =
  hasPeer('rsync', 'the generated uv-sync job under gitlab-ci-local (it copies the project with rsync)') &&
  required(
    (() => {
      try {
        execFileSync(gitlabCiLocal, ['--version'], { stdio: 'pipe', timeout: 20_000 });
        return true;
      } catch {
        return false;
      }
    })(),
    'the generated uv-sync job under gitlab-ci-local',
    'node_modules/.bin/gitlab-ci-local does not run',
  );

/** The variables of `.glx-uv` as GitLab would give them to the job, with CI_JOB_TOKEN expanded. */
function glxUvVariables(ciFile: string, jobToken: string): Record<string, string> {
  const doc = parse(readFileSync(ciFile, 'utf8')) as Record<string, { variables?: Record<string, string> }>;
  const variables = doc['.glx-uv']?.variables ?? {};
  return Object.fromEntries(
    Object.entries(variables).map(([k, v]) => [k, String(v).replace(/\$\{?CI_JOB_TOKEN\}?/g, jobToken)]),
  );
}

/** Registry reads the stand-in answered 200 to a job token. */
function jobTokenReads(w: UvWorld): number {
  return w.fake.requests.filter((r) => r.auth.kind === 'job' && r.auth.outcome === 'authenticated' && r.status === 200)
    .length;
}

describe.skipIf(binaries.length === 0)('uv in CI with the job token glx ci-setup wires', () => {
  const w = useUvWorld();

  for (const uv of binaries) {
    for (const registry of REGISTRIES) {
      const label = `uv ${uv.version}, ${registry.kind} registry`;

      it(`${label}: the .glx-uv variables with a job token install the package`, async () => {
        w.fake.expect(installRoutes(registry.kind)); // glx init and ci-setup ask GitLab nothing without a token
        const s = scene(w.dir, `ci-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);
        await s.glx(['init', ...registryFlag(registry)], { GITLAB_HOST: w.fake.url });
        const setup = await s.glx(['ci-setup'], { GITLAB_HOST: w.fake.url });
        const variables = glxUvVariables(path.join(s.project, '.gitlab-ci.yml'), w.world.tokens.jobSelf);

        await lockAndSync(s, variables);

        expect(setup.code, setup.stderr).toBe(0);
        expect(variables).toMatchObject({
          UV_INDEX_GITLAB_USERNAME: 'gitlab-ci-token',
          UV_INDEX_GITLAB_PASSWORD: w.world.tokens.jobSelf,
        });
        expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
        expect(jobTokenReads(w)).toBeGreaterThan(0);
      });

      it.skipIf(!canRunGcl)(
        `${label}: gitlab-ci-local runs the generated uv-sync job with the shell executor`,
        async () => {
          w.fake.expect(installRoutes(registry.kind));
          const s = scene(w.dir, `gcl-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl);
          await s.glx(['init', ...registryFlag(registry)], { GITLAB_HOST: w.fake.url });
          await s.glx(['ci-setup'], { GITLAB_HOST: w.fake.url });
          const git = (args: string[]) => execFileSync('git', args, { cwd: s.project, env: s.env, stdio: 'pipe' });
          git(['init', '-q']);
          git(['remote', 'add', 'origin', 'git@gitlab.example.com:acme/tools.git']);
          git(['add', '.']);
          git(['-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '-m', 'ci']);

          const before = jobTokenReads(w);
          const job = await s.run(gitlabCiLocal, [
            '--force-shell-executor',
            '--variable',
            `CI_JOB_TOKEN=${w.world.tokens.jobSelf}`,
            'uv-sync',
          ]);

          expect(job.code, job.stdout + job.stderr).toBe(0);
          expect(job.stdout).toMatch(/uv-sync.*finished/);
          expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
          expect(jobTokenReads(w)).toBeGreaterThan(before);
          expect(job.stdout + job.stderr).not.toContain(w.world.tokens.jobSelf);
        },
      );
    }
  }
});
