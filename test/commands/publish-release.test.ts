import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { checkRoutes, PUBLISH_ROUTES } from '../support/routes.js';
import { bytesOf, dists, type PublishWorld, publishCli, publishWorld, UPLOAD } from './publish-helpers.js';

let w: PublishWorld;
beforeEach(async () => {
  w = await publishWorld();
});
afterEach(async () => {
  await w.cleanup();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const fileUrl = (fileName: string) =>
  `${w.fake.url}/api/v4/projects/7/packages/pypi/files/${sha256(bytesOf(w, fileName))}/${fileName}`;
const LINKS = 'GET /projects/:id/releases/:tag_name/assets/links';
const LINK = 'POST /projects/:id/releases/:tag_name/assets/links';
const links = () =>
  w.fake
    .project(7)
    .releases.find((r) => r.tagName === 'v1.0.0')
    ?.links.map((l) => ({ name: l.name, url: l.url, linkType: l.linkType }));

describe('--release', () => {
  test('links every file to the release as a package asset pointing at the registry file', async () => {
    w.fake.expect([
      ...PUBLISH_ROUTES,
      'GET /projects/:id/releases/:tag_name',
      'GET /projects/:id/releases/:tag_name/assets/links',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    const [wheel, sdist] = await dists(w, [
      { kind: 'wheel', name: 'acme-rel', version: '1.0.0' },
      { kind: 'sdist', name: 'acme-rel', version: '1.0.0' },
    ]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0']);

    expect(result.code).toBe(0);
    expect(links()).toEqual([
      { name: wheel, url: fileUrl(wheel!), linkType: 'package' },
      { name: sdist, url: fileUrl(sdist!), linkType: 'package' },
    ]);
    expect(result.stderr).toContain('release v1.0.0: exists; 2 link(s) added, 0 already there');
  });

  test('the link URL serves the uploaded file', async () => {
    w.fake.expect([
      ...PUBLISH_ROUTES,
      'GET /projects/:id/releases/:tag_name',
      'GET /projects/:id/releases/:tag_name/assets/links',
      'POST /projects/:id/releases/:tag_name/assets/links',
      'GET /projects/:id/packages/pypi/files/:sha256/*file_identifier',
    ]);
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-serve', version: '1.0.0' }]);

    await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0']);
    const url = links()?.[0]?.url ?? '';
    const response = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`__token__:${w.world.tokens.alicePat}`).toString('base64')}` },
    });

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytesOf(w, wheel!))).toBe(true);
  });

  test('running again changes nothing: files are skipped and identical links are fine', async () => {
    w.fake.expect([
      ...PUBLISH_ROUTES,
      'GET /projects/:id/releases/:tag_name',
      'GET /projects/:id/releases/:tag_name/assets/links',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-again', version: '1.0.0' }]);
    await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0']);

    const again = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0', '--json']);

    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).release).toEqual({
      tag: 'v1.0.0',
      created: false,
      links: [expect.objectContaining({ status: 'exists' })],
    });
    expect(links()).toHaveLength(1);
    expect(w.fake.requestsTo('POST /projects/:id/releases/:tag_name/assets/links')).toHaveLength(1);
  });

  test('a link that clashes with an existing one is reported and the run exits 1; the others are added', async () => {
    w.fake.expect([
      ...PUBLISH_ROUTES,
      'GET /projects/:id/releases/:tag_name',
      'GET /projects/:id/releases/:tag_name/assets/links',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    const [wheel, sdist] = await dists(w, [
      { kind: 'wheel', name: 'acme-clash', version: '1.0.0' },
      { kind: 'sdist', name: 'acme-clash', version: '1.0.0' },
    ]);
    w.fake
      .project(7)
      .releases[0]!.links.push({ id: 900, name: wheel!, url: 'https://elsewhere.example/x.whl', linkType: 'other' });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `link clash: ${wheel}: the release already has a link named ${wheel} to another URL (https://elsewhere.example/x.whl)`,
    );
    expect(result.stderr).toMatch(/error: publish incomplete: 1 release link not added/);
    expect(result.stderr).toContain('hint: Remove or rename the clashing links in the release, then run again.');
    expect(links()?.map((l) => l.name)).toEqual([wheel, sdist]);
    expect(w.fake.uploads).toHaveLength(2);
  });

  test('a link GitLab refuses and that is still missing when looked at again is reported failed; the run exits 1', async () => {
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-refused', version: '1.0.0' }]);
    // A 400 shaped like GitLab's answer when a Releases::Link validation fails (app/models/releases/link.rb), on both runs.
    w.fake.faults.push({
      route: LINK,
      times: 2,
      kind: 'status',
      status: 400,
      body: { message: ['Url is blocked: Requests to the local network are not allowed'] },
    });
    w.fake.expect([
      'GET /personal_access_tokens/self',
      'GET /user',
      'GET /projects/:id',
      'GET /projects/:id/members/all/:user_id',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /projects/:id/releases/:tag_name',
      LINKS,
      LINK,
      UPLOAD,
    ]);

    const first = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0']);
    const again = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0', '--json']);

    expect(first.code).toBe(1);
    expect(first.stderr).toContain(
      `link failed: ${wheel}: Url is blocked: Requests to the local network are not allowed`,
    );
    expect(first.stderr).toContain('release v1.0.0: exists; 0 link(s) added, 0 already there');
    expect(first.stderr).toContain('error: publish incomplete: 1 release link not added\n');
    expect(first.stderr).toContain(
      'hint: GitLab gave its reason above; once that is fixed, run again: files on the registry are skipped, only the missing links are added.',
    );
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).release.links).toEqual([
      {
        name: wheel,
        url: fileUrl(wheel!),
        status: 'failed',
        message: 'Url is blocked: Requests to the local network are not allowed',
      },
    ]);
    expect(links()).toEqual([]);
    // Each refusal is followed by one more look at the release's links before it is called a failure.
    expect(w.fake.requestsTo(LINKS)).toHaveLength(4);
  });

  test('a release that does not exist stops the run before any upload, pointing at --release-create', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      ...checkRoutes(),
      'GET /projects/:id/releases/:tag_name',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-norel', version: '2.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v2.0.0']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: release v2.0.0 does not exist in project 7; nothing was uploaded');
    expect(result.stderr).toContain('hint: Add --release-create to create it');
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('--release-create creates the release for an existing tag, then links the files', async () => {
    w.fake.expect([
      ...PUBLISH_ROUTES,
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
      'GET /projects/:id/releases/:tag_name/assets/links',
      'POST /projects/:id/releases/:tag_name/assets/links',
    ]);
    w.fake.project(7).tags.push('v2.0.0');
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-newrel', version: '2.0.0' }]);

    const result = await publishCli(w, [
      'dist/*',
      '--project',
      '7',
      '--release',
      'v2.0.0',
      '--release-create',
      '--json',
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).release).toEqual({
      tag: 'v2.0.0',
      created: true,
      links: [{ name: wheel, url: fileUrl(wheel!), status: 'created' }],
    });
    expect(w.fake.project(7).releases.find((r) => r.tagName === 'v2.0.0')?.links).toHaveLength(1);
  });

  test('--release-create for a tag that was never pushed stops before any upload', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      ...checkRoutes(),
      'GET /projects/:id/releases/:tag_name',
      'POST /projects/:id/releases',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-notag', version: '3.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v3.0.0', '--release-create']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: cannot create release v3.0.0: Ref is not specified; nothing was uploaded');
    expect(result.stderr).toContain('hint: The tag v3.0.0 does not exist yet: push it first (git push origin v3.0.0)');
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('a deploy token cannot link releases: refused with exit 4 before any upload', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', 'GET /projects/:id/packages/pypi/simple']);
    await dists(w, [{ kind: 'wheel', name: 'acme-deployrel', version: '1.0.0' }]);

    const result = await publishCli(
      w,
      ['dist/*', '--project', '7', '--release', 'v1.0.0', '--username', w.world.deployUsernames.deployWrite],
      { token: w.world.tokens.deployWrite },
    );

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('error: a deploy token cannot call the Releases API');
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('--dry-run with --release says which links would be added, and adds none', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      ...checkRoutes(),
      'GET /projects/:id/releases/:tag_name',
      'GET /projects/:id/releases/:tag_name/assets/links',
    ]);
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-dryrel', version: '1.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--release', 'v1.0.0', '--dry-run', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).release).toEqual({
      tag: 'v1.0.0',
      created: false,
      wouldCreate: false,
      links: [{ name: wheel, url: fileUrl(wheel!), status: 'would-create' }],
    });
    expect(links()).toEqual([]);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });
});

