/** The built bin (`npm test` builds first) against the GitLab stand-in, as a user runs it. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { hasPeer } from '../support/peers.js';
import { execReal, glx, tempDir } from '../support/test-deps.js';

const BIN = path.resolve('bin/glx.js');
// Every shell metacharacter, but no control characters: glx refuses a token with a line break or
// a tab before any shell sees it (test/hardening/hostile-flags.test.ts), and
// test/credentials/shell-eval.test.ts evaluates rendered line breaks in each shell.
const HOSTILE = `glpat-'"$(touch pwned)\`id\`\\ !!$HOME*;|& end`;

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\n');
});

assertCleanAfterEach(() => fake);

afterAll(async () => {
  await fake.close();
  cleanup();
});

/** Asynchronous on purpose: the stand-in runs in this process and must keep answering. */
function bin(args: string[], env: Record<string, string> = {}, input = '') {
  return execReal(process.execPath, [BIN, ...args], {
    cwd: dir,
    input,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NETRC: path.join(dir, 'netrc'), ...env },
  });
}

describe('the built glx', () => {
  it('reports the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

    expect((await bin(['--version'])).stdout.trim()).toBe(pkg.version);
  });

  it('initialises a project and writes exactly one index', async () => {
    fake.expect(['GET /projects/:id']);
    const result = await bin(['init', '--project', 'acme/tools', '--package', 'acme-utils', '--publish'], {
      GITLAB_HOST: fake.url,
      GITLAB_TOKEN: world.tokens.alicePat,
    });

    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, 'pyproject.toml'), 'utf8')).toContain(
      `url = "${fake.url}/api/v4/projects/7/packages/pypi/simple"`,
    );
  });

  it('prints usage errors as error and hint lines with exit 2, no stack trace', async () => {
    const result = await bin(['init', '--bogus']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown option '--bogus'\nhint: run the command with --help for usage and examples\n",
    );
  });

  it('prints a stack trace only with GLX_DEBUG=1', async () => {
    const plain = await bin(['--cwd', '/nonexistent-dir', 'init', '--group', '42']);
    const debug = await bin(['--cwd', '/nonexistent-dir', 'init', '--group', '42'], { GLX_DEBUG: '1' });

    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('exits 130 when interrupted', async () => {
    fake.expect(['GET /groups/:id']);
    fake.faults.push({ route: 'GET /groups/:id', kind: 'delay', ms: 5_000 });
    const child = spawn(process.execPath, [BIN, 'init', '--group', 'acme'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, GITLAB_HOST: fake.url },
    });
    // Interrupt only once glx is waiting on GitLab, so its handlers are surely installed.
    for (let i = 0; i < 200 && fake.requestsTo('GET /groups/:id').length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));

    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));

    expect(code).toBe(130);
  });
});

describe('glx env through the start-up fast path', () => {
  it('refuses a token with a line break, as glx auth does: eval gets nothing, the next line runs nothing', async () => {
    const token = `${HOSTILE}\nexport PWNED=1`;

    const result = await execReal(
      'bash',
      ['-c', `eval "$("${process.execPath}" "${BIN}" env --shell bash)"; printf %s "\${PWNED-unset}"`],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, GITLAB_TOKEN: token, NETRC: path.join(dir, 'netrc') },
      },
    );

    expect(result.stdout).toBe('unset');
    expect(result.stderr).toContain(
      `error: the token from GITLAB_TOKEN contains a control character at position ${HOSTILE.length + 1}`,
    );
  });

  it('prints the same as the full CLI', async () => {
    const env = { GITLAB_TOKEN: world.tokens.alicePat, SHELL: '/bin/zsh' };

    const fast = await bin(['env', '--publish'], env);
    const full = await glx(['--cwd', dir, 'env', '--publish'], {
      env: { ...env, NETRC: path.join(dir, 'netrc') },
      homeDir: dir,
    });

    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(full.stdout);
  });

  it('falls back to the full CLI for --help and usage errors', async () => {
    const help = await bin(['env', '--help']);
    const bad = await bin(['env', '--bogus']);

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('eval "$(glx env)"');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown option '--bogus'/);
  });

  it.each([
    ['bash', ['bash', '-c'], 'eval "$(glx env --shell bash)"; printf %s "$UV_INDEX_GITLAB_PASSWORD" > out'],
    ['zsh', ['zsh', '-f', '-c'], 'eval "$(glx env --shell zsh)"; printf %s "$UV_INDEX_GITLAB_PASSWORD" > out'],
    ['dash', ['dash', '-c'], 'eval "$(glx env --shell sh)"; printf %s "$UV_INDEX_GITLAB_PASSWORD" > out'],
    [
      'fish',
      ['fish', '--no-config', '-c'],
      'glx env --shell fish | source; printf %s "$UV_INDEX_GITLAB_PASSWORD" > out',
    ],
  ])('hands a hostile token to %s unchanged, running nothing', async (shell, argv, script) => {
    if (!hasPeer(shell)) return;
    const shim = path.join(dir, 'glx');
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });

    const result = await execReal(argv[0]!, [...argv.slice(1), script], {
      cwd: dir,
      env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, GITLAB_TOKEN: HOSTILE, NETRC: path.join(dir, 'netrc') },
    });

    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'out'), 'utf8')).toBe(HOSTILE);
    expect(spawnSync('test', ['-e', path.join(dir, 'pwned')]).status).toBe(1);
  });

  it('keeps stdout for the assignments when output is piped to head', async () => {
    const result = await execReal('sh', ['-c', `"${process.execPath}" "${BIN}" env | head -1`], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, GITLAB_TOKEN: world.tokens.alicePat, SHELL: '/bin/bash' },
    });

    expect(result.stdout).toBe("export UV_INDEX_GITLAB_USERNAME='__token__'\n");
  });
});
