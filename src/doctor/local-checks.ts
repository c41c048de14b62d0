/**
 * Checks that need no network: the shape of pyproject.toml's GitLab indexes, the variable names,
 * the netrc as uv reads it, where uv takes credentials from, and tokens committed to git.
 */
import path from 'node:path';
import { readUvConfig, type UvConfig } from '../credentials/uv-config.js';
import {
  chooseUvCredentials,
  type IndexForSources,
  incompleteWords,
  keyringEnabled,
  type NetrcLookup,
  readUvStore,
  type StoreLookup,
  type UvCredentials,
  uvVersion,
} from '../credentials/uv-sources.js';
import type { Deps, Env } from '../deps.js';
import { GlxError } from '../errors.js';
import { publishUrl as projectPublishUrl, simpleUrl, UNEXPANDED_URL } from '../gitlab/url.js';
import { findUvNetrc, lookup, netrcPath } from '../netrc/lookup.js';
import { type NetrcDocument, parseNetrc } from '../netrc/parse.js';
import { validateForUv } from '../netrc/uv-lint.js';
import { findEnvCollisions, indexEnvVars } from '../pyproject/index-name.js';
import { type IndexEntry, isTable } from '../pyproject/read.js';
import type { GitLabIndex, LoadedIndexes } from '../resolve/indexes.js';
import { readTextIfExists } from '../util/fs-atomic.js';
import { mask, withoutUserinfo } from '../util/redact.js';
import { type Check, check } from './check.js';

export function indexChecks(index: GitLabIndex): Check[] {
  const { entry, registry } = index;
  const id = `index.${entry.name}`;
  const title = `index ${entry.name}`;
  const checks: Check[] = [];
  const canonical = simpleUrl(registry.baseUrl, registry);
  const reinit = `glx init --${registry.kind} ${registry.id} --name ${entry.name}${entry.publishUrl ? ' --publish' : ''}`;
  if (withoutUserinfo(entry.url.replace(/\/$/, '')) !== canonical) {
    checks.push(
      check(`${id}.url`, 'warn', `${title}: url`, `the URL is not in GitLab's documented form (${canonical})`, reinit),
    );
  } else {
    checks.push(
      check(`${id}.url`, 'ok', `${title}: url`, `${registry.kind} registry ${registry.id} on ${registry.host}`),
    );
  }
  if (!/^\d+$/.test(registry.id)) {
    checks.push(
      check(
        `${id}.id`,
        'warn',
        `${title}: id`,
        `uses the path "${registry.id}"; a renamed or moved ${registry.kind} breaks it`,
        `${reinit.replace(registry.id, registry.id)}   (glx resolves the path to the numeric id)`,
      ),
    );
  }
  if (entry.authenticate !== 'always') {
    checks.push(
      check(
        `${id}.auth-policy`,
        'fail',
        `${title}: authenticate`,
        entry.authenticate === 'never'
          ? 'authenticate is "never": uv never sends credentials, and GitLab forwards anonymous misses to pypi.org, so a public package of the same name can be installed'
          : `authenticate is "auto": uv asks anonymously first and sends credentials only after a 401, 403 or 404; the risk is the anonymous 200: GitLab forwards a package it does not hold to pypi.org, so a public package of the same name comes back without a token being sent`,
        `${reinit}   (sets authenticate = "always")`,
      ),
    );
  } else {
    checks.push(
      check(
        `${id}.auth-policy`,
        'ok',
        `${title}: authenticate`,
        'authenticate = "always": uv always sends credentials',
      ),
    );
  }
  if (entry.publishUrl) {
    if (registry.kind === 'group') {
      checks.push(
        check(
          `${id}.publish-url`,
          'fail',
          `${title}: publish-url`,
          'a group registry has no upload endpoint: uv publish will fail',
          `Point publish-url at a project: glx init --project <id|path> --name ${entry.name} --publish`,
        ),
      );
    } else if (entry.publishUrl.replace(/\/$/, '') !== projectPublishUrl(registry.baseUrl, registry.id)) {
      checks.push(
        check(
          `${id}.publish-url`,
          'warn',
          `${title}: publish-url`,
          `publish-url is not this project's upload URL (${projectPublishUrl(registry.baseUrl, registry.id)})`,
          reinit,
        ),
      );
    }
  }
  return checks;
}

/** An index whose URL has a $VARIABLE: the same words as every other command, as a failed check. */
export function unexpandedCheck(entry: IndexEntry): Check {
  const name = entry.name ?? `tool.uv.index[${entry.position}]`;
  const credentials = entry.name
    ? `UV_INDEX_${indexEnvVars(entry.name).username.slice(9)} variables`
    : 'the environment';
  return check(
    `index.${name}.url`,
    'fail',
    `index ${name}: url`,
    UNEXPANDED_URL,
    `Write the URL out (glx init --group|--project <id> --name ${name}) and put credentials in ${credentials} instead: eval "$(glx env)"`,
  );
}

