/**
 * `glx auth status`: for every GitLab index, which credentials uv will send (in uv's order) and
 * whether GitLab accepts them. Exit 0 when all work, 1 when GitLab cannot be asked, 4 otherwise.
 */
import type { Context } from '../cli/context.js';
import { checkRegistry, expirySoon, introspectToken, jobTokenOutsideCi, type Problem, type TokenReport } from '../credentials/inspect.js';
import { credentialKind } from '../credentials/token.js';
import { keyringEnabled, type SourceFinding } from '../credentials/uv-sources.js';
import { type NetrcState, readNetrcState, uvCredentialsFor } from '../doctor/local-checks.js';
import { ExitCode, GlxError } from '../errors.js';
import type { TokenKind } from '../gitlab/client-types.js';
import { mask } from '../util/redact.js';
import { kindLabel } from './auth.js';
import { type GitLabIndex, loadGitLabIndexes } from './env.js';

export interface IndexStatus {
  name: string;
  url: string;
  registry: { kind: 'project' | 'group'; id: string; host: string };
  envVars: { username: string; password: string };
  /** Where uv takes credentials from; "none" when it has nothing to send. */
  source: SourceFinding['source'] | 'none';
  sources: Array<{ source: SourceFinding['source']; present: boolean; detail: string }>;
  credentials?: {
    username?: string;
    token: string;
    kind?: TokenKind;
    user?: string;
    scopes?: string[];
    expiresAt?: string | null;
    role?: string;
    registryStatus?: number;
  };
  ok: boolean;
  problems: Problem[];
  /** Works today, but will not for long, or not everywhere (a token about to expire, a job token kept outside CI). */
  warnings: string[];
}

export interface AuthStatus {
  file: string;
  ok: boolean;
  indexes: IndexStatus[];
}

export async function authStatusAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const status = await authStatus(ctx, typeof raw.file === 'string' ? raw.file : undefined);
  if (ctx.json) ctx.deps.io.out(`${JSON.stringify(status, null, 2)}\n`);
  else ctx.deps.io.out(render(status, ctx));
  return statusExitCode(status);
}

/**
 * 0 when every index works; 1 when GitLab could not be asked (unreachable, a server error: the
 * credentials may be fine, as everywhere else in glx); otherwise 4, the credentials (issue 12).
 */
export function statusExitCode(status: AuthStatus): ExitCode {
  if (status.ok) return ExitCode.OK;
  return status.indexes.some((index) => index.problems.some((problem) => problem.code === 'GITLAB_ERROR')) ? ExitCode.FAILED : ExitCode.CREDENTIALS;
}

export async function authStatus(ctx: Context, file?: string): Promise<AuthStatus> {
  const loaded = await loadGitLabIndexes(ctx, file);
  if (loaded.gitlab.length === 0) {
    throw new GlxError('USAGE', `${loaded.relative} has no GitLab index`, 'Add one with `glx init --group <id|path>` or `glx init --project <id|path>`.');
  }
  // The file uv reads, with uv's fallback when NETRC names a missing file (uv.md §3.3).
  const netrc = await readNetrcState(ctx);
  const keyring = keyringEnabled(ctx.deps.env, undefined);
  // Credentials shared by several indexes are introspected once.
  const reports = new Map<string, Promise<TokenReport>>();
  const indexes = await Promise.all(loaded.gitlab.map((index) => indexStatus(ctx, index, netrc, keyring, reports)));
  return { file: loaded.file, ok: indexes.every((index) => index.ok), indexes };
}

