/**
 * `glx publish`: upload wheels and sdists to a GitLab project's PyPI registry, streaming from
 * disk, several at a time, skipping files the registry already holds, then link them to a release.
 * Resolve (files, target, credentials), plan (what the registry holds), act (upload, link), print.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Context } from '../cli/context.js';
import { createProgress, formatBytes, type Progress } from '../cli/progress.js';
import { printJsonResult } from '../cli/report-error.js';
import { checkRegistry, introspectToken, problemError, type TokenReport } from '../credentials/inspect.js';
import { credentialKind, credentialUsername, requireToken, usernameOption } from '../credentials/token.js';
import type { Env } from '../deps.js';
import { type Digests, hashFile } from '../dist/digest.js';
import { distKindOf, normalizeName } from '../dist/filename.js';
import { decideFile, type FileDecision, type FileStatus, type LinkReport, type LinkStatus } from '../dist/plan.js';
import { type Distribution, readDistribution } from '../dist/read.js';
import { uploadBody } from '../dist/upload-form.js';
import { type ErrorCode, ExitCode, exitCodeFor, GlxError, isGlxError, usageError } from '../errors.js';
import { answerMessage, getRelease, getSimpleVersions, uploadPypiFile } from '../gitlab/api.js';
import type { GitLabClient } from '../gitlab/client-types.js';
import { protectionHint } from '../gitlab/protection.js';
import { ensureRelease, linkFiles, wouldLink } from '../gitlab/releases.js';
import type { SimpleFile } from '../gitlab/simple-page.js';
import { normalizeBaseUrl, parseRegistryUrl, publishUrl, pypiFileUrl, simpleUrl } from '../gitlab/url.js';
import { findUvProject } from '../pyproject/workspace.js';
import { resolveBaseUrl } from '../resolve/host.js';
import { type GitLabIndex, loadGitLabIndexes } from '../resolve/indexes.js';
import { parseRegistryArg, type RegistryTarget, resolveNumericId } from '../resolve/registry.js';
import { expandGlob, hasGlob } from '../util/glob.js';
import { mapPool } from '../util/pool.js';

export interface PublishOptions {
  /** File arguments as given: paths, or globs the shell did not expand. */
  files: string[];
  /** No files were given: `dist/*`, wheels and sdists only, as `uv publish` does. */
  defaultFiles: boolean;
  project?: RegistryTarget;
  index?: string;
  /** pyproject.toml to read the publish index from. */
  file?: string;
  username?: string;
  concurrency: number;
  release?: string;
  releaseCreate: boolean;
  dryRun: boolean;
}

export interface FileReport {
  file: string;
  fileName: string;
  package: string;
  version: string;
  filetype: 'bdist_wheel' | 'sdist';
  size: number;
  status: FileStatus;
  /** Why it was skipped, conflicts or failed. */
  message?: string;
  /** The error code of a failure (GlxError codes), and its hint. */
  code?: ErrorCode;
  hint?: string;
  /** Always present (stable fields), also for a file that failed or was not sent. */
  sha256: string;
  blake2_256: string;
  /** Where the registry serves it, once it is there (or would, in a dry run); null otherwise. */
  url: string | null;
  /** Upload attempts made (0 when none was). */
  attempts: number;
  durationMs: number;
}

export interface PublishResult {
  dryRun: boolean;
  target: { host: string; projectId: string; projectPath?: string; uploadUrl: string; from: string };
  files: FileReport[];
  release?: { tag: string; created: boolean; wouldCreate?: boolean; links: LinkReport[] };
  summary: Record<FileStatus, number>;
  ok: boolean;
}

const MAX_CONCURRENCY = 32;

const DEFAULT_FILES = 'dist/*';

