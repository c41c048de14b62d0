/**
 * `glx auth` (login), `glx auth status`, `glx auth logout`: find a token, ask GitLab what it is,
 * refuse one that cannot do the job, then store it where uv looks (netrc or uv's own store).
 */
import type { Context } from '../cli/context.js';
import { printJsonResult } from '../cli/report-error.js';
import {
  checkRegistry,
  expirySoon,
  introspectToken,
  jobTokenOutsideCi,
  kindLabel,
  type Need,
  type Problem,
  problemError,
  type RegistryCheck,
  type TokenReport,
} from '../credentials/inspect.js';
import { credentialKind, netrcFile, requireToken, usernameOption } from '../credentials/token.js';
import type { Env } from '../deps.js';
import { GlxError, usageError } from '../errors.js';
import { defaultUsername, type GitLabClient, type TokenKind } from '../gitlab/client-types.js';
import { type GitLabIndex, loadTarget, type Target } from '../resolve/indexes.js';
import { unifiedDiff } from '../util/diff.js';
import { lockOptions } from '../util/lock.js';
import { mask } from '../util/redact.js';

export interface AuthOptions {
  store: 'netrc' | 'uv-store' | 'none';
  username?: string;
  publish: boolean;
  verify: boolean;
  fixPermissions: boolean;
  dryRun: boolean;
  file?: string;
}

export function parseAuthOptions(raw: Record<string, unknown>, _env: Env): AuthOptions {
  if (raw.netrc && raw.uvStore)
    throw usageError('--netrc and --uv-store cannot be used together', 'Pick where uv should find the token.');
  const username = usernameOption(raw.username);
  return {
    store: raw.netrc ? 'netrc' : raw.uvStore ? 'uv-store' : 'none',
    username,
    publish: raw.publish === true,
    verify: raw.verify !== false,
    fixPermissions: raw.fixPermissions === true,
    dryRun: raw.dryRun === true,
    file: typeof raw.file === 'string' ? raw.file : undefined,
  };
}

/** `glx auth --json` (schemas/auth-login.schema.json): what the token is, what was checked, where it went. */
export interface AuthLoginResult {
  host: string;
  dryRun: boolean;
  verified: boolean;
  token: {
    source: string;
    masked: string;
    kind: TokenKind;
    username: string;
    user?: string;
    scopes?: string[];
    expiresAt?: string | null;
  };
  registries: Array<{ kind: string; id: string; url: string; role?: string; registryStatus?: number }>;
  stored:
    | { in: 'none' }
    | { in: 'netrc'; file: string; action: string; diff?: string }
    | { in: 'uv-store'; services: string[] };
}

/** `glx auth logout --json`. */
export interface AuthLogoutResult {
  host: string;
  dryRun: boolean;
  removed: { in: 'netrc'; file: string; action: string; diff?: string } | { in: 'uv-store'; services: string[] };
}

/**
 * The token is for the resolved host; an index on another host is never checked with it, and a
 * token is never stored for a host none of the indexes is on just because GITLAB_HOST or --host
 * said so: that would leave uv without credentials while glx reported success.
 */
function checkHosts(ctx: Context, target: Target): void {
  for (const other of target.elsewhere) {
    ctx.warn(
      `index "${other.entry.name}" is on ${other.registry.host}, but the token is for ${target.host} (from ${target.source}): it is not checked, and nothing is stored for ${other.registry.host}; run \`glx auth --host ${other.registry.baseUrl}\` for it`,
    );
  }
  const first = target.elsewhere[0];
  if (first && target.indexes.length === 0) {
    const hosts = [...new Set(target.elsewhere.map((index) => index.registry.host))].join(', ');
    throw new GlxError(
      'NO_TOKEN',
      `the token would be for ${target.host} (from ${target.source}), but the GitLab indexes in pyproject.toml are on ${hosts}; nothing was checked or stored`,
      `Run \`glx auth --host ${first.registry.baseUrl}\` to check and store a token for ${first.registry.host}${target.source === '--host' ? '' : `, or unset ${target.source}`}.`,
    );
  }
}

