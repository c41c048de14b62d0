import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { pythonBlake2b256 } from '../support/dists.js';
import { checkRoutes, PUBLISH_ROUTES } from '../support/routes.js';
import { recordWaits } from '../support/test-deps.js';
import { bytesOf, dists, type PublishWorld, publishCli, publishWorld, UPLOAD } from './publish-helpers.js';

let w: PublishWorld;
beforeEach(async () => {
  w = await publishWorld();
});
afterEach(async () => {
  await w.cleanup();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('uploading', () => {
  test('uploads a wheel and an sdist built by Python, byte for byte, with sha256 and blake2b-256 the stand-in verifies', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel, sdist] = await dists(w, [
      { kind: 'wheel', name: 'acme-widgets', version: '1.0.0', requiresPython: '>=3.9' },
      { kind: 'sdist', name: 'acme-widgets', version: '1.0.0', requiresPython: '>=3.9' },
    ]);

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.code).toBe(0);
    expect(w.fake.uploads).toHaveLength(2);
    for (const fileName of [wheel!, sdist!]) {
      const upload = w.fake.uploads.find((u) => u.fileName === fileName)!;
      const bytes = bytesOf(w, fileName);
      expect(upload.bytes?.equals(bytes)).toBe(true);
      expect(upload).toMatchObject({
        accepted: true,
        sha256: sha256(bytes),
        clientSha256: sha256(bytes),
        clientBlake2b256: await pythonBlake2b256(path.join(w.dist, fileName)),
      });
      expect(upload.blake2b256).toBe(upload.clientBlake2b256);
    }
    expect(result.stderr).toMatch(/acme_widgets-1\.0\.0-py3-none-any\.whl\s+\S+ \S+\s+uploaded/);
  });

  test('sends the legacy form fields GitLab reads, with metadata from the file itself', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [
      { kind: 'wheel', name: 'Acme.Widgets', version: '2.0', requiresPython: '>=3.10', summary: 'Widgets for all' },
    ]);

    await publishCli(w, ['dist/acme_widgets-2.0-py3-none-any.whl', '--project', '7']);

    expect(w.fake.uploads[0]?.fields).toMatchObject({
      ':action': 'file_upload',
      protocol_version: '1',
      metadata_version: '2.4',
      name: 'Acme.Widgets',
      version: '2.0',
      filetype: 'bdist_wheel',
      pyversion: 'py3',
      requires_python: '>=3.10',
      summary: 'Widgets for all',
      author_email: 'Alice <alice@example.com>',
      description_content_type: 'text/markdown',
    });
  });

  test('always sends requires_python, empty when the metadata has none', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'sdist', name: 'acme-nopy', version: '1.0' }]);

    await publishCli(w, ['dist/*', '--project', '7']);

    expect(w.fake.uploads[0]?.fields).toMatchObject({ requires_python: '', filetype: 'sdist', pyversion: 'source' });
  });

  test('authenticates package routes with Basic auth, never sending the token elsewhere or printing it', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-auth', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--verbose']);

    expect(result.code).toBe(0);
    expect(w.fake.requestsTo(UPLOAD)[0]?.auth).toMatchObject({
      via: 'Basic',
      basicUsername: '__token__',
      outcome: 'authenticated',
    });
    expect(result.stderr + result.stdout).not.toContain(w.world.tokens.alicePat);
    expect(result.stderr).toContain('POST');
  });

  test('several files go up at once, at most --concurrency at a time', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(
      w,
      Array.from({ length: 6 }, (_, i) => ({
        kind: 'wheel' as const,
        name: `acme-many${i}`,
        version: '1.0',
        padding: 20_000,
      })),
    );
    w.fake.settings.latencyMs = 30;
    let inFlight = 0;
    let peak = 0;
    w.fake.faults.push({
      route: (r) => {
        if (r.route === 'POST /projects/:id/packages/pypi') {
          inFlight++;
          peak = Math.max(peak, inFlight);
          setTimeout(() => inFlight--, 25);
        }
        return false;
      },
      kind: 'delay',
      ms: 0,
    });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--concurrency', '3']);

    expect(result.code).toBe(0);
    expect(w.fake.uploads).toHaveLength(6);
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(3);
    w.fake.faults.length = 0;
  });
});

