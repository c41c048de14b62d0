/**
 * `glx auth --uv-store` and `glx auth logout --uv-store` drive the real `uv auth login/logout`.
 * uv keys its store by (service, username) (crates/uv-auth/src/store.rs): logout defaults to
 * `__token__`, and two usernames for one service make uv refuse both as ambiguous, so glx reads
 * the store to pass the right username, replaces instead of adding, and checks the result.
 */
import type { Deps, ExecResult, Log } from '../deps.js';
import { GlxError } from '../errors.js';
import { readUvStore, type StoreEntry, uvVersion } from './uv-sources.js';

function normalize(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The entries `uv auth login <url>` wrote or would overwrite: uv stores an index URL without its `/simple` tail. */
export function entriesFor(entries: StoreEntry[], url: string): StoreEntry[] {
  const wanted = new Set([normalize(url), normalize(url).replace(/\/(\+)?simple$/, '')]);
  return entries.filter((entry) => wanted.has(normalize(entry.service)));
}

/**
 * uv auth login refuses plain http except for local hosts (crates/uv-auth/src/service.rs
 * `check_scheme`: localhost and 127.0.0.1; uv 0.13 also takes [::1], 0.10 does not).
 */
export function httpRefused(service: string, version: string | undefined): boolean {
  const url = new URL(service);
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host === '127.0.0.1') return false;
  const [major = 0, minor = 0] = (version ?? '0.0.0').split('.').map(Number);
  return !(host === '[::1]' && (major > 0 || minor >= 13));
}

async function runUvAuth(deps: Deps, args: string[], input?: string): Promise<ExecResult> {
  try {
    return await deps.exec('uv', args, input === undefined ? {} : { input });
  } catch {
    throw new GlxError(
      'TOOL_MISSING',
      'uv is not on PATH, so glx cannot use its credentials store',
      'Install uv (https://docs.astral.sh/uv/), or use --netrc instead.',
    );
  }
}

async function logoutEntry(deps: Deps, service: string, entry: StoreEntry): Promise<ExecResult> {
  return runUvAuth(deps, ['auth', 'logout', service, '--username', entry.username ?? '__token__']);
}

/** --dry-run prints the uv commands instead of running them; with --json (one object on stdout) it prints nothing. */
export interface UvStoreOptions {
  dryRun: boolean;
  json: boolean;
}

/** Stores `login`/`token` for every service, replacing entries with another username. */
export async function storeInUv(
  deps: Deps,
  log: Log,
  services: string[],
  login: string,
  token: string,
  options: UvStoreOptions,
): Promise<void> {
  const { dryRun } = options;
  const version = await uvVersion(deps);
  for (const service of services) {
    if (httpRefused(service, version)) {
      throw new GlxError(
        'USAGE',
        `uv's credentials store takes https only for ${new URL(service).host} (uv auth login refuses plain http except for localhost)`,
        'Store the token with --netrc instead: uv reads it for http indexes too.',
      );
    }
  }
  const store = await readUvStore(deps);
  for (const service of services) {
    const stale = entriesFor(store.entries, service).filter((entry) => entry.username !== login);
    const args = ['auth', 'login', service, '--username', login, '--password', '-'];
    if (dryRun) {
      // With --json the one object on stdout says what would be done; the commands are for people.
      if (options.json) continue;
      for (const entry of stale)
        deps.io.out(`uv auth logout ${entry.service} --username ${entry.username ?? '__token__'}\n`);
      deps.io.out(`uv ${args.join(' ')}   # password on stdin\n`);
      continue;
    }
    // Another username for the same service would leave uv with two entries it refuses as ambiguous.
    for (const entry of stale) {
      const result = await logoutEntry(deps, entry.service, entry);
      if (result.code !== 0)
        throw new GlxError(
          'TOOL_MISSING',
          `uv auth logout failed for ${entry.username}@${entry.service}: ${firstLine(result)}`,
          `Remove it by hand from ${store.file}, or use --netrc.`,
        );
      log.info(
        `Removed the old entry for ${entry.service} (login ${entry.username ?? '(bearer)'}) from uv's credentials store: uv refuses two usernames for one URL.`,
      );
    }
    // The password goes on stdin, never in argv where `ps` would show it (uv docs: cli.md).
    const result = await runUvAuth(deps, args, `${token}\n`);
    if (result.code !== 0)
      throw new GlxError(
        'TOOL_MISSING',
        `uv auth login failed for ${service}: ${firstLine(result)}`,
        'uv 0.8.15 or newer has `uv auth`; update uv, or use --netrc.',
      );
    log.info(`Stored credentials for ${service} in uv's credentials store (login ${login}).`);
  }
}

/** Removes every entry uv holds for the services, with the username each was stored under, and checks they are gone. */
export async function removeFromUv(deps: Deps, log: Log, services: string[], options: UvStoreOptions): Promise<void> {
  const { dryRun } = options;
  const store = await readUvStore(deps);
  if (store.error)
    throw new GlxError(
      'FILE_UNREADABLE',
      `${store.file} is invalid (uv ignores all of it): ${store.error}`,
      'Fix or remove the file by hand.',
    );
  for (const service of services) {
    const entries = entriesFor(store.entries, service);
    if (entries.length === 0) {
      log.info(`uv's credentials store has nothing for ${service}; nothing changed.`);
      continue;
    }
    for (const entry of entries) {
      if (dryRun) {
        if (!options.json) deps.io.out(`uv auth logout ${entry.service} --username ${entry.username ?? '__token__'}\n`);
        continue;
      }
      const result = await logoutEntry(deps, entry.service, entry);
      if (result.code !== 0)
        throw new GlxError(
          'TOOL_MISSING',
          `uv auth logout failed for ${entry.username}@${entry.service}: ${firstLine(result)}`,
          `Remove it by hand from ${store.file}.`,
        );
    }
    if (dryRun) continue;
    const left = entriesFor((await readUvStore(deps)).entries, service);
    if (left.length > 0)
      throw new GlxError(
        'TOOL_MISSING',
        `uv auth logout exited 0, but ${store.file} still holds ${left.map((e) => `${e.username}@${e.service}`).join(', ')}`,
        `Remove it by hand from ${store.file}.`,
      );
    log.info(
      `Removed credentials for ${service} (login ${entries.map((e) => e.username ?? '(bearer)').join(', ')}) from uv's credentials store.`,
    );
  }
}

function firstLine(result: ExecResult): string {
  return result.stderr.trim().split('\n')[0] ?? '';
}
