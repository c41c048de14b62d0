/**
 * The real uv in tests. Binaries come from GLX_TEST_UV (a PATH-style list of uv executables; .ci/run
 * installs the newest release and the oldest supported minor from PyPI) or `uv` on PATH. Every run
 * gets a sandbox: a temp HOME and XDG dirs, its own cache and credentials dir, no Python downloads,
 * no user config, and a default index on loopback, so uv never reaches the network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { buildDist } from './dists.js';
import { createFakeGitLab, type FakeGitLab, type FakeGitLabOptions, type StandardWorld } from './fake-gitlab/index.js';
import { required, which } from './peers.js';
import { tempDir } from './test-deps.js';

export interface UvBinary {
  path: string;
  /** `0.13.9` */
  version: string;
}

function versionOf(file: string): string | undefined {
  const result = spawnSync(file, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? /uv (\d+\.\d+\.\d+)/.exec(result.stdout)?.[1] : undefined;
}

let cached: UvBinary[] | undefined;

/** Every uv the suite runs against, oldest first; empty (after a `skipped:` line, or a throw in CI) when none. */
export function uvBinaries(): UvBinary[] {
  if (cached) return cached;
  const listed = (process.env.GLX_TEST_UV ?? '').split(delimiter).filter(Boolean);
  const files = listed.length > 0 ? listed : [which('uv')].filter((f): f is string => f !== undefined);
  const found: UvBinary[] = [];
  for (const file of files) {
    const version = versionOf(file);
    if (version) found.push({ path: file, version });
    else required(false, 'real-uv tests', `${file} (from GLX_TEST_UV) does not run`);
  }
  required(found.length > 0, 'real-uv tests', 'no uv: set GLX_TEST_UV or put uv on PATH');
  cached = found.sort((a, b) => compareVersions(a.version, b.version));
  return cached;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export interface UvSandbox {
  home: string;
  /** The environment every uv (and glx) call in this sandbox starts from. */
  env: Record<string, string>;
}

/**
 * A sandbox under `dir`: HOME, XDG dirs, UV_CACHE_DIR and UV_CREDENTIALS_DIR inside it; no user or
 * system uv.toml (UV_NO_CONFIG is not used: it would also hide a project's uv.toml); Python from PATH;
 * `defaultIndex` (the loopback pypi.org stand-in) as the default index.
 */
export function uvSandbox(dir: string, defaultIndex: string): UvSandbox {
  const home = join(dir, 'home');
  for (const sub of ['home', 'cache', 'xdg-config', 'xdg-data', 'xdg-state', 'xdg-cache'])
    mkdirSync(join(dir, sub), { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_STATE_HOME: join(dir, 'xdg-state'),
    XDG_CACHE_HOME: join(dir, 'xdg-cache'),
    UV_CACHE_DIR: join(dir, 'cache'),
    UV_PYTHON_DOWNLOADS: 'never',
    UV_PYTHON: 'python3',
    UV_DEFAULT_INDEX: defaultIndex,
    UV_NO_PROGRESS: '1',
    NO_COLOR: '1',
    // Loopback only: no proxy may see the traffic, and uv's own keyring stays off.
    NO_PROXY: '*',
    UV_KEYRING_PROVIDER: 'disabled',
  };
  if (process.env.SSL_CERT_FILE) env.SSL_CERT_FILE = process.env.SSL_CERT_FILE;
  return { home, env };
}

export interface UvResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs uv (asynchronously: the stand-ins live in the test process and must keep answering). */
export function runUv(
  uv: UvBinary,
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<UvResult> {
  return runProgram(uv.path, args, options);
}

/** Runs any program with exactly `env` (nothing inherited), asynchronously, with a time bound. */
export function runProgram(
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<UvResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A GitLab stand-in with the standard world and acme-thing 2.0.0 (a real wheel) in project
 * `tools`, plus a temp dir: what the real-uv tests install from.
 */
export async function standInWithPackage(
  prefix: string,
  options: FakeGitLabOptions = {},
): Promise<{ fake: FakeGitLab; world: StandardWorld; dir: string; cleanup: () => Promise<void> }> {
  const fake = await createFakeGitLab(options);
  const world = fake.seed.standard();
  const { dir, cleanup } = tempDir(prefix);
  const wheel = await buildDist(dir, {
    kind: 'wheel',
    name: 'acme-thing',
    version: '2.0.0',
    metadata: 'Metadata-Version: 2.1\nName: acme-thing\nVersion: 2.0.0\n',
  });
  fake.addPackage(world.projects.tools, {
    name: 'acme-thing',
    version: '2.0.0',
    files: [{ fileName: basename(wheel), content: readFileSync(wheel) }],
  });
  return {
    fake,
    world,
    dir,
    cleanup: async () => {
      await fake.close();
      cleanup();
    },
  };
}
