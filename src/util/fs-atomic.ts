/**
 * Crash-safe file writes: temp file in the same directory, fsync, rename, fsync the directory.
 * A reader (or a crash) sees either the old file or the new one, never a partial one.
 */
import { constants, promises as fs, readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { at, GlxError } from '../errors.js';

/**
 * The largest pyproject.toml or netrc glx edits. Real ones are a few kilobytes; a 19 MB
 * pyproject.toml took `glx init` 17 s and 2.4 GB of memory (the position-keeping parser), a 30 MB
 * netrc took `glx auth --netrc` 35 s (hostile input). A clear refusal beats a hang.
 */
export const MAX_EDIT_BYTES = 1024 * 1024;

/** A temp file a killed glx left beside its target is removed by the next write once it is this old. */
const STALE_TEMP_MS = 60_000;

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

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const target = await resolveTarget(file);
  const dir = path.dirname(target);
  let mode = options.mode ?? 0o644;
  if (options.keepMode !== false) {
    try {
      const stat = await fs.stat(target);
      if (!stat.isFile())
        throw new GlxError(
          'WRITE_FAILED',
          `${file} is not a regular file`,
          'Move it out of the way and run the command again.',
        );
      if (options.mode === undefined || options.keepMode === true) mode = stat.mode & 0o7777;
    } catch (error) {
      if (error instanceof GlxError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw writeFailed(file, error);
    }
  }
  // O_EXCL below makes a clash impossible, so a cheap random suffix will do (no node:crypto on the env path).
  const tmp = path.join(dir, `${tempPrefix(target)}${Math.random().toString(36).slice(2, 10)}.tmp`);
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
  await sweepStaleTemps(target);
}

function tempPrefix(target: string): string {
  return `.${path.basename(target)}.glx-`;
}

/**
 * SIGKILL between open() and rename() leaves `.<name>.glx-<random>.tmp` behind; glx never
 * reads one, and the next successful write of the same file removes those older than a minute (a
 * younger one may belong to a writer that is still running). It may hold a token (netrc), so it
 * should not linger; it was created 0600 or with the target's own mode.
 */
async function sweepStaleTemps(target: string): Promise<void> {
  const prefix = tempPrefix(target);
  await removeSiblings(
    path.dirname(target),
    prefix,
    (name, stat) =>
      /^[a-z0-9]+\.tmp$/.test(name.slice(prefix.length)) && stat.isFile() && Date.now() - stat.mtimeMs > STALE_TEMP_MS,
  );
}

/** Removes the entries of `dir` named `<prefix>…` that `select` picks; leftovers of killed writers. */
export async function removeSiblings(
  dir: string,
  prefix: string,
  select: (name: string, stat: Stats) => boolean,
): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const file = path.join(dir, name);
    const stat = await fs.lstat(file).catch(() => undefined);
    if (stat && select(name, stat)) await fs.rm(file, { force: true }).catch(() => {});
  }
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
  return new GlxError('WRITE_FAILED', `cannot write ${file}: ${code ?? (error as Error).message}`, hint, {
    cause: error,
  });
}

export interface ReadOptions {
  /** Refuse a larger file (FILE_UNREADABLE, exit 2) instead of reading it. */
  maxBytes?: number;
  /**
   * Decode bad bytes as U+FFFD instead of refusing the file: only for files glx reads and never
   * writes back, where that is what their real reader does (uv reads a netrc with from_utf8_lossy).
   */
  lossy?: boolean;
}

/**
 * Reads a small text file (pyproject.toml, netrc, config); `undefined` when it does not exist.
 * Other failures are one-line errors. Synchronous inside: for files this size it beats the
 * thread-pool round trips, which `glx env` pays for at every shell start.
 *
 * The text must be UTF-8 (TOML and YAML require it; uv refuses a pyproject.toml that is not): a
 * lossy decode would turn bad bytes into U+FFFD, and writing the file back would change them.
 * Strict is the default so that every writer gets it; `lossy` is for read-only uses.
 * A FIFO or socket is refused (reading one blocks or fails); a character device such as
 * /dev/null reads as what it gives (NETRC=/dev/null is the documented way to disable a netrc).
 */
export async function readTextIfExists(file: string, options: ReadOptions = {}): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    const stat = statSync(file);
    if (stat.isDirectory())
      throw new GlxError('FILE_UNREADABLE', `${file} is a directory, not a file`, 'Point glx at the file itself.');
    if (!stat.isFile() && !stat.isCharacterDevice())
      throw new GlxError('FILE_UNREADABLE', `${file} is not a regular file`, 'Point glx at the file itself.');
    if (options.maxBytes !== undefined && stat.size > options.maxBytes)
      throw tooLarge(file, stat.size, options.maxBytes);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof GlxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new GlxError(
      'FILE_UNREADABLE',
      `cannot read ${file}: ${code ?? (error as Error).message}`,
      'Check the file permissions.',
      { cause: error },
    );
  }
  return options.lossy ? bytes.toString('utf8') : decodeUtf8(bytes, file);
}

export function tooLarge(file: string, size: number, maxBytes: number): GlxError {
  return new GlxError(
    'FILE_UNREADABLE',
    `${file} is ${formatBytes(size)}, more than glx edits (${formatBytes(maxBytes)})`,
    'Check that this is the right file; real ones are a few kilobytes.',
  );
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB` : `${Math.round(n / 1024)} KiB`;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 (a BOM is kept as U+FEFF); an invalid byte is a one-line error at file:line:column. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 1);
    const column = Array.from(strictUtf8.decode(before.subarray(lineStart))).length + 1;
    throw new GlxError(
      'FILE_UNREADABLE',
      `${at(file, line, column)}: not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')})`,
      'Save the file as UTF-8: glx edits it as text and would change those bytes, and uv and the TOML and YAML parsers require UTF-8 too.',
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need > 0) {
      try {
        strictUtf8.decode(bytes.subarray(i, i + need + 1));
      } catch {
        return i;
      }
    }
    i += need + 1;
  }
  return bytes.length;
}
