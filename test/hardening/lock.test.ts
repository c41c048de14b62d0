/**
 * The file lock under attack: many processes taking over the same stale
 * lock at the same instant, claims left by killed processes, and a lock that cannot be had.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GlxError } from '../../src/errors.js';
import { acquireFileLock, lockOptions, withFileLock } from '../../src/util/lock.js';
import { rejectionOf } from '../support/errors.js';
import { tempDir } from '../support/test-deps.js';
import { DEAD_PID } from './helpers.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('glx-lock-'));
});

afterAll(() => {
  cleanup();
});

/**
 * A worker process: on each `{ round }` message it starts `concurrent` acquirers at once; inside
 * the lock each one creates a marker with O_EXCL (a second holder cannot) and increments a
 * counter with a pause between read and write (a second holder loses an update).
 */
const WORKER = `
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { withFileLock } from './lock.mjs';
const [file, concurrent] = [process.argv[2], Number(process.argv[3])];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.on('message', async ({ round }) => {
  let overlaps = 0;
  let entries = 0;
  await Promise.all(Array.from({ length: concurrent }, () => withFileLock(file, async () => {
    entries++;
    let marker;
    try { marker = openSync(file + '.inside', 'wx'); } catch { overlaps++; }
    const n = Number(readFileSync(file + '.counter', 'utf8'));
    await sleep(Math.random() * 2);
    writeFileSync(file + '.counter', String(n + 1));
    if (marker !== undefined) { closeSync(marker); unlinkSync(file + '.inside'); }
  }, { timeoutMs: 60000 })));
  process.send({ round, overlaps, entries });
});
process.send({ ready: true });
`;