export async function authLoginAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const options = parseAuthOptions(raw, ctx.deps.env);
  const target = await loadTarget(ctx.deps, ctx, ctx, options.file);
  checkHosts(ctx, target);
  if (options.store === 'netrc') {
    const { assertNetrcWritable } = await import('../netrc/store.js');
    await assertNetrcWritable((await netrcFile(ctx.deps)).file, options);
  }
  const scopes = options.publish ? 'api' : 'read_api';
  const token = await requireToken(ctx.deps, {
    tokenStdin: ctx.tokenStdin,
    host: target.host,
    prompt: true,
    promptUrl: `${target.baseUrl}/-/user_settings/personal_access_tokens?name=glx&scopes=${scopes}`,
  });
  const username = options.username ?? token.username;
  const kind = credentialKind(token.token, username, token.kind);
  if (kind === 'deploy' && !username) {
    throw usageError(
      'a deploy token (gldt-) needs its username',
      'Pass --username <name>: it is shown when the deploy token is created (e.g. gitlab+deploy-token-12).',
    );
  }
  const client = await ctx.gitlab({ baseUrl: target.baseUrl, token: token.token, kind, username });
  ctx.info(`Token from ${token.source}${token.file ? ` (${token.file})` : ''}: ${mask(token.token)}`);

  let report: TokenReport | undefined;
  let checked: RegistryCheck[] = [];
  if (options.verify) {
    report = await introspectToken(client, ctx.deps.now(), username);
    describeToken(report, ctx);
    const checks = await checkAll(client, report, target.indexes, options.publish);
    const problems = checks.flatMap((check) => check.problems.map((problem) => ({ problem, check })));
    if (options.publish && report.kind !== 'deploy' && report.kind !== 'job' && target.indexes.length === 0) {
      const scope = (await import('../credentials/inspect.js')).scopeProblem(report, 'publish');
      if (scope)
        problems.push({ problem: scope, check: { ref: { kind: 'project', id: '?' }, url: '', problems: [scope] } });
    }
    for (const { check } of problems.slice(1)) describeCheck(check, ctx);
    const first = problems[0];
    if (first) throw problemError(first.problem, `${first.problem.message}; nothing was stored`);
    for (const check of checks) describeCheck(check, ctx);
    checked = checks;
    if (target.indexes.length === 0)
      ctx.info(
        'No GitLab index in pyproject.toml yet: the token is valid, but no registry was checked (add one with `glx init`).',
      );
  } else {
    ctx.warn('--no-verify: the token was not checked against GitLab');
  }

  const user = report?.username ?? username ?? defaultUsername(kind) ?? '__token__';
  const stored =
    options.store === 'netrc' ? 'the netrc' : options.store === 'uv-store' ? "uv's credentials store" : undefined;
  const outsideCi = stored && jobTokenOutsideCi(report?.kind ?? kind, ctx.deps.env, stored);
  if (outsideCi) ctx.warn(outsideCi);
  let storedIn: AuthLoginResult['stored'] = { in: 'none' };
  if (options.store === 'netrc') storedIn = await storeNetrc(ctx, target.host, user, token.token, options);
  else if (options.store === 'uv-store') storedIn = await storeUv(ctx, target, user, token.token, options.dryRun);
  else ctx.info('Not stored. Store it with --netrc or --uv-store, or export it per shell with: eval "$(glx env)"');
  if (ctx.json) {
    const result: AuthLoginResult = {
      host: target.host,
      dryRun: options.dryRun,
      verified: report !== undefined,
      token: {
        source: token.source,
        masked: mask(token.token),
        kind: report?.kind ?? kind,
        username: user,
        ...(report?.user ? { user: report.user.username } : {}),
        ...(report?.scopes ? { scopes: report.scopes } : {}),
        ...(report && report.expiresAt !== undefined ? { expiresAt: report.expiresAt } : {}),
      },
      registries: checked.map((check) => ({
        kind: check.ref.kind,
        id: check.ref.id,
        url: check.url,
        ...(check.role ? { role: check.role } : {}),
        ...(check.registryStatus !== undefined ? { registryStatus: check.registryStatus } : {}),
      })),
      stored: storedIn,
    };
    printJsonResult(ctx.deps, result);
  }
  return 0;
}

async function checkAll(
  client: GitLabClient,
  report: TokenReport,
  indexes: GitLabIndex[],
  publish: boolean,
): Promise<RegistryCheck[]> {
  return Promise.all(
    indexes.map((index) => {
      const need: Need = publish && index.entry.publishUrl ? 'publish' : 'read';
      return checkRegistry(client, report, index.registry, index.entry.url, need);
    }),
  );
}

function describeToken(report: TokenReport, ctx: Context): void {
  const who = report.user ? ` of ${report.user.username}` : '';
  const scopes = report.scopes ? `, scopes ${report.scopes.join(', ')}` : '';
  const expiry = report.expiresAt
    ? `, expires ${report.expiresAt}`
    : report.kind === 'deploy' || report.kind === 'job'
      ? ''
      : ', no expiry';
  ctx.info(`${kindLabel(report.kind)}${who}${scopes}${expiry}; uv username ${report.username}`);
  const soon = expirySoon(report);
  if (soon) ctx.warn(`the token ${soon}; renew it in place with glx auth rotate`);
}

