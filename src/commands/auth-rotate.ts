/**
 * `glx auth rotate`: renew the token uv uses for this project's GitLab host in place. GitLab
 * revokes the old token and answers the new one in the same call (POST
 * /personal_access_tokens/self/rotate), so the new one is written everywhere glx can see the old
 * one — every netrc entry, uv's credentials store, glab's config — and, if any of them cannot be
 * written, into a 0600 recovery file rather than lost. Plan first (what --dry-run prints), then
 * rotate, write, and check the new token against the registry.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from '../cli/context.js';
import { readGlabConfig, replaceGlabToken } from '../credentials/glab.js';
import { daysUntil, kindLabel } from '../credentials/inspect.js';
import { credentialKind, findToken } from '../credentials/token.js';
import { storeInUv } from '../credentials/uv-auth.js';
import { readUvStore } from '../credentials/uv-sources.js';
import { readNetrcState, readUvCredentialWorld, uvCredentialsFor } from '../doctor/local-checks.js';
import { GlxError, usageError } from '../errors.js';
import { getTokenSelf, probeSimpleIndex, rotateTokenSelf } from '../gitlab/api.js';
import type { GitLabClient, TokenKind } from '../gitlab/client-types.js';
import type { TokenSelf } from '../gitlab/schemas.js';
import { readNetrcFile } from '../netrc/store.js';
import { replaceNetrcPassword } from '../netrc/upsert.js';
import { loadGitLabIndexes, loadTarget, type Target } from '../resolve/indexes.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs-atomic.js';
import { acquireFileLock, type FileLock, lockOptions } from '../util/lock.js';
import { mask } from '../util/redact.js';

export interface RotateOptions {
  /** The new expiry date; undefined: keep the token's lifetime (or GitLab's default when it has none). */
  expiresAt?: string;
  expiresInDays?: number;
  /** Rotate only when the token expires within this many days (0: today). */
  ifExpiringWithin?: number;
  dryRun: boolean;
  printToken: boolean;
  file?: string;
}

/** PersonalAccessToken::MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS: a kept lifetime is capped there. */
const MAX_LIFETIME_DAYS = 365;

function parseDays(flag: string, value: unknown, min: number): number {
  const match = typeof value === 'string' ? /^(\d{1,4})([dw]?)$/.exec(value) : null;
  const days = match ? Number(match[1]) * (match[2] === 'w' ? 7 : 1) : Number.NaN;
  if (!(days >= min))
    throw usageError(
      `${flag} ${JSON.stringify(value)} is not a number of days`,
      `Write it as ${min === 0 ? '14d' : '90d'} (days) or 12w (weeks)${min > 0 ? ', at least 1 day' : ''}.`,
    );
  return days;
}

export function parseRotateOptions(raw: Record<string, unknown>, now: Date): RotateOptions {
  if (raw.expiresAt !== undefined && raw.expiresIn !== undefined)
    throw usageError(
      '--expires-at and --expires-in cannot be used together',
      'Give the new expiry as a date or as a number of days, not both.',
    );
  const options: RotateOptions = {
    dryRun: raw.dryRun === true,
    printToken: raw.printToken === true,
    ...(typeof raw.file === 'string' ? { file: raw.file } : {}),
  };
  if (raw.expiresIn !== undefined) options.expiresInDays = parseDays('--expires-in', raw.expiresIn, 1);
  if (raw.ifExpiringWithin !== undefined)
    options.ifExpiringWithin = parseDays('--if-expiring-within', raw.ifExpiringWithin, 0);
  if (raw.expiresAt !== undefined) {
    const value = String(raw.expiresAt);
    const valid = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
    if (!valid)
      throw usageError(
        `--expires-at ${JSON.stringify(value)} is not a date`,
        'Write it as YYYY-MM-DD, e.g. --expires-at 2027-03-01.',
      );
    // A token expires at 00:00 UTC on its date (https://docs.gitlab.com/user/profile/personal_access_tokens/), so today or earlier would be dead at once.
    if (daysUntil(value, now) < 1)
      throw usageError(
        `--expires-at ${value} is not in the future`,
        'A token expires at 00:00 UTC on its expiry date; pick a later date.',
      );
    options.expiresAt = value;
  }
  return options;
}

