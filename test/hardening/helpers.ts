/** Shared by the hardening tests: the built bin as a child process, and file checks. */
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const BIN = path.resolve('bin/glx.js');

/** A pid no process can have: Linux caps pids at 2^22 (PID_MAX_LIMIT), macOS at 99999. */
export const DEAD_PID = 2 ** 22 + 4321;

export interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface BinOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** SIGKILL the child this many ms after spawn. */
  killAfterMs?: number;
  /** SIGKILL the child when this resolves (e.g. a watched file appeared). */
  killWhen?: Promise<unknown>;
  /** Fail-safe: SIGKILL after this long and report it (default 60 s). */
  timeoutMs?: number;
  /** Run the child as this user (the tests must run as root to switch). */
  user?: { uid: number; gid: number };
}

/**
 * Runs `node bin/glx.js` asynchronously: the GitLab stand-in runs in the test process and must
 * keep answering while the child waits (never spawnSync). Only PATH and what `env` gives are
 * passed, so the developer's GITLAB_TOKEN or NETRC never leak into a test.
 */
export function runBin(args: string[], options: BinOptions): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options.user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timers: NodeJS.Timeout[] = [];
    if (options.killAfterMs !== undefined) timers.push(setTimeout(kill, options.killAfterMs));
    options.killWhen?.then(kill, () => {});
    timers.push(
      setTimeout(() => {
        stderr += `\n[test] killed after ${options.timeoutMs ?? 60_000} ms\n`;
        kill();
      }, options.timeoutMs ?? 60_000),
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Every entry under `dir` (relative paths), for "no stray files" checks. */
export function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${name}` : name;
    out.push(rel);
    const stat = lstatSync(path.join(dir, name));
    if (stat.isDirectory()) out.push(...listTree(path.join(dir, name), rel));
  }
  return out;
}

export interface Snapshot {
  bytes: Buffer;
  mode: number;
}

export function snapshot(file: string): Snapshot {
  return { bytes: readFileSync(file), mode: statSync(file).mode };
}

/** Same bytes and mode; a short message when not (a 20 MB buffer must never reach a diff printer). */
export function sameSnapshot(a: Snapshot | undefined, b: Snapshot | undefined): string {
  if (a === undefined || b === undefined)
    return a === b ? 'same' : `one is missing (${a === undefined ? 'first' : 'second'})`;
  if (a.mode !== b.mode) return `mode ${a.mode.toString(8)} != ${b.mode.toString(8)}`;
  if (!a.bytes.equals(b.bytes)) return `content differs (${a.bytes.length} vs ${b.bytes.length} bytes)`;
  return 'same';
}

/**
 * The error contract (README.md, Usage): exactly one `error:` line, then at most a `hint:` line, no stack
 * trace (status lines and warnings may come before). Throws, failing the test, with the output.
 */
export function cleanError(stderr: string): { error: string; hint: string | undefined } {
  const lines = stderr.split('\n').filter((line) => line !== '');
  const errorAt = lines.findIndex((line) => line.startsWith('error: '));
  const after = lines.slice(errorAt + 1);
  const problems: string[] = [];
  if (errorAt < 0 || lines.filter((line) => line.startsWith('error: ')).length !== 1)
    problems.push('not exactly one error: line');
  if (/\n\s+at /.test(stderr) || /^\s+at /m.test(stderr)) problems.push('a stack trace');
  if (after.length > 1 || (after.length === 1 && !after[0]!.startsWith('hint: ')))
    problems.push('more than a hint: after the error');
  if (problems.length > 0) throw new Error(`stderr breaks the error contract (${problems.join(', ')}):\n${stderr}`);
  return { error: lines[errorAt]!.slice('error: '.length), hint: after[0]?.slice('hint: '.length) };
}