describe('in GitLab CI', () => {
  function ciEnv(extra: Record<string, string> = {}) {
    return {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: w.world.tokens.jobSelf,
      CI_API_V4_URL: w.fake.apiUrl,
      CI_SERVER_URL: w.fake.url,
      CI_PROJECT_ID: '7',
      CI_PROJECT_PATH: 'acme/tools',
      ...extra,
    };
  }

  /** With the job token and --release-create: the version check, the job, a probe, the release, the upload, its links. */
  const CI_RELEASE_ROUTES = [
    'GET /projects/:id/packages/pypi/simple/:package_name',
    'GET /job',
    'GET /projects/:id/packages/pypi/simple',
    'GET /projects/:id/releases/:tag_name',
    'POST /projects/:id/releases',
    'POST /projects/:id/packages/pypi',
    'GET /projects/:id/releases/:tag_name/assets/links',
    'POST /projects/:id/releases/:tag_name/assets/links',
  ];

  test('publishes to the running project with the job token as gitlab-ci-token, and links with JOB-TOKEN', async () => {
    w.fake.expect(CI_RELEASE_ROUTES);
    w.fake.project(7).tags.push('v4.0.0');
    await dists(w, [{ kind: 'wheel', name: 'acme-ci', version: '4.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--release', 'v4.0.0', '--release-create'], {
      token: null,
      host: false,
      env: ciEnv(),
    });

    expect(result.code).toBe(0);
    expect(w.fake.uploads[0]?.auth).toMatchObject({ kind: 'job', basicUsername: 'gitlab-ci-token' });
    expect(w.fake.requestsTo('POST /projects/:id/releases/:tag_name/assets/links')[0]?.auth.via).toBe(
      'JOB-TOKEN header',
    );
    expect(result.stderr).toContain('project acme/tools on 127.0.0.1: 1 uploaded');
  });

  test('creates the release from CI_COMMIT_SHA when the tag does not exist yet', async () => {
    w.fake.expect(CI_RELEASE_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-cisha', version: '5.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--release', 'v5.0.0', '--release-create'], {
      token: null,
      host: false,
      env: ciEnv({ CI_COMMIT_SHA: 'a'.repeat(40) }),
    });

    expect(result.code).toBe(0);
    expect(w.fake.requestsTo('POST /projects/:id/releases')[0]?.body?.json).toMatchObject({
      tag_name: 'v5.0.0',
      ref: 'a'.repeat(40),
    });
  });

  test('a job token from a project not on the allowlist is refused with exit 4 before any upload', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-other', version: '1.0.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7'], {
      token: null,
      host: false,
      env: ciEnv({ CI_JOB_TOKEN: w.world.tokens.jobOther, CI_PROJECT_ID: '9', CI_PROJECT_PATH: 'beta/app' }),
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/allowlist/);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });
});

