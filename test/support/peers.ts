/**
 * Peers (other programs the tests run: uv, python3, curl, the shells, twine, gitlab-ci-local) and
 * the ../shared corpora. Under `CI` a missing one fails the run: CI must install everything it
 * claims to test. Outside CI it skips, with one visible line on stderr saying what did not run.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const inCi = Boolean(process.env.CI);
const said = new Set<string>();

function announce(what: string, why: string): void {
  const line = `skipped: ${what} (${why})`;
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`${line}\n`);
}

/**
 * True when `present`; otherwise fails under CI (throws while the test file loads, so the run is
 * red) and returns false outside CI after printing one `skipped:` line.
 */
export function required(present: boolean, what: string, why: string): boolean {
  if (present) return true;
  if (inCi) throw new Error(`CI is set but ${why}: ${what} cannot run. .ci/run must install it.`);
  announce(what, why);
  return false;
}

/** The executable's path on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `command` is on PATH (see `required` for what happens when it is not). */
export function hasPeer(command: string, what = `tests that run ${command}`): boolean {
  return required(which(command) !== undefined, what, `${command} is not on PATH`);
}

/** python3 can import `module`. */
export function hasPythonModule(module: string, what = `tests that use Python's ${module}`): boolean {
  const ok =
    which('python3') !== undefined &&
    spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
  return required(ok, what, `python3 cannot import ${module}`);
}

/** A path under ../shared (beside the checkout), or undefined when it is absent (see `required`). */
export function sharedPath(relative: string, what = `tests that read ../shared/${relative}`): string | undefined {
  const file = fileURLToPath(new URL(`../../../shared/${relative}`, import.meta.url));
  return required(existsSync(file), what, `../shared/${relative} is absent`) ? file : undefined;
}
