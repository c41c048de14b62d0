/** Which netrc file uv reads and which of its entries uv sends for a host. */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Env } from '../deps.js';
import type { NetrcDocument, NetrcEntry } from './parse.js';

export interface NetrcCredentials {
  login: string;
  password: string;
  account: string;
  source: 'machine' | 'default';
  entry: NetrcEntry;
}

/**
 * The credentials uv sends for `host` (a URL's lowercase host, no port): the last `machine host`
 * entry, else the last `default` (uv keeps one map entry per name, `Credentials::from_netrc`).
 * With `username` (from the URL or UV_INDEX_*_USERNAME) the entry's login must equal it, and a
 * mismatch does not fall back to `default`.
 */
export function lookup(doc: NetrcDocument, host: string, username?: string): NetrcCredentials | undefined {
  const byName = new Map<string, NetrcEntry>();
  // uv stores `default` under the key "default", so `machine default` and `default` share a slot.
  for (const entry of doc.entries) byName.set(entry.kind === 'default' ? 'default' : (entry.host ?? ''), entry);
  const entry = byName.get(host) ?? byName.get('default');
  if (!entry) return undefined;
  const login = entry.login ?? '';
  if (username !== undefined && username !== login) return undefined;
  return { login, password: entry.password ?? '', account: entry.account ?? '', source: entry.kind, entry };
}

/** The file glx writes: `$NETRC` when set (with `~` expanded), else `~/.netrc`. */
export function netrcPath(env: Env, homeDir: string): string {
  const fromEnv = env.NETRC;
  if (fromEnv !== undefined && fromEnv !== '') return expandTilde(fromEnv, homeDir);
  return path.join(homeDir, '.netrc');
}

/**
 * The files uv tries, in order; it reads the first that exists (`Netrc::get_file`), so a `NETRC`
 * that names a missing file falls back to `~/.netrc` (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc). uv takes the home directory
 * from `HOME` (`USERPROFILE` on Windows, where `_netrc` is tried too).
 */
export function uvNetrcCandidates(env: Env, homeDir: string, platform: NodeJS.Platform = 'linux'): string[] {
  const candidates: string[] = [];
  if (env.NETRC !== undefined && env.NETRC !== '') candidates.push(expandTilde(env.NETRC, homeDir));
  if (platform === 'win32') {
    const home = env.USERPROFILE;
    // Windows joins with backslashes; a POSIX-looking profile (MSYS, tests on Linux) keeps its slashes.
    const join = home?.startsWith('/') ? path.posix.join : path.win32.join;
    if (home !== undefined) candidates.push(join(home, '.netrc'), join(home, '_netrc'));
  } else {
    const home = env.HOME ?? homeDir;
    candidates.push(path.join(home, '.netrc'));
  }
  return candidates;
}

/**
 * The netrc uv will read: the first of `uvNetrcCandidates` that exists, or undefined. Rust's
 * Path::exists follows symlinks, so a dangling link does not count. Synchronous: `glx env` asks at
 * every shell start, and a stat is cheaper than the promise machinery around it.
 */
export function findUvNetrc(env: Env, homeDir: string, platform?: NodeJS.Platform): string | undefined {
  return uvNetrcCandidates(env, homeDir, platform).find(exists);
}

function exists(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // EACCES, ENOTDIR: uv cannot read it either
  }
}

function expandTilde(file: string, homeDir: string): string {
  if (file === '~') return homeDir;
  if (file.startsWith('~/')) return path.join(homeDir, file.slice(2));
  return file;
}
