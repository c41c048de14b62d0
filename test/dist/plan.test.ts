import { describe, expect, test } from 'vitest';
import { decideFile, decideLink } from '../../src/dist/plan.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const remote = (sha256?: string) => ({
  fileName: 'x-1.0.tar.gz',
  url: 'https://gl.example/api/v4/projects/7/packages/pypi/files/a/x-1.0.tar.gz',
  ...(sha256 ? { sha256 } : {}),
});

describe('upload plan', () => {
  test('a file the registry does not list is uploaded', () => {
    expect(decideFile(SHA_A, undefined)).toEqual({ action: 'upload' });
  });

  test('the same name with the same sha256 is skipped, whatever the case of the hex', () => {
    expect(decideFile(SHA_A.toUpperCase(), remote(SHA_A))).toMatchObject({ action: 'skip' });
  });

  test('the same name with another sha256, or none, is a conflict that says why', () => {
    expect(decideFile(SHA_A, remote(SHA_B))).toMatchObject({
      action: 'conflict',
      reason: expect.stringContaining('different file'),
    });
    expect(decideFile(SHA_A, remote())).toMatchObject({
      action: 'conflict',
      reason: expect.stringContaining('no sha256'),
    });
  });

  test('a release link is created, already there, or clashes by name or by URL', () => {
    const wanted = { name: 'x.whl', url: 'https://gl/x.whl' };
    expect(decideLink(wanted, [])).toEqual({ action: 'create' });
    expect(decideLink(wanted, [{ name: 'x.whl', url: 'https://gl/x.whl' }])).toEqual({ action: 'exists' });
    expect(decideLink(wanted, [{ name: 'x.whl', url: 'https://elsewhere/x.whl' }])).toMatchObject({
      action: 'clash',
      reason: expect.stringContaining('another URL'),
    });
    expect(decideLink(wanted, [{ name: 'renamed', url: 'https://gl/x.whl' }])).toMatchObject({
      action: 'clash',
      reason: expect.stringContaining('another name (renamed)'),
    });
  });
});