describe('what the registry already holds', () => {
  test('a file with the same name and sha256 is skipped and reported, without uploading', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-held', version: '1.0' }]);
    w.fake.addPackage(7, {
      name: 'acme-held',
      version: '1.0',
      files: [{ fileName: wheel!, content: bytesOf(w, wheel!) }],
    });

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.code).toBe(0);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
    expect(result.stderr).toMatch(/acme_held-1\.0-py3-none-any\.whl\s+\S+ \S+\s+skipped/);
  });

  test('the same name with other bytes is a conflict: exit 1, that file not uploaded, the others still go', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel, sdist] = await dists(w, [
      { kind: 'wheel', name: 'acme-clash', version: '1.0' },
      { kind: 'sdist', name: 'acme-clash', version: '1.0' },
    ]);
    w.fake.addPackage(7, { name: 'acme-clash', version: '1.0', files: [{ fileName: wheel!, content: 'other bytes' }] });

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.code).toBe(1);
    expect(w.fake.uploads.map((u) => u.fileName)).toEqual([sdist]);
    expect(result.stderr).toMatch(
      /conflict: dist\/acme_clash-1\.0-py3-none-any\.whl: the registry holds a different file with this name/,
    );
    expect(result.stderr).toMatch(/error: publish incomplete: 1 conflicting with the registry/);
    expect(result.stderr).toMatch(/hint: .*bump the version/);
  });

  test('a redirect to pypi.org for an unknown package means "not there": it is not followed, and the file is uploaded', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-forwarded', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    const lookup = w.fake.requestsTo('GET /projects/:id/packages/pypi/simple/:package_name')[0];
    expect(lookup?.status).toBe(302);
    expect(lookup?.rawUrl).toBe('/api/v4/projects/7/packages/pypi/simple/acme-forwarded');
    expect(result.code).toBe(0);
    expect(w.fake.uploads).toHaveLength(1);
  });

  test('with forwarding off, a 404 for the package means "not there" as well', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    w.fake.group('acme').forwarding = false;
    await dists(w, [{ kind: 'wheel', name: 'acme-absent', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(w.fake.requestsTo('GET /projects/:id/packages/pypi/simple/:package_name')[0]?.status).toBe(404);
    expect(result.code).toBe(0);
  });

  test('a 400 "File name has already been taken" is resolved by the versions page: identical bytes are skipped', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-race', version: '1.0' }]);
    w.fake.addPackage(7, {
      name: 'acme-race',
      version: '1.0',
      files: [{ fileName: wheel!, content: bytesOf(w, wheel!) }],
    });
    // The first look at the page misses the file, as if another run uploaded it in between.
    w.fake.faults.push({
      route: 'GET /projects/:id/packages/pypi/simple/:package_name',
      kind: 'status',
      status: 404,
      body: { message: '404 Package Not Found' },
    });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--json']);

    expect(result.code).toBe(0);
    expect(w.fake.uploads.map((u) => u.status)).toEqual([400]);
    expect(JSON.parse(result.stdout).files[0]).toMatchObject({
      status: 'skipped',
      message: 'already on the registry (same sha256)',
    });
  });

  test('a 400 "File name has already been taken" for other bytes is a conflict', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [sdist] = await dists(w, [{ kind: 'sdist', name: 'acme-race2', version: '1.0' }]);
    w.fake.addPackage(7, {
      name: 'acme-race2',
      version: '1.0',
      files: [{ fileName: sdist!, content: 'not the same' }],
    });
    w.fake.faults.push({
      route: 'GET /projects/:id/packages/pypi/simple/:package_name',
      kind: 'status',
      status: 404,
      body: { message: '404 Package Not Found' },
    });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).files[0]).toMatchObject({
      status: 'conflict',
      message: expect.stringContaining('different file'),
    });
  });
});

