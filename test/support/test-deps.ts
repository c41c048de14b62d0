/** Deps for in-process tests: captured output, temp cwd/home, the real GitLab client with fast retries. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/run-cli.js';
import type { Deps, Env, ExecOptions, ExecResult } from '../../src/deps.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { createSecrets } from '../../src/util/redact.js';

export interface TestIo {
  stdout: string;
  stderr: string;
}

export interface TestDepsOptions {
  env?: Env;
  cwd?: string;
  homeDir?: string;
  stdin?: string;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  prompt?: (question: string) => string;
  now?: Date;
  platform?: NodeJS.Platform;
  /** The GitLab client's wait before a retry (default: a real timer); see recordWaits. */
  sleep?: (ms: number) => Promise<void>;
}

export function execReal(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    // A child that exits without reading stdin (git) must not crash the test run with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export function testDeps(options: TestDepsOptions = {}): { deps: Deps; io: TestIo } {
  const io: TestIo = { stdout: '', stderr: '' };
  const env: Env = { HOME: options.homeDir, PATH: process.env.PATH, ...options.env };
  const secrets = createSecrets();
  const deps: Deps = {
    io: {
      out: (text) => {
        io.stdout += text;
      },
      err: (text) => {
        io.stderr += text;
      },
      readStdin: async () => options.stdin ?? '',
      promptHidden: async (question) => {
        io.stderr += question;
        if (!options.prompt) throw new Error('unexpected prompt');
        return options.prompt(question);
      },
      stdinIsTTY: options.stdinIsTTY ?? false,
      stdoutIsTTY: options.stdoutIsTTY ?? false,
      stderrIsTTY: options.stderrIsTTY ?? false,
      columns: 80,
    },
    env,
    cwd: options.cwd ?? process.cwd(),
    homeDir: options.homeDir ?? tmpdir(),
    platform: options.platform ?? process.platform,
    now: () => options.now ?? new Date(),
    // Child processes see the test's environment (PATH, HOME, ...), as they see the real one in system.ts.
    exec: (file, args, execOptions = {}) =>
      execReal(file, args, { ...execOptions, env: { ...env, ...execOptions.env } }),
    gitlab: async (clientOptions) =>
      createGitLabClient(
        { backoffMs: 1, timeoutMs: 5_000, ...clientOptions },
        { env, secrets, ...(options.sleep ? { sleep: options.sleep } : {}) },
      ),
    secrets,
  };
  return { deps, io };
}

/** Runs the CLI in-process and returns its exit code and output. */
export async function glx(argv: string[], options: TestDepsOptions = {}): Promise<{ code: number } & TestIo> {
  const { deps, io } = testDeps(options);
  const code = await runCli(argv, deps);
  return { code, ...io };
}

/**
 * A sleep for the GitLab client that returns at once and records each wait, with how many requests
 * the stand-in had received by then: "waited 1000 ms after the first request" without a clock.
 */
export function recordWaits(fake: { readonly requests: readonly unknown[] }): {
  waits: Array<{ ms: number; afterRequests: number }>;
  sleep: (ms: number) => Promise<void>;
} {
  const waits: Array<{ ms: number; afterRequests: number }> = [];
  return { waits, sleep: async (ms) => void waits.push({ ms, afterRequests: fake.requests.length }) };
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'glx-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