async function indexStatus(ctx: Context, index: GitLabIndex, netrc: NetrcState, keyring: boolean, reports: Map<string, Promise<TokenReport>>): Promise<IndexStatus> {
  const { entry, registry } = index;
  const chosen = await uvCredentialsFor(ctx, index, netrc, keyring);
  const status: IndexStatus = {
    name: entry.name,
    url: stripUserinfo(entry.url),
    registry: { kind: registry.kind, id: registry.id, host: registry.host },
    envVars: chosen.envVars,
    source: chosen.chosen?.source ?? 'none',
    sources: chosen.findings.map(({ source, present, detail }) => ({ source, present, detail })),
    ok: false,
    problems: [],
    warnings: [],
  };
  const found = chosen.chosen;
  if (!found?.password) {
    status.problems.push({
      code: 'GITLAB_AUTH',
      message: `uv has no credentials for index "${entry.name}"${entry.authenticate === 'always' ? ' and will fail with "Missing credentials"' : ' and will ask anonymously (GitLab then forwards misses to pypi.org)'}`,
      hint: 'Run `glx auth --netrc`, or eval "$(glx env)" in this shell.',
    });
    return status;
  }
  const username = found.username;
  const kind = credentialKind(found.password, username);
  status.credentials = { ...(username ? { username } : {}), token: mask(found.password), kind };
  try {
    const client = await ctx.deps.gitlab({ baseUrl: registry.baseUrl, token: found.password, kind, username, log: ctx.verbose ? ctx.debug : undefined });
    const key = `${registry.baseUrl}\u0000${username}\u0000${found.password}`;
    if (!reports.has(key)) reports.set(key, introspectToken(client, ctx.deps.now(), username));
    const report = await reports.get(key)!;
    const check = await checkRegistry(client, report, registry, entry.url, 'read');
    Object.assign(status.credentials, {
      kind: report.kind,
      ...(report.user ? { user: report.user.username } : {}),
      ...(report.scopes ? { scopes: report.scopes } : {}),
      ...(report.expiresAt !== undefined ? { expiresAt: report.expiresAt } : {}),
      ...(check.role ? { role: check.role } : {}),
      ...(check.registryStatus !== undefined ? { registryStatus: check.registryStatus } : {}),
    });
    status.problems.push(...check.problems);
    const soon = expirySoon(report);
    if (soon) status.warnings.push(`the token ${soon}; renew it in place with \`glx auth rotate\``);
    const outsideCi = found.source === 'env' ? undefined : jobTokenOutsideCi(report.kind, ctx.deps.env, found.source === 'uv-store' ? "uv's credentials store" : `the ${found.source}`);
    if (outsideCi) status.warnings.push(outsideCi);
    if (!username && kind !== 'job') status.problems.push({ code: 'GITLAB_AUTH', message: 'uv has a password but no username for this index', hint: 'Set the username too: __token__ for personal/project/group tokens, gitlab-ci-token for job tokens.' });
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    status.problems.push({ code: error.exitCode === ExitCode.CREDENTIALS ? 'GITLAB_AUTH' : 'GITLAB_ERROR', message: error.message, hint: error.hint ?? '' });
  }
  status.ok = status.problems.length === 0;
  return status;
}

function stripUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

function render(status: AuthStatus, ctx: Context): string {
  const { style } = ctx;
  const lines: string[] = [];
  for (const index of status.indexes) {
    lines.push(`${index.ok ? style.green('✓') : style.red('✗')} ${style.bold(index.name)}  ${index.url}`);
    for (const source of index.sources) {
      const marker = index.source === source.source ? '→' : source.present ? '·' : ' ';
      lines.push(`  ${marker} ${source.source.padEnd(9)}  ${source.detail}`);
    }
    const c = index.credentials;
    if (c) {
      const parts = [kindLabel(c.kind ?? 'unknown'), c.user ? `of ${c.user}` : '', c.username ? `as ${c.username}` : '', c.token, c.scopes ? `scopes ${c.scopes.join(',')}` : '', c.expiresAt ? `expires ${c.expiresAt}` : ''].filter(Boolean);
      lines.push(`    token      ${parts.join(' ')}`);
      if (c.role || c.registryStatus !== undefined) lines.push(`    registry   ${[c.role, c.registryStatus !== undefined ? `answered ${c.registryStatus}` : ''].filter(Boolean).join(', ')}`);
    }
    for (const warning of index.warnings) lines.push(`    ${style.yellow('warning')}    ${warning}`);
    for (const problem of index.problems) lines.push(`    ${style.red('problem')}    ${problem.message}`, `    ${style.dim('fix')}        ${problem.hint}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