describe('retries and interruptions', () => {
  test('a 503 on upload is retried and the file is sent again in full', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel] = await dists(w, [{ kind: 'wheel', name: 'acme-retry', version: '1.0', padding: 100_000 }]);
    w.fake.faults.push({ route: UPLOAD, kind: 'status', status: 503 });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--json']);

    expect(result.code).toBe(0);
    expect(w.fake.requestsTo(UPLOAD).map((r) => r.status)).toEqual([503, 201]);
    expect(w.fake.uploads[0]?.bytes?.equals(bytesOf(w, wheel!))).toBe(true);
    expect(JSON.parse(result.stdout).files[0]).toMatchObject({ status: 'uploaded', attempts: 2 });
  });

  test('a 429 is retried after Retry-After, and the wait is reported', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-limited', version: '1.0' }]);
    w.fake.faults.push({ route: UPLOAD, kind: 'rate-limit', retryAfter: 1 });

    const { waits, sleep } = recordWaits(w.fake);
    const result = await publishCli(w, ['dist/*', '--project', '7'], { sleep });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('attempt 1 of 4 failed (429); retrying in 1.0 s');
    // The upload that got the 429 is followed by one wait of the second it asked for, then the retry.
    const before = w.fake.requests.findIndex((r) => r.route === UPLOAD);
    expect(waits).toEqual([{ ms: 1000, afterRequests: before + 1 }]);
    expect(w.fake.requestsTo(UPLOAD).map((r) => r.status)).toEqual([429, 201]);
  });

  test('a connection reset in the middle of the body reopens the file and sends it from the start', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel] = await dists(w, [
      { kind: 'wheel', name: 'acme-reset', version: '1.0', padding: 600_000, compression: 'stored' },
    ]);
    w.fake.faults.push({ route: UPLOAD, kind: 'reset', afterBytes: 200_000 });

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.code).toBe(0);
    expect(w.fake.requestsTo(UPLOAD).map((r) => r.fault ?? r.status)).toEqual(['reset after 200000 bytes', 201]);
    expect(w.fake.uploads[0]?.sha256).toBe(sha256(bytesOf(w, wheel!)));
  });

  test('an interrupted run resumed uploads only what is missing', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const names = await dists(w, [
      { kind: 'wheel', name: 'acme-resume', version: '1.0' },
      { kind: 'sdist', name: 'acme-resume', version: '1.0' },
      { kind: 'wheel', name: 'acme-resume-extra', version: '1.0' },
    ]);
    // The first upload goes through; after that the connection keeps dropping.
    w.fake.faults.push(
      { route: UPLOAD, kind: 'delay', ms: 0 },
      { route: UPLOAD, kind: 'reset', times: Number.POSITIVE_INFINITY },
    );

    const first = await publishCli(w, ['dist/*', '--project', '7', '--concurrency', '1']);
    const sentFirst = w.fake.uploads.filter((u) => u.accepted).map((u) => u.fileName);
    w.fake.faults.length = 0;
    const second = await publishCli(w, ['dist/*', '--project', '7', '--json']);

    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/2 failed/);
    expect(first.stderr).toMatch(/hint: Run the same command again/);
    expect(sentFirst).toHaveLength(1);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.summary).toMatchObject({ uploaded: 2, skipped: 1 });
    expect(report.files.find((f: { fileName: string }) => f.fileName === sentFirst[0]).status).toBe('skipped');
    expect(new Set(w.fake.uploads.filter((u) => u.accepted).map((u) => u.fileName))).toEqual(new Set(names));
  });
});