/** A place glx can rewrite that holds the token. */
type Store =
  | { kind: 'netrc'; file: string; entries: Array<{ name: string; line: number }> }
  | { kind: 'glab'; file: string; host: string }
  | { kind: 'uv-store'; file: string; entries: Array<{ service: string; username?: string }> };

interface Found {
  token: string;
  /** Where it was found: GITLAB_TOKEN, netrc, uv-store, glab, ... */
  source: string;
  kind: TokenKind;
  username?: string;
}

export interface RotationPlan {
  host: string;
  token: Found;
  self: TokenSelf;
  expiresInDays?: number;
  due: boolean;
  /** undefined: GitLab's default (one week when the instance requires an expiry). */
  newExpiresAt?: string;
  stores: Store[];
  /** Holders glx cannot rewrite (environment variables): they keep the old, revoked token. */
  stuck: string[];
}

export async function authRotateAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const options = parseRotateOptions(raw, ctx.deps.now());
  const target = await loadTarget(ctx.deps, ctx, ctx, options.file);
  if (options.dryRun) return rotate(ctx, target, options);
  // Held from the first read to the last write: a second rotation (cron and a shell at once) waits,
  // then finds the new token; two rotations of one token would make GitLab revoke the new one.
  const locks = await lockStores(ctx);
  try {
    return await rotate(ctx, target, options);
  } finally {
    for (const lock of locks.reverse()) await lock.release();
  }
}

async function lockStores(ctx: Context): Promise<FileLock[]> {
  const netrc = (await readNetrcState(ctx.deps)).file;
  // The netrc's lock is the rotation's lock even when the netrc does not exist, as long as its
  // directory does (NETRC may name a file in a missing one; uv then reads ~/.netrc).
  const files = existsSync(path.dirname(netrc)) ? [netrc] : [];
  const glab = await readGlabConfig(ctx.deps);
  if (glab) files.push(glab.file);
  const locks: FileLock[] = [];
  try {
    for (const file of files) locks.push(await acquireFileLock(file, lockOptions(ctx.deps.env)));
  } catch (error) {
    for (const lock of locks) await lock.release();
    throw error;
  }
  return locks;
}

async function rotate(ctx: Context, target: Target, options: RotateOptions): Promise<number> {
  const plan = await planRotation(ctx, target, options);
  if (!plan.due || options.dryRun) {
    report(ctx, plan, options);
    return 0;
  }
  const fresh = await callRotate(ctx, target, plan);
  const written = await writeStores(ctx, plan, fresh.token);
  await verify(ctx, target, plan, fresh.token);
  const expiry = fresh.expires_at
    ? `expires ${fresh.expires_at} (in ${daysUntil(fresh.expires_at, ctx.deps.now())} days)`
    : 'has no expiry';
  ctx.info(`Rotated "${fresh.name}": the old token is revoked; the new one ${expiry}.`);
  for (const line of written) ctx.info(`  updated ${line}`);
  for (const holder of plan.stuck)
    ctx.warn(`${holder} still holds the old, revoked token: update or unset it (glx and uv read the stores above)`);
  if (ctx.json)
    ctx.deps.io.out(
      `${JSON.stringify({ ...summary(plan), rotated: true, newExpiresAt: fresh.expires_at ?? null, ...(options.printToken ? { newToken: fresh.token } : {}) }, null, 2)}\n`,
    );
  else if (options.printToken) ctx.deps.io.out(`${fresh.token}\n`);
  return 0;
}

