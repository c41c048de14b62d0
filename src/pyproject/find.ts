/** Locating pyproject.toml the way uv does: the nearest one in the start directory or above it. */
import { statSync } from 'node:fs';
import path from 'node:path';
import { GlxError } from '../errors.js';

/** Nearest `pyproject.toml` at or above `startDir`, or undefined when none up to the root. */
export async function findPyproject(startDir: string): Promise<string | undefined> {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'pyproject.toml');
    if (await isFile(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Synchronous on purpose: a few stat calls are faster than waking libuv's thread pool, and `glx env` runs at shell start-up. */
async function isFile(file: string): Promise<boolean> {
  try {
    return statSync(file).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    // A directory we may not search: uv would fail here too, so say where rather than skip it.
    throw new GlxError(
      'FILE_UNREADABLE',
      `cannot check ${file}: ${code ?? (error as Error).message}`,
      'Check the permissions of that directory, or point glx at the file with --file.',
      {
        cause: error,
      },
    );
  }
}
