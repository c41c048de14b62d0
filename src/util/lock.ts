/**
 * An advisory lock beside a file (`<file>.glx.lock`, created with O_EXCL) so that concurrent glx
 * runs editing the same file never lose each other's change. A lock left by a dead process (or
 * older than a minute) is taken over.
 *
 * Taking over is where naive lock files break: two processes that both find the same stale lock
 * both delete "it", and the second one deletes the fresh lock the first has just created.
 * Here a lock is known by its identity (device, inode, mtime in ns and its text, which holds the
 * owner's pid and a random nonce), and only the process that wins an O_EXCL *claim* named after
 * that identity may delete it, after checking that the identity is still the one at the path:
 *
 * - claims for one identity are exclusive, so at most one process at a time can delete that lock;
 * - an identity never comes back once deleted (the nonce, or the mtime of a lock left empty), so a
 *   claimant that comes late finds something else at the path and deletes nothing;
 * - a claimant killed while holding its claim (SIGKILL) would block the takeover for good, so a
 *   claim whose holder is dead, or that is older than CLAIM_STALE_MS, is skipped for the next
 *   numbered claim (`.0`, `.1`, ...). A claim is held for a read and an unlink, microseconds.
 *
 * The assumption, as with the 60 s rule for locks: a live process does not stall for
 * CLAIM_STALE_MS between claiming and deleting. Claims a killed process leaves behind are swept
 * by the next lock holder once they are older than the stale age.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Env } from '../deps.js';
import { GlxError } from '../errors.js';
import { removeSiblings, resolveTarget } from './fs-atomic.js';

export interface LockOptions {
  timeoutMs?: number;
  /** A lock file older than this is considered abandoned even if its pid is alive (pid reuse). */
  staleMs?: number;
}

export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /** Deletes the lock, unless it is no longer ours (taken over after the stale age). */
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_STALE_MS = 60_000;
/** A claim is held for a read and an unlink; one this old belongs to a process that died or hung. */
const CLAIM_STALE_MS = 10_000;
/** A lock or claim file with no pid in it: its writer was killed between create and write. */
const EMPTY_STALE_MS = 1_000;
/**
 * Not a real limit, a guard against a loop: every killed claimant adds one stale claim, which
 * the next claimant skips; a cap any lower turned a run of kills into a lock nobody could take.
 */
const MAX_CLAIMS = 10_000;

/**
 * `GLX_LOCK_TIMEOUT_MS` (milliseconds, default 15000): how long a command waits for another glx
 * that is editing the same file. Every writer (init, auth, ci-setup) passes these options with
 * its Deps' env; tests use a short one.
 */
export function lockOptions(env: Env): LockOptions {
  const raw = env.GLX_LOCK_TIMEOUT_MS;
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return { timeoutMs: Number.isFinite(value) && value >= 0 ? value : DEFAULT_TIMEOUT_MS };
}

