/** Where uv keeps its credentials store and which netrc it reads, per platform (without a uv to ask). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  matchStore,
  readUvStore,
  uvCredentialsDirCandidates,
  uvCredentialsFile,
} from '../../src/credentials/uv-sources.js';
import { findUvNetrc } from '../../src/netrc/lookup.js';
import { glx, tempDir, testDeps } from '../support/test-deps.js';

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});

afterEach(() => cleanup());

describe("uv's credentials directory", () => {
  it('takes a non-empty UV_CREDENTIALS_DIR as is', () => {
    expect(uvCredentialsDirCandidates({ UV_CREDENTIALS_DIR: '/x/creds' }, '/home/me', 'linux')).toEqual(['/x/creds']);
    expect(uvCredentialsDirCandidates({ UV_CREDENTIALS_DIR: '' }, '/home/me', 'linux')).toEqual([
      '/home/me/.local/share/uv/credentials',
    ]);
  });

  it('ignores a relative XDG_DATA_HOME, as the XDG spec and uv do', () => {
    expect(uvCredentialsDirCandidates({ XDG_DATA_HOME: 'data' }, '/home/me', 'linux')).toEqual([
      '/home/me/.local/share/uv/credentials',
    ]);
    expect(uvCredentialsDirCandidates({ XDG_DATA_HOME: '/d' }, '/home/me', 'linux')).toEqual(['/d/uv/credentials']);
  });

  it('tries the legacy macOS and Windows state dirs first', () => {
    expect(uvCredentialsDirCandidates({}, '/Users/me', 'darwin')).toEqual([
      '/Users/me/Library/Application Support/uv/credentials',
      '/Users/me/.local/share/uv/credentials',
    ]);
    expect(
      uvCredentialsDirCandidates({ APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, 'C:\\Users\\me', 'win32'),
    ).toEqual([
      'C:\\Users\\me\\AppData\\Roaming\\uv\\data\\credentials',
      'C:\\Users\\me\\AppData\\Roaming\\uv\\credentials',
    ]);
  });

  it('uses the legacy macOS dir only when it exists (no uv on PATH to ask)', async () => {
    const { deps } = testDeps({ env: { PATH: '/nonexistent' }, homeDir: dir, platform: 'darwin' });
    expect(await uvCredentialsFile(deps)).toBe(
      path.join(dir, '.local', 'share', 'uv', 'credentials', 'credentials.toml'),
    );

    mkdirSync(path.join(dir, 'Library', 'Application Support', 'uv'), { recursive: true });

    expect(await uvCredentialsFile(deps)).toBe(
      path.join(dir, 'Library', 'Application Support', 'uv', 'credentials', 'credentials.toml'),
    );
  });
});

describe('the netrc uv reads on Windows', () => {
  it('reads %USERPROFILE%\\_netrc when there is no .netrc, and doctor names it', async () => {
    writeFileSync(
      path.join(dir, '_netrc'),
      'machine gitlab.example.com login __token__ password glpat-aaaaaaaaaaaaaaaaaaaa\n',
      { mode: 0o600 },
    );
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "x"\nversion = "0"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple"\nauthenticate = "always"\n',
    );

    expect(findUvNetrc({ USERPROFILE: dir }, dir, 'win32')).toBe(path.join(dir, '_netrc'));
    const result = await glx(['--cwd', dir, '--json', 'doctor', '--offline'], {
      env: { USERPROFILE: dir, PATH: '/nonexistent' },
      homeDir: dir,
      platform: 'win32',
    });

    const checks = JSON.parse(result.stdout).checks as Array<{ id: string; message: string }>;
    expect(checks.find((c) => c.id === 'index.gitlab.credentials')?.message).toContain(
      `from netrc: ${path.join(dir, '_netrc')}`,
    );
  });
});

describe("uv's credentials store as uv reads it", () => {
  it('reads a bearer entry (token, no username), which uv matches only without a username', async () => {
    mkdirSync(path.join(dir, 'creds'), { recursive: true });
    writeFileSync(
      path.join(dir, 'creds', 'credentials.toml'),
      '[[credential]]\nservice = "https://gitlab.example.com/api/v4/projects/7/packages/pypi"\nscheme = "bearer"\ntoken = "glpat-bbbbbbbbbbbbbbbbbbbb"\n',
    );
    const { deps } = testDeps({
      env: { PATH: '/nonexistent', UV_CREDENTIALS_DIR: path.join(dir, 'creds') },
      homeDir: dir,
    });

    const store = await readUvStore(deps);
    const url = 'https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple/';

    expect(store.entries).toEqual([
      {
        service: 'https://gitlab.example.com/api/v4/projects/7/packages/pypi',
        scheme: 'bearer',
        password: 'glpat-bbbbbbbbbbbbbbbbbbbb',
      },
    ]);
    expect(matchStore(store, url, undefined).entry?.scheme).toBe('bearer');
    expect(matchStore(store, url, '__token__').entry).toBeUndefined();
  });

  it('ignores the whole store when one service has no scheme, as uv does', async () => {
    mkdirSync(path.join(dir, 'creds'), { recursive: true });
    writeFileSync(
      path.join(dir, 'creds', 'credentials.toml'),
      '[[credential]]\nservice = "https://gitlab.example.com/x"\nusername = "__token__"\nscheme = "basic"\npassword = "p"\n\n[[credential]]\nservice = "gitlab.example.com"\nusername = "u"\nscheme = "basic"\npassword = "q"\n',
    );
    const { deps } = testDeps({
      env: { PATH: '/nonexistent', UV_CREDENTIALS_DIR: path.join(dir, 'creds') },
      homeDir: dir,
    });

    const store = await readUvStore(deps);

    expect(store.entries).toEqual([]);
    expect(store.error).toMatch(/gitlab\.example\.com/);
  });
});
