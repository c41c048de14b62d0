import { describe, expect, it } from 'vitest';
import { isLoopbackHost, normalizeBaseUrl, parseRegistryUrl, publishUrl, simpleUrl } from '../../src/gitlab/url.js';

describe('GitLab registry URLs', () => {
  it('builds project and group simple URLs as GitLab documents them', () => {
    expect(simpleUrl('https://gitlab.example.com', { kind: 'project', id: '7' })).toBe(
      'https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple',
    );
    expect(simpleUrl('https://gitlab.example.com', { kind: 'group', id: '42' })).toBe(
      'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple',
    );
    expect(publishUrl('https://gitlab.example.com', '7')).toBe(
      'https://gitlab.example.com/api/v4/projects/7/packages/pypi',
    );
  });

  it('URL-encodes a path id', () => {
    expect(simpleUrl('https://gl.example', { kind: 'project', id: 'acme/tools' })).toBe(
      'https://gl.example/api/v4/projects/acme%2Ftools/packages/pypi/simple',
    );
  });

  it('recognises index and upload URLs, with a relative URL root and a port', () => {
    expect(
      parseRegistryUrl('https://example.com:8443/gitlab/api/v4/groups/acme%2Fplatform/-/packages/pypi/simple/'),
    ).toMatchObject({
      kind: 'group',
      id: 'acme/platform',
      baseUrl: 'https://example.com:8443/gitlab',
      host: 'example.com',
      shape: 'simple',
    });
    expect(parseRegistryUrl('https://gitlab.com/api/v4/projects/7/packages/pypi')).toMatchObject({
      kind: 'project',
      id: '7',
      shape: 'upload',
    });
  });

  it('flags credentials embedded in an index URL', () => {
    expect(
      parseRegistryUrl('https://__token__:glpat-x@gitlab.com/api/v4/projects/7/packages/pypi/simple')?.hasCredentials,
    ).toBe(true);
  });

  it('does not mistake other registries for GitLab', () => {
    expect(parseRegistryUrl('https://pypi.org/simple')).toBeUndefined();
    expect(parseRegistryUrl('https://download.pytorch.org/whl/cpu')).toBeUndefined();
    expect(parseRegistryUrl('../local/path')).toBeUndefined();
  });

  it('normalises a base URL from a bare host, a trailing slash or an /api/v4 suffix', () => {
    expect(normalizeBaseUrl('gitlab.example.com')).toBe('https://gitlab.example.com');
    expect(normalizeBaseUrl('https://gitlab.example.com/')).toBe('https://gitlab.example.com');
    expect(normalizeBaseUrl('https://gitlab.example.com/api/v4')).toBe('https://gitlab.example.com');
    expect(normalizeBaseUrl('https://u:p@gitlab.example.com')).toBe('https://gitlab.example.com');
  });

  it('knows which hosts are loopback', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', 'gitlab.com', '127.0.0.1.evil.com'].some(isLoopbackHost)).toBe(false);
  });
});
