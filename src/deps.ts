/**
 * The one object that brings the outside world in. Only src/system.ts builds the real one (for
 * the entry points main.ts, main-env.ts and main-init.ts); tests build their own with temp dirs and
 * captured output. Nothing here may import heavy modules: `glx env` runs in shell start-up.
 */
import type { GitLabClient, GitLabClientOptions } from './gitlab/client-types.js';
import type { Secrets } from './util/redact.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Io {
  /** Write to stdout: results only (export lines, JSON, diffs). */
  out(text: string): void;
  /** Write to stderr: progress, summaries, warnings, errors. */
  err(text: string): void;
  /** All of stdin as text (for --token-stdin). */
  readStdin(): Promise<string>;
  /** Ask a question without echoing the answer (token prompt). Only called when stdinIsTTY. */
  promptHidden(question: string): Promise<string>;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** Terminal width of stderr, for progress bars. */
  readonly columns: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  input?: string;
  env?: Env;
}

/**
 * Status lines on stderr, for code below the CLI layer: cli/context.ts builds them, styled and
 * redacted, from the global flags.
 */
export interface Log {
  /** A warning line (`warning: ...`). */
  warn(message: string): void;
  /** A status line. */
  info(message: string): void;
  /** A --verbose line; dropped without --verbose. */
  debug(message: string): void;
  /** --verbose was given (the GitLab client then logs its requests through debug). */
  readonly verbose: boolean;
}

export interface Deps {
  io: Io;
  env: Env;
  cwd: string;
  homeDir: string;
  /** process.platform: where uv looks for files (netrc, credentials store) depends on it. */
  platform: NodeJS.Platform;
  now(): Date;
  /** Run a program (git, uv). Resolves with its exit code; rejects only when it cannot start. */
  exec(file: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Builds a GitLab API client; loads undici and zod on first use only. */
  gitlab(options: GitLabClientOptions): Promise<GitLabClient>;
  /** The tokens this run has seen, masked in everything it prints. */
  secrets: Secrets;
}
