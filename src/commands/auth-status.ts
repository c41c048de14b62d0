/**
 * `glx auth status`: for every GitLab index, which credentials uv will send (in uv's order) and
 * whether GitLab accepts them. Exit 0 when all work, 1 when GitLab cannot be asked, 4 otherwise.
 */
import type { Context } from '../cli/context.js';
import {
  checkRegistry,
  expirySoon,
  introspectToken,
  jobTokenOutsideCi,
  kindLabel,
  type Problem,
  type TokenReport,
} from '../credentials/inspect.js';
import { credentialKind } from '../credentials/token.js';
import { incompleteWords, type SourceFinding } from '../credentials/uv-sources.js';
import { readUvCredentialWorld, type UvCredentialWorld, uvCredentialsFor } from '../doctor/local-checks.js';
import { ExitCode, GlxError } from '../errors.js';
import { probeSimpleIndex } from '../gitlab/api.js';
import type { TokenKind } from '../gitlab/client-types.js';
import { type GitLabIndex, loadGitLabIndexes } from '../resolve/indexes.js';
import { mask, withoutUserinfo } from '../util/redact.js';

export interface IndexStatus {
  name: string;
  url: string;
  registry: { kind: 'project' | 'group'; id: string; host: string };
  envVars: { username: string; password: string };
  /** Where uv takes credentials from; "none" when it has nothing to send. */
  source: SourceFinding['source'] | 'none';
  /**
   * What `uv lock` will get from this index: "works", the HTTP status GitLab answers (401, 403,
   * 404), or the error uv stops with before asking ("missing-credentials", "incomplete-credentials").
   */
  outcome: UvOutcome;
  sources: Array<{ source: SourceFinding['source']; present: boolean; detail: string }>;
  /** Set when file downloads carry other credentials than the index page (URL userinfo plus UV_INDEX_*). */
  downloads?: { source: SourceFinding['source']; token: string; outcome: UvOutcome };
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

export type UvOutcome = 'works' | 'missing-credentials' | 'incomplete-credentials' | `${number}`;

export interface AuthStatus {
  file: string;
  /** The uv on PATH, when there is one: some of uv's error words depend on it. */
  uvVersion?: string;
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
 * credentials may be fine, as everywhere else in glx); otherwise 4, the credentials.
 */
export function statusExitCode(status: AuthStatus): ExitCode {
  if (status.ok) return ExitCode.OK;
  return status.indexes.some((index) => index.problems.some((problem) => problem.code === 'GITLAB_ERROR'))
    ? ExitCode.FAILED
    : ExitCode.CREDENTIALS;
}

export async function authStatus(ctx: Context, file?: string): Promise<AuthStatus> {
  const loaded = await loadGitLabIndexes(ctx.deps, ctx, { cwd: ctx.cwd, file: file });
  if (loaded.gitlab.length === 0) {
    throw new GlxError(
      'USAGE',
      `${loaded.relative} has no GitLab index`,
      'Add one with `glx init --group <id|path>` or `glx init --project <id|path>`.',
    );
  }
  // The netrc uv reads (with its fallback when NETRC names a missing file), uv's store and config.
  const world = await readUvCredentialWorld(ctx.deps, loaded);
  // Credentials shared by several indexes are introspected once.
  const reports = new Map<string, Promise<TokenReport>>();
  const indexes = await Promise.all(loaded.gitlab.map((index) => indexStatus(ctx, index, world, reports)));
  return {
    file: loaded.file,
    ...(world.uvVersion ? { uvVersion: world.uvVersion } : {}),
    ok: indexes.every((index) => index.ok),
    indexes,
  };
}

async function indexStatus(
  ctx: Context,
  index: GitLabIndex,
  world: UvCredentialWorld,
  reports: Map<string, Promise<TokenReport>>,
): Promise<IndexStatus> {
  const { entry, registry } = index;
  const chosen = uvCredentialsFor(ctx.deps.env, index, world);
  const status: IndexStatus = {
    name: entry.name,
    url: stripUserinfo(entry.url),
    registry: { kind: registry.kind, id: registry.id, host: registry.host },
    envVars: chosen.envVars,
    source: chosen.chosen?.source ?? 'none',
    outcome:
      chosen.failure === 'missing-credentials' || chosen.failure === 'incomplete-credentials'
        ? chosen.failure
        : 'works',
    sources: chosen.findings.map(({ source, present, detail }) => ({ source, present, detail })),
    ok: false,
    problems: [],
    warnings: [],
  };
  const found = chosen.chosen;
  if (!found?.password) {
    const who = chosen.knownUsername ? ` (it knows the username ${chosen.knownUsername}, but no password for it)` : '';
    if (chosen.failure === 'anonymous') {
      // authenticate = "auto": uv asks anonymously and takes whatever GitLab answers.
      const client = await ctx.gitlab({ baseUrl: registry.baseUrl });
      const probe = await probeSimpleIndex(client, registry, 'none').catch(() => undefined);
      status.outcome = probe ? (probe.status === 200 ? 'works' : `${probe.status}`) : '401';
      if (probe?.status === 200) {
        status.ok = true;
        return status;
      }
    }
    const failure =
      chosen.failure === 'incomplete-credentials'
        ? ` and will fail with "${incompleteWords(world.uvVersion)}"`
        : chosen.failure === 'missing-credentials'
          ? ' and will fail with "Missing credentials"'
          : ` and asks anonymously (GitLab answers ${status.outcome}; anonymous misses are forwarded to pypi.org)`;
    status.problems.push({
      code: 'GITLAB_AUTH',
      message: `uv has no complete credentials for index "${entry.name}"${who}${failure}`,
      hint: 'Run `glx auth --netrc`, or eval "$(glx env)" in this shell.',
    });
    return status;
  }
  const verified = await verifyCredentials(ctx, index, found, reports);
  status.credentials = verified.credentials;
  status.problems.push(...verified.problems);
  status.warnings.push(...verified.warnings);
  status.outcome = verified.outcome;
  if (chosen.downloads?.password !== undefined) {
    // The page gets the URL's credentials, the files the env ones: both must work.
    const files = await verifyCredentials(ctx, index, chosen.downloads, reports);
    status.downloads = { source: chosen.downloads.source, token: files.credentials.token, outcome: files.outcome };
    for (const problem of files.problems)
      status.problems.push({
        ...problem,
        message: `file downloads use ${chosen.envVars.password}, not the URL's credentials: ${problem.message}`,
      });
    if (status.outcome === 'works') status.outcome = files.outcome;
  }
  status.ok = status.problems.length === 0;
  return status;
}

/** Introspects one set of credentials and asks the registry: the outcome uv gets with them. */
async function verifyCredentials(
  ctx: Context,
  index: GitLabIndex,
  found: SourceFinding & { password?: string },
  reports: Map<string, Promise<TokenReport>>,
): Promise<{
  credentials: NonNullable<IndexStatus['credentials']>;
  problems: Problem[];
  warnings: string[];
  outcome: UvOutcome;
}> {
  const { entry, registry } = index;
  const password = found.password ?? '';
  const username = found.username;
  const kind = credentialKind(password, username);
  const credentials: NonNullable<IndexStatus['credentials']> = {
    ...(username ? { username } : {}),
    token: mask(password),
    kind,
  };
  const problems: Problem[] = [];
  const warnings: string[] = [];
  let outcome: UvOutcome = 'works';
  try {
    const client = await ctx.gitlab({ baseUrl: registry.baseUrl, token: password, kind, username });
    const key = `${registry.baseUrl}\u0000${username}\u0000${password}`;
    if (!reports.has(key)) reports.set(key, introspectToken(client, ctx.deps.now(), username));
    const report = await reports.get(key)!;
    const check = await checkRegistry(client, report, registry, entry.url, 'read');
    Object.assign(credentials, {
      kind: report.kind,
      ...(report.user ? { user: report.user.username } : {}),
      ...(report.scopes ? { scopes: report.scopes } : {}),
      ...(report.expiresAt !== undefined ? { expiresAt: report.expiresAt } : {}),
      ...(check.role ? { role: check.role } : {}),
      ...(check.registryStatus !== undefined ? { registryStatus: check.registryStatus } : {}),
    });
    problems.push(...check.problems);
    if (check.registryStatus !== undefined && check.registryStatus !== 200) outcome = `${check.registryStatus}`;
    const soon = expirySoon(report);
    if (soon) warnings.push(`the token ${soon}; renew it in place with \`glx auth rotate\``);
    const outsideCi =
      found.source === 'env'
        ? undefined
        : jobTokenOutsideCi(
            report.kind,
            ctx.deps.env,
            found.source === 'uv-store' ? "uv's credentials store" : `the ${found.source}`,
          );
    if (outsideCi) warnings.push(outsideCi);
    if (!username && kind !== 'job')
      problems.push({
        code: 'GITLAB_AUTH',
        message: 'uv has a password but no username for this index',
        hint: 'Set the username too: __token__ for personal/project/group tokens, gitlab-ci-token for job tokens.',
      });
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    problems.push({
      code: error.exitCode === ExitCode.CREDENTIALS ? 'GITLAB_AUTH' : 'GITLAB_ERROR',
      message: error.message,
      hint: error.hint ?? '',
    });
    // GitLab answers 401 to a token it does not accept (lib/gitlab/auth/auth_finders.rb).
    if (error.exitCode === ExitCode.CREDENTIALS) outcome = '401';
  }
  return { credentials, problems, warnings, outcome };
}

function stripUserinfo(url: string): string {
  try {
    return new URL(withoutUserinfo(url)).toString();
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
      lines.push(`  ${marker} ${source.source.padEnd(10)}  ${source.detail}`);
    }
    const outcome =
      index.outcome === 'works'
        ? 'works'
        : index.outcome === 'missing-credentials'
          ? 'fails: "Missing credentials"'
          : index.outcome === 'incomplete-credentials'
            ? `fails: "${incompleteWords(status.uvVersion)}"`
            : `GitLab answers ${index.outcome}`;
    lines.push(`    uv lock    ${outcome}`);
    const c = index.credentials;
    if (c) {
      const parts = [
        kindLabel(c.kind ?? 'unknown'),
        c.user ? `of ${c.user}` : '',
        c.username ? `as ${c.username}` : '',
        c.token,
        c.scopes ? `scopes ${c.scopes.join(',')}` : '',
        c.expiresAt ? `expires ${c.expiresAt}` : '',
      ].filter(Boolean);
      lines.push(`    token      ${parts.join(' ')}`);
      if (c.role || c.registryStatus !== undefined)
        lines.push(
          `    registry   ${[c.role, c.registryStatus !== undefined ? `answered ${c.registryStatus}` : ''].filter(Boolean).join(', ')}`,
        );
    }
    for (const warning of index.warnings) lines.push(`    ${style.yellow('warning')}    ${warning}`);
    for (const problem of index.problems)
      lines.push(`    ${style.red('problem')}    ${problem.message}`, `    ${style.dim('fix')}        ${problem.hint}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
