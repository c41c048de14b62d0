import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expandGlob, hasGlob, segmentRegExp } from '../../src/util/glob.js';
import { tempDir } from '../support/test-deps.js';

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
  mkdirSync(path.join(tmp.dir, 'dist'));
  mkdirSync(path.join(tmp.dir, 'other'));
  for (const name of ['a-1.0.tar.gz', 'a-1.0-py3-none-any.whl', 'b-2.0-py3-none-any.whl', '.gitignore'])
    writeFileSync(path.join(tmp.dir, 'dist', name), '');
  writeFileSync(path.join(tmp.dir, 'other', 'c-1.0.tar.gz'), '');
});
afterAll(() => tmp.cleanup());

describe('glob', () => {
  test('knows a pattern from a plain path', () => {
    expect(hasGlob('dist/*.whl')).toBe(true);
    expect(hasGlob('dist/a-[0-9].whl')).toBe(true);
    expect(hasGlob('dist/a-1.0.whl')).toBe(false);
  });

  test('expands * within a directory, sorted, without dotfiles', async () => {
    expect(await expandGlob('dist/*', tmp.dir)).toEqual(
      ['a-1.0-py3-none-any.whl', 'a-1.0.tar.gz', 'b-2.0-py3-none-any.whl'].map((name) =>
        path.join(tmp.dir, 'dist', name),
      ),
    );
  });

  test('matches ? and character classes, negated ones too, and globs in directory names', async () => {
    expect(await expandGlob('dist/?-*.whl', tmp.dir)).toHaveLength(2);
    expect(await expandGlob('dist/[!a]-*', tmp.dir)).toEqual([path.join(tmp.dir, 'dist', 'b-2.0-py3-none-any.whl')]);
    expect(await expandGlob('*/*.tar.gz', tmp.dir)).toEqual([
      path.join(tmp.dir, 'dist', 'a-1.0.tar.gz'),
      path.join(tmp.dir, 'other', 'c-1.0.tar.gz'),
    ]);
    expect(await expandGlob('dist/.*', tmp.dir)).toEqual([path.join(tmp.dir, 'dist', '.gitignore')]);
  });

  test('matches nothing rather than failing when a directory is missing', async () => {
    expect(await expandGlob('missing/*.whl', tmp.dir)).toEqual([]);
    expect(await expandGlob(path.join(tmp.dir, 'dist', '*.zip'), '/')).toEqual([]);
  });

  test('treats regular expression characters literally', () => {
    expect(segmentRegExp('a+b(1).tar.gz').test('a+b(1).tar.gz')).toBe(true);
    expect(segmentRegExp('a.b').test('axb')).toBe(false);
  });
});
