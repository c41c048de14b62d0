/**
 * Crash safety: the built glx is SIGKILLed at random moments while it rewrites
 * pyproject.toml (`init`, switching one index between two groups) and the netrc (`auth --netrc`,
 * a new token each run), hundreds of times. After every kill the file is exactly the old version
 * or the new one, parses, keeps its mode, and nothing but glx's own debris (its temp file, its
 * lock, a takeover claim) is left; the next run cleans up or takes over.
 *
 * Kill moments come from four sources, in turn: a random delay of 0-40 ms after spawn (mostly
 * start-up), a random point of a normal run's duration (measured first), and the instant the
 * directory shows glx's lock or its temp file (fs.watch), which lands inside the write itself.
 */
import { type FSWatcher, readdirSync, readFileSync, statSync, utimesSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNetrc } from '../../src/netrc/parse.js';
import { seededRandom } from '../support/seed.js';
import { tempDir } from '../support/test-deps.js';
import { type BinResult, runBin } from './helpers.js';

const HOST = 'https://gitlab.example.com';
const RUNS_PER_FILE = 125;
/** When to kill each run, drawn from the run's seed (the timing of the kill itself is the machine's). */
const random = seededRandom('kill schedule');
const PYPROJECT = '# crash test\r\n[project]\nname = "crash"\nversion = "0.1.0"\n\n[tool.uv]\npackage = true\n';
const NETRC = '# personal\nmachine other.example.com login bob password s3cret\n\nmacdef init\ncd /pub\n\n';

let root: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('glx-crash-'));
});

afterAll(() => cleanup());

interface Tally {
  runs: number;
  killed: number;
  completed: number;
  keptOld: number;
  gotNew: number;
  /** Kills that left a new temp file: the kill landed between creating it and the rename. */
  tempLeft: number;
  /** Kills that left the lock behind, taken over by the next run. */
  lockLeft: number;
}

type Strategy = 'early' | 'run-time' | 'on-lock' | 'on-temp';

/** Kills a run when `prefix` appears in `dir`, at once or (`jitterMs`) up to that much later. */
function killOnCreate(dir: string, prefix: string, jitterMs: number): { when: Promise<void>; close: () => void } {
  let watcher: FSWatcher | undefined;
  const when = new Promise<void>((resolve) => {
    watcher = watch(dir, (_event, name) => {
      if (!name?.startsWith(prefix)) return;
      if (jitterMs === 0 || random() < 0.25) resolve();
      else setTimeout(resolve, random() * jitterMs);
    });
  });
  return { when, close: () => watcher?.close() };
}

/** Only the file itself and what a killed glx may leave beside it. */
function strays(dir: string, base: string): string[] {
  const allowed = [base, `${base}.glx.lock`];
  return readdirSync(dir).filter(
    (name) =>
      !allowed.includes(name) &&
      !/^\..+\.glx-[a-z0-9]+\.tmp$/.test(name) &&
      !name.startsWith(`${base}.glx.lock.takeover-`),
  );
}

async function hammer(options: {
  dir: string;
  base: string;
  /** How long a complete run takes, for the `run-time` kills. */
  median: number;
  /** Run `i`, which must change the file from `before` to `next`. */
  run: (i: number, before: string) => { argv: string[]; env: Record<string, string>; next: string };
  check: (text: string) => void;
  mode: number;
  tally: Tally;
}): Promise<void> {
  const { dir, base, tally } = options;
  const file = path.join(dir, base);
  for (let i = 1; i <= RUNS_PER_FILE; i++) {
    const old = readFileSync(file, 'utf8');
    const { argv, env, next } = options.run(i, old);
    const strategy: Strategy = (['early', 'run-time', 'on-lock', 'on-temp'] as const)[i % 4]!;
    // The temp file lives a few ms (write, fsync, rename): kill at once to land inside that window.
    const watcher =
      strategy === 'on-lock'
        ? killOnCreate(dir, `${base}.glx.lock`, 3)
        : strategy === 'on-temp'
          ? killOnCreate(dir, `.${base}.glx-`, 0)
          : undefined;
    const tempsBefore = readdirSync(dir).filter((name) => name.endsWith('.tmp')).length;
    let result: BinResult;
    try {
      result = await runBin(argv, {
        cwd: dir,
        env,
        timeoutMs: 30_000,
        ...(strategy === 'early' ? { killAfterMs: random() * 40 } : {}),
        ...(strategy === 'run-time' ? { killAfterMs: options.median * (0.8 + random() * 0.9) } : {}),
        ...(watcher ? { killWhen: watcher.when } : {}),
      });
    } finally {
      watcher?.close();
    }

    tally.runs++;
    if (result.signal === 'SIGKILL') tally.killed++;
    else {
      expect(result.code, result.stderr).toBe(0);
      tally.completed++;
    }
    const after = readFileSync(file, 'utf8');
    if (after === old) tally.keptOld++;
    else if (after === next) tally.gotNew++;
    else
      expect.fail(
        `run ${i} (${strategy}) left neither version:\n--- old\n${old}\n--- new\n${next}\n--- found\n${after}`,
      );
    if (result.signal !== 'SIGKILL') expect(after).toBe(next);
    options.check(after);
    expect(statSync(file).mode & 0o777).toBe(options.mode);
    expect(strays(dir, base)).toEqual([]);
    const names = readdirSync(dir);
    if (names.filter((name) => name.endsWith('.tmp')).length > tempsBefore) tally.tempLeft++;
    if (result.signal === 'SIGKILL' && names.includes(`${base}.glx.lock`)) tally.lockLeft++;
  }
}

