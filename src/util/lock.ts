/**
 * An advisory lock beside a file (`<file>.glx.lock`, created with O_EXCL) so that concurrent glx
 * runs editing the same file never lose each other's change. A lock left by a dead process is
 * taken over.
 */
import { constants, promises as fs } from 'node:fs';
import { GlxError } from '../errors.js';
import { resolveTarget } from './fs-atomic.js';

export interface LockOptions {
  timeoutMs?: number;
  /** A lock file older than this is considered abandoned even if its pid is alive (pid reuse). */
  staleMs?: number;
}

export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const target = await resolveTarget(file);
  const lockPath = `${target}.glx.lock`;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new GlxError('WRITE_FAILED', `cannot lock ${file}: ${code ?? (error as Error).message}`, `Check that you may write to the directory of ${file}.`, { cause: error });
      }
      if (await isStale(lockPath, staleMs)) {
        await fs.rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new GlxError('LOCK_TIMEOUT', `${file} is locked by another glx process`, `Wait for it to finish, or remove ${lockPath} if no glx is running.`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockPath, { force: true });
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath).then((s) => s.mtimeMs)]);
  } catch {
    return false; // vanished or unreadable: let the next open() decide
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - mtimeMs > 1_000; // a half-written lock from a killed writer
  if (Date.now() - mtimeMs > staleMs) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