describe('credentials', () => {
  test('a read_api token is refused with exit 4 before any upload', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /personal_access_tokens/self',
      'GET /user',
      'GET /projects/:id/packages/pypi/simple',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-readonly', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7'], { token: w.world.tokens.aliceReadApi });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/error: the token's scopes \(read_api\) cannot publish; nothing was uploaded/);
    expect(result.stderr).toMatch(/hint: Publishing needs scope api/);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('a Reporter is refused with exit 4 before any upload, naming the role needed', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    await dists(w, [{ kind: 'wheel', name: 'acme-reporter', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7'], { token: w.world.tokens.bobPat });

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/bob is Reporter on project 7; publishing needs Developer/);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('an expired token is refused with exit 4', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', 'GET /personal_access_tokens/self']);
    await dists(w, [{ kind: 'wheel', name: 'acme-expired', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7'], { token: w.world.tokens.aliceExpired });

    expect(result.code).toBe(4);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('a read-only deploy token, which GitLab cannot describe in advance, stops the run at its first refused upload', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /projects/:id/packages/pypi/simple',
      'POST /projects/:id/packages/pypi',
    ]);
    await dists(w, [
      { kind: 'wheel', name: 'acme-deploy', version: '1.0' },
      { kind: 'sdist', name: 'acme-deploy', version: '1.0' },
    ]);

    const result = await publishCli(
      w,
      ['dist/*', '--project', '7', '--username', w.world.deployUsernames.deployRead, '--concurrency', '1', '--json'],
      { token: w.world.tokens.deployRead },
    );

    expect(result.code).toBe(4);
    expect(result.stderr).toContain('hint: A deploy token publishes only with scope write_package_registry');
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(1);
    expect(
      JSON.parse(result.stdout).files.map((f: { status: string; message: string }) => [
        f.status,
        f.message.slice(0, 15),
      ]),
    ).toEqual([
      ['failed', expect.any(String)],
      ['failed', 'not attempted: '],
    ]);
  });

  test('a deploy token with write_package_registry publishes with its own username', async () => {
    w.fake.expect([
      'GET /projects/:id/packages/pypi/simple/:package_name',
      'GET /projects/:id/packages/pypi/simple',
      'POST /projects/:id/packages/pypi',
    ]);
    await dists(w, [{ kind: 'wheel', name: 'acme-deployed', version: '1.0' }]);

    const result = await publishCli(
      w,
      ['dist/*', '--project', '7', '--username', w.world.deployUsernames.deployWrite],
      { token: w.world.tokens.deployWrite },
    );

    expect(result.code).toBe(0);
    expect(w.fake.uploads[0]?.auth).toMatchObject({
      kind: 'deploy',
      basicUsername: w.world.deployUsernames.deployWrite,
    });
  });
});

describe('local input', () => {
  test('a wheel whose metadata disagrees with its file name exits 2 with both, before any request', async () => {
    await dists(w, [
      { kind: 'wheel', name: 'acme-good', version: '1.0' },
      { kind: 'wheel', name: 'acme-utils', version: '1.0', fileName: 'acme_tools-1.0-py3-none-any.whl' },
    ]);

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: dist/acme_tools-1.0-py3-none-any.whl: the file name says project "acme_tools", acme_utils-1.0.dist-info/METADATA says Name: acme-utils; nothing was uploaded',
    );
    expect(w.fake.requests).toHaveLength(0);
  });

  test('every problem is listed: no match, a directory, an unknown file, a missing file', async () => {
    writeFileSync(path.join(w.dist, 'notes.txt'), 'x');

    const result = await publishCli(w, [
      'build/*.whl',
      'dist',
      'dist/notes.txt',
      'dist/gone-1.0.tar.gz',
      '--project',
      '7',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('  build/*.whl: no file matches');
    expect(result.stderr).toContain('  dist: is a directory; give the files in it, e.g. dist/*');
    expect(result.stderr).toContain('  dist/notes.txt: not a wheel (.whl) or source distribution (.tar.gz, .zip)');
    expect(result.stderr).toContain('  dist/gone-1.0.tar.gz: does not exist');
    expect(result.stderr).toContain('error: 4 problems with the files to publish (listed above); nothing was uploaded');
    expect(w.fake.requests).toHaveLength(0);
  });

  test('a quoted glob is expanded by glx, and two paths to one file count once', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-glob', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*.whl', 'dist/acme_glob-1.0-py3-none-any.whl', '--project', '7']);

    expect(result.code).toBe(0);
    expect(w.fake.uploads).toHaveLength(1);
  });

  test('bad flags are usage errors', async () => {
    expect((await publishCli(w, ['dist/*', '--project', '7', '--concurrency', '0'])).code).toBe(2);
    expect((await publishCli(w, ['dist/*', '--project', '7', '--release-create'])).stderr).toMatch(
      /--release-create needs --release TAG/,
    );
    expect((await publishCli(w, ['dist/*', '--project', '7', '--index', 'gitlab'])).stderr).toMatch(
      /cannot be used together/,
    );
    expect(w.fake.requests).toHaveLength(0);
  });
});

describe('output', () => {
  test('--json gives the summary as data on stdout', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const [wheel, sdist] = await dists(w, [
      { kind: 'wheel', name: 'acme-json', version: '1.0' },
      { kind: 'sdist', name: 'acme-json', version: '1.0' },
    ]);
    w.fake.addPackage(7, {
      name: 'acme-json',
      version: '1.0',
      files: [{ fileName: sdist!, content: bytesOf(w, sdist!) }],
    });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--json']);

    const wheelSha = sha256(bytesOf(w, wheel!));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      dryRun: false,
      target: {
        host: '127.0.0.1',
        projectId: '7',
        uploadUrl: `${w.fake.url}/api/v4/projects/7/packages/pypi`,
        from: '--project',
      },
      files: [
        {
          file: `dist/${wheel}`,
          fileName: wheel,
          package: 'acme-json',
          version: '1.0',
          filetype: 'bdist_wheel',
          size: bytesOf(w, wheel!).length,
          status: 'uploaded',
          sha256: wheelSha,
          blake2_256: await pythonBlake2b256(path.join(w.dist, wheel!)),
          url: `${w.fake.url}/api/v4/projects/7/packages/pypi/files/${wheelSha}/${wheel}`,
          attempts: 1,
          durationMs: expect.any(Number),
        },
        expect.objectContaining({
          file: `dist/${sdist}`,
          status: 'skipped',
          message: 'already on the registry (same sha256)',
          durationMs: 0,
        }),
      ],
      summary: { uploaded: 1, skipped: 1, conflict: 0, failed: 0, 'would-upload': 0 },
      ok: true,
    });
    expect(result.stderr).not.toContain('status');
  });

  test('--dry-run --json plans upload, skip and conflict from the registry, and uploads nothing', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    const [wheel, sdist, other] = await dists(w, [
      { kind: 'wheel', name: 'acme-plan', version: '1.0' },
      { kind: 'sdist', name: 'acme-plan', version: '1.0' },
      { kind: 'wheel', name: 'acme-plan-new', version: '1.0' },
    ]);
    w.fake.addPackage(7, {
      name: 'acme-plan',
      version: '1.0',
      files: [
        { fileName: wheel!, content: bytesOf(w, wheel!) },
        { fileName: sdist!, content: 'different' },
      ],
    });

    const result = await publishCli(w, ['dist/*', '--project', '7', '--dry-run', '--json']);

    const report = JSON.parse(result.stdout);
    expect(result.code).toBe(1);
    expect(report.dryRun).toBe(true);
    expect(report.files.map((f: { fileName: string; status: string }) => [f.fileName, f.status])).toEqual([
      [wheel, 'skipped'],
      [sdist, 'conflict'],
      [other, 'would-upload'],
    ]);
    expect(result.stderr).toMatch(/error: publish would not complete: 1 conflicting/);
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('--dry-run prints the plan as a table and exits 0 when everything would go', async () => {
    w.fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name', ...checkRoutes()]);
    await dists(w, [{ kind: 'wheel', name: 'acme-dry', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7', '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/acme_dry-1\.0-py3-none-any\.whl\s+\S+ \S+\s+would-upload/);
    expect(result.stderr).toContain(
      'Dry run for project 7 on 127.0.0.1: 1 would upload, 0 already there, 0 conflicting; nothing was uploaded.',
    );
    expect(w.fake.requestsTo(UPLOAD)).toHaveLength(0);
  });

  test('on a terminal each file gets a progress bar redrawn in place, then a line when done', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-tty', version: '1.0', padding: 50_000 }]);

    const result = await publishCli(w, ['dist/*', '--project', '7'], { stderrIsTTY: true, env: { FORCE_COLOR: '1' } });

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/acme_tty-1\.0-py3-none-any\.whl \u001b\[32m/);
    expect(result.stderr).toContain('\u001b[1F\u001b[J');
    expect(result.stderr).toMatch(/\u001b\[32muploaded\u001b\[39m dist\/acme_tty-1\.0-py3-none-any\.whl \(/);
  });

  test('without a terminal, progress is plain lines without escape codes', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    await dists(w, [{ kind: 'wheel', name: 'acme-plain', version: '1.0' }]);

    const result = await publishCli(w, ['dist/*', '--project', '7']);

    expect(result.stderr).toContain('uploading acme_plain-1.0-py3-none-any.whl (');
    expect(result.stderr).toMatch(/^uploaded dist\/acme_plain-1\.0-py3-none-any\.whl \(.* in \d+\.\d s/m);
    expect(result.stderr).not.toContain('\u001b[');
  });
});

describe('glx publish with no files', () => {
  test('publishes the wheels and sdists in dist/, as uv publish does, passing over what uv build leaves beside them', async () => {
    w.fake.expect(PUBLISH_ROUTES);
    const names = await dists(w, [
      { kind: 'wheel', name: 'acme-widgets', version: '1.0.0' },
      { kind: 'sdist', name: 'acme-widgets', version: '1.0.0' },
    ]);
    writeFileSync(path.join(w.dist, '.gitignore'), '*\n');
    writeFileSync(path.join(w.dist, 'NOTES.txt'), 'not a distribution\n');

    const result = await publishCli(w, ['--project', '7']);

    expect(result.code, result.stderr).toBe(0);
    expect(w.fake.uploads.map((upload) => upload.fileName).sort()).toEqual([...names].sort());
    expect(result.stderr).toContain('(no files given: dist/*, as uv publish does)');
  });

  test('says how to build them when dist/ has none, and sends nothing', async () => {
    writeFileSync(path.join(w.dist, 'NOTES.txt'), 'not a distribution\n');

    const result = await publishCli(w, ['--project', '7']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: no files given, and dist${path.sep} has no wheels or sdists\nhint: Build them with \`uv build\` (it writes dist/), or name the files: glx publish path/to/*.whl\n`,
    );
    expect(w.fake.requests).toHaveLength(0);
  });
});
