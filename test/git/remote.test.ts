import { describe, expect, it } from 'vitest';
import { parseRemoteUrl } from '../../src/git/remote.js';

describe('parseRemoteUrl', () => {
  it.each([
    ['git@gitlab.com:acme/tools.git', 'https://gitlab.com', 'acme/tools'],
    ['git@gitlab.example.com:acme/platform/sub/tools.git', 'https://gitlab.example.com', 'acme/platform/sub/tools'],
    ['ssh://git@gitlab.example.com:2222/acme/tools.git', 'https://gitlab.example.com', 'acme/tools'],
    ['https://gitlab.example.com/acme/tools.git', 'https://gitlab.example.com', 'acme/tools'],
    ['https://gitlab.example.com:8443/acme/sub/tools', 'https://gitlab.example.com:8443', 'acme/sub/tools'],
    ['https://oauth2:glpat-secret@GitLab.Example.com/acme/tools.git', 'https://gitlab.example.com', 'acme/tools'],
    ['http://127.0.0.1:8080/acme/tools.git/', 'http://127.0.0.1:8080', 'acme/tools'],
  ])('reads %s as %s project %s', (url, baseUrl, projectPath) => {
    const info = parseRemoteUrl(url);

    expect(info).toMatchObject({ baseUrl, projectPath });
  });

  it.each(['', 'not a url', '/srv/git/tools.git', 'file:///srv/git/acme/tools.git', 'https://gitlab.com/tools'])(
    'rejects %j',
    (url) => {
      expect(parseRemoteUrl(url)).toBeUndefined();
    },
  );

  it('never keeps credentials from the remote in the base URL', () => {
    const info = parseRemoteUrl('https://user:glpat-abcdefghijklmnop@gitlab.com/acme/tools.git');

    expect(JSON.stringify(info)).not.toContain('glpat');
  });
});
