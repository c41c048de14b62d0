/**
 * Where uv will take credentials from for one index, following uv's auth middleware
 * (https://github.com/astral-sh/uv/tree/main/crates/uv-auth: middleware.rs `handle`, cache.rs, store.rs):
 *
 * 1. Credentials in the index URL ride on the request and win (a URL username alone is "the known
 *    username": uv then looks for its password below, and sends "Incomplete credentials" without one).
 * 2. Before the first request uv caches every index's own credentials (UV_INDEX_<NAME>_* env vars,
 *    else URL userinfo) under the index URL and under its realm (scheme://host:port). The index's own
 *    env credentials come first; then the realm cache: another index's credentials on the same
 *    scheme://host:port are used before netrc.
 * 3. netrc (host only; its login must match a known username), uv's credentials store (prefix match,
 *    same username; two entries at one prefix without a username are ambiguous), then the keyring.
 */
import path from 'node:path';
import type { Deps, Env } from '../deps.js';
import { indexEnvVars } from '../pyproject/index-name.js';
import { readTextIfExists } from '../util/fs-atomic.js';

export type SourceName = 'env' | 'url' | 'host-cache' | 'netrc' | 'uv-store' | 'keyring';

/** What uv does when it has no complete credentials for an index. */
export type UvFailure = 'missing-credentials' | 'incomplete-credentials' | 'anonymous';

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
  /** The source whose username and password uv sends. */
  chosen?: SourceFinding;
  /** Without `chosen`: the error uv stops with under authenticate = "always", or "anonymous" under "auto". */
  failure?: UvFailure;
  /** A username uv knows but has no password for (URL or env username alone). */
  knownUsername?: string;
  /**
   * File downloads (`.../packages/pypi/files/...`) carry no URL credentials: uv sends what it cached
   * under the index's root URL before the first request, the env credentials. Set when they differ
   * from `chosen` (URL userinfo on the page, UV_INDEX_* on the files).
   */
  downloads?: SourceFinding;
  findings: SourceFinding[];
  envVars: { username: string; password: string };
}

export interface IndexForSources {
  name?: string;
  url: string;
  authenticate?: string;
}

export interface NetrcLookup {
  file: string;
  /** undefined when the file does not exist. */
  entry?: { login?: string; password?: string; viaDefault: boolean };
  /** uv ignores the whole file when it fails to parse (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc). */
  error?: string;
}

export interface StoreEntry {
  service: string;
  /** Absent for a bearer entry. */
  username?: string;
  password?: string;
  scheme: 'basic' | 'bearer';
}

export interface StoreLookup {
  file: string;
  entries: StoreEntry[];
  /** uv ignores the whole store when it fails to parse (a `service` without a scheme is enough). */
  error?: string;
}

export interface StoreMatch {
  entry?: StoreEntry;
  /** Two entries match equally well and no username picks one: uv uses neither. */
  ambiguous?: StoreEntry[];
}

/**
 * uv's credentials directory without asking uv (crates/uv-auth/src/store.rs `directory_path`,
 * crates/uv-state/src/lib.rs, crates/uv-dirs/src/lib.rs): a non-empty $UV_CREDENTIALS_DIR, else the
 * legacy native state dir when it exists (macOS `~/Library/Application Support/uv`, Windows
 * `%APPDATA%\uv\data`), else `$XDG_DATA_HOME/uv` (absolute only) or `~/.local/share/uv` — Windows
 * `%APPDATA%\uv` — plus `credentials`.
 */
export function uvCredentialsDirCandidates(env: Env, homeDir: string, platform: NodeJS.Platform): string[] {
  if (env.UV_CREDENTIALS_DIR) return [env.UV_CREDENTIALS_DIR];
  const p = platform === 'win32' ? path.win32 : path.posix;
  const xdg = env.XDG_DATA_HOME && p.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  if (platform === 'win32') {
    const appData = env.APPDATA || p.join(homeDir, 'AppData', 'Roaming');
    return [p.join(appData, 'uv', 'data', 'credentials'), p.join(xdg ?? appData, 'uv', 'credentials')];
  }
  const base = p.join(xdg ?? p.join(homeDir, '.local', 'share'), 'uv', 'credentials');
  if (platform === 'darwin') return [p.join(homeDir, 'Library', 'Application Support', 'uv', 'credentials'), base];
  return [base];
}

/**
 * uv's credentials.toml. `uv auth dir` is the final word when uv is on PATH; otherwise the first
 * legacy candidate whose state dir exists, else the XDG one.
 */
