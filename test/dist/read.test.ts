import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readDistribution } from '../../src/dist/read.js';
import { buildDist, buildDists } from '../support/dists.js';
import { tempDir } from '../support/test-deps.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

async function read(file: string) {
  return readDistribution(file, path.basename(file));
}

function dir(name: string): string {
  const out = path.join(tmp.dir, name);
  mkdirSync(out, { recursive: true });
  return out;
}

describe('reading wheels', () => {
  test('reads name, version, requires-python and the tags from a deflated wheel', async () => {
    const file = await buildDist(dir('deflated'), {
      kind: 'wheel',
      name: 'Acme.Utils',
      version: '1.2.0',
      requiresPython: '>=3.9',
    });

    const result = await read(file);

    expect(result).toMatchObject({
      ok: true,
      dist: {
        fileName: 'acme_utils-1.2.0-py3-none-any.whl',
        kind: 'wheel',
        filetype: 'bdist_wheel',
        pyversion: 'py3',
        metadata: { name: 'Acme.Utils', version: '1.2.0' },
      },
    });
    if (result.ok) expect(result.dist.metadata.headers.get('requires-python')).toEqual(['>=3.9']);
  });

  test('reads stored members and ZIP64 records, with a large member before METADATA', async () => {
    const [stored, zip64] = await buildDists(dir('zip-kinds'), [
      { kind: 'wheel', name: 'stored', version: '1.0', compression: 'stored', padding: 300_000 },
      { kind: 'wheel', name: 'zipsixtyfour', version: '2.0', zip64: true, padding: 1000 },
    ]);

    expect(await read(stored!)).toMatchObject({ ok: true, dist: { metadata: { name: 'stored' } } });
    expect(await read(zip64!)).toMatchObject({
      ok: true,
      dist: { metadata: { name: 'zipsixtyfour', version: '2.0' } },
    });
  });

  test('with several .dist-info directories, takes the one the file name points at', async () => {
    const file = await buildDist(dir('several'), {
      kind: 'wheel',
      name: 'acme',
      version: '1.0',
      extraDistInfo: 'vendored-9.9.dist-info',
    });

    expect(await read(file)).toMatchObject({ ok: true, dist: { metadata: { name: 'acme' } } });
  });

  test('a wheel whose METADATA disagrees with its file name names both sides', async () => {
    const [name, version] = await buildDists(dir('mismatch'), [
      { kind: 'wheel', name: 'acme-utils', version: '1.0', fileName: 'acme_tools-1.0-py3-none-any.whl' },
      { kind: 'wheel', name: 'acme-utils', version: '1.0', fileName: 'acme_utils-1.1-py3-none-any.whl' },
    ]);

    expect(await read(name!)).toEqual({
      ok: false,
      display: 'acme_tools-1.0-py3-none-any.whl',
      problems: ['the file name says project "acme_tools", acme_utils-1.0.dist-info/METADATA says Name: acme-utils'],
    });
    expect(await read(version!)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('the file name says version "1.1"')],
    });
  });

  test('a wheel without METADATA, with missing fields, or not a zip at all is a problem', async () => {
    const out = dir('broken');
    const [missing, fields] = await buildDists(out, [
      { kind: 'wheel', name: 'nometa', version: '1.0', omitMetadata: true },
      { kind: 'wheel', name: 'fields', version: '1.0', metadata: 'Metadata-Version: 2.1\nName: fields\n' },
    ]);
    const notZip = path.join(out, 'fake-1.0-py3-none-any.whl');
    writeFileSync(notZip, 'this is not a zip file');

    expect(await read(missing!)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('no *.dist-info/METADATA')],
    });
    expect(await read(fields!)).toMatchObject({
      ok: false,
      problems: ['fields-1.0.dist-info/METADATA: no Version field'],
    });
    expect(await read(notZip)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('is not a valid zip archive')],
    });
  });

  test('invalid versions and project names in the metadata are refused', async () => {
    const file = await buildDist(dir('invalid'), {
      kind: 'wheel',
      name: 'ok',
      version: '1.0',
      metadata: 'Metadata-Version: 2.1\nName: -bad-\nVersion: latest\n',
      fileName: 'bad-latest-py3-none-any.whl',
    });

    const result = await read(file);

    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.join('\n')).toMatch(
        /Name "-bad-" is not a valid project name[\s\S]*Version "latest" is not a valid PEP 440 version/,
      );
  });
});