/** argv + env → validated options. Throws usage errors; does no I/O. */
export function parsePublishOptions(raw: Record<string, unknown>, _env: Env): PublishOptions {
  const given = raw.files as string[] | undefined;
  const files = (given ?? []).filter((file) => file !== '');
  // An empty argument is a mistake (an unset variable in a script), not "use the default".
  if (given && given.length > 0 && files.length === 0)
    throw usageError('no files to publish', 'Give the wheels and sdists, e.g. glx publish dist/*');
  // No argument at all: uv publish's default, dist/* (uv's cli docs, `uv publish [FILES]`).
  const defaultFiles = files.length === 0;
  if (raw.project !== undefined && raw.index !== undefined)
    throw usageError(
      '--project and --index cannot be used together',
      'Either name the project, or the index in pyproject.toml whose publish-url to use.',
    );
  const concurrency = raw.concurrency === undefined ? 4 : Number(raw.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw usageError(
      `--concurrency ${String(raw.concurrency)}: expected a whole number from 1 to ${MAX_CONCURRENCY}`,
      'The default, 4, suits most links.',
    );
  }
  const release = typeof raw.release === 'string' ? raw.release.trim() : undefined;
  if (release === '') throw usageError('--release needs a tag name', 'e.g. --release v1.4.0');
  if (raw.releaseCreate === true && release === undefined)
    throw usageError('--release-create needs --release TAG', 'e.g. --release v1.4.0 --release-create');
  const username = usernameOption(raw.username);
  return {
    files: defaultFiles ? [DEFAULT_FILES] : files,
    defaultFiles,
    ...(typeof raw.project === 'string' ? { project: parseRegistryArg('project', raw.project, '--project') } : {}),
    ...(typeof raw.index === 'string' ? { index: raw.index } : {}),
    ...(typeof raw.file === 'string' ? { file: raw.file } : {}),
    ...(username ? { username } : {}),
    concurrency,
    ...(release ? { release } : {}),
    releaseCreate: raw.releaseCreate === true,
    dryRun: raw.dryRun === true,
  };
}

export async function publishAction(raw: Record<string, unknown>, ctx: Context, args: string[]): Promise<number> {
  const options = parsePublishOptions({ ...raw, files: args }, ctx.deps.env);
  const result = await publish(options, ctx);
  const failure = outcomeError(result);
  if (ctx.json) printJsonResult(ctx.deps, result, failure);
  if (failure) throw failure;
  return ExitCode.OK;
}

