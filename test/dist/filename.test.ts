import { describe, expect, test } from 'vitest';
import {
  distKindOf,
  normalizeName,
  normalizeVersion,
  parseDistName,
  sameVersion,
  sdistStemMatches,
} from '../../src/dist/filename.js';

describe('distribution file names', () => {
  test('a wheel name splits into name, version, optional build tag and the three tags', () => {
    expect(parseDistName('acme_utils-1.2.0-py3-none-any.whl')).toEqual({
      kind: 'wheel',
      fileName: 'acme_utils-1.2.0-py3-none-any.whl',
      name: 'acme_utils',
      version: '1.2.0',
      pythonTag: 'py3',
      abiTag: 'none',
      platformTag: 'any',
    });
    expect(parseDistName('numpy-2.0.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toMatchObject({
      build: '1',
      pythonTag: 'cp312',
      platformTag: 'manylinux_2_17_x86_64.manylinux2014_x86_64',
    });
  });

  test('a wheel name with the wrong number of parts, or a build tag not starting with a digit, is a problem sentence', () => {
    expect(parseDistName('acme-utils-1.0-1-py3-none-any.whl')).toMatch(/wrong number/);
    expect(parseDistName('acme-1.0-py3-any.whl')).toMatch(/wrong number/);
    expect(parseDistName('acme-1.0-b1-py3-none-any.whl')).toMatch(/must start with a digit/);
  });

  test('problem sentences carry no literal {name} template', () => {
    for (const bad of [
      'acme-utils-1.0-1-py3-none-any.whl',
      'acme.tar.gz',
      'acme-1.0-b1-py3-none-any.whl',
      'acme-1.0.egg',
    ]) {
      expect(parseDistName(bad)).not.toMatch(/\{\w+\}/);
    }
    expect(parseDistName('acme.tar.gz')).toBe(
      'an sdist is named <name>-<version>.tar.gz (e.g. acme_utils-1.0.tar.gz); this name has no "-"',
    );
  });

  test('sdists are .tar.gz or .zip; anything else is not a distribution', () => {
    expect(parseDistName('acme_utils-1.0.tar.gz')).toEqual({
      kind: 'sdist',
      fileName: 'acme_utils-1.0.tar.gz',
      stem: 'acme_utils-1.0',
      format: 'tar.gz',
    });
    expect(parseDistName('acme-1.0.zip')).toMatchObject({ kind: 'sdist', format: 'zip' });
    expect(parseDistName('acme.tar.gz')).toMatch(/no "-"/);
    expect(parseDistName('acme-1.0.tar.bz2')).toMatch(/not a wheel/);
    expect(parseDistName('acme-1.0.egg')).toMatch(/not a wheel/);
    expect(distKindOf('A-1.WHL')).toEqual({ kind: 'wheel', format: 'whl' });
  });

  test('project names normalise as PEP 503 says', () => {
    expect(normalizeName('Acme.Utils__Extra')).toBe('acme-utils-extra');
    expect(normalizeName('acme_utils')).toBe(normalizeName('ACME-utils'));
  });

  test.each([
    ['1.0', '1.0'],
    ['1.0.0', '1.0.0'],
    ['v1.0', '1.0'],
    ['01.002', '1.2'],
    ['1.0-Alpha_1', '1.0a1'],
    ['1.0beta', '1.0b0'],
    ['1.0c2', '1.0rc2'],
    ['1.0-1', '1.0.post1'],
    ['1.0.post', '1.0.post0'],
    ['1.0-r3', '1.0.post3'],
    ['1.0.DEV4', '1.0.dev4'],
    ['0!1.0', '1.0'],
    ['2!1.0', '2!1.0'],
    ['1.0+Local-Build_7', '1.0+local.build.7'],
  ])('version %s normalises to %s', (input, expected) => {
    expect(normalizeVersion(input)).toBe(expected);
  });

  test('strings that are not PEP 440 versions have no normal form', () => {
    expect(normalizeVersion('latest')).toBeUndefined();
    expect(normalizeVersion('1.0.0-beta.1+')).toBeUndefined();
    expect(sameVersion('1.0', '1.0.0')).toBe(false);
    expect(sameVersion('1.0-1', '1.0.post1')).toBe(true);
  });

  test('an sdist stem matches its metadata at any "-", as old tools wrote names with dashes', () => {
    expect(sdistStemMatches('acme_utils-1.0', 'acme-utils', '1.0')).toBe(true);
    expect(sdistStemMatches('acme-utils-1.0', 'Acme.Utils', '1.0')).toBe(true);
    expect(sdistStemMatches('acme-utils-1.0-1', 'acme-utils', '1.0.post1')).toBe(true);
    expect(sdistStemMatches('acme_utils-1.0', 'acme-tools', '1.0')).toBe(false);
    expect(sdistStemMatches('acme_utils-1.1', 'acme-utils', '1.0')).toBe(false);
  });
});
