/**
 * `glx doctor`: every check at once — pyproject, indexes, variable names, netrc, where uv takes
 * credentials from and whether GitLab accepts them, forwarding to pypi.org (and, with --check-pypi,
 * whether pypi.org has a pinned name), tokens committed to
 * git, and in CI the job-token allowlist. One line per check with the fix. Exit 1 on any failure.
 */

import path from 'node:path';
import type { Context } from '../cli/context.js';
import { introspectToken, type TokenReport } from '../credentials/inspect.js';
import { credentialKind } from '../credentials/token.js';
import type { SourceFinding } from '../credentials/uv-sources.js';
import { type Check, type CheckStatus, check } from '../doctor/check.js';
import {
  credentialSourceCheck,
  envVarChecks,
  indexChecks,
  netrcChecks,
  readNetrcState,
  readUvCredentialWorld,
  trackedSecretsCheck,
  type UvCredentialWorld,
  unexpandedCheck,
  uvCredentialsFor,
} from '../doctor/local-checks.js';
import {
  accessCheck,
  ciCheck,
  confusionCheck,
  forwardingCheck,
  tokenCheck,
  tokenErrorCheck,
} from '../doctor/remote-checks.js';
import { type Opener, sharedReads } from '../doctor/shared-reads.js';
import { ExitCode, GlxError } from '../errors.js';
import { probeSimpleIndex } from '../gitlab/api.js';
import { legacyMessage } from '../pyproject/legacy.js';
import { createLocator } from '../pyproject/locate.js';
import {
  type IndexEntry,
  listIndexes,
  listSources,
  parsePyproject,
  sourceIndex,
  type TomlTable,
} from '../pyproject/read.js';
import { listWorkspaceMembers } from '../pyproject/workspace.js';
import { type GitLabIndex, type LoadedIndexes, loadGitLabIndexes } from '../resolve/indexes.js';
import { readTextIfExists } from '../util/fs-atomic.js';

export interface DoctorOptions {
  ci: boolean;
  offline: boolean;
  /** Ask pypi.org (or GLX_PYPI_URL) whether each pinned name exists there; off by default, so no package name leaves for pypi.org unasked. */
  checkPypi: boolean;
  file?: string;
}

export interface DoctorReport {
  ok: boolean;
  summary: Record<CheckStatus, number>;
  checks: Check[];
}

export function parseDoctorOptions(
  raw: Record<string, unknown>,
  env: Record<string, string | undefined>,
): DoctorOptions {
  return {
    ci: raw.ci === true || env.GITLAB_CI === 'true',
    offline: raw.offline === true,
    checkPypi: raw.checkPypi === true,
    file: typeof raw.file === 'string' ? raw.file : undefined,
  };
}

export async function doctorAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const report = await doctor(parseDoctorOptions(raw, ctx.deps.env), ctx);
  if (ctx.json) ctx.deps.io.out(`${JSON.stringify(report, null, 2)}\n`);
  else ctx.deps.io.out(render(report, ctx));
  return report.ok ? ExitCode.OK : ExitCode.FAILED;
}