function describeCheck(check: RegistryCheck, ctx: Context): void {
  const what = `${check.ref.kind} ${check.ref.id}`;
  if (check.problems.length === 0) {
    ctx.info(
      `${ctx.style.green('✓')} ${what}: ${check.role ? `${check.role}, ` : ''}registry answered ${check.registryStatus}${check.note ? ` (${check.note})` : ''}`,
    );
    return;
  }
  for (const problem of check.problems)
    ctx.info(`${ctx.style.red('✗')} ${what}: ${problem.message}\n  fix: ${problem.hint}`);
}

async function storeNetrc(
  ctx: Context,
  host: string,
  login: string,
  token: string,
  options: AuthOptions,
): Promise<AuthLoginResult['stored']> {
  const { writeNetrcEntry } = await import('../netrc/store.js');
  const { file, note } = await netrcFile(ctx.deps);
  if (note) ctx.warn(note);
  const result = await writeNetrcEntry(
    file,
    { host, login, password: token },
    { fixPermissions: options.fixPermissions, dryRun: options.dryRun, lock: lockOptions(ctx.deps.env) },
  );
  for (const note of result.notes) ctx.warn(note);
  const stored = { in: 'netrc' as const, file, action: result.action };
  if (options.dryRun) {
    // The diff would show tokens: mask every password, keep the shape.
    const diff = redactDiff(unifiedDiff(result.before, result.after, file))
      .split(token)
      .join(mask(token));
    if (!ctx.json) ctx.deps.io.out(diff);
    ctx.info(
      `Dry run: ${file} would be ${result.action === 'unchanged' ? 'left as it is' : result.action}; nothing was written.`,
    );
    return { ...stored, diff };
  }
  const verb = result.action === 'added' ? 'Added' : result.action === 'updated' ? 'Updated' : 'Kept';
  ctx.info(`${verb} machine ${host} (login ${login}) in ${file} (mode 0600). uv reads it for every index on ${host}.`);
  return stored;
}

async function storeUv(
  ctx: Context,
  target: Target,
  login: string,
  token: string,
  dryRun: boolean,
): Promise<AuthLoginResult['stored']> {
  const { storeInUv } = await import('../credentials/uv-auth.js');
  const services = uvServices(target);
  await storeInUv(ctx.deps, ctx, services, login, token, { dryRun, json: ctx.json });
  return { in: 'uv-store', services };
}

/** uv's store is keyed by URL: one entry per index URL, or the instance URL without a pyproject.toml. */
function uvServices(target: Target): string[] {
  return target.indexes.length > 0 ? [...new Set(target.indexes.map((index) => index.entry.url))] : [target.baseUrl];
}

export async function authLogoutAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const dryRun = raw.dryRun === true;
  const target = await loadTarget(ctx.deps, ctx, ctx, typeof raw.file === 'string' ? raw.file : undefined);
  const print = (removed: AuthLogoutResult['removed'], text?: string) => {
    if (ctx.json) printJsonResult(ctx.deps, { host: target.host, dryRun, removed } satisfies AuthLogoutResult);
    else if (text) ctx.deps.io.out(text);
  };
  if (raw.uvStore) {
    const { removeFromUv } = await import('../credentials/uv-auth.js');
    const services = uvServices(target);
    // removeFromUv throws when uv fails: every service listed is gone (or never was there).
    await removeFromUv(ctx.deps, ctx, services, { dryRun, json: ctx.json });
    print({ in: 'uv-store', services });
    return 0;
  }
  const { removeNetrcEntry } = await import('../netrc/store.js');
  const { file, note } = await netrcFile(ctx.deps);
  if (note) ctx.warn(note);
  const result = await removeNetrcEntry(file, target.host, { dryRun, lock: lockOptions(ctx.deps.env) });
  for (const note of result.notes) ctx.warn(note);
  const diff = dryRun ? redactDiff(unifiedDiff(result.before, result.after, file)) : undefined;
  if (!dryRun)
    ctx.info(
      result.action === 'removed'
        ? `Removed machine ${target.host} from ${file}.`
        : `${file} has no entry for ${target.host}; nothing changed.`,
    );
  print({ in: 'netrc', file, action: result.action, ...(diff !== undefined ? { diff } : {}) }, diff);
  return 0;
}

/** A netrc diff shows password values: mask every one. */
function redactDiff(diff: string): string {
  return diff.replace(
    /(\bpassword\s+)("(?:[^"\\]|\\.)*"|\S+)/g,
    (_m, key: string, value: string) => `${key}${mask(value.replace(/^"|"$/g, ''))}`,
  );
}

export type { Problem };