/** `configured` are the indexes of uv.toml files: uv applies UV_INDEX_<NAME>_* to them too (and to `--index name=url`). */
export function envVarChecks(all: IndexEntry[], env: Env, configured: Array<{ name?: string }> = []): Check[] {
  const names = all.flatMap((entry) => (entry.name === undefined ? [] : [entry.name]));
  const configuredStems = new Set(
    configured.flatMap((entry) =>
      entry.name === undefined ? [] : [indexEnvVars(entry.name).username.replace(/_USERNAME$/, '')],
    ),
  );
  const checks: Check[] = [];
  const collisions = findEnvCollisions(names);
  if (collisions.length > 0) {
    for (const group of collisions) {
      const vars = indexEnvVars(group[0]!);
      checks.push(
        check(
          'env-vars.collision',
          'fail',
          'variable names',
          `indexes ${group.map((n) => `"${n}"`).join(' and ')} share ${vars.username}: uv gives both the same credentials`,
          'Rename one of them in pyproject.toml.',
        ),
      );
    }
  } else {
    checks.push(
      check(
        'env-vars.collision',
        'ok',
        'variable names',
        names.length > 0
          ? names.map((n) => `${n} → ${indexEnvVars(n).username.replace(/_USERNAME$/, '_*')}`).join(', ')
          : 'no named index',
      ),
    );
  }
  const known = new Set(names.map((n) => indexEnvVars(n).username.replace(/_USERNAME$/, '')));
  const orphans = Object.keys(env)
    .filter((key) => /^UV_INDEX_.+_(USERNAME|PASSWORD)$/.test(key))
    .map((key) => key.replace(/_(USERNAME|PASSWORD)$/, ''))
    .filter((stem, i, all) => all.indexOf(stem) === i && !known.has(stem) && !configuredStems.has(stem));
  if (orphans.length > 0) {
    checks.push(
      check(
        'env-vars.orphan',
        'warn',
        'variable names',
        `${orphans.map((s) => `${s}_*`).join(', ')} set in this shell, but no index in pyproject.toml or uv.toml has that name: uv uses them only for an index of that name given with --index or UV_INDEX`,
        `Rename the index or the variables; glx env prints the right names (${[...known].map((s) => `${s}_*`).join(', ') || 'none'}).`,
      ),
    );
  }
  return checks;
}

export interface NetrcState {
  /** The file uv reads (the first candidate that exists), or the one glx would write. */
  file: string;
  exists: boolean;
  doc?: NetrcDocument;
  error?: string;
  mode?: number;
}

export async function readNetrcState(deps: Deps): Promise<NetrcState> {
  const found = findUvNetrc(deps.env, deps.homeDir, deps.platform);
  const file = found ?? netrcPath(deps.env, deps.homeDir);
  if (!found) return { file, exists: false };
  const { stat } = await import('node:fs/promises');
  const mode = (await stat(file)).mode & 0o777;
  const text = (await readTextIfExists(file, { lossy: true })) ?? ''; // as uv reads it
  try {
    return { file, exists: true, mode, doc: parseNetrc(text, file, { tolerant: true }) };
  } catch (error) {
    return { file, exists: true, mode, error: error instanceof GlxError ? error.message : String(error) };
  }
}

export function netrcChecks(state: NetrcState, env: Env): Check[] {
  const checks: Check[] = [];
  if (env.NETRC && path.resolve(env.NETRC) !== path.resolve(state.file)) {
    checks.push(
      check(
        'netrc.path',
        'warn',
        'netrc',
        `NETRC=${env.NETRC} does not exist; uv falls back to ${state.file}`,
        `Unset NETRC, or move ${state.file} to ${env.NETRC}: creating an empty ${env.NETRC} would hide ${state.file} from uv.`,
      ),
    );
  }
  if (!state.exists) {
    checks.push(check('netrc.file', 'skip', 'netrc', `no netrc at ${state.file}`));
    return checks;
  }
  if (state.mode !== undefined && (state.mode & 0o077) !== 0) {
    checks.push(
      check(
        'netrc.permissions',
        'warn',
        'netrc',
        `${state.file} is readable by others (mode ${state.mode.toString(8).padStart(4, '0')}); Python tools refuse it`,
        `chmod 600 ${state.file}`,
      ),
    );
  }
  const issues = state.doc ? validateForUv(state.doc) : [];
  const errors = issues.filter((issue) => issue.severity === 'error' && issue.affects.includes('uv'));
  if (state.error || errors.length > 0) {
    const first = errors[0];
    const where = first ? `${state.file}:${first.line}:${first.column}: ${first.message}` : state.error;
    checks.push(
      check(
        'netrc.syntax',
        'fail',
        'netrc',
        `uv ignores the whole file: ${where}`,
        first?.hint ?? 'Fix the file; only machine, default, login, password, account and macdef are allowed.',
      ),
    );
  } else {
    checks.push(
      check(
        'netrc.syntax',
        'ok',
        'netrc',
        `${state.file}: ${plural(state.doc?.entries.length ?? 0, 'entry', 'entries')} uv can read`,
      ),
    );
  }
  for (const issue of issues.filter((i) => i.severity !== 'error' && i.affects.includes('uv'))) {
    checks.push(
      check(
        `netrc.${issue.code}`,
        'warn',
        'netrc',
        `${state.file}:${issue.line}:${issue.column}: ${issue.message}`,
        issue.hint,
      ),
    );
  }
  return checks;
}

