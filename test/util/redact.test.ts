import { describe, expect, it } from 'vitest';
import { displayUrl, withoutUserinfo } from '../../src/util/redact.js';

describe('withoutUserinfo', () => {
  it('drops user and password and keeps the rest of the URL', () => {
    expect(withoutUserinfo('https://__token__:glpat-secret@gitlab.example.com/api/v4/projects/1/packages/pypi/simple')).toBe(
      'https://gitlab.example.com/api/v4/projects/1/packages/pypi/simple',
    );
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
    expect(displayUrl('https://u:secret@gitlab.example.com/x?private_token=glpat-abc')).toBe('https://gitlab.example.com/x?private_token=REDACTED');
  });
});
