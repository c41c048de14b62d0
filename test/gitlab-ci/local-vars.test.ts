import { describe, expect, it } from 'vitest';
import { gitignoreWithEntry, upsertLocalToken } from '../../src/gitlab-ci/local-vars.js';
import { errorOf } from '../support/errors.js';

const TOKEN = 'glpat-abcdefghij0123456789';

describe('upsertLocalToken', () => {
  it('creates the file with a warning header and the token', () => {
    const result = upsertLocalToken(undefined, TOKEN, 'v.yml');

    expect(result.action).toBe('created');
    expect(result.text.split('\n').slice(-2)).toEqual([`CI_JOB_TOKEN: ${TOKEN}`, '']);
    expect(result.text).toContain('never commit this file');
  });

  it("replaces only the value, keeping the line's comment, the other variables and CRLF", () => {
    const before = 'FOO: bar\r\nCI_JOB_TOKEN: "old-token-value-0000"   # rotate monthly\r\nBAZ: 1\r\n';

    const result = upsertLocalToken(before, TOKEN, 'v.yml');

    expect(result).toEqual({
      action: 'updated',
      text: `FOO: bar\r\nCI_JOB_TOKEN: ${TOKEN}   # rotate monthly\r\nBAZ: 1\r\n`,
    });
  });

  it('appends the variable when missing, after a last line without newline', () => {
    expect(upsertLocalToken('FOO: bar', TOKEN, 'v.yml').text).toBe(`FOO: bar\nCI_JOB_TOKEN: ${TOKEN}\n`);
  });

  it('changes nothing when the token is already there', () => {
    const before = `CI_JOB_TOKEN: ${TOKEN}\n`;

    expect(upsertLocalToken(before, TOKEN, 'v.yml')).toEqual({ text: before, action: 'unchanged' });
  });

  it('quotes a token that YAML would read as something else', () => {
    expect(upsertLocalToken(undefined, 'abc:def #x', 'v.yml').text).toContain('CI_JOB_TOKEN: "abc:def #x"');
    expect(upsertLocalToken(undefined, '12345678', 'v.yml').text).toContain('CI_JOB_TOKEN: "12345678"');
  });

  it('refuses a file in .env form or broken YAML, naming the position, without echoing the token', () => {
    const envForm = errorOf(() => upsertLocalToken('FOO=bar\nBAZ=1\n', TOKEN, 'v.yml'));
    const broken = errorOf(() => upsertLocalToken('FOO: [bar\n', TOKEN, 'v.yml'));

    expect(envForm.code).toBe('GITLAB_CI_INVALID');
    expect(broken.message).toMatch(/^v\.yml:\d+:\d+: /);
    expect(`${envForm.message}${broken.message}`).not.toContain(TOKEN);
  });
});

describe('gitignoreWithEntry', () => {
  it('appends an anchored entry with a comment, keeping what is there', () => {
    expect(gitignoreWithEntry(undefined)).toBe(
      '# gitlab-ci-local variables hold a GitLab token (glx ci-setup --local)\n/.gitlab-ci-local-variables.yml\n',
    );
    expect(gitignoreWithEntry('dist/\r\n.venv')).toBe(
      'dist/\r\n.venv\r\n# gitlab-ci-local variables hold a GitLab token (glx ci-setup --local)\r\n/.gitlab-ci-local-variables.yml\r\n',
    );
  });
});
