/**
 * The real world: the only module that reads process.*, used by the entry points main.ts (the
 * CLI) and, through cli/fast-path.ts, main-env.ts and main-init.ts (the start-up fast paths).
 */
import { writeSync } from 'node:fs';
import { promptHidden } from './cli/prompt.js';
import type { Deps, ExecOptions, ExecResult, Io } from './deps.js';
import { createSecrets, type Secrets } from './util/redact.js';

/**
 * `direct` writes stdout and stderr with writeSync on fds 1 and 2 and never touches
 * process.stdout/stderr/stdin, whose first use builds stream objects: measurable in `glx env`,
 * which runs at every shell start, and in `glx init`, which always reports on stderr.
 * TTY facts come from isatty(), asked on first use: loading node:tty loads node:net and the
 * stream modules with it, which a `glx env` that prints its exports never needs.
 */
function systemIo(direct: boolean): Io {
  return {
    out: (text) => {
      if (direct) writeAll(1, text);
      else process.stdout.write(text);
    },
    err: (text) => {
      if (direct) writeAll(2, text);
      else process.stderr.write(text);
    },
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    promptHidden: (question) => promptHidden(question, process.stdin, process.stderr),
    get stdinIsTTY() {
      return isatty(0);
    },
    get stdoutIsTTY() {
      return isatty(1);
    },
    get stderrIsTTY() {
      return isatty(2);
    },
    get columns() {
      return process.stderr.columns ?? 80;
    },
  };
}

function isatty(fd: number): boolean {
  return process.getBuiltinModule('node:tty').isatty(fd);
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: try again. A closed pipe (`| head`): stop quietly.
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw error;
    }
  }
}

async function exec(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  // Loaded on first use: `glx env` never spawns anything, and shell start-up time counts.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** `gitlab` builds the client factory; the env fast path passes one that is never called. */
export function systemDeps(
  gitlab: (env: Deps['env'], secrets: Secrets) => Deps['gitlab'],
  options: { directStdout?: boolean } = {},
): Deps {
  const env = process.env;
  const secrets = createSecrets();
  let homeDir: string | undefined;
  return {
    io: systemIo(options.directStdout === true),
    env,
    cwd: process.cwd(),
    // What os.homedir() answers: HOME when it is set, even empty (libuv's uv_os_homedir,
    // https://docs.libuv.org/en/v1.x/misc.html#c.uv_os_homedir), else the password database.
    // node:os loads only for that fallback and on Windows: its loading costs a shell start-up.
    get homeDir() {
      homeDir ??=
        process.platform !== 'win32' && env.HOME !== undefined
          ? env.HOME
          : process.getBuiltinModule('node:os').homedir();
      return homeDir;
    },
    platform: process.platform,
    now: () => new Date(),
    exec,
    gitlab: gitlab(env, secrets),
    secrets,
  };
}

/** Ctrl-C exits 130; a closed stdout pipe (`glx ... | head -1`) is not a failure. */
export function installProcessHandlers(options: { directStdout?: boolean } = {}): void {
  process.on('SIGINT', () => {
    process.stderr.write('\ninterrupted\n');
    process.exit(130);
  });
  if (options.directStdout) return;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
}

export function setExitCode(code: number): void {
  process.exitCode = code;
}