export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = await acquireFileLock(file, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

/** What a lock file is: enough to tell it from any other lock that ever had the same path. */
interface LockIdentity {
  dev: number;
  ino: number;
  mtimeNs: bigint;
  text: string;
}

export async function acquireFileLock(file: string, options: LockOptions = {}): Promise<FileLock> {
  const target = await resolveTarget(file);
  const lockPath = `${target}.glx.lock`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const mine = await tryCreate(lockPath, file);
    if (mine) {
      await sweepClaims(lockPath, staleMs);
      return { path: lockPath, release: () => release(lockPath, mine) };
    }
    const seen = await readIdentity(lockPath);
    if (!seen) continue; // released between our open() and our look: try again at once
    if ((await isStale(seen, staleMs)) && (await takeOver(lockPath, seen))) continue;
    if (Date.now() >= deadline) {
      throw new GlxError(
        'LOCK_TIMEOUT',
        `${file} is locked by another glx process (waited ${formatMs(timeoutMs)})`,
        `Wait for it to finish and run the command again, or remove ${lockPath} if no glx is running.`,
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}

/** O_EXCL create; the identity of our new lock, or undefined when one exists. */
async function tryCreate(lockPath: string, file: string): Promise<LockIdentity | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    throw new GlxError(
      'WRITE_FAILED',
      `cannot lock ${file}: ${code ?? (error as Error).message}`,
      `Check that you may write to the directory of ${file}.`,
      { cause: error },
    );
  }
  try {
    const text = `${process.pid} ${nonce()}\n`;
    await handle.writeFile(text);
    const stat = await handle.stat({ bigint: true });
    return { dev: Number(stat.dev), ino: Number(stat.ino), mtimeNs: stat.mtimeNs, text };
  } catch (error) {
    // A full disk, say: the empty lock is ours, so remove it rather than leave it for a second.
    await fs.rm(lockPath, { force: true }).catch(() => {});
    throw new GlxError(
      'WRITE_FAILED',
      `cannot lock ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      `Check the disk and that you may write to the directory of ${file}.`,
      { cause: error },
    );
  } finally {
    await handle.close();
  }
}

/** Reads text and stat through one descriptor, so both describe the same file. */
async function readIdentity(file: string): Promise<LockIdentity | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_RDONLY);
  } catch {
    return undefined;
  }
  try {
    const stat = await handle.stat({ bigint: true });
    // A lock holds a pid and a nonce; anything longer is not ours to interpret.
    const buffer = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return {
      dev: Number(stat.dev),
      ino: Number(stat.ino),
      mtimeNs: stat.mtimeNs,
      text: buffer.subarray(0, bytesRead).toString('utf8'),
    };
  } catch {
    return undefined;
  } finally {
    await handle.close().catch(() => {});
  }
}

function sameLock(a: LockIdentity, b: LockIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.text === b.text;
}

async function isStale(lock: LockIdentity, staleMs: number): Promise<boolean> {
  const age = Date.now() - Number(lock.mtimeNs / 1_000_000n);
  const pid = ownerPid(lock.text);
  if (pid === undefined) return age > EMPTY_STALE_MS; // a half-written lock from a killed writer
  if (age > staleMs) return true;
  return !isAlive(pid);
}

function ownerPid(text: string): number | undefined {
  const match = /^(\d+)[ \n]/.exec(text);
  const pid = match ? Number(match[1]) : Number.NaN;
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Deletes the stale lock `seen` if it is still there, under a claim only one process can hold.
 * True when the caller should try to create the lock again (deleted, or already gone); false when
 * another process is taking it over right now.
 */
async function takeOver(lockPath: string, seen: LockIdentity): Promise<boolean> {
  const tag = claimTag(seen);
  for (let k = 0; k < MAX_CLAIMS; k++) {
    const claim = `${lockPath}.takeover-${tag}.${k}`;
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(claim, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const holder = await readIdentity(claim);
      if (holder === undefined) return true; // finished between our open() and our look
      if (await isClaimStale(holder)) continue;
      return false;
    }
    try {
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      const now = await readIdentity(lockPath);
      // Still the very lock we judged stale: ours to delete, and nobody else's (see the header).
      if (now && sameLock(now, seen)) await fs.rm(lockPath, { force: true });
    } finally {
      await fs.rm(claim, { force: true });
    }
    // The lock is gone for good, so every claim on it (killed claimants' too) is now debris.
    await removeClaims(lockPath, (name) => name.startsWith(`${path.basename(lockPath)}.takeover-${tag}.`));
    return true;
  }
  return false;
}

async function isClaimStale(claim: LockIdentity): Promise<boolean> {
  const age = Date.now() - Number(claim.mtimeNs / 1_000_000n);
  const pid = ownerPid(claim.text);
  if (pid === undefined) return age > EMPTY_STALE_MS;
  return age > CLAIM_STALE_MS || !isAlive(pid);
}

/** A file-name-safe name for an identity: the nonce when the lock has one, else inode and mtime. */
function claimTag(lock: LockIdentity): string {
  const match = /^\d+ ([0-9a-f-]{8,64})\n$/.exec(lock.text);
  return match?.[1] ?? `${lock.ino}-${lock.mtimeNs}`;
}

async function release(lockPath: string, mine: LockIdentity): Promise<void> {
  const now = await readIdentity(lockPath);
  // Only our own lock: after the stale age another process may have taken the path over.
  if (now && now.dev === mine.dev && now.ino === mine.ino && now.text === mine.text)
    await fs.rm(lockPath, { force: true });
}

/**
 * Claims left by a process killed mid-takeover; harmless, but they should not pile up. We hold
 * the lock, so the lock every claim was made for is gone, and a claimant re-checks before it
 * deletes anything: removing a claim is safe. The age only spares claimants still running.
 */
async function sweepClaims(lockPath: string, staleMs: number): Promise<void> {
  const prefix = `${path.basename(lockPath)}.takeover-`;
  await removeClaims(lockPath, (name, mtimeMs) => name.startsWith(prefix) && Date.now() - mtimeMs > staleMs);
}

async function removeClaims(lockPath: string, select: (name: string, mtimeMs: number) => boolean): Promise<void> {
  await removeSiblings(path.dirname(lockPath), `${path.basename(lockPath)}.takeover-`, (name, stat) =>
    select(name, stat.mtimeMs),
  );
}

function nonce(): string {
  return globalThis.crypto.randomUUID();
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