/** Leftovers aged past a minute are swept by the next run that writes the file. */
async function finalRun(dir: string, base: string, argv: string[], env: Record<string, string>): Promise<string[]> {
  const old = new Date(Date.now() - 120_000);
  for (const name of readdirSync(dir)) if (name !== base) utimesSync(path.join(dir, name), old, old);
  const result = await runBin(argv, { cwd: dir, env, timeoutMs: 30_000 });
  expect(result.code, result.stderr).toBe(0);
  return readdirSync(dir).filter((name) => name !== base);
}

describe('glx killed at random moments', () => {
  it('leaves pyproject.toml and the netrc either old or new, never partial, and cleans up after itself', {
    timeout: 180_000,
  }, async () => {
    // Arrange: two files, each brought to a known state by complete runs, timing one of them.
    const tomlDir = path.join(root, 'toml');
    const netrcDir = path.join(root, 'netrc');
    for (const d of [tomlDir, netrcDir]) (await import('node:fs')).mkdirSync(d);
    const toml = path.join(tomlDir, 'pyproject.toml');
    writeFileSync(toml, PYPROJECT, { mode: 0o640 });
    const netrc = path.join(netrcDir, '.netrc');
    writeFileSync(netrc, NETRC, { mode: 0o600 });
    // Each run points "idx" at the other group: --replace says that is meant (glx never repoints one silently).
    const initArgs = (group: string) => ({
      argv: ['init', '--group', group, '--name', 'idx', '--replace'],
      env: { HOME: tomlDir, GITLAB_HOST: HOST },
    });
    const token = (i: number) => `glpat-crash${String(i).padStart(5, '0')}CRASHcrash`;
    const authArgs = (i: number) => ({
      argv: ['auth', '--netrc', '--no-verify', '--host', HOST],
      env: { HOME: netrcDir, GITLAB_TOKEN: token(i) },
    });
    const initTimes: number[] = [];
    const authTimes: number[] = [];
    const states = new Map<string, string>();
    for (const [i, group] of ['43', '42', '43'].entries()) {
      const init = await runBin(initArgs(group).argv, { cwd: tomlDir, env: initArgs(group).env });
      const auth = await runBin(authArgs(i).argv, { cwd: netrcDir, env: authArgs(i).env });
      expect([init.code, auth.code], `${init.stderr}${auth.stderr}`).toEqual([0, 0]);
      initTimes.push(init.ms);
      authTimes.push(auth.ms);
      states.set(group, readFileSync(toml, 'utf8'));
    }
    const median = (times: number[]) => times.sort((a, b) => a - b)[1]!;
    const [at42, at43] = [states.get('42')!, states.get('43')!];
    const tomlTally: Tally = { runs: 0, killed: 0, completed: 0, keptOld: 0, gotNew: 0, tempLeft: 0, lockLeft: 0 };
    const netrcTally: Tally = { ...tomlTally };

    // Act: both files hammered at once (two writers keep both cores busy, as a loaded machine would).
    await Promise.all([
      hammer({
        dir: tomlDir,
        base: 'pyproject.toml',
        median: median(initTimes),
        // Always to the other group, so that every run really rewrites the file.
        run: (_i, before) => (before === at42 ? { ...initArgs('43'), next: at43 } : { ...initArgs('42'), next: at42 }),
        check: (text) => {
          const doc = parse(text) as { tool: { uv: { index: Array<{ url: string }> } } };
          expect(doc.tool.uv.index).toHaveLength(1);
        },
        mode: 0o640,
        tally: tomlTally,
      }),
      hammer({
        dir: netrcDir,
        base: '.netrc',
        median: median(authTimes),
        // The file holds the token of the last run that got through; the new one replaces it.
        run: (i, before) => {
          const current = /glpat-crash\d{5}CRASHcrash/.exec(before)?.[0] ?? token(2);
          return { ...authArgs(i + 10), next: before.replace(current, token(i + 10)) };
        },
        check: (text) => {
          const doc = parseNetrc(text, '.netrc');
          expect(doc.entries.map((entry) => entry.host)).toEqual(['other.example.com', 'gitlab.example.com']);
          expect(doc.macros.map((macro) => macro.name)).toEqual(['init']);
        },
        mode: 0o600,
        tally: netrcTally,
      }),
    ]);
    const last = readFileSync(toml, 'utf8') === at42 ? initArgs('43') : initArgs('42');
    const leftAfterToml = await finalRun(tomlDir, 'pyproject.toml', last.argv, last.env);
    const leftAfterNetrc = await finalRun(netrcDir, '.netrc', authArgs(999).argv, authArgs(999).env);

    // Assert: every run was checked above; here, that the kills really happened, mid-write too,
    // and that one complete run leaves nothing behind.
    console.log(`crash-safety: pyproject.toml ${JSON.stringify(tomlTally)}; netrc ${JSON.stringify(netrcTally)}`);
    expect(tomlTally.runs + netrcTally.runs).toBe(2 * RUNS_PER_FILE);
    expect(tomlTally.killed).toBeGreaterThanOrEqual(RUNS_PER_FILE / 2);
    expect(netrcTally.killed).toBeGreaterThanOrEqual(RUNS_PER_FILE / 2);
    expect(tomlTally.gotNew + netrcTally.gotNew).toBeGreaterThan(0);
    expect(leftAfterToml).toEqual([]);
    expect(leftAfterNetrc).toEqual([]);
  });
});
