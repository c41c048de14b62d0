import { describe, expect, it } from 'vitest';
import { fromPythonVersionFile, isPythonMinor, lowerBound } from '../../src/gitlab-ci/python-version.js';

describe('fromPythonVersionFile', () => {
  it.each([
    ['3.12\n', '3.12'],
    ['3.12.4\n', '3.12'],
    ['cpython@3.11\n', '3.11'],
    ['cpython-3.13.1\n', '3.13'],
    ['3.13t\n', '3.13'],
    ['# pinned by the team\n\n3.10\n3.11\n', '3.10'],
    ['3.12\r\n', '3.12'],
  ])('reads %j as %s', (text, minor) => {
    expect(fromPythonVersionFile(text)).toBe(minor);
  });

  it.each(['', '\n# nothing\n', 'pypy@3.10\n', '3\n', 'system\n'])('finds no CPython minor in %j', (text) => {
    expect(fromPythonVersionFile(text)).toBeUndefined();
  });
});

describe('lowerBound', () => {
  it.each([
    ['>=3.10', '3.10'],
    ['>=3.8.1,<4', '3.8'],
    ['~=3.11', '3.11'],
    ['==3.12.*', '3.12'],
    ['>3.9', '3.9'],
    ['>=3.9, >=3.11', '3.11'],
    [' >= 3.10 , != 3.10.2', '3.10'],
  ])('takes the lowest allowed minor of %j: %s', (spec, minor) => {
    expect(lowerBound(spec)).toBe(minor);
  });

  it.each(['<3.13', '!=3.10.*', '', '*'])('finds no lower bound in %j', (spec) => {
    expect(lowerBound(spec)).toBeUndefined();
  });
});

describe('isPythonMinor', () => {
  it('accepts the image tag form only', () => {
    expect(['3.12', '3.9'].map(isPythonMinor)).toEqual([true, true]);
    expect(['3', '3.12.1', 'py3.12', ''].map(isPythonMinor)).toEqual([false, false, false, false]);
  });
});
