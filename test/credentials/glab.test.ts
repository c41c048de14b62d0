import { describe, expect, it } from 'vitest';
import { replaceGlabToken } from '../../src/credentials/glab.js';

const OLD = 'glpat-oldoldoldoldoldold';
const NEW = 'glpat-newnewnewnewnewnew';

describe('replaceGlabToken', () => {
  it.each([
    ['plain', `token: ${OLD}`, `token: ${NEW}`],
    ['double-quoted', `token: "${OLD}"`, `token: "${NEW}"`],
    ['single-quoted', `token: '${OLD}'`, `token: '${NEW}'`],
  ])('replaces a %s token under the host and keeps every other byte', async (_style, before, after) => {
    const text = `# glab\nhosts:\n  gitlab.com:\n    token: ${OLD}\n  GitLab.Example.com:\n    ${before} # mine\n    api_protocol: https\n`;

    const result = await replaceGlabToken(text, 'gitlab.example.com', OLD, NEW);

    expect(result).toBe(text.replace(`${before} # mine`, `${after} # mine`));
  });

  it('returns undefined when the host holds another token or is not there', async () => {
    const text = `hosts:\n  gitlab.example.com:\n    token: glpat-someoneelse00000000\n`;

    expect(await replaceGlabToken(text, 'gitlab.example.com', OLD, NEW)).toBeUndefined();
    expect(await replaceGlabToken(text, 'other.example.com', OLD, NEW)).toBeUndefined();
  });
});
