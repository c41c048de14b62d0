/**
 * `eval "$(glx env --publish)"` then `uv publish --index NAME dist/*`
 * uploads to the stand-in; a second run (plain `uv publish dist/*`) uploads nothing (uv asks the index's simple page, its
 * check URL, and skips files already there); and uv installs both what uv uploaded and what
 * `glx publish` uploaded. Project registry: one index with publish-url. Group registry: installs
 * come from the group index, uploads go to a project index beside it (a group has no upload URL).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { installRoutes } from '../support/routes.js';
import { uvBinaries } from '../support/uv.js';
import { distSpecs, installedVersion, PACKAGE, REGISTRIES, registryFlag, scene, useUvWorld, VERSION } from './world.js';

const UPLOAD = 'POST /projects/:id/packages/pypi';

const binaries = uvBinaries();

describe.skipIf(binaries.length === 0)('uv publish with the credentials of glx env --publish', () => {
  const w = useUvWorld();

  for (const uv of binaries) {
    for (const registry of REGISTRIES) {
      it(`uv ${uv.version}, ${registry.kind} registry: uploads, skips on the second run, and installs both uploads`, async () => {
        // uv publish asks the project index whether the files are there, then uploads; uv sync installs.
        w.fake.expect([
          ...installRoutes(registry.kind),
          'GET /projects/:id/packages/pypi/simple/:package_name',
          UPLOAD,
        ]);
        // One package per uv version and registry, so each test uploads something new.
        const name = `acme-uvpub-${uv.version.replace(/\./g, '-')}-${registry.kind}`;
        const s = scene(w.dir, `publish-${uv.version}-${registry.kind}`, uv, w.pypi.simpleUrl, [PACKAGE, name]);
        const host = { GITLAB_HOST: w.fake.url };
        const uploadIndex = registry.kind === 'project' ? 'gitlab' : 'tools';
        await s.glx(['init', ...registryFlag(registry)], host);
        if (registry.kind === 'group')
          await s.glx(['init', '--project', '7', '--name', 'tools', '--explicit', '--publish'], host);
        else await s.glx(['init', '--project', '7', '--publish'], host);
        const dist = path.join(s.project, 'dist');
        mkdirSync(dist);
        const files = await buildDists(dist, distSpecs(name, '1.0.0'));
        const publish = (command: string) => `set -e; eval "$(glx env --publish --shell bash)"; ${command}`;
        const token = { ...host, GITLAB_TOKEN: w.world.tokens.alicePat };

        // Forwarding off, as doctor advises: see the next test for what uv 0.10 does with it on.
        w.fake.group('acme').forwarding = false;
        const first = await s.run(
          'bash',
          ['--norc', '--noprofile', '-c', publish(`uv publish --index ${uploadIndex} dist/*`)],
          token,
        );
        const uploadsAfterFirst = w.fake.uploads.length;
        // Plain `uv publish` too: UV_PUBLISH_INDEX from glx env names the index.
        const second = await s.run('bash', ['--norc', '--noprofile', '-c', publish('uv publish dist/*')], token);
        w.fake.group('acme').forwarding = undefined;
        const install = await s.run(
          'bash',
          ['--norc', '--noprofile', '-c', 'set -e; eval "$(glx env --shell bash)"; uv lock; uv sync'],
          token,
        );

        expect(first.code, first.stderr).toBe(0);
        const accepted = w.fake.uploads.filter((u) => u.accepted && u.fields.name === name);
        expect(accepted.map((u) => u.fileName).sort()).toEqual(files.map((f) => path.basename(f)).sort());
        expect(accepted.every((u) => u.auth.username === 'alice')).toBe(true);
        expect(second.code, second.stderr).toBe(0);
        expect(w.fake.uploads.length).toBe(uploadsAfterFirst);
        expect(second.stderr).toMatch(/already exists|skipping/i);
        expect(install.code, install.stderr).toBe(0);
        expect(installedVersion(s.project, name)).toBe('1.0.0');
        expect(installedVersion(s.project, PACKAGE)).toBe(VERSION);
        expect(first.stderr + second.stderr + install.stderr).not.toContain(w.world.tokens.alicePat);
      });
    }

    it(`uv ${uv.version}: the first upload of a new name while GitLab forwards misses to pypi.org`, async () => {
      // uv 0.10 stops at the check URL's 302 (below); later uv follows it to pypi.org and uploads.
      const follows = !uv.version.startsWith('0.10.');
      const name = `acme-fwd-${uv.version.replace(/\./g, '-')}`;
      w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...(follows ? [UPLOAD] : [])]);
      w.pypi.expect(follows ? [name] : []);
      const s = scene(w.dir, `publish-forwarding-${uv.version}`, uv, w.pypi.simpleUrl, [name]);
      await s.glx(['init', '--project', '7', '--publish'], { GITLAB_HOST: w.fake.url });
      mkdirSync(path.join(s.project, 'dist'));
      await buildDists(path.join(s.project, 'dist'), distSpecs(name, '1.0.0'));

      const result = await s.run(
        'bash',
        ['--norc', '--noprofile', '-c', 'set -e; eval "$(glx env --publish --shell bash)"; uv publish dist/*'],
        { GITLAB_HOST: w.fake.url, GITLAB_TOKEN: w.world.tokens.alicePat },
      );

      // The check URL of a name GitLab does not hold answers 302 to pypi.org. uv 0.10 does not follow
      // it and gives up on the 302's text/plain body; later uv follows it, gets pypi.org's 404 and uploads.
      if (!follows) {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/Failed to query check URL[\s\S]*Unsupported `Content-Type` "text\/plain"/);
      } else {
        expect(result.code, result.stderr).toBe(0);
        expect(w.fake.uploads.filter((u) => u.accepted && u.fields.name === name)).toHaveLength(2);
      }
      expect(w.pypi.requestsFor(name).every((r) => !r.authorization)).toBe(true);
    });
  }
});
