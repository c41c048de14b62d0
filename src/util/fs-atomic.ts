/**
 * Crash-safe file writes: temp file in the same directory, fsync, rename, fsync the directory.
 * A reader (or a crash) sees either the old file or the new one, never a partial one.
 */
import { constants, promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GlxError } from '../errors.js';

export interface WriteOptions {
  /** File mode for a new file, or forced on an existing one (netrc: always 0600). */
  mode?: number;
  /** Keep the mode of the existing file (default true); `mode` is used when the file is new. */
  keepMode?: boolean;
}

/** Follows symlinks so that a linked dotfile is updated where it lives, not replaced by a file. */
export async function resolveTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      // A dangling link: write where it points.
      try {
        const link = await fs.readlink(file);
        return path.resolve(path.dirname(file), link);
      } catch {
        return path.resolve(file);
      }
    }
    throw error;
  }
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const target = await resolveTarget(file);
  const dir = path.dirname(target);
  let mode = options.mode ?? 0o644;
  if (options.keepMode !== false) {
    try {
      const stat = await fs.stat(target);
      if (!stat.isFile()) throw new GlxError('WRITE_FAILED', `${file} is not a regular file`, 'Move it out of the way and run the command again.');
      if (options.mode === undefined || options.keepMode === true) mode = stat.mode & 0o7777;
    } catch (error) {
      if (error instanceof GlxError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw writeFailed(file, error);
    }
  }
  // O_EXCL below makes a clash impossible, so a cheap random suffix will do (no node:crypto on the env path).
  const tmp = path.join(dir, `.${path.basename(target)}.glx-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    await handle.writeFile(data);
    // open() applies the umask; chmod makes the mode exact (0600 must stay 0600, 0644 stay 0644).
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(tmp, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw writeFailed(file, error);
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => {});
  }
}

function writeFailed(file: string, error: unknown): GlxError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? `Check that you may write to ${path.dirname(file)}.`
      : code === 'ENOSPC'
        ? 'The disk is full; free some space and run the command again.'
        : 'Nothing was changed; run the command again.';
  return new GlxError('WRITE_FAILED', `cannot write ${file}: ${code ?? (error as Error).message}`, hint, { cause: error });
}

/**
 * Reads a small text file (pyproject.toml, netrc, config); `undefined` when it does not exist.
 * Other failures are one-line errors. Synchronous inside: for files this size it beats the
 * thread-pool round trips, which `glx env` pays for at every shell start.
 */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new GlxError('FILE_UNREADABLE', `${file} is a directory, not a file`, 'Point glx at the file itself.');
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof GlxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new GlxError('FILE_UNREADABLE', `cannot read ${file}: ${code ?? (error as Error).message}`, 'Check the file permissions.', { cause: error });
  }
}
