/** The secrets of a run live in its Deps (createSecrets), not in the module: one run's tokens are its own; URLs lose their userinfo before they are shown. */
import { describe, expect, it } from 'vitest';
import { createSecrets, displayUrl, withoutUserinfo } from '../../src/util/redact.js';

describe('createSecrets', () => {
  it('masks a registered token, plain and URL-encoded, and leaves short values alone', () => {
    const secrets = createSecrets();
    secrets.register('glpat-abc/def+ghijklmnop');
    secrets.register('short');

    const text = secrets.redact('token glpat-abc/def+ghijklmnop in glpat-abc%2Fdef%2Bghijklmnop, short word');

    expect(text).toBe('token glpat-… in glpat-…, short word');
  });

  it('keeps each set of secrets to itself', () => {
    const first = createSecrets();
    const second = createSecrets();

    first.register('glpat-first-run-token-1234');

    expect(first.redact('glpat-first-run-token-1234')).toBe('glpat-…');
    expect(second.redact('glpat-first-run-token-1234')).toBe('glpat-first-run-token-1234');
  });
});

describe('withoutUserinfo', () => {
  it('drops user and password and keeps the rest of the URL', () => {
    expect(
      withoutUserinfo('https://__token__:glpat-secret@gitlab.example.com/api/v4/projects/1/packages/pypi/simple'),
    ).toBe('https://gitlab.example.com/api/v4/projects/1/packages/pypi/simple');
  });

  it('drops a password that contains an @ whole, as the URL parser reads it', () => {
    expect(withoutUserinfo('https://bot:p@ss@gitlab.example.com/simple')).toBe('https://gitlab.example.com/simple');
  });

  it('returns a URL without userinfo exactly as written', () => {
    expect(withoutUserinfo('https://GitLab.example.com:443/simple/')).toBe('https://GitLab.example.com:443/simple/');
  });

  it('cuts the userinfo out of text that does not parse as a URL', () => {
    expect(withoutUserinfo('https://user:secret@bad host/')).toBe('https://bad host/');
  });
});

describe('displayUrl', () => {
  it('hides userinfo and a token in the query', () => {
    expect(displayUrl('https://u:secret@gitlab.example.com/x?private_token=glpat-abc')).toBe(
      'https://gitlab.example.com/x?private_token=REDACTED',
    );
  });
});