export function netrcLookupFor(state: NetrcState, host: string): NetrcLookup {
  const result: NetrcLookup = { file: state.file };
  if (state.error) result.error = state.error;
  else if (state.doc && state.doc.errors.length > 0) result.error = state.doc.errors[0]!.message;
  else if (state.doc) {
    const found = lookup(state.doc, host);
    if (found) result.entry = { login: found.login, password: found.password, viaDefault: found.source === 'default' };
  }
  return result;
}

export function credentialSourceCheck(index: GitLabIndex, credentials: UvCredentials, version?: string): Check {
  const id = `index.${index.entry.name}.credentials`;
  const title = `index ${index.entry.name}: credentials`;
  const url = credentials.findings.find((f) => f.source === 'url');
  const netrc = credentials.findings.find((f) => f.source === 'netrc');
  const store = credentials.findings.find((f) => f.source === 'uv-store');
  const chosen = credentials.chosen;
  if (url?.password !== undefined) {
    const what =
      chosen?.source === 'url'
        ? `uv takes them from url (${mask(url.password)})`
        : `uv takes them from ${chosen?.source ?? 'nowhere'}`;
    return check(
      id,
      'warn',
      title,
      `the index URL carries a password; ${what}: it ends up in git, logs and lock files`,
      `Remove it from pyproject.toml and revoke that token; then glx auth --netrc (or eval "$(glx env)").`,
    );
  }
  if (!chosen) {
    const failure =
      credentials.failure === 'missing-credentials'
        ? ': uv fails with "Missing credentials"'
        : credentials.failure === 'incomplete-credentials'
          ? `: uv fails with "${incompleteWords(version)}"`
          : '';
    if (store?.detail.includes('ambiguous'))
      return check(
        id,
        'fail',
        title,
        `${store.detail}${failure}`,
        `Remove one: uv auth logout ${index.entry.url} --username <name>, or pick one with ${credentials.envVars.username}.`,
      );
    if (netrc?.username && netrc.password && !netrc.present) {
      return check(
        id,
        'fail',
        title,
        `${netrc.detail}${failure}`,
        `Make them agree: unset ${credentials.envVars.username}, or store the netrc entry with that login (glx auth --netrc).`,
      );
    }
    return check(
      id,
      'fail',
      title,
      `uv has no credentials for this index (looked at ${credentials.envVars.username}/_PASSWORD, the URL, other indexes on this host, netrc, uv's store${credentials.findings.at(-1)?.detail.startsWith('disabled') ? '' : ', keyring'})${failure}`,
      'glx auth --netrc   (or eval "$(glx env)" in this shell)',
    );
  }
  return check(id, 'ok', title, `uv takes them from ${chosen.source}: ${chosen.detail}`);
}

/** Everything uv consults for credentials, read once per command (auth status and doctor share it). */
export interface UvCredentialWorld {
  netrc: NetrcState;
  store: StoreLookup;
  keyring: boolean;
  /** Every index uv knows, in uv's order: pyproject's, then uv.toml's. They seed uv's per-host cache. */
  all: IndexForSources[];
  config: UvConfig;
  /** The uv on PATH (its error words differ by version). */
  uvVersion?: string;
}

