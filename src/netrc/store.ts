/**
 * The thin I/O shell around upsert.ts: lock, read, refuse an unsafe file, edit, write 0600
 * atomically. Nothing is written when the file cannot be parsed, and `dryRun` writes nothing at
 * all (no lock file either) but reports the same errors a real run would.
 */
import { promises as fs } from 'node:fs';
import { GlxError } from '../errors.js';
import { decodeUtf8, MAX_EDIT_BYTES, resolveTarget, tooLarge, writeFileAtomic } from '../util/fs-atomic.js';
import { type LockOptions, withFileLock } from '../util/lock.js';
import { type NetrcEntryInput, normalizeNetrcHost, removeNetrc, type UpsertAction, upsertNetrc } from './upsert.js';

export interface NetrcWriteOptions {
  /** Rewrite a group/world-accessible file as 0600 instead of refusing to touch it. */
  fixPermissions?: boolean;
  /** Compute before/after only; write nothing. */
  dryRun?: boolean;
  /** How long to wait for another glx writing the file (lockOptions in util/lock.ts). */
  lock?: LockOptions;
}

export interface NetrcWriteResult {
  /** The path as given (what messages should show). */
  file: string;
  before: string;
  after: string;
  action: UpsertAction;
  host: string;
  /** The file did not exist (and was created, unless dryRun). */
  created: boolean;
  /** The file was group/world accessible and is now 0600 (or would be, with dryRun). */
  modeFixed: boolean;
  duplicates: number[];
  notes: string[];
}

export interface NetrcRemoveResult {
  file: string;
  before: string;
  after: string;
  action: 'removed' | 'absent';
  host: string;
  removed: number;
  modeFixed: boolean;
  notes: string[];
}

export interface NetrcFile {
  text: string;
  exists: boolean;
  /** Permission bits of the file (after following a symlink); undefined when it does not exist. */
  mode?: number;
}

/** Stores credentials for `entry.host` in `file` (uv reads the last entry for a host; see upsert.ts). */
export async function writeNetrcEntry(
  file: string,
  entry: NetrcEntryInput,
  options: NetrcWriteOptions = {},
): Promise<NetrcWriteResult> {
  normalizeNetrcHost(entry.host); // a usage error needs no lock
  const run = async (): Promise<NetrcWriteResult> => {
    const current = await readNetrcFile(file);
    const unsafe = current.exists && isUnsafe(current.mode);
    if (unsafe && !options.fixPermissions) throw unsafeError(file, current.mode ?? 0);
    const result = upsertNetrc(current.text, entry, { file });
    const outcome: NetrcWriteResult = {
      file,
      before: current.text,
      after: result.text,
      action: result.action,
      host: result.host,
      created: !current.exists,
      modeFixed: unsafe,
      duplicates: result.duplicates,
      notes: result.notes,
    };
    if (options.dryRun) return outcome;
    if (result.action !== 'unchanged') await writeFileAtomic(file, result.text, { mode: 0o600, keepMode: false });
    else if (unsafe) await fs.chmod(await resolveTarget(file), 0o600);
    return outcome;
  };
  return options.dryRun ? run() : withFileLock(file, run, options.lock);
}

/**
 * The refusal writeNetrcEntry would give, up front: `glx auth --netrc` calls it before asking for
 * a token, so nobody pastes a token only to hear the file is unsafe. The write checks
 * again under its lock.
 */
export async function assertNetrcWritable(file: string, options: NetrcWriteOptions = {}): Promise<void> {
  const current = await readNetrcFile(file);
  if (current.exists && isUnsafe(current.mode) && !options.fixPermissions) throw unsafeError(file, current.mode ?? 0);
}

/**
 * Removes every `machine <host>` entry. Unlike a write, a group/world-readable file is not
 * refused: taking a secret out of an exposed file only helps, and `glx auth logout` should not
 * need a flag for it. The result is written 0600 like every netrc glx writes (`modeFixed` says so).
 */
export async function removeNetrcEntry(
  file: string,
  host: string,
  options: NetrcWriteOptions = {},
): Promise<NetrcRemoveResult> {
  normalizeNetrcHost(host);
  const run = async (): Promise<NetrcRemoveResult> => {
    const current = await readNetrcFile(file);
    const unsafe = current.exists && isUnsafe(current.mode);
    const result = removeNetrc(current.text, host, { file });
    const outcome: NetrcRemoveResult = {
      file,
      before: current.text,
      after: result.text,
      action: result.action,
      host: result.host,
      removed: result.removed,
      modeFixed: false,
      notes: result.notes,
    };
    if (result.action === 'absent') return outcome;
    outcome.modeFixed = unsafe;
    if (!options.dryRun) await writeFileAtomic(file, result.text, { mode: 0o600, keepMode: false });
    return outcome;
  };
  return options.dryRun ? run() : withFileLock(file, run, options.lock);
}

/**
 * Reads a netrc as text, byte for byte: a byte order mark is kept (uv reads it as part of the
 * first word) and a file that is not UTF-8 is refused, because writing it back would change bytes.
 */
export async function readNetrcFile(file: string): Promise<NetrcFile> {
  let bytes: Buffer;
  let mode: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory())
      throw new GlxError('FILE_UNREADABLE', `${file} is a directory, not a netrc file`, 'Point NETRC at a file.');
    // A FIFO would block the read; /dev/null (a way to disable netrc for uv) reads as empty.
    if (!stat.isFile() && !stat.isCharacterDevice())
      throw new GlxError('FILE_UNREADABLE', `${file} is not a regular file`, 'Point NETRC at a file.');
    if (stat.size > MAX_EDIT_BYTES) throw tooLarge(file, stat.size, MAX_EDIT_BYTES);
    mode = stat.mode & 0o7777;
    bytes = await fs.readFile(file);
  } catch (error) {
    if (error instanceof GlxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { text: '', exists: false };
    throw new GlxError(
      'FILE_UNREADABLE',
      `cannot read ${file}: ${code ?? (error as Error).message}`,
      'Check the file permissions.',
      { cause: error },
    );
  }
  try {
    return { text: decodeUtf8(bytes, file), exists: true, mode };
  } catch (error) {
    // decodeUtf8 names file:line:column and the byte; the hint is the netrc's own.
    throw new GlxError(
      'NETRC_INVALID',
      (error as Error).message,
      'glx only rewrites a netrc it can read back byte for byte; remove the bytes that are not UTF-8 (uv reads them as U+FFFD).',
    );
  }
}

/** Python's netrc refuses a ~/.netrc with any group or other bits set (S_IRWXG | S_IRWXO). */
function isUnsafe(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o077) !== 0;
}

function unsafeError(file: string, mode: number): GlxError {
  return new GlxError(
    'NETRC_UNSAFE_PERMISSIONS',
    `${file} can be read or changed by other users (mode ${mode.toString(8).padStart(4, '0')}); glx will not add credentials to it`,
    `Run \`chmod 600 ${file}\`, or pass --fix-permissions to let glx write it as 0600.`,
  );
}