describe('reading sdists', () => {
  test.each(['pax', 'gnu', 'ustar'] as const)(
    'reads PKG-INFO from a %s tar.gz, not the egg-info copy deeper down',
    async (tarFormat) => {
      const file = await buildDist(dir(`tar-${tarFormat}`), {
        kind: 'sdist',
        name: 'acme-utils',
        version: '1.0.post1',
        tarFormat,
        requiresPython: '>=3.8',
      });

      expect(await read(file)).toMatchObject({
        ok: true,
        dist: {
          kind: 'sdist',
          filetype: 'sdist',
          pyversion: 'source',
          metadata: { name: 'acme-utils', version: '1.0.post1' },
        },
      });
    },
  );

  test.each(['pax', 'gnu'] as const)('follows %s long names past 100 characters', async (tarFormat) => {
    const name = `a${'b'.repeat(110)}`;
    const file = await buildDist(dir(`long-${tarFormat}`), { kind: 'sdist', name, version: '1.0', tarFormat });

    expect(await read(file)).toMatchObject({ ok: true, dist: { metadata: { name } } });
  });

  test('stops reading once PKG-INFO is found: a damaged tail does not matter', async () => {
    const file = await buildDist(dir('early'), {
      kind: 'sdist',
      name: 'early',
      version: '1.0',
      padding: 2_000_000,
      paddingFirst: false,
    });
    const size = readFileSync(file).length;
    truncateSync(file, Math.floor(size * 0.6));

    expect(await read(file)).toMatchObject({ ok: true, dist: { metadata: { name: 'early' } } });
  });

  test('skips a large member before PKG-INFO', async () => {
    const file = await buildDist(dir('skip'), {
      kind: 'sdist',
      name: 'skip',
      version: '3.0',
      padding: 3_000_000,
      paddingFirst: true,
    });

    expect(await read(file)).toMatchObject({ ok: true, dist: { metadata: { version: '3.0' } } });
  });

  test('reads a .zip sdist', async () => {
    const file = await buildDist(dir('zip-sdist'), { kind: 'sdist-zip', name: 'zipped', version: '0.1' });

    expect(await read(file)).toMatchObject({
      ok: true,
      dist: { fileName: 'zipped-0.1.zip', kind: 'sdist', metadata: { name: 'zipped' } },
    });
  });

  test('an sdist named for another project or version is refused with the expected name', async () => {
    const file = await buildDist(dir('sdist-mismatch'), {
      kind: 'sdist',
      name: 'acme-utils',
      version: '2.0',
      fileName: 'acme_utils-1.0.tar.gz',
    });

    expect(await read(file)).toEqual({
      ok: false,
      display: 'acme_utils-1.0.tar.gz',
      problems: [
        'the file name does not match acme_utils-2.0/PKG-INFO (Name: acme-utils, Version: 2.0); expected acme_utils-2.0.tar.gz',
      ],
    });
  });

  test('an sdist with only a nested PKG-INFO, or that is not gzip, is a problem', async () => {
    const out = dir('sdist-broken');
    const missing = await buildDist(out, { kind: 'sdist', name: 'nopkg', version: '1.0', omitMetadata: true });
    const notGzip = path.join(out, 'plain-1.0.tar.gz');
    writeFileSync(notGzip, 'plain text, not gzip');

    expect(await read(missing)).toMatchObject({ ok: false, problems: ['has no <name>-<version>/PKG-INFO'] });
    expect(await read(notGzip)).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('not a valid gzip stream')],
    });
  });
});

describe('files that are not distributions', () => {
  test('a directory, a missing file and an unknown extension each say what they are', async () => {
    const out = dir('others');
    writeFileSync(path.join(out, 'notes.txt'), 'hello');

    expect(await readDistribution(out, 'others')).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('is a directory')],
    });
    expect(await readDistribution(path.join(out, 'gone-1.0.tar.gz'), 'gone-1.0.tar.gz')).toMatchObject({
      ok: false,
      problems: ['does not exist'],
    });
    expect(await readDistribution(path.join(out, 'notes.txt'), 'notes.txt')).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('not a wheel (.whl) or source distribution')],
    });
  });
});
