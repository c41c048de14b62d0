/** The pypi.org stand-in is strict by default, like the GitLab one: a test declares the projects it asks about. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createFakePypi, type FakePypi } from './fake-pypi.js';

let pypi: FakePypi;

beforeEach(async () => {
  pypi = await createFakePypi();
  pypi.addPackage({
    name: 'Acme_Public',
    version: '1.0',
    files: [{ fileName: 'acme_public-1.0.tar.gz', content: 'x' }],
  });
});

afterEach(async () => {
  await pypi.close();
  pypi.assertClean();
});

describe('strictness', () => {
  test('a request about a project the test did not declare is unexpected and makes assertClean fail', async () => {
    const res = await fetch(`${pypi.simpleUrl}acme-public/`);

    expect(res.status).toBe(200);
    expect(() => pypi.assertClean()).toThrow(
      /unexpected requests:\nGET \/simple\/acme-public\/: a request about acme-public/,
    );
    pypi.resetLog();
  });

  test('a declared project nobody asked about makes assertClean fail', () => {
    pypi.expect(['acme-public']);

    expect(() => pypi.assertClean()).toThrow(/projects expected but never asked about:\nacme-public$/);
    pypi.resetLog();
  });

  test('declared (under any spelling) and asked about passes; declarations add up; files count', async () => {
    pypi.expect(['ACME.public']);
    pypi.expect(['acme-other']);

    const page = await (await fetch(`${pypi.simpleUrl}acme-public/`)).text();
    const href = /href="([^"#]+)/.exec(page)?.[1] ?? '';
    const file = await fetch(new URL(href, pypi.url));
    const other = await fetch(`${pypi.simpleUrl}acme-other/`);

    expect([file.status, other.status]).toEqual([200, 404]);
    expect(() => pypi.assertClean()).not.toThrow();
  });

  test('the whole project list is never expected', async () => {
    await fetch(pypi.simpleUrl);

    expect(pypi.unexpected).toEqual(['GET /simple/: the whole project list was asked for']);
    pypi.resetLog();
  });
});
