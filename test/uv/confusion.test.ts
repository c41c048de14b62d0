/**
 * Dependency confusion, proven with uv itself. pypi.org (the stand-in) has
 * `acme-thing 99.0.0`, a public package with the name of the internal one (GitLab holds 2.0.0), and
 * `acme-missing 1.0.0`, a name the registry does not hold. For each set-up, what the real uv
 * installs decides whether the public package wins; `glx doctor` (without --check-pypi) must warn
 * in exactly those set-ups. Group and project registry, every uv.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { uvBinaries } from '../support/uv.js';
import { distSpecs, installedVersion, PACKAGE, REGISTRIES, registryFlag, scene, useUvWorld, VERSION } from './world.js';

const binaries = uvBinaries();

interface SetUp {
  name: string;
  /** glx init flags besides the registry. */
  init: string[];
  dependency: string;
  forwarding: boolean;
  /** What uv installs: the GitLab version, the public one, or nothing (resolution fails). */
  uvTakes: 'gitlab' | 'public' | 'nothing';
}

const SET_UPS: SetUp[] = [
  {
    name: "glx's configuration (explicit index, package pinned), forwarding on",
    init: ['--package', PACKAGE],
    dependency: PACKAGE,
    forwarding: true,
    uvTakes: 'gitlab',
  },
  {
    name: 'a pinned name the registry lacks, forwarding on',
    init: ['--package', 'acme-missing'],
    dependency: 'acme-missing',
    forwarding: true,
    uvTakes: 'public',
  },
  {
    name: 'a pinned name the registry lacks, forwarding off',
    init: ['--package', 'acme-missing'],
    dependency: 'acme-missing',
    forwarding: false,
    uvTakes: 'nothing',
  },
  {
    name: 'a non-explicit index without pins and a name it lacks, forwarding on',
    init: [],
    dependency: 'acme-missing',
    forwarding: true,
    uvTakes: 'public',
  },
];

describe.skipIf(binaries.length === 0)('dependency confusion: what uv installs, and where glx doctor warns', () => {
  const w = useUvWorld();

  beforeAll(async () => {
    const dist = path.join(w.dir, 'public');
    mkdirSync(dist);
    for (const [name, version] of [
      [PACKAGE, '99.0.0'],
      ['acme-missing', '1.0.0'],
    ] as const) {
      const files = await buildDists(dist, distSpecs(name, version));
      w.pypi.addPackage({
        name,
        version,
        requiresPython: '>=3.8',
        files: files.map((f) => ({ fileName: path.basename(f), content: readFileSync(f) })),
      });
    }
  });

  for (const uv of binaries) {
    for (const registry of REGISTRIES) {
      for (const [i, setUp] of SET_UPS.entries()) {
        it(`uv ${uv.version}, ${registry.kind} registry, ${setUp.name}: uv takes ${setUp.uvTakes}, doctor ${setUp.uvTakes === 'public' ? 'warns' : 'does not warn'}`, async () => {
          // glx auth checks the registry; uv and doctor read the package's page; only an install from
          // GitLab downloads its file, and only an install from pypi.org asks pypi.org.
          const [page, file] = installRoutes(registry.kind);
          w.fake.expect([...checkRoutes(registry.kind), page, ...(setUp.uvTakes === 'gitlab' ? [file] : [])]);
          w.pypi.expect(setUp.uvTakes === 'public' ? [setUp.dependency] : []);
          const s = scene(w.dir, `confusion-${uv.version}-${registry.kind}-${i}`, uv, w.pypi.simpleUrl, [
            setUp.dependency,
          ]);
          const host = { GITLAB_HOST: w.fake.url };
          const init = await s.glx(['init', ...registryFlag(registry), ...setUp.init], host);
          await s.glx(['auth', '--netrc'], { ...host, GITLAB_TOKEN: w.world.tokens.alicePat });
          if (!setUp.forwarding) w.fake.group('acme').forwarding = false;
          try {
            const lock = await s.uv(['lock']);
            const sync = lock.code === 0 ? await s.uv(['sync']) : lock;
            const pypiBefore = w.pypi.requests.length;
            const doctor = await s.glx(['--json', 'doctor'], host);
            const report = JSON.parse(doctor.stdout) as {
              checks: Array<{ id: string; status: string; message: string }>;
            };
            const warnings = report.checks.filter((c) => c.status === 'warn' && /\.(forwarding|confusion)$/.test(c.id));

            expect(init.code, init.stderr).toBe(0);
            const version = installedVersion(s.project, setUp.dependency);
            const taken =
              version === undefined
                ? 'nothing'
                : version === (setUp.dependency === PACKAGE ? VERSION : undefined)
                  ? 'gitlab'
                  : 'public';
            expect(taken, lock.stderr + sync.stderr).toBe(setUp.uvTakes);
            expect(warnings.length > 0, JSON.stringify(report.checks, null, 1)).toBe(setUp.uvTakes === 'public');
            // doctor asks pypi.org nothing without --check-pypi
            expect(w.pypi.requests.length).toBe(pypiBefore);
          } finally {
            delete w.fake.group('acme').forwarding;
          }
        });
      }
    }
  }
});
