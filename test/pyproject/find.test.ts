import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { findPyproject } from '../../src/pyproject/find.js';

describe('findPyproject', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'glx-find-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('finds pyproject.toml in the start directory', async () => {
    await writeFile(path.join(root, 'pyproject.toml'), '');

    const found = await findPyproject(root);

    expect(found).toBe(path.join(root, 'pyproject.toml'));
  });

  test('walks up to the nearest pyproject.toml, like uv', async () => {
    const deep = path.join(root, 'packages', 'member', 'src');
    await mkdir(deep, { recursive: true });
    await writeFile(path.join(root, 'pyproject.toml'), '');
    await writeFile(path.join(root, 'packages', 'member', 'pyproject.toml'), '');

    const found = await findPyproject(deep);

    expect(found).toBe(path.join(root, 'packages', 'member', 'pyproject.toml'));
  });

  test('skips a directory named pyproject.toml', async () => {
    const start = path.join(root, 'a');
    await mkdir(path.join(start, 'pyproject.toml'), { recursive: true });
    await writeFile(path.join(root, 'pyproject.toml'), '');

    const found = await findPyproject(start);

    expect(found).toBe(path.join(root, 'pyproject.toml'));
  });

  test('resolves a relative start directory', async () => {
    await writeFile(path.join(root, 'pyproject.toml'), '');

    const found = await findPyproject(path.relative(process.cwd(), root));

    expect(found).toBe(path.join(root, 'pyproject.toml'));
  });

  test('returns undefined when no directory up to the root has one', async () => {
    const start = path.join(root, 'empty');
    await mkdir(start);
    const above = await findPyproject(path.dirname(root));
    // Only meaningful when the temp dir itself has no pyproject.toml above it.
    if (above !== undefined) return;

    const found = await findPyproject(start);

    expect(found).toBeUndefined();
  });
});
