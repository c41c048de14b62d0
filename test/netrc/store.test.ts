import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { findUvNetrc } from '../../src/netrc/lookup.js';
import { readNetrcFile, removeNetrcEntry, writeNetrcEntry } from '../../src/netrc/store.js';

const entry = { host: 'gitlab.example.com', login: '__token__', password: 'glpat-Secret0123456789' };
const line = `machine gitlab.example.com login __token__ password ${entry.password}\n`;

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'glx-netrc-store-'));
  file = path.join(dir, '.netrc');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function mode(target: string): number {
  return statSync(target).mode & 0o777;
}

async function rejection(promise: Promise<unknown>): Promise<GlxError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GlxError) return error;
    throw error;
  }
  throw new Error('expected a GlxError');
}

describe('writeNetrcEntry', () => {
  it('creates a new file with mode 0600 and returns before/after for a diff', async () => {
    const result = await writeNetrcEntry(file, entry);

    expect(readFileSync(file, 'utf8')).toBe(line);
    expect(mode(file)).toBe(0o600);
    expect(result).toMatchObject({ file, before: '', after: line, action: 'added', created: true, modeFixed: false });
  });

  it('refuses an existing 0644 file and leaves it unchanged, naming --fix-permissions and chmod 600', async () => {
    writeFileSync(file, 'machine a login b password c\n');
    chmodSync(file, 0o644);

    const error = await rejection(writeNetrcEntry(file, entry));

    expect(error.code).toBe('NETRC_UNSAFE_PERMISSIONS');
    expect(error.message).toContain('0644');
    expect(error.hint).toContain('--fix-permissions');
    expect(error.hint).toContain(`chmod 600 ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('machine a login b password c\n');
    expect(mode(file)).toBe(0o644);
  });

  it('rewrites a 0644 file as 0600 with fixPermissions', async () => {
    writeFileSync(file, 'machine a login b password c\n');
    chmodSync(file, 0o644);

    const result = await writeNetrcEntry(file, entry, { fixPermissions: true });

    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`machine a login b password c\n${line}`);
    expect(result.modeFixed).toBe(true);
  });

  it('only tightens the mode when the entry is already there', async () => {
    writeFileSync(file, line);
    chmodSync(file, 0o640);

    const result = await writeNetrcEntry(file, entry, { fixPermissions: true });

    expect(result.action).toBe('unchanged');
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(line);
  });

  it('refuses an invalid file with file:line:col, writes nothing and never shows the token', async () => {
    const invalid = 'machine a login b password c\nmachine gitlab.example.com\n  port 8443\n';
    writeFileSync(file, invalid, { mode: 0o600 });

    const error = await rejection(writeNetrcEntry(file, entry));

    expect(error.code).toBe('NETRC_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}:3:3: unknown keyword 'port'`));
    expect(`${error.message}${error.hint}`).not.toContain(entry.password);
    expect(readFileSync(file, 'utf8')).toBe(invalid);
    expect(readdirSync(dir)).toEqual(['.netrc']);
  });

  it('refuses a file that is not UTF-8 rather than change its bytes', async () => {
    const bytes = Buffer.from([0x6d, 0x61, 0x63, 0x68, 0x69, 0x6e, 0x65, 0x20, 0xff, 0x0a]);
    writeFileSync(file, bytes, { mode: 0o600 });

    const error = await rejection(writeNetrcEntry(file, entry));

    expect(error.code).toBe('NETRC_INVALID');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('writes through a symlink and keeps the link', async () => {
    const real = path.join(dir, 'dotfiles-netrc');
    writeFileSync(real, 'machine a login b password c\n', { mode: 0o600 });
    symlinkSync(real, file);

    await writeNetrcEntry(file, entry);

    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe(`machine a login b password c\n${line}`);
    expect(mode(real)).toBe(0o600);
  });

  it('writes nothing on a dry run, not even a lock file, and still reports what would change', async () => {
    const result = await writeNetrcEntry(file, entry, { dryRun: true });

    expect(result).toMatchObject({ before: '', after: line, action: 'added', created: true });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses on a dry run too when the file is unsafe', async () => {
    writeFileSync(file, '');
    chmodSync(file, 0o604);

    expect((await rejection(writeNetrcEntry(file, entry, { dryRun: true }))).code).toBe('NETRC_UNSAFE_PERMISSIONS');
  });

  it('refuses a host with a port before touching anything', async () => {
    const error = await rejection(writeNetrcEntry(file, { ...entry, host: 'gitlab.example.com:8443' }));

    expect(error.code).toBe('USAGE');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('removeNetrcEntry', () => {
  it('removes the entry and writes 0600', async () => {
    writeFileSync(file, `machine a login b password c\n${line}`, { mode: 0o600 });

    const result = await removeNetrcEntry(file, entry.host);

    expect(result).toMatchObject({ action: 'removed', removed: 1, after: 'machine a login b password c\n' });
    expect(readFileSync(file, 'utf8')).toBe('machine a login b password c\n');
    expect(mode(file)).toBe(0o600);
  });

  it('takes a token out of a world-readable file too, and reports the tightened mode', async () => {
    writeFileSync(file, line);
    chmodSync(file, 0o644);

    const result = await removeNetrcEntry(file, entry.host);

    expect(result.modeFixed).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(mode(file)).toBe(0o600);
  });

  it('leaves the file alone when the host is absent or the file missing', async () => {
    writeFileSync(file, 'machine a login b password c\n');
    chmodSync(file, 0o644);

    expect((await removeNetrcEntry(file, entry.host)).action).toBe('absent');
    expect(mode(file)).toBe(0o644);
    expect((await removeNetrcEntry(path.join(dir, 'missing'), entry.host)).action).toBe('absent');
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  });

  it('writes nothing on a dry run', async () => {
    writeFileSync(file, line, { mode: 0o600 });

    const result = await removeNetrcEntry(file, entry.host, { dryRun: true });

    expect(result.after).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(line);
  });
});

describe('readNetrcFile and findUvNetrc', () => {
  it('keeps a byte order mark so the parser can point at it', async () => {
    writeFileSync(file, '\ufeffmachine a\n');

    expect((await readNetrcFile(file)).text.charCodeAt(0)).toBe(0xfeff);
  });

  it('finds the file uv reads: $NETRC when it exists, else ~/.netrc', async () => {
    writeFileSync(file, '');
    const custom = path.join(dir, 'custom');

    expect(findUvNetrc({ NETRC: custom, HOME: dir }, dir)).toBe(file);
    writeFileSync(custom, '');
    expect(findUvNetrc({ NETRC: custom, HOME: dir }, dir)).toBe(custom);
    expect(findUvNetrc({ HOME: path.join(dir, 'nowhere') }, dir)).toBeUndefined();
  });
});
