/**
 * The start-up paths of the built bin (`npm run build` first): `--version` and `<command> --help`
 * print the build's text (dist/help.json) without loading the CLI bundle, and that text is what
 * the CLI itself prints; every other command loads its own chunk.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execReal, glx, tempDir } from '../support/test-deps.js';

const BIN = path.resolve('bin/glx.js');
const texts = JSON.parse(readFileSync('dist/help.json', 'utf8')) as { version: string; help: Record<string, string> };
const { dir, cleanup } = tempDir();

afterAll(cleanup);

function run(bin: string, args: string[]) {
  return execReal(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, COLUMNS: '200' },
  });
}

describe('prebuilt --version and --help', () => {
  it('cover every command, and each is exactly what the CLI prints', async () => {
    expect(Object.keys(texts.help)).toEqual(
      expect.arrayContaining([
        '',
        'init',
        'auth',
        'auth login',
        'auth status',
        'auth logout',
        'env',
        'publish',
        'doctor',
        'completion',
        'ci-setup',
      ]),
    );
    for (const [key, text] of Object.entries(texts.help)) {
      const args = [...(key ? key.split(' ') : []), '--help'];
      const fromBin = await run(BIN, args);
      const fromCli = await glx(args);
      expect(fromBin.stdout, key).toBe(fromCli.stdout);
      expect(fromBin.stdout, key).toBe(text);
      expect(fromBin.code).toBe(0);
    }
    expect((await run(BIN, ['-V'])).stdout).toBe((await glx(['--version'])).stdout);
  });

  it('are printed without the CLI bundle, which everything else needs', async () => {
    // A copy of the package without dist/glx.js and its chunks.
    const root = path.join(dir, 'pkg');
    mkdirSync(path.join(root, 'dist'), { recursive: true });
    cpSync('bin', path.join(root, 'bin'), { recursive: true });
    for (const name of readdirSync('dist'))
      if (name !== 'glx.js' && name !== 'chunks')
        cpSync(path.join('dist', name), path.join(root, 'dist', name), { recursive: true });
    const bin = path.join(root, 'bin', 'glx.js');

    const version = await run(bin, ['--version']);
    const help = await run(bin, ['auth', 'login', '-h']);
    const other = await run(bin, ['init', '--name', 'x', '--help']);

    expect(version).toMatchObject({ code: 0, stdout: texts.version });
    expect(help).toMatchObject({ code: 0, stdout: texts.help['auth login'] });
    // Not a bare command path before --help: the full CLI answers, and here it is missing.
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('dist/glx.js');
  });

  it('the help layout does not follow the terminal width', async () => {
    // commander reads the width from process.stdout itself: make it a 200-column terminal.
    const saved = { isTTY: process.stdout.isTTY, columns: process.stdout.columns };
    Object.assign(process.stdout, { isTTY: true, columns: 200 });
    let wide: Awaited<ReturnType<typeof glx>>;
    try {
      wide = await glx(['init', '--help'], { stdoutIsTTY: true });
    } finally {
      Object.assign(process.stdout, saved);
    }

    expect(wide.stdout).toBe(texts.help.init);
    expect(Math.max(...texts.help.init!.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
  });
});

describe('the split bundle', () => {
  it('keeps each heavy dependency in a chunk that the entry does not import', () => {
    const entry = readFileSync('dist/glx.js', 'utf8');
    const chunks = readdirSync('dist/chunks');
    const heavy = chunks.filter((name) =>
      /node_modules\/(undici|zod|yaml)\//.test(readFileSync(path.join('dist/chunks', name), 'utf8')),
    );

    expect(existsSync('dist/glx.js')).toBe(true);
    expect(heavy.length).toBeGreaterThanOrEqual(3);
    for (const name of heavy) expect(entry).not.toContain(name);
  });
});

describe('lazy chunks of CommonJS packages', () => {
  it('yaml: the full CLI and the env fast path both read the token from the glab config', async () => {
    const project = path.join(dir, 'glab-project');
    const glab = path.join(project, 'glab');
    mkdirSync(glab, { recursive: true });
    writeFileSync(
      path.join(glab, 'config.yml'),
      'hosts:\n  127.0.0.1:\n    token: glpat-fromglabfromglab\n    api_protocol: http\n',
    );
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[[tool.uv.index]]\nname = "gitlab"\nurl = "http://127.0.0.1:9/api/v4/groups/42/-/packages/pypi/simple"\n',
    );
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: project,
      GLAB_CONFIG_DIR: glab,
      GITLAB_HOST: 'http://127.0.0.1:9',
    };

    const auth = await execReal(process.execPath, [BIN, 'auth', '--netrc', '--no-verify', '--dry-run'], {
      cwd: project,
      env,
    });
    const exports = await execReal(process.execPath, [BIN, 'env'], { cwd: project, env });

    expect(auth.code, auth.stderr).toBe(0);
    expect(auth.stderr).toContain(`Token from glab (${path.join(glab, 'config.yml')})`);
    expect(exports.stdout).toContain("UV_INDEX_GITLAB_PASSWORD='glpat-fromglabfromglab'");
  });
});

describe('what `glx env` loads at shell start', () => {
  it('prints its exports without node:tty, node:net, the stream modules, fs.promises or node:module', async () => {
    const project = path.join(dir, 'env-modules');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n',
    );
    writeFileSync(
      path.join(project, 'netrc'),
      'machine gitlab.example.com login __token__ password glpat-modulesmodules\n',
      {
        mode: 0o600,
      },
    );
    // Node's own record of the built-in modules it loaded, written as the process exits.
    const list = path.join(project, 'modules.txt');
    const preload = path.join(project, 'record.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')));\n`,
    );
    const env = { PATH: process.env.PATH ?? '', HOME: project, NETRC: path.join(project, 'netrc') };

    const result = await execReal(process.execPath, ['--require', preload, BIN, 'env', '--shell', 'bash'], {
      cwd: project,
      env,
    });

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain("UV_INDEX_GITLAB_PASSWORD='glpat-modulesmodules'");
    const loaded = readFileSync(list, 'utf8').split('\n');
    for (const module of [
      'NativeModule tty',
      'NativeModule net',
      'NativeModule stream',
      'NativeModule internal/fs/promises',
      'NativeModule module',
    ])
      expect(loaded, module).not.toContain(module);
    // The record is real: node:fs is always loaded.
    expect(loaded).toContain('NativeModule fs');
  });
});
