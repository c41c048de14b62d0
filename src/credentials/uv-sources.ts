/**
 * Where uv will take credentials from for one index, in uv's own order (research/uv.md §3.2):
 * UV_INDEX_<NAME>_* env vars (they replace URL credentials), URL userinfo, netrc (host only; its
 * login must match a username uv already has), uv's credentials store, then the keyring.
 */
import path from 'node:path';
import type { Deps, Env } from '../deps.js';
import { readTextIfExists } from '../util/fs-atomic.js';
import { indexEnvVars } from '../pyproject/index-name.js';

export type SourceName = 'env' | 'url' | 'netrc' | 'uv-store' | 'keyring';

export interface SourceFinding {
  source: SourceName;
  /** This source has something for the index. */
  present: boolean;
  username?: string;
  password?: string;
  /** File it lives in, variable names, or why it does not apply. */
  detail: string;
}

export interface UvCredentials {
  /** The source uv will use, or undefined when uv would send nothing (and fail with authenticate = "always"). */
  chosen?: SourceFinding;
  findings: SourceFinding[];
  envVars: { username: string; password: string };
}

export interface IndexForSources {
  name: string;
  url: string;
  authenticate?: string;
}

export interface NetrcLookup {
  file: string;
  /** undefined when the file does not exist. */
  entry?: { login?: string; password?: string; viaDefault: boolean };
  /** uv ignores the whole file when it fails to parse (uv.md §3.3). */
  error?: string;
}

export interface StoreLookup {
  file: string;
  entry?: { service: string; username?: string; password?: string };
  error?: string;
}

/** uv's credentials.toml location (uv.md §3.5). */
export function uvCredentialsFile(env: Env, homeDir: string): string {
  if (env.UV_CREDENTIALS_DIR) return path.join(env.UV_CREDENTIALS_DIR, 'credentials.toml');
  const data = env.XDG_DATA_HOME || path.join(homeDir, '.local', 'share');
  return path.join(data, 'uv', 'credentials', 'credentials.toml');
}

/** The `[[credential]]` entries of uv's plaintext store, or why it cannot be read. */
async function readUvStore(deps: Pick<Deps, 'env' | 'homeDir'>): Promise<{ file: string; list: Array<Record<string, unknown>>; error?: string }> {
  const file = uvCredentialsFile(deps.env, deps.homeDir);
  const text = await readTextIfExists(file).catch(() => undefined);
  if (text === undefined) return { file, list: [] };
  try {
    const { parse } = await import('smol-toml');
    const doc = parse(text) as Record<string, unknown>;
    return { file, list: Array.isArray(doc.credential) ? (doc.credential as Array<Record<string, unknown>>) : [] };
  } catch (error) {
    return { file, list: [], error: (error as Error).message.split('\n')[0] };
  }
}

/** Every entry of uv's store that holds `password`, whatever its service (a rotated token is replaced in all). */
export async function uvStoreEntriesHolding(deps: Pick<Deps, 'env' | 'homeDir'>, password: string): Promise<{ file: string; entries: Array<{ service: string; username?: string }> }> {
  const { file, list } = await readUvStore(deps);
  const entries = list
    .filter((item) => typeof item.service === 'string' && item.password === password)
    .map((item) => ({ service: item.service as string, ...(typeof item.username === 'string' ? { username: item.username } : {}) }));
  return { file, entries };
}