export async function readUvCredentialWorld(
  deps: Deps,
  loaded: LoadedIndexes,
  netrcState?: NetrcState,
): Promise<UvCredentialWorld> {
  const tool = isTable(loaded.doc.tool) ? loaded.doc.tool : {};
  const toolUv = isTable(tool.uv) ? tool.uv : {};
  const [netrc, store, config, version] = await Promise.all([
    netrcState ?? readNetrcState(deps),
    readUvStore(deps),
    readUvConfig(deps, path.dirname(loaded.file), toolUv),
    uvVersion(deps),
  ]);
  const all: IndexForSources[] = [...loaded.all, ...config.indexes];
  return {
    netrc,
    store,
    keyring: keyringEnabled(deps.env, config.keyringProvider),
    all,
    config,
    ...(version ? { uvVersion: version } : {}),
  };
}

/** uv's credentials in uv's order, for one index: its URL, env, the per-host cache, the netrc uv reads, uv's store, keyring. */
export function uvCredentialsFor(env: Env, index: GitLabIndex, world: UvCredentialWorld): UvCredentials {
  const { entry, registry } = index;
  return chooseUvCredentials(
    { name: entry.name, url: entry.url, authenticate: entry.authenticate },
    world.all,
    env,
    netrcLookupFor(world.netrc, registry.host),
    world.store,
    world.keyring,
  );
}

const TOKEN_RE = /\b(?:glpat|gldt|glcbt|glptt|gloas|glrt|glft|glsoat|glagent|glimt)-[A-Za-z0-9_.-]{16,}/g;
const URL_SECRET_RE = /https?:\/\/[^\s/:@"']+:([^\s@/"'$]{8,})@/g;

/** Tokens committed to files git tracks (pyproject.toml, uv.lock, .gitlab-ci.yml, .env*). */
export async function trackedSecretsCheck(deps: Deps, cwd: string, knownTokens: string[]): Promise<Check> {
  const title = 'secrets in git';
  let top: string;
  try {
    const result = await deps.exec('git', ['-C', cwd, 'rev-parse', '--show-toplevel']);
    if (result.code !== 0) return check('secrets.tracked', 'skip', title, 'not a git checkout');
    top = result.stdout.trim();
  } catch {
    return check('secrets.tracked', 'skip', title, 'git is not installed');
  }
  const listed = await deps.exec('git', ['-C', top, 'ls-files', '-z']);
  const files = listed.stdout
    .split('\0')
    .filter((file) =>
      /(^|\/)(pyproject\.toml|uv\.lock|\.gitlab-ci\.yml|\.env[^/]*|\.gitlab-ci-local-variables\.ya?ml|\.netrc|uv\.toml)$/.test(
        file,
      ),
    );
  // A tracked file's token is in the history only when the last commit has it; a token that is
  // only in the working tree or staged is not committed yet, and saying so changes the fix.
  const committed: string[] = [];
  const uncommitted: string[] = [];
  for (const file of files) {
    const text = await readTextIfExists(path.join(top, file), { lossy: true }).catch(() => undefined); // a bad byte must not hide a token
    if (!text) continue;
    const hits: Array<{ where: string; token: string }> = [];
    text.split('\n').forEach((line, i) => {
      const found = [...line.matchAll(TOKEN_RE)]
        .map((m) => m[0])
        .concat([...line.matchAll(URL_SECRET_RE)].map((m) => m[1]!));
      for (const token of knownTokens) if (token.length >= 8 && line.includes(token)) found.push(token);
      for (const token of new Set(found)) hits.push({ where: `${file}:${i + 1} (${mask(token)})`, token });
    });
    if (hits.length === 0) continue;
    const shown = await deps.exec('git', ['-C', top, 'show', `HEAD:${file}`]);
    const head = shown.code === 0 ? shown.stdout : '';
    for (const hit of hits) (head.includes(hit.token) ? committed : uncommitted).push(hit.where);
  }
  const list = (found: string[]) =>
    `${found.slice(0, 5).join(', ')}${found.length > 5 ? ` and ${found.length - 5} more` : ''}`;
  if (committed.length > 0) {
    const also = uncommitted.length > 0 ? `; not committed yet: ${list(uncommitted)}` : '';
    return check(
      'secrets.tracked',
      'fail',
      title,
      `a token is committed: ${list(committed)}${also}`,
      'Revoke it in GitLab now (it is in the git history), remove it from the file, and use glx auth --netrc or CI/CD variables instead.',
    );
  }
  if (uncommitted.length > 0) {
    return check(
      'secrets.tracked',
      'fail',
      title,
      `a token is in a tracked file, not committed yet: ${list(uncommitted)}`,
      'Remove it from the file before you commit (and `git restore --staged <file>` if it is staged); it is not in the git history. Use glx auth --netrc or CI/CD variables instead.',
    );
  }
  return check(
    'secrets.tracked',
    'ok',
    title,
    `no token in ${plural(files.length, 'tracked config file', 'tracked config files')}`,
  );
}

/** "1 entry", "2 entries": never "1 entries". */
function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