function waitMessage(
  child: ChildProcess,
  predicate: (message: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker exited with ${code}`));
    const onMessage = (message: Record<string, unknown>) => {
      if (!predicate(message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

describe('taking over a stale lock', () => {
  it('lets exactly one of many processes in when they all find the same stale lock at once', {
    timeout: 120_000,
  }, async () => {
    // Arrange: the lock module bundled for plain node workers, 4 workers × 4 acquirers each.
    await build({
      entryPoints: ['src/util/lock.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: path.join(dir, 'lock.mjs'),
      logLevel: 'warning',
    });
    writeFileSync(path.join(dir, 'worker.mjs'), WORKER);
    const file = path.join(dir, 'shared.txt');
    writeFileSync(`${file}.counter`, '0');
    const workers = Array.from({ length: 4 }, () =>
      fork(path.join(dir, 'worker.mjs'), [file, '4'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    await Promise.all(workers.map((w) => waitMessage(w, (m) => m.ready === true)));
    const rounds = 30;
    let overlaps = 0;
    let entries = 0;

    // Act: each round starts from a lock left by a dead process, in each of the shapes one can
    // have (this version's pid + nonce, an older glx's bare pid, empty after a kill mid-create).
    try {
      for (let round = 0; round < rounds; round++) {
        const lock = `${file}.glx.lock`;
        const shape = round % 3;
        writeFileSync(lock, shape === 0 ? `${DEAD_PID} 0badc0de-${round}\n` : shape === 1 ? `${DEAD_PID}\n` : '');
        if (shape === 2) utimesSync(lock, new Date(Date.now() - 5_000), new Date(Date.now() - 5_000));
        const done = workers.map((w) => waitMessage(w, (m) => m.round === round));
        for (const w of workers) w.send({ round });
        for (const result of await Promise.all(done)) {
          overlaps += result.overlaps as number;
          entries += result.entries as number;
        }
      }
    } finally {
      for (const w of workers) w.kill();
    }

    // Assert: nobody was ever inside together, no update was lost, nothing was left behind.
    expect(entries).toBe(rounds * 16);
    expect(overlaps).toBe(0);
    expect(Number(readFileSync(`${file}.counter`, 'utf8'))).toBe(rounds * 16);
    expect(readdirSync(dir).filter((name) => name.includes('.glx.lock'))).toEqual([]);
  });

  it('skips a takeover claim left by a killed process', async () => {
    const file = path.join(dir, 'claimed.txt');
    const nonce = '0badc0de-1111';
    writeFileSync(`${file}.glx.lock`, `${DEAD_PID} ${nonce}\n`);
    writeFileSync(`${file}.glx.lock.takeover-${nonce}.0`, `${DEAD_PID}\n`);

    const lock = await acquireFileLock(file, { timeoutMs: 2_000 });
    await lock.release();

    expect(existsSync(`${file}.glx.lock`)).toBe(false);
  });

  it('waits for a takeover that a live process is making', async () => {
    const file = path.join(dir, 'busy.txt');
    const nonce = '0badc0de-2222';
    writeFileSync(`${file}.glx.lock`, `${DEAD_PID} ${nonce}\n`);
    writeFileSync(`${file}.glx.lock.takeover-${nonce}.0`, `${process.pid}\n`);

    const error = await rejectionOf(acquireFileLock(file, { timeoutMs: 300 }));

    expect(error.code).toBe('LOCK_TIMEOUT');
  });

  it('sweeps takeover claims older than the stale age once it holds the lock', async () => {
    const file = path.join(dir, 'swept.txt');
    const old = `${file}.glx.lock.takeover-0badc0de-3333.0`;
    const fresh = `${file}.glx.lock.takeover-0badc0de-4444.0`;
    writeFileSync(old, `${DEAD_PID}\n`);
    writeFileSync(fresh, `${DEAD_PID}\n`);
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));

    await withFileLock(file, async () => {});

    expect([existsSync(old), existsSync(fresh)]).toEqual([false, true]);
  });

  it('does not delete a lock that was taken over from it after the stale age', async () => {
    const file = path.join(dir, 'slow.txt');
    const lock = await acquireFileLock(file);
    writeFileSync(`${file}.glx.lock`, `${process.pid} someone-else-0000\n`);

    await lock.release();

    expect(readFileSync(`${file}.glx.lock`, 'utf8')).toBe(`${process.pid} someone-else-0000\n`);
  });
});

describe('a lock that cannot be had', () => {
  it('fails after GLX_LOCK_TIMEOUT_MS with a message naming the file and the lock', async () => {
    const file = path.join(dir, 'held.txt');
    const held = await acquireFileLock(file);
    const options = lockOptions({ GLX_LOCK_TIMEOUT_MS: '200' });
    // A fake clock that moves only when the waiter sleeps: it gave up once its own sleeps added up
    // to the timeout, not before (the file system stays real, so each turn lets its I/O finish).
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout'] });
    const started = Date.now();
    let sleeps = 0;
    let waited = 0;
    let error: GlxError | undefined;
    try {
      const waiting = rejectionOf(withFileLock(file, async () => {}, options)).then((e) => (error = e));
      while (error === undefined) {
        if (vi.getTimerCount() > 0) {
          sleeps++;
          await vi.advanceTimersToNextTimerAsync();
        } else await new Promise((resolve) => setImmediate(resolve));
      }
      await waiting;
      waited = Date.now() - started;
    } finally {
      vi.useRealTimers();
    }

    await held.release();
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(sleeps).toBeGreaterThan(1);
    expect(error?.code).toBe('LOCK_TIMEOUT');
    expect(error?.message).toBe(`${file} is locked by another glx process (waited 200 ms)`);
    expect(error?.hint).toContain(`${file}.glx.lock`);
  });

  it('falls back to the default timeout when GLX_LOCK_TIMEOUT_MS is not a number', async () => {
    const file = path.join(dir, 'default.txt');
    const held = await acquireFileLock(file);
    const waiting = withFileLock(file, async () => 'in', lockOptions({ GLX_LOCK_TIMEOUT_MS: 'soon' }));

    await new Promise((resolve) => setTimeout(resolve, 300));
    await held.release();

    await expect(waiting).resolves.toBe('in');
  });
});
