/**
 * The world of the real-uv scenarios: the GitLab stand-in, whose forwarding 302 goes to
 * the pypi.org stand-in, which is also uv's default index; `acme-thing 2.0.0` (wheel and sdist)
 * published to acme/tools (project 7, in group acme 42) by the built `glx publish`; and helpers to
 * run the built glx and the real uv in a sandbox per test. Nothing reaches the network.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildDists } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { createFakePypi, type FakePypi } from '../support/fake-pypi.js';
import { PUBLISH_ROUTES } from '../support/routes.js';
import { tempDir } from '../support/test-deps.js';
import { runProgram, type UvBinary, type UvResult, type UvSandbox, uvSandbox } from '../support/uv.js';

export const BIN = path.resolve('bin/glx.js');

export interface Registry {
  kind: 'group' | 'project';
  /** `42` or `7` */
  id: string;
}

/** A group registry and a project registry; the package lives in project 7, inside group 42. */
export const REGISTRIES: Registry[] = [
  { kind: 'group', id: '42' },
  { kind: 'project', id: '7' },
];

export const PACKAGE = 'acme-thing';
export const VERSION = '2.0.0';

export interface UvWorld {
  fake: FakeGitLab;
  world: StandardWorld;
  pypi: FakePypi;
  dir: string;
  /** The wheel and sdist glx published. */
  dists: string[];
  close(): Promise<void>;
}

/** Real Python distributions (written by Python's zipfile/tarfile) with an importable module. */
export function distSpecs(name: string, version: string) {
  const metadata = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nRequires-Python: >=3.8\n`;
  return [
    { kind: 'wheel' as const, name, version, metadata, requiresPython: '>=3.8' },
    { kind: 'sdist' as const, name, version, metadata, requiresPython: '>=3.8' },
  ];
}

export async function startUvWorld(): Promise<UvWorld> {
  const pypi = await createFakePypi();
  const fake = await createFakeGitLab({ pypiUrl: pypi.simpleUrl });
  const world = fake.seed.standard();
  const { dir, cleanup } = tempDir('glx-uv-');
  const distDir = path.join(dir, 'dist');
  mkdirSync(distDir);
  const dists = await buildDists(distDir, distSpecs(PACKAGE, VERSION));
  fake.expect(PUBLISH_ROUTES);
  const published = await runGlx(['publish', '--project', '7', ...dists], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, GITLAB_HOST: fake.url, GITLAB_TOKEN: world.tokens.alicePat },
  });
  expect(published.code, published.stderr).toBe(0);
  expect(
    fake.uploads
      .filter((u) => u.accepted)
      .map((u) => u.fileName)
      .sort(),
  ).toEqual(dists.map((d) => path.basename(d)).sort());
  fake.assertClean();
  fake.resetLog(); // each test declares its own routes
  return {
    fake,
    world,
    pypi,
    dir,
    dists,
    async close() {
      await Promise.all([fake.close(), pypi.close()]);
      cleanup();
    },
  };
}

/**
 * Starts the world before the tests of the enclosing describe; after each test, fails on a GitLab route
 * or a pypi.org project the test did not declare (or declared and did not use); after them all, closes
 * it. The returned object is filled in by beforeAll.
 */
export function useUvWorld(): UvWorld {
  const w = {} as UvWorld;
  beforeAll(async () => {
    Object.assign(w, await startUvWorld());
  }, 120_000);
  assertCleanAfterEach(() => w.fake);
  assertCleanAfterEach(() => w.pypi);
  afterAll(async () => {
    if (!w.fake) return;
    await w.close();
  });
  return w;
}

/** The built glx, with exactly `env`. */
export function runGlx(
  args: string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): Promise<UvResult> {
  return runProgram(process.execPath, [BIN, ...args], options);
}

export interface Scene {
  /** The project directory (pyproject.toml, .venv). */
  project: string;
  sandbox: UvSandbox;
  /** sandbox.env with this uv first on PATH, as `uv` and `glx` shims. */
  env: Record<string, string>;
  /** Runs a program with the scene's env plus `extra`, in the project. */
  run(file: string, args: string[], extra?: Record<string, string>, input?: string): Promise<UvResult>;
  glx(args: string[], extra?: Record<string, string>, input?: string): Promise<UvResult>;
  uv(args: string[], extra?: Record<string, string>): Promise<UvResult>;
}

/**
 * A fresh sandbox for one test: HOME, caches and uv's credential store under `root/name`, a
 * project that depends on `dependencies`, and a bin dir with `uv` (this binary) and `glx` (the
 * built bin) first on PATH, so that glx's own `uv auth login` runs this uv too.
 */
export function scene(
  root: string,
  name: string,
  uv: UvBinary,
  defaultIndex: string,
  dependencies: string[] = [PACKAGE],
): Scene {
  const work = path.join(root, name);
  rmSync(work, { recursive: true, force: true });
  const project = path.join(work, 'project');
  const bin = path.join(work, 'bin');
  mkdirSync(project, { recursive: true });
  mkdirSync(bin);
  symlinkSync(uv.path, path.join(bin, 'uv'));
  writeFileSync(path.join(bin, 'glx'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
  const sandbox = uvSandbox(work, defaultIndex);
  const env = {
    ...sandbox.env,
    PATH: `${bin}${path.delimiter}${sandbox.env.PATH}`,
    NETRC: path.join(sandbox.home, '.netrc'),
  };
  const deps = dependencies.map((d) => `"${d}"`).join(', ');
  writeFileSync(
    path.join(project, 'pyproject.toml'),
    `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.8"\ndependencies = [${deps}]\n\n[tool.uv]\npackage = false\n`,
  );
  const run = (file: string, args: string[], extra: Record<string, string> = {}, input?: string) =>
    runProgram(file, args, {
      cwd: project,
      env: { ...env, ...extra },
      ...(input === undefined ? {} : { input }),
      timeoutMs: 120_000,
    });
  return {
    project,
    sandbox,
    env,
    run,
    glx: (args, extra, input) => run(process.execPath, [BIN, ...args], extra, input),
    uv: (args, extra) => run(uv.path, args, extra),
  };
}

