/**
 * The fast paths' V8 code caches (bin/load.cjs, recorded by scripts/code-cache.cjs during the
 * build): the build recorded them for this node, V8 accepts them, another node's are not used,
 * and a run with them, with caches V8 rejects, with another node's or with none prints the same
 * bytes, exits the same and leaves the same files.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { required } from '../support/peers.js';
import { tempDir } from '../support/test-deps.js';

const { dir, cleanup } = tempDir('glx-code-cache-');
afterAll(cleanup);

const KEY = `node-${process.version}-${process.platform}-${process.arch}`;
const HOST = 'https://gitlab.example.com';
const PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = ["acme-utils>=1"]\n';

/** A copy of the package's bin/ and dist/, with its caches as `caches` makes them. */
function packageCopy(name: string, caches: (cacheDir: string) => void): string {
  const root = path.join(dir, name);
  cpSync('bin', path.join(root, 'bin'), { recursive: true });
  cpSync('dist', path.join(root, 'dist'), { recursive: true });
  caches(path.join(root, 'dist', 'cache', KEY));
  return root;
}

/** Every file under `at` with its bytes, for comparing runs. */
function files(at: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(at, { withFileTypes: true })) {
    const file = path.join(at, entry.name);
    if (entry.isDirectory()) Object.assign(out, files(file, `${prefix}${entry.name}/`));
    else out[`${prefix}${entry.name}`] = readFileSync(file, 'latin1');
  }
  return out;
}

/** `glx init` (an edit) then `glx env` through the copy's bin, in the same fresh project each time. */
function flow(root: string) {
  const project = path.join(dir, 'project');
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project);
  writeFileSync(path.join(project, 'pyproject.toml'), PYPROJECT);
  writeFileSync(path.join(project, 'netrc'), 'machine gitlab.example.com login __token__ password glpat-cachecache\n', {
    mode: 0o600,
  });
  const env = { PATH: process.env.PATH ?? '', HOME: project, NETRC: path.join(project, 'netrc') };
  const bin = path.join(root, 'bin', 'glx.js');
  const runs = [
    ['init', '--group', '42', '--host', HOST, '--package', 'acme-utils'],
    ['init', '--group', '42', '--host', HOST, '--dry-run'],
    ['env', '--shell', 'fish'],
    ['env', '--index', 'missing'],
  ].map((args) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: project, env, encoding: 'utf8' });
    return { args, code: result.status, stdout: result.stdout, stderr: result.stderr };
  });
  return { runs, files: files(project) };
}

/** How load.cjs met each cache when it loaded the two bundles and, through init, the CST parser. */
function cacheUse(root: string, env: Record<string, string> = {}): Record<string, string> {
  const project = path.join(dir, `use-${path.basename(root)}`);
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, 'pyproject.toml'), PYPROJECT);
  const script = `
    const loader = require(${JSON.stringify(path.join(root, 'bin', 'load.cjs'))});
    const dist = ${JSON.stringify(path.join(root, 'dist'))};
    loader.load(dist + '/glx-env.cjs');
    loader.load(dist + '/glx-init.cjs').main(['init', '--group', '42', '--host', '${HOST}'])
      .then(() => process.stderr.write('\\ncache use: ' + JSON.stringify(loader.cacheUse())));`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: project,
    env: { PATH: process.env.PATH ?? '', HOME: project, ...env },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stderr.split('\ncache use: ')[1]!);
}

// .ci/run's build records one for every node the tests run on (GLX_CODE_CACHE_NODES).
const recordedHere = required(
  existsSync(path.join('dist', 'cache', KEY)),
  `the code caches on ${process.execPath}`,
  `the build recorded none for ${KEY} (GLX_CODE_CACHE_NODES)`,
);