export async function uvCredentialsFile(deps: Pick<Deps, 'env' | 'homeDir' | 'exec' | 'platform'>): Promise<string> {
  const asked = await deps.exec('uv', ['auth', 'dir'], {}).catch(() => undefined);
  const dir = asked?.code === 0 ? asked.stdout.trim().split('\n').pop() : undefined;
  if (dir) return path.join(dir, 'credentials.toml');
  const candidates = uvCredentialsDirCandidates(deps.env, deps.homeDir, deps.platform);
  const { stat } = await import('node:fs/promises');
  for (const candidate of candidates.slice(0, -1)) {
    if (
      await stat(path.dirname(candidate)).then(
        () => true,
        () => false,
      )
    )
      return path.join(candidate, 'credentials.toml');
  }
  return path.join(candidates.at(-1)!, 'credentials.toml');
}

/** Reads uv's plaintext store the way uv does: all or nothing. */
export async function readUvStore(deps: Pick<Deps, 'env' | 'homeDir' | 'exec' | 'platform'>): Promise<StoreLookup> {
  const file = await uvCredentialsFile(deps);
  const text = await readTextIfExists(file).catch(() => undefined);
  if (text === undefined) return { file, entries: [] };
  let doc: Record<string, unknown>;
  try {
    const { parse } = await import('smol-toml');
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    return { file, entries: [], error: (error as Error).message.split('\n')[0] };
  }
  const list = Array.isArray(doc.credential) ? (doc.credential as Array<Record<string, unknown>>) : [];
  const entries: StoreEntry[] = [];
  for (const item of list) {
    const service = typeof item.service === 'string' ? item.service : '';
    // uv parses every service as a URL: one without a scheme fails the whole file (store.rs `from_file`).
    if (!/^https?:\/\//i.test(service) || !canParse(service))
      return { file, entries: [], error: `service ${JSON.stringify(service)} is not a URL with http:// or https://` };
    const bearer = item.scheme === 'bearer';
    entries.push({
      service,
      scheme: bearer ? 'bearer' : 'basic',
      ...(!bearer && typeof item.username === 'string' && item.username !== '' ? { username: item.username } : {}),
      ...(typeof (bearer ? item.token : item.password) === 'string'
        ? { password: (bearer ? item.token : item.password) as string }
        : {}),
    });
  }
  return { file, entries };
}

function canParse(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** The store entry uv picks for a request URL: same realm, longest service path prefix, same username (store.rs `get_credentials`). */
export function matchStore(store: StoreLookup, requestUrl: string, username: string | undefined): StoreMatch {
  if (store.error) return {};
  const target = new URL(requestUrl);
  let best: StoreEntry[] = [];
  let bestLength = -1;
  for (const entry of store.entries) {
    const service = new URL(entry.service);
    if (service.origin !== target.origin) continue;
    const prefix = service.pathname.replace(/\/+$/, '');
    if (!(target.pathname === prefix || target.pathname.startsWith(`${prefix}/`) || prefix === '')) continue;
    if (username !== undefined && entry.username !== username) continue;
    if (service.pathname.length > bestLength) {
      bestLength = service.pathname.length;
      best = [entry];
    } else if (service.pathname.length === bestLength) best.push(entry);
  }
  if (best.length > 1) return { ambiguous: best };
  return best[0] ? { entry: best[0] } : {};
}

/** The `uv --version` of the uv on PATH, or undefined without one. */
export async function uvVersion(deps: Pick<Deps, 'exec'>): Promise<string | undefined> {
  const result = await deps.exec('uv', ['--version'], {}).catch(() => undefined);
  return result?.code === 0 ? /\buv (\d+\.\d+\.\d+)/.exec(result.stdout)?.[1] : undefined;
}

/**
 * The words uv stops with for a username without a password under authenticate = "always":
 * "Missing password" before 0.11.0, "Incomplete credentials" since (astral-sh/uv#18646).
 */
export function incompleteWords(version: string | undefined): string {
  const [major = 0, minor = 0] = (version ?? '0.99.0').split('.').map(Number);
  return major === 0 && minor < 11 ? 'Missing password' : 'Incomplete credentials';
}

export function keyringEnabled(env: Env, toolUvKeyring: unknown): boolean {
  return (env.UV_KEYRING_PROVIDER ?? toolUvKeyring) === 'subprocess';
}

interface Creds {
  username?: string;
  password?: string;
  /** Which index these came from, and how. */
  from: { index: string; source: 'env' | 'url' };
}

function urlCredentials(url: string): { username?: string; password?: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // a local path: no credentials there
  }
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  return username !== undefined || password !== undefined ? { username, password } : undefined;
}

/** An index's own credentials as uv caches them before the first request (`Index::credentials`: env first, else URL). */
function ownCredentials(index: IndexForSources, env: Env): Creds | undefined {
  if (index.name !== undefined) {
    const vars = indexEnvVars(index.name);
    const user = env[vars.username];
    const pass = env[vars.password];
    // https://github.com/astral-sh/uv/blob/main/crates/uv-static/src/env_vars.rs: an empty USERNAME counts as none; an empty PASSWORD is still a password.
    if (user !== undefined || pass !== undefined)
      return { username: user || undefined, password: pass, from: { index: index.name, source: 'env' } };
  }
  const fromUrl = urlCredentials(index.url);
  return fromUrl ? { ...fromUrl, from: { index: index.name ?? index.url, source: 'url' } } : undefined;
}

export function realmOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * uv's realm cache after seeding (cache.rs `insert`): per (realm, username) and (realm, none); a
 * password replaces what is there, a username alone only fills a slot without a password. Later
 * indexes in uv's order are inserted later.
 */
function seedRealms(all: IndexForSources[], env: Env): Map<string, Creds> {
  const realms = new Map<string, Creds>();
  const put = (key: string, creds: Creds) => {
    const existing = realms.get(key);
    if (creds.password !== undefined || existing?.password === undefined) realms.set(key, creds);
  };
  for (const index of all) {
    const creds = ownCredentials(index, env);
    const realm = realmOf(index.url);
    if (!creds || !realm) continue;
    if (creds.username !== undefined) put(`${realm}\u0000${creds.username}`, creds);
    put(`${realm}\u0000`, creds);
  }
  return realms;
}

function realmLookup(
  realms: Map<string, Creds>,
  realm: string | undefined,
  username: string | undefined,
): Creds | undefined {
  if (!realm) return undefined;
  const found = realms.get(`${realm}\u0000${username ?? ''}`);
  // Given a username, password-less credentials do not count (cache.rs `get_realm`).
  if (found && username !== undefined && found.password === undefined) return undefined;
  return found;
}

/**
 * Pure: given what each source holds, which one uv uses for `index`. `all` is every index uv
 * knows, in uv's order (they seed the per-host cache); `requestUrl` is a URL under the index
 * (uv's store matches by prefix against the page it asks for).
 */
export function chooseUvCredentials(
  index: IndexForSources,
  all: IndexForSources[],
  env: Env,
  netrc: NetrcLookup,
  store: StoreLookup,
  keyring: boolean,
): UvCredentials {
  const envVars = indexEnvVars(index.name ?? '');
  const policy = index.authenticate ?? 'auto';
  const requestUrl = `${index.url.replace(/\/+$/, '')}/`;
  const realm = realmOf(index.url);
  const realms = seedRealms(all, env);
  const findings: SourceFinding[] = [];

  const envUser = index.name !== undefined ? env[envVars.username] : undefined;
  const envPass = index.name !== undefined ? env[envVars.password] : undefined;
  const envPresent = envUser !== undefined || envPass !== undefined;
  const envFinding: SourceFinding = {
    source: 'env',
    present: envPresent,
    username: envUser === '' ? undefined : envUser,
    password: envPass,
    detail: envPresent
      ? `${envVars.username}${envUser === undefined ? ' (unset)' : ''}, ${envVars.password}${envPass === undefined ? ' (unset)' : ''}`
      : `${envVars.username} / ${envVars.password} not set`,
  };
  const fromUrl = urlCredentials(index.url);
  const urlFinding: SourceFinding = {
    source: 'url',
    present: fromUrl !== undefined,
    username: fromUrl?.username,
    password: fromUrl?.password,
    detail: fromUrl
      ? `credentials embedded in the index URL (${fromUrl.password !== undefined ? 'username and password' : 'username only'}; leak risk)`
      : 'none in the URL',
  };
  findings.push(envFinding, urlFinding);

  let chosen: SourceFinding | undefined;
  let knownUser: string | undefined;
  // A username-only URL: uv looks for that user's password; if none turns up it fails with "Incomplete".
  let incompleteIfNone = false;
  if (policy === 'never') {
    // uv sends nothing at all (middleware.rs: AuthPolicy::Never).
  } else if (fromUrl?.password !== undefined) {
    chosen = urlFinding; // request credentials win over UV_INDEX_* (middleware.rs `complete_request_with_request_credentials`)
  } else if (fromUrl?.username !== undefined) {
    knownUser = fromUrl.username;
    incompleteIfNone = true;
    if (envPresent && envFinding.username === knownUser && envPass !== undefined) chosen = envFinding;
  } else if (envPresent) {
    if (envPass !== undefined) chosen = envFinding;
    else knownUser = envFinding.username;
  }

  // The per-host cache: another index's credentials on the same scheme://host:port.
  let realmCreds: Creds | undefined;
  if (!chosen && policy !== 'never') {
    const found = realmLookup(realms, realm, knownUser);
    const fromOther = found && !(found.from.index === (index.name ?? index.url));
    if (found && fromOther) realmCreds = found;
  }
  const hostFinding: SourceFinding = {
    source: 'host-cache',
    present: realmCreds !== undefined,
    username: realmCreds?.username,
    password: realmCreds?.password,
    detail: realmCreds
      ? `credentials of index "${realmCreds.from.index}" (${realmCreds.from.source === 'env' ? indexEnvVars(realmCreds.from.index).username.replace(/_USERNAME$/, '_*') : 'its URL'}) on the same ${realm}: uv reuses them before netrc`
      : `no other index on ${realm ?? 'this host'} has env or URL credentials`,
  };
  findings.push(hostFinding);
  // With only a URL username, the realm cache is asked after the external sources (middleware.rs).
  const realmFirst = !incompleteIfNone;
  if (!chosen && realmFirst && realmCreds?.password !== undefined) chosen = hostFinding;
  else if (!chosen && realmFirst && realmCreds && knownUser === undefined) knownUser = realmCreds.username;

  const netrcEntry = netrc.entry;
  const netrcMatches =
    netrcEntry?.password !== undefined && (knownUser === undefined || netrcEntry.login === knownUser);
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
  const fetching = !chosen && policy !== 'never';
  if (fetching && netrcMatches) chosen = findings.at(-1);

  const match = matchStore(store, requestUrl, knownUser);
  const storeEntry = match.entry;
  const storeMatches = storeEntry?.password !== undefined;
  findings.push({
    source: 'uv-store',
    present: storeMatches,
    username: storeEntry?.username,
    password: storeEntry?.password,
    detail: store.error
      ? `${store.file} is invalid and uv ignores all of it: ${store.error}`
      : match.ambiguous
        ? `${store.file} has ${match.ambiguous.length} entries for ${match.ambiguous[0]!.service} (usernames ${match.ambiguous.map((e) => e.username ?? '(bearer)').join(', ')}): uv refuses both as ambiguous`
        : storeEntry
          ? `${store.file}, service ${storeEntry.service}${storeEntry.scheme === 'bearer' ? ' (bearer token)' : `, username ${storeEntry.username ?? '(none)'}`}`
          : `nothing for this URL${knownUser ? ` and username ${knownUser}` : ''} in ${store.file}`,
  });
  if (fetching && !chosen && storeMatches) chosen = findings.at(-1);

  // https://docs.astral.sh/uv/concepts/authentication/http/: the keyring is asked only with a known username or authenticate = "always".
  const keyringAsked = keyring && (knownUser !== undefined || policy === 'always');
  findings.push({
    source: 'keyring',
    present: false,
    detail: keyring
      ? keyringAsked
        ? 'keyring-provider = subprocess: uv asks `keyring get` (glx cannot check it)'
        : 'enabled, but uv skips it without a username or authenticate = "always"'
      : 'disabled (keyring-provider is not subprocess)',
  });

  if (!chosen && incompleteIfNone && realmCreds?.password !== undefined) chosen = hostFinding;

  const downloads =
    chosen === urlFinding &&
    envPresent &&
    envPass !== undefined &&
    (envPass !== urlFinding.password || envFinding.username !== urlFinding.username)
      ? envFinding
      : undefined;
  let failure: UvFailure | undefined;
  if (!chosen)
    failure = policy !== 'always' ? 'anonymous' : incompleteIfNone ? 'incomplete-credentials' : 'missing-credentials';
  return {
    chosen,
    failure,
    ...(downloads ? { downloads } : {}),
    ...(knownUser !== undefined && !chosen ? { knownUsername: knownUser } : {}),
    findings,
    envVars,
  };
}