/** Which token, where it is stored, what GitLab says about it and what would change. Writes nothing. */
export async function planRotation(ctx: Context, target: Target, options: RotateOptions): Promise<RotationPlan> {
  const found = await chooseToken(ctx, target, options.file);
  const glab = await readGlabConfig(ctx.deps);
  const glabHost = glab?.hosts[target.host];
  const inGlab = glab !== undefined && glabHost?.token === found.token;
  refuseKind(found, inGlab && glabHost?.oauth2 === true);

  const stores: Store[] = [];
  const netrc = await readNetrcState(ctx.deps);
  if (netrc.exists) {
    // A stand-in value proves the edit can be made before GitLab is asked to rotate anything.
    const { entries } = replaceNetrcPassword(
      (await readNetrcFile(netrc.file)).text,
      found.token,
      'glx-rotation-check',
      { file: netrc.file },
    );
    if (entries.length > 0) stores.push({ kind: 'netrc', file: netrc.file, entries });
  }
  const uvStore = await readUvStore(ctx.deps);
  const inStore = uvStore.entries
    .filter((entry) => entry.scheme === 'basic' && entry.password === found.token)
    .map(({ service, username }) => ({ service, ...(username ? { username } : {}) }));
  if (inStore.length > 0) stores.push({ kind: 'uv-store', file: uvStore.file, entries: inStore });
  if (
    inGlab &&
    glab &&
    (await replaceGlabToken(
      (await readTextIfExists(glab.file)) ?? '',
      target.host,
      found.token,
      'glx-rotation-check',
    )) !== undefined
  ) {
    stores.push({ kind: 'glab', file: glab.file, host: target.host });
  }
  const stuck = Object.entries(ctx.deps.env)
    .filter(
      ([name, value]) =>
        value === found.token &&
        /^(GITLAB_TOKEN|GITLAB_ACCESS_TOKEN|UV_INDEX_.+_PASSWORD|UV_PUBLISH_PASSWORD)$/.test(name),
    )
    .map(([name]) => name);
  if (stores.length === 0 && !options.printToken) {
    throw usageError(
      `the token from ${found.source} is not in any store glx can rewrite (netrc, uv's credentials store, glab's config), so the new one would be lost`,
      'Pass --print-token to get the new token on stdout (for a secret manager or CI/CD variable), or store the token first: glx auth --netrc.',
    );
  }

  const self = await tokenSelf(ctx, target, found);
  if (!self.scopes.includes('api') && !self.scopes.includes('self_rotate')) {
    throw new GlxError(
      'TOKEN_SCOPE',
      `the token "${self.name}" (scopes ${self.scopes.join(', ') || 'none'}) cannot rotate itself`,
      'GitLab rotates a token that has scope api or self_rotate; create one with read_api and self_rotate and store it with glx auth --netrc.',
    );
  }
  const now = ctx.deps.now();
  const expiresInDays = self.expires_at ? daysUntil(self.expires_at, now) : undefined;
  const due =
    options.ifExpiringWithin === undefined ||
    (expiresInDays !== undefined && expiresInDays <= options.ifExpiringWithin);
  const newExpiresAt =
    options.expiresAt ??
    (options.expiresInDays !== undefined ? addDays(now, options.expiresInDays) : keptLifetime(self, now));
  return {
    host: target.host,
    token: found,
    self,
    ...(expiresInDays !== undefined ? { expiresInDays } : {}),
    due,
    ...(newExpiresAt ? { newExpiresAt } : {}),
    stores,
    stuck,
  };
}

/**
 * The token uv uses for this host, found the way `auth status` finds it: an explicit one first
 * (--token-stdin, GITLAB_TOKEN, ...), then what uv sends to the host's GitLab indexes, then glx's
 * own sources (the host's netrc entry, glab's config).
 */
async function chooseToken(ctx: Context, target: Target, file: string | undefined): Promise<Found> {
  const { env } = ctx.deps;
  const explicit =
    ctx.tokenStdin || env.GITLAB_TOKEN || env.GITLAB_ACCESS_TOKEN || (env.GITLAB_CI === 'true' && env.CI_JOB_TOKEN);
  if (!explicit && target.indexes.length > 0) {
    const world = await readUvCredentialWorld(
      ctx.deps,
      await loadGitLabIndexes(ctx.deps, ctx, { cwd: ctx.cwd, file: file }),
    );
    const chosen = target.indexes.map((index) => ({
      index,
      credentials: uvCredentialsFor(ctx.deps.env, index, world).chosen,
    }));
    const withToken = chosen.filter((c) => c.credentials?.password);
    const tokens = [...new Set(withToken.map((c) => c.credentials!.password!))];
    for (const token of tokens) ctx.deps.secrets.register(token);
    if (tokens.length > 1) {
      throw usageError(
        `the GitLab indexes on ${target.host} use different tokens (${withToken.map((c) => `${c.index.entry.name}: ${c.credentials!.source}`).join(', ')})`,
        'Rotate one at a time: pipe it in with --token-stdin.',
      );
    }
    const first = withToken[0]?.credentials;
    if (first?.password)
      return {
        token: first.password,
        source: first.source,
        kind: credentialKind(first.password, first.username),
        ...(first.username ? { username: first.username } : {}),
      };
  }
  const resolved = await findToken(ctx.deps, { tokenStdin: ctx.tokenStdin, host: target.host });
  if (!resolved)
    throw new GlxError(
      'NO_TOKEN',
      `no GitLab token found for ${target.host}`,
      'Store one first (glx auth --netrc), or pipe it in with --token-stdin.',
    );
  return {
    token: resolved.token,
    source: resolved.source,
    kind: credentialKind(resolved.token, resolved.username, resolved.kind),
    ...(resolved.username ? { username: resolved.username } : {}),
  };
}