describe.runIf(recordedHere)('the V8 code caches of the fast paths', () => {
  /** Rewrites each cache file of a copy: `change` gets its first line and the rest. */
  const rewrite = (cacheDir: string, change: (header: string, data: Buffer) => Buffer) => {
    for (const name of readdirSync(cacheDir, { recursive: true, encoding: 'utf8' })) {
      const file = path.join(cacheDir, name);
      if (!name.endsWith('.cjs')) continue;
      const bytes = readFileSync(file);
      const eol = bytes.indexOf(10);
      writeFileSync(file, change(bytes.toString('utf8', 0, eol), bytes.subarray(eol + 1)));
    }
  };
  let recorded: string;
  let rejected: string;
  let foreign: string;
  let none: string;

  beforeAll(() => {
    recorded = packageCopy('recorded', () => {});
    // This node's header, other bytes of the same length: V8's own check fails (magic number, version).
    rejected = packageCopy('rejected', (cacheDir) =>
      rewrite(cacheDir, (header, data) => Buffer.concat([Buffer.from(`${header}\n`), Buffer.alloc(data.length, 0x5a)])),
    );
    // Another node's cache: V8 would take it if the V8 version matched, and could crash on it.
    foreign = packageCopy('foreign', (cacheDir) =>
      rewrite(cacheDir, (header, data) =>
        Buffer.concat([Buffer.from(`${header.replace(process.version, 'v20.0.0')}\n`), data]),
      ),
    );
    none = packageCopy('none', (cacheDir) => rmSync(path.join(cacheDir, '..'), { recursive: true }));
  });

  it('the build recorded them for this node, and V8 accepts them', () => {
    expect(cacheUse(recorded)).toEqual({
      'glx-env.cjs': 'accepted',
      'glx-init.cjs': 'accepted',
      'vendor/toml-eslint-parser.cjs': 'accepted',
    });
  });

  it('a cache V8 rejects, or none, is compiled from source: the same output, exit codes and files', () => {
    expect(cacheUse(rejected)).toEqual({
      'glx-env.cjs': 'rejected',
      'glx-init.cjs': 'rejected',
      'vendor/toml-eslint-parser.cjs': 'rejected',
    });
    expect(cacheUse(foreign)).toEqual({
      'glx-env.cjs': 'rejected',
      'glx-init.cjs': 'rejected',
      'vendor/toml-eslint-parser.cjs': 'rejected',
    });
    expect(cacheUse(recorded, { GLX_NO_CODE_CACHE: '1' })).toEqual({
      'glx-env.cjs': 'none',
      'glx-init.cjs': 'none',
      'vendor/toml-eslint-parser.cjs': 'none',
    });
    expect(cacheUse(none)).toEqual({
      'glx-env.cjs': 'none',
      'glx-init.cjs': 'none',
      'vendor/toml-eslint-parser.cjs': 'none',
    });

    const expected = flow(recorded);
    expect(expected.runs.map((run) => run.code)).toEqual([0, 0, 0, 2]);
    expect(expected.runs[2]!.stdout).toContain("set -gx UV_INDEX_GITLAB_PASSWORD 'glpat-cachecache';");
    expect(expected.files['pyproject.toml']).toContain('[[tool.uv.index]]');
    expect(flow(rejected)).toEqual(expected);
    expect(flow(foreign)).toEqual(expected);
    expect(flow(none)).toEqual(expected);
  });
});

describe('bin/load.cjs', () => {
  // A bundle requires Node's own modules and its vendor files; the build bundles everything else.
  it("gives a bundle Node's modules and its vendor files, and refuses any other file", () => {
    const bundles = path.join(dir, 'bundles');
    mkdirSync(path.join(bundles, 'vendor'), { recursive: true });
    writeFileSync(path.join(bundles, 'vendor', 'lib.cjs'), 'exports.twice = (n) => 2 * n;\n');
    writeFileSync(
      path.join(bundles, 'good.cjs'),
      "exports.value = [require('node:os').EOL, require('buffer').Buffer.from('a').length, require('./vendor/lib.cjs').twice(21)];\n",
    );
    writeFileSync(path.join(bundles, 'bad.cjs'), "require('./elsewhere.cjs');\n");
    const script = `
      const { load } = require(${JSON.stringify(path.resolve('bin', 'load.cjs'))});
      console.log(JSON.stringify(load(${JSON.stringify(path.join(bundles, 'good.cjs'))}).value));
      try { load(${JSON.stringify(path.join(bundles, 'bad.cjs'))}); } catch (error) { console.log(error.message); }`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `["\\n",1,42]\n${path.join(bundles, 'bad.cjs')}: unexpected require('./elsewhere.cjs')\n`,
    );
  });
});