/** Reads uv's plaintext store and picks the entry uv would: longest service prefix on the same realm. */
export async function lookupUvStore(deps: Pick<Deps, 'env' | 'homeDir'>, indexUrl: string, username?: string): Promise<StoreLookup> {
  const { file, list, error } = await readUvStore(deps);
  if (error !== undefined) return { file, error };
  const target = new URL(indexUrl.replace(/\/(\+)?simple\/?$/, '/'));
  let best: StoreLookup['entry'];
  let bestLength = -1;
  for (const item of list) {
    if (typeof item.service !== 'string') continue;
    let service: URL;
    try {
      service = new URL(/:\/\//.test(item.service) ? item.service : `https://${item.service}`);
    } catch {
      continue;
    }
    if (service.origin !== target.origin) continue;
    const prefix = service.pathname.replace(/\/+$/, '');
    const onBoundary = target.pathname === prefix || target.pathname.startsWith(`${prefix}/`) || prefix === '';
    if (!onBoundary) continue;
    const user = typeof item.username === 'string' ? item.username : undefined;
    if (username && user && user !== username) continue;
    if (prefix.length > bestLength) {
      bestLength = prefix.length;
      best = { service: item.service, username: user, password: typeof item.password === 'string' ? item.password : undefined };
    }
  }
  return { file, entry: best };
}

export function keyringEnabled(env: Env, toolUvKeyring: unknown): boolean {
  return (env.UV_KEYRING_PROVIDER ?? toolUvKeyring) === 'subprocess';
}

/** Pure: given what each source holds, which one uv uses. */
export function chooseUvCredentials(index: IndexForSources, env: Env, netrc: NetrcLookup, store: StoreLookup, keyring: boolean): UvCredentials {
  const envVars = indexEnvVars(index.name);
  const findings: SourceFinding[] = [];
  const envUser = env[envVars.username];
  const envPass = env[envVars.password];
  const envPresent = envUser !== undefined || envPass !== undefined;
  findings.push({
    source: 'env',
    present: envPresent,
    // uv.md §2.1: an empty USERNAME counts as none; an empty PASSWORD is still a password.
    username: envUser === '' ? undefined : envUser,
    password: envPass,
    detail: envPresent ? `${envVars.username}${envUser === undefined ? ' (unset)' : ''}, ${envVars.password}${envPass === undefined ? ' (unset)' : ''}` : `${envVars.username} / ${envVars.password} not set`,
  });
  let urlUser: string | undefined;
  let urlPass: string | undefined;
  try {
    const url = new URL(index.url);
    urlUser = url.username ? decodeURIComponent(url.username) : undefined;
    urlPass = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    // Not a URL (a local path): no credentials there.
  }
  findings.push({ source: 'url', present: urlUser !== undefined || urlPass !== undefined, username: urlUser, password: urlPass, detail: urlUser || urlPass ? 'credentials embedded in the index URL (leak risk)' : 'none in the URL' });

  // Env credentials replace URL ones for a named index; a username alone makes uv look further.
  const seeded = envPresent ? { username: findings[0]!.username, password: envPass } : { username: urlUser, password: urlPass };
  const knownUser = seeded.username;
  let chosen: SourceFinding | undefined = seeded.password !== undefined ? (envPresent ? findings[0] : findings[1]) : undefined;

  const netrcEntry = netrc.entry;
  const netrcMatches = netrcEntry?.password !== undefined && (knownUser === undefined || netrcEntry.login === knownUser);
  findings.push({
    source: 'netrc',
    present: netrcMatches,
    username: netrcEntry?.login,
    password: netrcEntry?.password,
    detail: netrc.error
      ? `${netrc.file} is invalid and uv ignores all of it: ${netrc.error}`
      : !netrcEntry
        ? `no entry for this host in ${netrc.file}`
        : !netrcMatches && netrcEntry.password !== undefined
          ? `${netrc.file} has login ${netrcEntry.login ?? '(none)'}, but uv already has username ${knownUser}: uv skips it`
          : `${netrc.file}${netrcEntry.viaDefault ? ' (default entry)' : ''}, login ${netrcEntry.login ?? '(none)'}`,
  });
  if (!chosen && netrcMatches) chosen = findings[2];

  const storeEntry = store.entry;
  const storeMatches = storeEntry?.password !== undefined && (knownUser === undefined || storeEntry.username === knownUser);
  findings.push({
    source: 'uv-store',
    present: storeMatches,
    username: storeEntry?.username,
    password: storeEntry?.password,
    detail: store.error ? `${store.file} is invalid: ${store.error}` : storeEntry ? `${store.file}, service ${storeEntry.service}` : `nothing for this URL in ${store.file}`,
  });
  if (!chosen && storeMatches) chosen = findings[3];

  // uv.md §3.4: the keyring is asked only with a known username or authenticate = "always".
  const keyringAsked = keyring && (knownUser !== undefined || index.authenticate === 'always');
  findings.push({ source: 'keyring', present: false, detail: keyring ? (keyringAsked ? 'keyring-provider = subprocess: uv asks `keyring get` (glx cannot check it)' : 'enabled, but uv skips it without a username or authenticate = "always"') : 'disabled (keyring-provider is not subprocess)' });

  return { chosen, findings, envVars };
}