/** Only personal, project and group access tokens rotate themselves (self_rotation.rb); refused before any call. */
function refuseKind(found: Found, oauth: boolean): void {
  if (found.kind === 'job') {
    throw new GlxError(
      'TOKEN_KIND',
      `the token from ${found.source} is a CI job token, which cannot be rotated`,
      'Nothing to renew: GitLab creates a new job token for every job and revokes it when the job ends.',
    );
  }
  if (found.kind === 'deploy') {
    throw new GlxError(
      'TOKEN_KIND',
      `the token from ${found.source} is a deploy token, which GitLab cannot rotate through the API`,
      'Create a new deploy token (Settings > Repository > Deploy tokens), store it with glx auth --netrc --username <name>, then revoke the old one.',
    );
  }
  if (oauth) throw oauthRefusal(found.source);
}

function oauthRefusal(source: string): GlxError {
  return new GlxError(
    'TOKEN_KIND',
    `the token from ${source} is an OAuth token, which GitLab does not rotate`,
    'glab renews its OAuth token itself (glab auth login); for uv, create a personal access token with read_api and self_rotate and store it with glx auth --netrc.',
  );
}

async function clientFor(
  ctx: Context,
  target: Target,
  token: string,
  found: Found,
  attempts?: number,
): Promise<GitLabClient> {
  return ctx.gitlab({
    baseUrl: target.baseUrl,
    token,
    kind: found.kind,
    username: found.username ?? '__token__',
    ...(attempts ? { attempts } : {}),
  });
}

async function tokenSelf(ctx: Context, target: Target, found: Found): Promise<TokenSelf> {
  // An OAuth token sent as PRIVATE-TOKEN is unknown to GitLab (auth_finders.rb reads it only as
  // Bearer): it gets the usual 401 here, which is why one from glab is recognised before this call.
  return getTokenSelf(await clientFor(ctx, target, found.token, found));
}

function addDays(now: Date, days: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days))
    .toISOString()
    .slice(0, 10);
}

/**
 * The new token lives as long as the old one did (RotateService's keep_token_lifetime rule: today +
 * (expires_at - created_at)), at most 365 days. Without it GitLab would give one week.
 */
function keptLifetime(self: TokenSelf, now: Date): string | undefined {
  if (!self.expires_at || !self.created_at) return undefined;
  const lifetime = daysUntil(self.expires_at, new Date(`${self.created_at.slice(0, 10)}T00:00:00Z`));
  return addDays(now, Math.min(Math.max(lifetime, 1), MAX_LIFETIME_DAYS));
}

/** The one call that cannot be retried: GitLab revokes the whole token family when a revoked token asks again. */
async function callRotate(ctx: Context, target: Target, plan: RotationPlan): Promise<TokenSelf & { token: string }> {
  const client = await clientFor(ctx, target, plan.token.token, plan.token, 1);
  let result: Awaited<ReturnType<typeof rotateTokenSelf>>;
  try {
    result = await rotateTokenSelf(client, plan.newExpiresAt);
  } catch (error) {
    if (
      !(error instanceof GlxError) ||
      (error.code !== 'GITLAB_UNREACHABLE' && error.code !== 'GITLAB_RESPONSE_INVALID' && error.code !== 'GITLAB_ERROR')
    )
      throw error;
    throw await lostAnswer(client, error);
  }
  if ('refused' in result) {
    if (result.refused === 405)
      throw new GlxError(
        'TOKEN_KIND',
        `GitLab will not rotate the token "${plan.self.name}": ${result.message}`,
        'Only personal, project and group access tokens rotate; create a new token in GitLab and store it with glx auth --netrc.',
      );
    const hint = /expires at/i.test(result.message)
      ? 'Pick an earlier date with --expires-at or --expires-in: GitLab allows at most 365 days, or less when the instance sets a shorter limit.'
      : 'Another rotation revoked this token first: run glx auth status to see which token the stores hold now.';
    throw new GlxError(
      'GITLAB_ERROR',
      `GitLab refused to rotate the token "${plan.self.name}": ${result.message}; nothing changed`,
      hint,
    );
  }
  ctx.deps.secrets.register(result.rotated.token);
  return result.rotated;
}

