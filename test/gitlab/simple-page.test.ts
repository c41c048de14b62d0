import { describe, expect, test } from 'vitest';
import { parseSimplePage, unescapeHtml } from '../../src/gitlab/simple-page.js';
import { simplePage } from '../support/fake-gitlab/index.js';

const SHA = 'ab'.repeat(32);

describe('PEP 503 versions page', () => {
  test('reads file names, sha256 and requires-python from the links GitLab renders', () => {
    const base = 'https://gitlab.example.com/api/v4/projects/7/packages/pypi';
    const html = simplePage(
      'acme-utils',
      `<a href="${base}/files/${SHA}/acme_utils-1.0.tar.gz#sha256=${SHA}" data-requires-python="&gt;=3.9">acme_utils-1.0.tar.gz</a>` +
        `<a href="${base}/files/${SHA}/acme_utils-1.0-py3-none-any.whl#sha256=${SHA}" data-requires-python="">acme_utils-1.0-py3-none-any.whl</a>`,
    );

    const files = parseSimplePage(html, `${base}/simple/acme-utils`);

    expect(files).toEqual([
      {
        fileName: 'acme_utils-1.0.tar.gz',
        url: `${base}/files/${SHA}/acme_utils-1.0.tar.gz`,
        sha256: SHA,
        requiresPython: '>=3.9',
      },
      {
        fileName: 'acme_utils-1.0-py3-none-any.whl',
        url: `${base}/files/${SHA}/acme_utils-1.0-py3-none-any.whl`,
        sha256: SHA,
      },
    ]);
  });

  test('resolves relative hrefs, decodes escapes, and keeps a link without a hash (no sha256)', () => {
    const html = `<a href='../../files/x/acme%2Butils-1.0.tar.gz?a=1&amp;b=2'>ignored text</a><a href="plain-2.0.tar.gz">plain-2.0.tar.gz</a><a name="anchor">no href</a>`;

    const files = parseSimplePage(html, 'https://gl.example/api/v4/projects/7/packages/pypi/simple/acme/');

    expect(files).toEqual([
      {
        fileName: 'acme+utils-1.0.tar.gz',
        url: 'https://gl.example/api/v4/projects/7/packages/pypi/files/x/acme%2Butils-1.0.tar.gz?a=1&b=2',
      },
      {
        fileName: 'plain-2.0.tar.gz',
        url: 'https://gl.example/api/v4/projects/7/packages/pypi/simple/acme/plain-2.0.tar.gz',
      },
    ]);
  });

  test('unescapes named and numeric character references', () => {
    expect(unescapeHtml('&lt;&#62;&#x3D;&amp;&quot;&unknown;')).toBe('<>=&"&unknown;');
  });
});