export async function publish(options: PublishOptions, ctx: Context): Promise<PublishResult> {
  // Local input first: a bad file fails before any network call, and nothing is uploaded.
  const dists = await readDistributions(
    options.defaultFiles ? await defaultFiles(options, ctx) : await expandFiles(options.files, ctx),
    ctx,
    options.concurrency,
  );

  const target = await resolvePublishTarget(options, ctx);
  ctx.debug(
    `publishing to project ${target.project.path ?? target.project.id} on ${target.baseUrl} (from ${target.from})`,
  );
  const token = await requireToken(ctx.deps, { tokenStdin: ctx.tokenStdin, host: target.host });
  const username = credentialUsername(token, options.username);
  const kind = credentialKind(token.token, username, token.kind);
  const client = await ctx.gitlab({ baseUrl: target.baseUrl, token: token.token, kind, username });
  const project = await resolveNumericId(ctx.deps, ctx, target.project, {
    baseUrl: target.baseUrl,
    host: target.host,
    token,
    tokenStdin: ctx.tokenStdin,
  });
  // The registry lookups only read: they run while the token is checked, and count only once it passes.
  const held = heldFiles(client, project.id, dists, options.concurrency);
  held.catch(() => {});
  await refuseUnlessCanPublish(client, ctx, project.id, username, options.release !== undefined);

  let releaseExists = false;
  if (options.release) {
    releaseExists = (await getRelease(client, project.id, options.release)) !== undefined;
    if (!releaseExists && !options.releaseCreate) {
      throw new GlxError(
        'GITLAB_NOT_FOUND',
        `release ${options.release} does not exist in project ${project.path ?? project.id}; nothing was uploaded`,
        `Add --release-create to create it, or check the tag name (${options.release}).`,
      );
    }
  }

  const planned = await planFiles(
    await held,
    dists,
    options.concurrency,
    options.dryRun && options.release !== undefined,
  );
  const resultTarget = {
    host: target.host,
    projectId: project.id,
    ...(project.path ? { projectPath: project.path } : {}),
    uploadUrl: publishUrl(client.baseUrl, project.id),
    from: target.from,
  };

  if (options.dryRun) {
    const files = await mapPool(planned, options.concurrency, (item) =>
      plannedReport(item, client.baseUrl, project.id),
    );
    let release: PublishResult['release'];
    if (options.release) {
      release = {
        tag: options.release,
        created: false,
        wouldCreate: !releaseExists,
        links: await wouldLink(client, project.id, options.release, releaseExists, files),
      };
    }
    const result = finishResult(true, resultTarget, files, release);
    if (!ctx.json) printSummary(result, ctx);
    return result;
  }

  let created = false;
  if (options.release && !releaseExists) {
    created = await ensureRelease(ctx.deps, ctx, client, project.id, options.release);
  }
  const files = await uploadAll(client, project.id, planned, options, ctx);
  const release = options.release
    ? { tag: options.release, created, links: await linkFiles(client, project.id, options.release, files) }
    : undefined;
  const result = finishResult(false, resultTarget, files, release);
  if (!ctx.json) printSummary(result, ctx);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Resolve

interface FileArg {
  path: string;
  display: string;
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * `dist/*` without arguments: what `uv build` leaves there. Other files (uv writes a .gitignore,
 * users keep notes) are passed over, as uv publish does; none at all is an error with the fix.
 * In a uv workspace that is the root's dist/, where uv build writes even when run in a member
 * (checked with uv 0.13.9), so glx looks there from any member; uv publish only looks in ./dist.
 */
async function defaultFiles(options: PublishOptions, ctx: Context): Promise<{ files: FileArg[]; problems: string[] }> {
  const project = options.file ? undefined : await findUvProject(ctx.cwd);
  const root = project ? path.dirname(project.root) : ctx.cwd;
  const found = await expandFiles([path.join(root, DEFAULT_FILES)], ctx);
  const files = found.files.filter((file) => {
    const dist = distKindOf(path.basename(file.path)) !== undefined;
    if (!dist) ctx.debug(`${file.display}: not a wheel or sdist, left out`);
    return dist;
  });
  if (files.length === 0) {
    throw new GlxError(
      'DIST_INVALID',
      `no files given, and ${displayPath(path.join(root, 'dist'), ctx.cwd)}${path.sep} has no wheels or sdists`,
      `Build them with \`uv build\` (it writes dist/${project?.workspace ? '; `uv build --all-packages` for every member of the workspace' : ''}), or name the files: glx publish path/to/*.whl`,
    );
  }
  ctx.info(`Publishing ${files.map((file) => file.display).join(', ')} (no files given: dist/*, as uv publish does)`);
  return { files, problems: [] };
}

/** Paths from the arguments; globs the shell left alone are expanded here. */
async function expandFiles(patterns: string[], ctx: Context): Promise<{ files: FileArg[]; problems: string[] }> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const byName = new Map<string, string>();
  const files: FileArg[] = [];
  for (const pattern of patterns) {
    const matches = hasGlob(pattern) ? await expandGlob(pattern, ctx.cwd) : [path.resolve(ctx.cwd, pattern)];
    if (matches.length === 0) problems.push(`${pattern}: no file matches`);
    for (const match of matches) {
      const real = await fs.realpath(match).catch(() => match);
      if (seen.has(real)) continue;
      seen.add(real);
      const display = displayPath(match, ctx.cwd);
      const other = byName.get(path.basename(match));
      if (other) {
        problems.push(`${display}: same file name as ${other} (a registry holds one file per name)`);
        continue;
      }
      byName.set(path.basename(match), display);
      files.push({ path: match, display });
    }
  }
  return { files, problems };
}

async function readDistributions(
  args: { files: FileArg[]; problems: string[] },
  ctx: Context,
  concurrency: number,
): Promise<Distribution[]> {
  const results = await mapPool(args.files, concurrency, (file) => readDistribution(file.path, file.display));
  const problems = [
    ...args.problems,
    ...results.flatMap((result) =>
      result.ok ? [] : result.problems.map((problem) => `${result.display}: ${problem}`),
    ),
  ];
  if (problems.length > 0) throw invalidFiles(problems, ctx);
  return results.flatMap((result) => (result.ok ? [result.dist] : []));
}

/** Every problem is listed, all collected before failing; the error sums up. */
function invalidFiles(problems: string[], ctx: Context): GlxError {
  const hint = 'Publish the wheels (.whl) and sdists (.tar.gz, .zip) that `uv build` writes to dist/, unchanged.';
  if (problems.length === 1) return new GlxError('DIST_INVALID', `${problems[0]}; nothing was uploaded`, hint);
  for (const problem of problems) ctx.info(`  ${problem}`);
  return new GlxError(
    'DIST_INVALID',
    `${problems.length} problems with the files to publish (listed above); nothing was uploaded`,
    hint,
  );
}

interface PublishTarget {
  baseUrl: string;
  host: string;
  project: RegistryTarget;
  from: string;
}

/** --project; else the GitLab index with a publish-url (or --index); else, in CI, the running project. */
async function resolvePublishTarget(options: PublishOptions, ctx: Context): Promise<PublishTarget> {
  let indexes: GitLabIndex[] = [];
  let relative = 'pyproject.toml';
  try {
    const loaded = await loadGitLabIndexes(ctx.deps, ctx, { cwd: ctx.cwd, file: options.file });
    indexes = loaded.gitlab;
    relative = loaded.relative;
  } catch (error) {
    // No pyproject.toml is fine when the target comes from --project or CI.
    if (!(error instanceof GlxError && error.code === 'PYPROJECT_NOT_FOUND' && !options.file && !options.index))
      throw error;
  }
  if (options.project) {
    const base = await resolveBaseUrl(
      ctx.deps,
      ctx,
      indexes.map((index) => index.entry.url),
    );
    return { baseUrl: base.baseUrl, host: base.host, project: options.project, from: '--project' };
  }
  const { env } = ctx.deps;
  if (options.index) {
    const index = indexes.find((candidate) => candidate.entry.name === options.index);
    if (!index)
      throw usageError(
        `no GitLab index named "${options.index}" in ${relative}`,
        `GitLab indexes there: ${indexes.map((i) => i.entry.name).join(', ') || 'none'}.`,
      );
    return targetFromIndex(index, relative);
  }
  const publishable = indexes.filter(
    (index) => index.entry.publishUrl && parseRegistryUrl(index.entry.publishUrl)?.kind === 'project',
  );
  if (publishable.length === 1) return targetFromIndex(publishable[0]!, relative);
  if (publishable.length > 1)
    throw usageError(
      `several GitLab indexes in ${relative} have a publish-url: ${publishable.map((i) => i.entry.name).join(', ')}`,
      'Pick one with --index <name>, or name the project with --project.',
    );
  if (env.GITLAB_CI === 'true' && env.CI_API_V4_URL && env.CI_PROJECT_ID) {
    const baseUrl = normalizeBaseUrl(env.CI_API_V4_URL);
    const project = {
      kind: 'project' as const,
      id: env.CI_PROJECT_ID,
      ...(env.CI_PROJECT_PATH ? { path: env.CI_PROJECT_PATH } : {}),
    };
    return { baseUrl, host: new URL(baseUrl).hostname.toLowerCase(), project, from: 'CI_PROJECT_ID' };
  }
  throw usageError(
    'no project to publish to',
    'Pass --project <id|path>, or set a publish-url with `glx init --project <id|path> --publish`.',
  );
}

function targetFromIndex(index: GitLabIndex, relative: string): PublishTarget {
  const fromPublishUrl = index.entry.publishUrl ? parseRegistryUrl(index.entry.publishUrl) : undefined;
  const registry = fromPublishUrl ?? index.registry;
  if (registry.kind !== 'project') {
    throw usageError(
      `index "${index.entry.name}" in ${relative} is a group registry, and GitLab has no group-level upload`,
      'Publish to a project: --project <id|path>, or `glx init --project <id|path> --publish`.',
    );
  }
  return {
    baseUrl: registry.baseUrl,
    host: registry.host,
    project: { kind: 'project', id: registry.id },
    from: `index "${index.entry.name}" in ${relative}`,
  };
}

/** https://docs.gitlab.com/user/permissions/: publishing needs scope api (or a write deploy token) and Developer. Checked before any upload. */
async function refuseUnlessCanPublish(
  client: GitLabClient,
  ctx: Context,
  projectId: string,
  username: string,
  releases: boolean,
): Promise<TokenReport> {
  const report = await introspectToken(client, ctx.deps.now(), username);
  const ref = { kind: 'project' as const, id: projectId };
  const check = await checkRegistry(client, report, ref, simpleUrl(client.baseUrl, ref), 'publish');
  const problem = check.problems[0];
  if (problem) throw problemError(problem, `${problem.message}; nothing was uploaded`);
  if (releases && report.kind === 'deploy') {
    // https://docs.gitlab.com/api/rest/authentication/: deploy tokens work on package routes only, never on the Releases API.
    throw new GlxError(
      'GITLAB_AUTH',
      'a deploy token cannot call the Releases API, so --release cannot link the files; nothing was uploaded',
      'Use an access token with scope api (Developer role) or the CI job token, or publish without --release.',
    );
  }
  ctx.debug(
    `token: ${report.kind}${report.user ? ` of ${report.user.username}` : ''}, can publish to project ${projectId}`,
  );
  return report;
}

// ---------------------------------------------------------------------------------------------
// Plan

interface PlannedFile {
  dist: Distribution;
  decision: FileDecision;
  /** Known when the file was hashed before uploading (it is on the registry, or for a dry run's links). */
  digests?: Digests;
}

/** The files the registry holds for these packages, by file name (one versions page per package). */
async function heldFiles(
  client: GitLabClient,
  projectId: string,
  dists: Distribution[],
  concurrency: number,
): Promise<Map<string, SimpleFile>> {
  const names = [...new Set(dists.map((dist) => normalizeName(dist.metadata.name)))];
  const pages = await mapPool(names, concurrency, (name) => getSimpleVersions(client, projectId, name));
  const remote = new Map<string, SimpleFile>();
  for (const page of pages) if (page.found) for (const file of page.files) remote.set(file.fileName, file);
  return remote;
}

/** Files the registry already has are hashed to compare; the rest are not read until they are uploaded. */
function planFiles(
  remote: Map<string, SimpleFile>,
  dists: Distribution[],
  concurrency: number,
  hashAll: boolean,
): Promise<PlannedFile[]> {
  return mapPool(dists, concurrency, async (dist) => {
    const held = remote.get(dist.fileName);
    if (!held && !hashAll) return { dist, decision: { action: 'upload' } };
    const digests = await hashFile(dist.path);
    return { dist, decision: decideFile(digests.sha256, held), digests };
  });
}

function baseReport(
  dist: Distribution,
): Pick<FileReport, 'file' | 'fileName' | 'package' | 'version' | 'filetype' | 'size'> {
  return {
    file: dist.display,
    fileName: dist.fileName,
    package: dist.metadata.name,
    version: dist.metadata.version,
    filetype: dist.filetype,
    size: dist.size,
  };
}

async function plannedReport(item: PlannedFile, baseUrl: string, projectId: string): Promise<FileReport> {
  const { dist, decision } = item;
  const digests = item.digests ?? (await hashFile(dist.path));
  const hashes = {
    sha256: digests.sha256,
    blake2_256: digests.blake2_256,
    url: pypiFileUrl(baseUrl, projectId, digests.sha256, dist.fileName),
  };
  const report: FileReport = { ...baseReport(dist), status: 'would-upload', attempts: 0, durationMs: 0, ...hashes };
  if (decision.action === 'skip')
    Object.assign(report, {
      status: 'skipped',
      message: 'already on the registry (same sha256)',
      url: decision.remote.url,
    });
  if (decision.action === 'conflict')
    Object.assign(report, { status: 'conflict', message: decision.reason, url: decision.remote.url });
  return report;
}

// ---------------------------------------------------------------------------------------------
// Act

async function uploadAll(
  client: GitLabClient,
  projectId: string,
  planned: PlannedFile[],
  options: PublishOptions,
  ctx: Context,
): Promise<FileReport[]> {
  const { io } = ctx.deps;
  const progress = createProgress({
    write: (text) => io.err(text),
    // Bars and a --verbose request log would overwrite each other.
    tty: io.stderrIsTTY && !ctx.verbose,
    columns: io.columns,
    style: ctx.style,
    color: ctx.color,
    now: () => ctx.deps.now().getTime(),
  });
  let abort: GlxError | undefined;
  try {
    return await mapPool(planned, options.concurrency, async (item) => {
      if (item.decision.action !== 'upload') return plannedReport(item, client.baseUrl, projectId);
      if (abort) {
        const digests = await hashFile(item.dist.path);
        return {
          ...baseReport(item.dist),
          status: 'failed',
          message: `not attempted: ${abort.message}`,
          code: abort.code,
          sha256: digests.sha256,
          blake2_256: digests.blake2_256,
          url: null,
          attempts: 0,
          durationMs: 0,
        } satisfies FileReport;
      }
      const report = await uploadOne(client, projectId, item.dist, progress, ctx);
      if (report.status === 'failed' && report.code && isCredentialCode(report.code))
        abort ??= new GlxError(report.code, report.message ?? 'credentials refused', report.hint);
      return report;
    });
  } finally {
    progress.stop();
  }
}

function isCredentialCode(code: ErrorCode): boolean {
  return exitCodeFor(code) === ExitCode.CREDENTIALS;
}

async function uploadOne(
  client: GitLabClient,
  projectId: string,
  dist: Distribution,
  progress: Progress,
  ctx: Context,
): Promise<FileReport> {
  const started = ctx.deps.now().getTime();
  const body = uploadBody(dist);
  let attempts = 0;
  const id = dist.display;
  const done = async (
    report: Pick<FileReport, 'status' | 'message' | 'code' | 'hint'> &
      Partial<Pick<FileReport, 'sha256' | 'blake2_256' | 'url'>>,
  ): Promise<FileReport> => {
    // A failed upload may not have streamed the whole file: its digests come from the disk then.
    const digests =
      report.sha256 && report.blake2_256
        ? { sha256: report.sha256, blake2_256: report.blake2_256 }
        : (body.digests() ?? (await hashFile(dist.path)));
    const durationMs = ctx.deps.now().getTime() - started;
    const full: FileReport = {
      ...baseReport(dist),
      url: null,
      ...report,
      sha256: digests.sha256,
      blake2_256: digests.blake2_256,
      attempts,
      durationMs,
    };
    progress.finish(id, finishLine(full, ctx));
    return full;
  };
  progress.start(id, dist.fileName, dist.size);
  try {
    const response = await uploadPypiFile(client, projectId, {
      body: () => {
        attempts++;
        return body.open((sent) => progress.update(id, sent));
      },
      contentType: body.contentType,
      length: body.length,
      subject: `upload of ${dist.fileName}`,
      onRetry: (retry) =>
        progress.note(
          id,
          `attempt ${retry.attempt} of ${retry.attempts} failed (${retry.reason}); retrying in ${(retry.delayMs / 1000).toFixed(1)} s`,
        ),
    });
    // Known once the whole file was streamed; GitLab only answers 201 or "taken" after that.
    const streamed = async () => body.digests() ?? (await hashFile(dist.path));
    if (response.status < 300) {
      const digests = await streamed();
      return done({
        status: 'uploaded',
        sha256: digests.sha256,
        blake2_256: digests.blake2_256,
        url: pypiFileUrl(client.baseUrl, projectId, digests.sha256, dist.fileName),
      });
    }
    const message = answerMessage(response);
    if (response.status === 400 && /has already been taken/i.test(message)) {
      const digests = await streamed();
      // GitLab reports a file it already holds this way (https://docs.gitlab.com/api/packages/pypi/): compare with what it holds.
      const page = await getSimpleVersions(client, projectId, normalizeName(dist.metadata.name));
      const held = page.found ? page.files.find((file) => file.fileName === dist.fileName) : undefined;
      const decision = decideFile(digests.sha256, held);
      const hashes = { sha256: digests.sha256, blake2_256: digests.blake2_256 };
      if (decision.action === 'skip') {
        // An earlier attempt of this run may have landed before its answer was lost.
        return attempts > 1
          ? done({ status: 'uploaded', message: 'landed on an earlier attempt', ...hashes, url: decision.remote.url })
          : done({
              status: 'skipped',
              message: 'already on the registry (same sha256)',
              ...hashes,
              url: decision.remote.url,
            });
      }
      if (decision.action === 'conflict')
        return done({ status: 'conflict', message: decision.reason, ...hashes, url: decision.remote.url });
      return done({
        status: 'failed',
        message: `GitLab says the file name is taken, but its page for ${dist.metadata.name} does not list ${dist.fileName}`,
        code: 'GITLAB_ERROR',
        ...hashes,
      });
    }
    return done({
      status: 'failed',
      message: `GitLab refused the upload (${response.status}: ${message})`,
      code: 'GITLAB_ERROR',
      hint: uploadHint(message),
    });
  } catch (error) {
    if (!isGlxError(error)) throw error;
    const hint =
      error.code === 'PACKAGE_PROTECTED'
        ? ((await protectionHint(client, projectId, dist.metadata.name)) ?? error.hint)
        : error.hint;
    return done({ status: 'failed', message: error.message, code: error.code, ...(hint ? { hint } : {}) });
  }
}

function uploadHint(message: string): string {
  if (/too large/i.test(message))
    return "The file exceeds the instance's PyPI size limit (pypi_max_file_size, 3 GiB by default).";
  if (/version is invalid/i.test(message)) return 'GitLab accepts PEP 440 versions only.';
  return 'See the message from GitLab; run with --verbose for the request log.';
}

// ---------------------------------------------------------------------------------------------
// Print

function finishResult(
  dryRun: boolean,
  target: PublishResult['target'],
  files: FileReport[],
  release: PublishResult['release'],
): PublishResult {
  const summary: Record<FileStatus, number> = { uploaded: 0, skipped: 0, conflict: 0, failed: 0, 'would-upload': 0 };
  for (const file of files) summary[file.status]++;
  const linksOk = (release?.links ?? []).every((link) => link.status !== 'clash' && link.status !== 'failed');
  return {
    dryRun,
    target,
    files,
    ...(release ? { release } : {}),
    summary,
    ok: summary.conflict === 0 && summary.failed === 0 && linksOk,
  };
}

/** The error that sets the exit code: credentials (4) over everything else (1); none when all is well. */
export function outcomeError(result: PublishResult): GlxError | undefined {
  const credential = result.files.find((file) => file.code && isCredentialCode(file.code));
  if (credential?.code)
    return new GlxError(
      credential.code,
      `${credential.file}: ${credential.message ?? 'credentials refused'}`,
      credential.hint,
    );
  if (result.ok) return undefined;
  const { conflict, failed } = result.summary;
  const clashes = (result.release?.links ?? []).filter(
    (link) => link.status === 'clash' || link.status === 'failed',
  ).length;
  const parts = [
    conflict ? `${conflict} conflicting with the registry` : '',
    failed ? `${failed} failed` : '',
    clashes ? `${clashes} release link${clashes === 1 ? '' : 's'} not added` : '',
  ].filter(Boolean);
  // A file too large for the instance (413 from Workhorse, or Rails' 400) fails again on a retry: say what to raise.
  const failures = result.files.filter((file) => file.status === 'failed');
  const tooLarge =
    failures.length > 0 && failures.every((file) => /too large/i.test(file.message ?? ''))
      ? failures[0]?.hint
      : undefined;
  const hint = conflict
    ? 'A published file cannot be replaced: bump the version and build again (or delete the package in GitLab first).'
    : failed
      ? (tooLarge ??
        'Run the same command again: files already on the registry are skipped, only the missing ones are sent.')
      : 'Remove or rename the clashing links in the release, then run again.';
  const verb = result.dryRun ? 'would not complete' : 'incomplete';
  return new GlxError('PUBLISH_INCOMPLETE', `publish ${verb}: ${parts.join(', ')}`, hint);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function finishLine(file: FileReport, ctx: Context): string {
  const { style } = ctx;
  const rate = file.durationMs > 0 ? `, ${formatBytes(Math.round((file.size * 1000) / file.durationMs))}/s` : '';
  if (file.status === 'uploaded')
    return `${style.green('uploaded')} ${file.file} (${formatBytes(file.size)} in ${seconds(file.durationMs)}${rate})`;
  if (file.status === 'skipped') return `${style.dim('skipped')} ${file.file}: ${file.message ?? ''}`;
  return `${style.red(file.status)} ${file.file}: ${file.message ?? ''}`;
}

function printSummary(result: PublishResult, ctx: Context): void {
  const { style } = ctx;
  const rows = result.files.map((file) => [
    file.file,
    formatBytes(file.size),
    file.status,
    file.status === 'uploaded' ? seconds(file.durationMs) : '-',
  ]);
  const header = ['file', 'size', 'status', 'time'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const paint = (status: string, text: string) =>
    status === 'uploaded' || status === 'would-upload'
      ? style.green(text)
      : status === 'skipped'
        ? style.dim(text)
        : style.red(text);
  ctx.info(
    style.bold(
      header
        .map((title, column) => title.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    ),
  );
  for (const row of rows) {
    ctx.info(
      [
        row[0]!.padEnd(widths[0]!),
        row[1]!.padStart(widths[1]!),
        paint(row[2]!, row[2]!.padEnd(widths[2]!)),
        row[3]!.padStart(widths[3]!),
      ]
        .join('  ')
        .trimEnd(),
    );
  }
  for (const file of result.files) {
    if (file.status === 'conflict' || file.status === 'failed')
      ctx.info(`${style.red(`${file.status}:`)} ${file.file}: ${file.message ?? ''}`);
  }
  if (result.release) {
    const { release } = result;
    const count = (status: LinkStatus) => release.links.filter((link) => link.status === status).length;
    const state = release.wouldCreate ? 'would be created' : release.created ? 'created' : 'exists';
    const linked = result.dryRun ? `${count('would-create')} link(s) to add` : `${count('created')} link(s) added`;
    ctx.info(`release ${release.tag}: ${state}; ${linked}, ${count('exists')} already there`);
    for (const link of release.links) {
      if (link.status === 'clash' || link.status === 'failed')
        ctx.info(`${style.red(`link ${link.status}:`)} ${link.name}: ${link.message ?? ''}`);
    }
  }
  const where = `project ${result.target.projectPath ?? result.target.projectId} on ${result.target.host}`;
  const { summary } = result;
  if (result.dryRun)
    ctx.info(
      `Dry run for ${where}: ${summary['would-upload']} would upload, ${summary.skipped} already there, ${summary.conflict} conflicting; nothing was uploaded.`,
    );
  else
    ctx.info(
      `${where}: ${summary.uploaded} uploaded, ${summary.skipped} already there, ${summary.conflict} conflicting, ${summary.failed} failed.`,
    );
}