/** The version of `name` installed in the project's .venv, from its .dist-info directory. */
export function installedVersion(project: string, name: string): string | undefined {
  const lib = path.join(project, '.venv', 'lib');
  if (!existsSync(lib)) return undefined;
  const prefix = `${name.replace(/-/g, '_')}-`;
  for (const python of readdirSync(lib)) {
    const site = path.join(lib, python, 'site-packages');
    if (!existsSync(site)) continue;
    const info = readdirSync(site).find((entry) => entry.startsWith(prefix) && entry.endsWith('.dist-info'));
    if (info) return info.slice(prefix.length, -'.dist-info'.length);
  }
  return undefined;
}

/** `uv lock && uv sync`, both of which must succeed. */
export async function lockAndSync(s: Scene, extra: Record<string, string> = {}): Promise<void> {
  const lock = await s.uv(['lock'], extra);
  expect(lock.code, lock.stderr).toBe(0);
  const sync = await s.uv(['sync'], extra);
  expect(sync.code, sync.stderr).toBe(0);
}

/** `--group 42` / `--project 7` */
export function registryFlag(registry: Registry): string[] {
  return [`--${registry.kind}`, registry.id];
}

/** GitLab requests that carried credentials and were answered 200 on this registry's simple pages. */
export function authenticatedSimpleRequests(fake: FakeGitLab, registry: Registry): number {
  const prefix =
    registry.kind === 'group'
      ? `/api/v4/groups/${registry.id}/-/packages/pypi/simple`
      : `/api/v4/projects/${registry.id}/packages/pypi/simple`;
  return fake.requests.filter(
    (r) => r.path.startsWith(prefix) && r.auth.outcome === 'authenticated' && r.status === 200,
  ).length;
}