export async function doctor(options: DoctorOptions, ctx: Context): Promise<DoctorReport> {
  const checks: Check[][] = [];
  let loaded: LoadedIndexes | undefined;
  try {
    loaded = await loadGitLabIndexes(ctx.deps, ctx, {
      cwd: ctx.cwd,
      file: options.file,
      locator: createLocator,
      quiet: true,
    });
    const names = loaded.gitlab.map((index) => index.entry.name);
    checks.push([
      check(
        'pyproject',
        'ok',
        'pyproject.toml',
        `${loaded.relative} is valid; ${names.length} GitLab ${names.length === 1 ? 'index' : 'indexes'}${names.length ? ` (${names.join(', ')})` : ''}`,
      ),
    ]);
    if (loaded.gitlab.length === 0 && loaded.unexpanded.length === 0 && loaded.legacy.length === 0) {
      checks.push([
        check(
          'indexes',
          'fail',
          'GitLab indexes',
          'no GitLab index in pyproject.toml',
          'glx init --group <id|path>   or   glx init --project <id|path>',
        ),
      ]);
    }
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    checks.push([check('pyproject', 'fail', 'pyproject.toml', error.message, error.hint)]);
  }

  const netrc = await readNetrcState(ctx.deps);
  const open = sharedReads((opening) => ctx.gitlab(opening));
  const tasks: Array<Promise<Check[]>> = [];
  const tokens: string[] = [];
  if (loaded) {
    const world = await readUvCredentialWorld(ctx.deps, loaded, netrc);
    checks.push(await workspaceChecks(ctx, loaded));
    checks.push(
      loaded.legacy.map((item, i) =>
        check(
          `legacy.${item.key}${i > 0 ? `.${i}` : ''}`,
          'warn',
          item.where,
          legacyMessage(item),
          item.origin === 'pyproject'
            ? 'glx init --migrate   (glx init --migrate --dry-run shows the diff)'
            : `glx init --${item.registry.kind} ${item.registry.id}, then remove ${item.where}`,
        ),
      ),
    );
    checks.push(
      loaded.unexpanded.map(unexpandedCheck),
      loaded.gitlab.flatMap(indexChecks),
      envVarChecks(loaded.all, ctx.deps.env, world.config.indexes),
    );
    checks.push(netrcChecks(netrc, ctx.deps.env));
    const reports = new Map<string, Promise<TokenReport>>();
    const pins = pinnedPackages(loaded);
    for (const index of loaded.gitlab) {
      tasks.push(indexTask(ctx, open, index, world, reports, pins.get(index.entry.name) ?? [], options, tokens));
    }
    if (options.ci) {
      const jobToken = ctx.deps.env.CI_JOB_TOKEN;
      if (!jobToken)
        checks.push([
          check(
            'ci',
            'fail',
            'CI',
            'CI_JOB_TOKEN is not set',
            'Run doctor --ci inside a GitLab CI job, where GitLab sets it.',
          ),
        ]);
      else if (!options.offline)
        for (const index of loaded.gitlab)
          tasks.push(
            open({ baseUrl: index.registry.baseUrl, token: jobToken, kind: 'job', username: 'gitlab-ci-token' })
              .then((client) => ciCheck(ctx.deps, client, index))
              .then(
                (c) => [c],
                (e) => [failure(`ci.${index.entry.name}.job-token`, `CI: index ${index.entry.name}`, e)],
              ),
          );
    }
  } else {
    checks.push(netrcChecks(netrc, ctx.deps.env));
  }
  checks.push(...(await Promise.all(tasks)));
  checks.push([await trackedSecretsCheck(ctx.deps, ctx.cwd, tokens)]);

  const flat = checks.flat();
  const summary: Record<CheckStatus, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of flat) summary[c.status]++;
  return { ok: summary.fail === 0, summary, checks: flat };
}

/**
 * Index tables in workspace members: uv takes indexes from the root's pyproject.toml; a member's
 * entry is only looked up for packages that member pins to it in its own [tool.uv.sources]
 * (crates/uv-distribution/src/metadata/lowering.rs), and never for anything else.
 */
async function workspaceChecks(ctx: Context, loaded: LoadedIndexes): Promise<Check[]> {
  if (!loaded.workspace) return [];
  const rootDir = path.dirname(loaded.file);
  const members = new Set(
    listWorkspaceMembers(rootDir, loaded.workspace).map((dir) => path.join(dir, 'pyproject.toml')),
  );
  if (loaded.member) members.add(loaded.member);
  const out: Check[] = [];
  for (const file of [...members].sort()) {
    const relative = path.relative(ctx.cwd, file) || 'pyproject.toml';
    const text = await readTextIfExists(file);
    if (text === undefined) continue;
    let doc: TomlTable;
    let entries: IndexEntry[];
    try {
      doc = parsePyproject(text, relative);
      entries = listIndexes(doc, relative, createLocator(text));
    } catch (error) {
      out.push(failure(`workspace.${path.relative(rootDir, path.dirname(file))}`, relative, error));
      continue;
    }
    if (entries.length === 0) continue;
    const pinned = new Set([...listSources(doc).values()].map(sourceIndex));
    const names = entries.map((entry) => entry.name ?? entry.url);
    const unpinned = entries.filter((entry) => entry.name === undefined || !pinned.has(entry.name));
    const message = `${relative} is a workspace member and has [[tool.uv.index]] ${names.map((n) => `"${n}"`).join(', ')}: uv reads indexes from ${loaded.relative}${unpinned.length === entries.length ? ' and ignores these' : ", and uses a member's index only for the packages that member pins to it"}`;
    out.push(
      check(
        `workspace.${path.relative(rootDir, path.dirname(file))}`,
        'warn',
        'workspace member',
        message,
        `Move the entries to ${loaded.relative} (glx init run in the member writes there) and delete them from ${relative}.`,
      ),
    );
  }
  return out;
}

function pinnedPackages(loaded: LoadedIndexes): Map<string, string[]> {
  const pins = new Map<string, string[]>();
  for (const [pkg, value] of listSources(loaded.doc)) {
    const index = sourceIndex(value);
    if (index) pins.set(index, [...(pins.get(index) ?? []), pkg]);
  }
  return pins;
}