describe('choosing the project', () => {
  function pyproject(indexes: string) {
    writeFileSync(path.join(w.dir, 'pyproject.toml'), `[project]\nname = "demo"\nversion = "0.1.0"\n\n${indexes}`);
  }
  const api = () => `${w.fake.url}/api/v4`;

  test('takes the GitLab index with a publish-url in pyproject.toml', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    pyproject(
      `[[tool.uv.index]]\nname = "libs"\nurl = "${api()}/groups/42/-/packages/pypi/simple"\n\n[[tool.uv.index]]\nname = "core"\nurl = "${api()}/projects/11/packages/pypi/simple"\npublish-url = "${api()}/projects/11/packages/pypi"\n`,
    );
    await dists(w, [{ kind: 'wheel', name: 'acme-core-extra', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--json'], { host: false });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).target).toMatchObject({ projectId: '11', from: 'index "core" in pyproject.toml' });
    expect(w.fake.uploads[0]?.projectId).toBe(11);
  });

  test('with several publish-urls, --index picks one; without it the choice is a usage error', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    pyproject(
      `[[tool.uv.index]]\nname = "tools"\nurl = "${api()}/projects/7/packages/pypi/simple"\npublish-url = "${api()}/projects/7/packages/pypi"\n\n` +
        `[[tool.uv.index]]\nname = "core"\nurl = "${api()}/projects/11/packages/pypi/simple"\npublish-url = "${api()}/projects/11/packages/pypi"\n`,
    );
    await dists(w, [{ kind: 'wheel', name: 'acme-pick', version: '1.0' }]);

    const ambiguous = await publishCli(w, ['dist/*'], { host: false });
    const picked = await publishCli(w, ['dist/*', '--index', 'tools'], { host: false });

    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('several GitLab indexes in pyproject.toml have a publish-url: tools, core');
    expect(picked.code).toBe(0);
    expect(w.fake.uploads[0]?.projectId).toBe(7);
  });

  test('a group index cannot be published to', async () => {
    pyproject(`[[tool.uv.index]]\nname = "acme"\nurl = "${api()}/groups/42/-/packages/pypi/simple"\n`);
    await dists(w, [{ kind: 'wheel', name: 'acme-group', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--index', 'acme'], { host: false });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is a group registry, and GitLab has no group-level upload');
  });

  test('--project takes a path and looks up its id', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-bypath', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', 'acme/tools', '--json']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).target).toMatchObject({ projectId: '7', projectPath: 'acme/tools' });
  });

  test('with no project anywhere, says how to name one', async () => {
    await dists(w, [{ kind: 'wheel', name: 'acme-nowhere', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no project to publish to');
    expect(result.stderr).toContain('hint: Pass --project <id|path>');
  });
});
