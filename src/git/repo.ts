/** git run in a directory, and the questions glx asks it about a checkout. */
import type { Deps, ExecResult } from '../deps.js';

/** Runs `git -C dir ...args`; undefined when git is not installed. */
export async function git(deps: Deps, dir: string, args: string[]): Promise<ExecResult | undefined> {
  try {
    return await deps.exec('git', ['-C', dir, ...args]);
  } catch {
    return undefined;
  }
}

/** The top directory of the checkout that holds `dir`; undefined outside one, or without git. */
export async function checkoutTop(deps: Deps, dir: string): Promise<string | undefined> {
  const top = await git(deps, dir, ['rev-parse', '--show-toplevel']);
  return top?.code === 0 && top.stdout.trim() !== '' ? top.stdout.trim() : undefined;
}

/** git tracks `file` (relative to `dir`). */
export async function isTracked(deps: Deps, dir: string, file: string): Promise<boolean> {
  return (await git(deps, dir, ['ls-files', '--error-unmatch', '--', file]))?.code === 0;
}

export interface IgnoreState {
  /** git ignores the file. */
  ignored: boolean;
  /** `dir` is in a checkout (check-ignore exits 128 outside one); false without git. */
  inRepo: boolean;
}

/** Whether git ignores `file` (relative to `dir`). */
export async function ignoreState(deps: Deps, dir: string, file: string): Promise<IgnoreState> {
  const check = await git(deps, dir, ['check-ignore', '-q', '--', file]);
  return { ignored: check?.code === 0, inRepo: check !== undefined && check.code !== 128 };
}