/** No usable answer: ask GitLab (a read, which never touches the token family) whether the old token still works. */
async function lostAnswer(client: GitLabClient, error: GlxError): Promise<GlxError> {
  try {
    await getTokenSelf(client);
    return new GlxError(
      error.code,
      `${error.message}; the token was not rotated and still works`,
      'Nothing changed; run glx auth rotate again.',
    );
  } catch {
    return new GlxError(
      'TOKEN_REVOKED',
      `GitLab rotated the token but its answer was lost (${error.message}): the old token is revoked and the new one never arrived`,
      'Create a new token in GitLab (User settings > Access tokens) and store it with glx auth --netrc. Do not rotate the old one again: GitLab would revoke the new one too.',
    );
  }
}

/** Writes the new token into every store; on any failure the token goes to a 0600 recovery file. */
async function writeStores(ctx: Context, plan: RotationPlan, fresh: string): Promise<string[]> {
  const old = plan.token.token;
  const written: string[] = [];
  const failed: Array<{ store: Store; reason: string }> = [];
  for (const store of plan.stores) {
    try {
      written.push(...(await writeStore(ctx, store, old, fresh)));
    } catch (error) {
      failed.push({ store, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  if (failed.length === 0) return written;
  const file = await writeRecovery(ctx, fresh);
  const finish = [
    ...new Set(
      failed.map(({ store }) =>
        store.kind === 'netrc'
          ? 'glx auth --netrc'
          : store.kind === 'uv-store'
            ? 'glx auth --uv-store'
            : `glab auth login --hostname ${plan.host}`,
      ),
    ),
  ];
  const commands = finish.map((command) =>
    command.startsWith('glab') ? `${command} --stdin < ${file}` : `${command} --token-stdin < ${file}`,
  );
  throw new GlxError(
    'WRITE_FAILED',
    `the token was rotated (the old one is revoked), but ${failed.map(({ store, reason }) => `${describeStore(store)} could not be written: ${reason}`).join('; ')}${written.length ? `; updated ${written.join(', ')}` : ''}; the new token is in ${file} (mode 0600)`,
    `Finish with: ${commands.join(' and ')}; then delete ${file}.`,
  );
}

async function writeStore(ctx: Context, store: Store, old: string, fresh: string): Promise<string[]> {
  if (store.kind === 'netrc') {
    const { text } = await readNetrcFile(store.file);
    const result = replaceNetrcPassword(text, old, fresh, { file: store.file });
    await writeFileAtomic(store.file, result.text, { mode: 0o600, keepMode: false });
    return [`${store.file} (${result.entries.map((e) => e.name).join(', ')})`];
  }
  if (store.kind === 'glab') {
    const text = (await readTextIfExists(store.file)) ?? '';
    const after = await replaceGlabToken(text, store.host, old, fresh);
    if (after === undefined) throw new Error('the token is no longer there');
    await writeFileAtomic(store.file, after, { mode: 0o600 });
    return [`${store.file} (glab, host ${store.host})`];
  }
  const out: string[] = [];
  for (const entry of store.entries) {
    // Through uv itself (auth --uv-store's helper: password on stdin, the same username).
    await storeInUv(ctx.deps, ctx, [entry.service], entry.username ?? '__token__', fresh, {
      dryRun: false,
      json: ctx.json,
    });
    out.push(`uv's credentials store (${entry.service})`);
  }
  return out;
}

function describeStore(store: Store): string {
  return store.kind === 'uv-store'
    ? `uv's credentials store (${store.file})`
    : store.kind === 'glab'
      ? `glab's config ${store.file}`
      : store.file;
}

/** The new token alone on one line, 0600, in the home directory: `--token-stdin < FILE` reads it back. */
async function writeRecovery(ctx: Context, fresh: string): Promise<string> {
  const stamp = ctx.deps.now().toISOString().replace(/[:.]/g, '-');
  const file = path.join(ctx.deps.homeDir, `.glx-rotated-token-${stamp}`);
  try {
    await writeFileAtomic(file, `${fresh}\n`, { mode: 0o600, keepMode: false });
    return file;
  } catch {
    // The last place left: better on the terminal than lost, since the old token is already dead.
    ctx.deps.io.out(`${fresh}\n`);
    return 'standard output (no recovery file could be written)';
  }
}

/** The new token must open what uv opens before glx says it worked. */
async function verify(ctx: Context, target: Target, plan: RotationPlan, fresh: string): Promise<void> {
  const client = await clientFor(ctx, target, fresh, plan.token);
  if (target.indexes.length === 0) {
    await getTokenSelf(client);
    return;
  }
  const registries = [
    ...new Map(target.indexes.map((index) => [`${index.registry.kind}:${index.registry.id}`, index])).values(),
  ];
  const answers = await Promise.all(
    registries.map(async (index) => ({ index, status: (await probeSimpleIndex(client, index.registry)).status })),
  );
  const bad = answers.find((answer) => answer.status !== 200);
  if (bad) {
    throw new GlxError(
      'GITLAB_AUTH',
      `the token was rotated and stored, but ${bad.index.registry.kind} registry ${bad.index.registry.id} answered ${bad.status} to the new one`,
      'Run glx auth status to see what uv sends and why GitLab refuses it.',
    );
  }
}

function summary(plan: RotationPlan): Record<string, unknown> {
  return {
    host: plan.host,
    token: mask(plan.token.token),
    source: plan.token.source,
    name: plan.self.name,
    scopes: plan.self.scopes,
    expiresAt: plan.self.expires_at ?? null,
    ...(plan.expiresInDays !== undefined ? { expiresInDays: plan.expiresInDays } : {}),
    due: plan.due,
    newExpiresAt: plan.newExpiresAt ?? null,
    stores: plan.stores,
    stuck: plan.stuck,
  };
}

/** --dry-run, and a token that is not due: what would happen, on stdout (JSON with --json). */
function report(ctx: Context, plan: RotationPlan, options: RotateOptions): void {
  const when = plan.self.expires_at
    ? `expires ${plan.self.expires_at} (in ${plan.expiresInDays} days)`
    : 'has no expiry';
  if (!plan.due) {
    if (ctx.json) ctx.deps.io.out(`${JSON.stringify({ ...summary(plan), rotated: false }, null, 2)}\n`);
    ctx.info(
      `Not due: the token "${plan.self.name}" ${when}, not within ${options.ifExpiringWithin} days; nothing done.`,
    );
    return;
  }
  if (ctx.json) {
    ctx.deps.io.out(`${JSON.stringify({ ...summary(plan), rotated: false, dryRun: true }, null, 2)}\n`);
    return;
  }
  const lines = [
    `token      ${mask(plan.token.token)} from ${plan.token.source}: ${kindLabel(plan.token.kind)} "${plan.self.name}", scopes ${plan.self.scopes.join(', ')}, ${when}`,
    `new expiry ${plan.newExpiresAt ?? "GitLab's default (one week when the instance requires an expiry)"}`,
    ...plan.stores.map(
      (store) =>
        `update     ${describeStore(store)}: ${store.kind === 'netrc' ? store.entries.map((e) => `${e.name} (line ${e.line})`).join(', ') : store.kind === 'uv-store' ? store.entries.map((e) => e.service).join(', ') : `host ${store.host}`}`,
    ),
    ...plan.stuck.map(
      (name) => `unchanged  ${name} (an environment variable glx cannot rewrite; it keeps the revoked token)`,
    ),
    ...(options.printToken ? ['print      the new token on stdout'] : []),
  ];
  ctx.deps.io.out(`${lines.join('\n')}\n`);
  ctx.info('Dry run: nothing was rotated or written.');
}