function failure(id: string, title: string, error: unknown): Check {
  if (error instanceof GlxError)
    return check(id, 'fail', title, error.message, error.hint ?? 'Run with --verbose to see the requests.');
  throw error;
}

/** Everything about one index; its network calls run concurrently with the other indexes'. */
async function indexTask(
  ctx: Context,
  open: Opener,
  index: GitLabIndex,
  world: UvCredentialWorld,
  reports: Map<string, Promise<TokenReport>>,
  pins: string[],
  options: DoctorOptions,
  tokens: string[],
): Promise<Check[]> {
  const name = index.entry.name;
  const credentials = uvCredentialsFor(ctx.deps.env, index, world);
  const out: Check[] = [credentialSourceCheck(index, credentials, world.uvVersion)];
  const chosen = credentials.chosen;
  if (options.offline) return out;
  if (!chosen?.password) {
    // Anonymous probes still tell whether GitLab forwards misses to pypi.org.
    const client = await open({ baseUrl: index.registry.baseUrl });
    out.push(
      await forwardingCheck(client, index).catch((e) =>
        failure(`index.${name}.forwarding`, `index ${name}: forwarding`, e),
      ),
    );
    return out;
  }
  tokens.push(chosen.password);
  const username = chosen.username;
  const kind = credentialKind(chosen.password, username);
  const client = await open({ baseUrl: index.registry.baseUrl, token: chosen.password, kind, username });
  const key = `${index.registry.baseUrl}\u0000${username}\u0000${chosen.password}`;
  if (!reports.has(key)) reports.set(key, introspectToken(client, ctx.deps.now(), username));
  let report: TokenReport;
  try {
    report = await reports.get(key)!;
  } catch (error) {
    if (!(error instanceof GlxError)) throw error;
    out.push(tokenErrorCheck(index, error));
    return out;
  }
  out.push(tokenCheck(index, report));
  const [access, forwarding, ...confusion] = await Promise.all([
    accessCheck(client, index, report).catch((e) => failure(`index.${name}.access`, `index ${name}: access`, e)),
    forwardingCheck(client, index).catch((e) => failure(`index.${name}.forwarding`, `index ${name}: forwarding`, e)),
    ...pins.map((pkg) =>
      confusionCheck(ctx.deps, ctx, client, index, pkg, options.checkPypi).catch((e) =>
        failure(`package.${pkg}.confusion`, `package ${pkg}`, e),
      ),
    ),
  ]);
  out.push(access!, forwarding!, ...confusion);
  if (credentials.downloads?.password !== undefined)
    out.push(await downloadsCheck(open, index, credentials.downloads, credentials.envVars, tokens));
  return out;
}

/** URL userinfo on the page, UV_INDEX_* on the files (uv caches those under the index root): the second set must work too. */
async function downloadsCheck(
  open: Opener,
  index: GitLabIndex,
  downloads: SourceFinding,
  envVars: { username: string; password: string },
  tokens: string[],
): Promise<Check> {
  const password = downloads.password ?? '';
  tokens.push(password);
  const id = `index.${index.entry.name}.downloads`;
  const title = `index ${index.entry.name}: file downloads`;
  const client = await open({
    baseUrl: index.registry.baseUrl,
    token: password,
    kind: credentialKind(password, downloads.username),
    username: downloads.username,
  });
  const probe = await probeSimpleIndex(client, index.registry, 'basic').catch((e) => failure(id, title, e));
  if ('id' in probe) return probe;
  if (probe.status === 200)
    return check(
      id,
      'ok',
      title,
      `file downloads carry ${envVars.username}/_PASSWORD; the registry answered 200 to them`,
    );
  return check(
    id,
    'fail',
    title,
    `uv sends the URL's credentials for the index page but ${envVars.username}/_PASSWORD for file downloads, and the registry answered ${probe.status} to those`,
    `Keep one set: remove the credentials from the URL in pyproject.toml, or fix ${envVars.password}.`,
  );
}

function render(report: DoctorReport, ctx: Context): string {
  const { style } = ctx;
  const mark: Record<CheckStatus, string> = {
    ok: style.green('✓'),
    warn: style.yellow('!'),
    fail: style.red('✗'),
    skip: style.dim('-'),
  };
  const lines = report.checks.map((c) => {
    const head = `${mark[c.status]} ${c.title}: ${c.message}`;
    return c.fix && c.status !== 'ok' ? `${head}\n    ${style.dim('fix:')} ${c.fix}` : head;
  });
  const { fail, warn } = report.summary;
  const tail = fail > 0 ? style.red(`${fail} failed`) : style.green('no failures');
  lines.push(
    '',
    `${report.checks.length} checks: ${tail}${warn > 0 ? `, ${warn} warning${warn === 1 ? '' : 's'}` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}
