/**
 * `glx ci-setup`: write or merge .gitlab-ci.yml so that uv installs from (and, with --publish,
 * publishes to) GitLab registries with the job token; optionally fix the job-token allowlists,
 * prepare gitlab-ci-local, and ask GitLab's CI lint. Resolve, plan, act, print.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Context } from '../cli/context.js';
import { printJsonResult } from '../cli/report-error.js';
import { findToken, type ResolvedToken, requireToken } from '../credentials/token.js';
import type { Env } from '../deps.js';
import { GlxError, usageError } from '../errors.js';
import { readOrigin } from '../git/remote.js';
import { checkoutTop } from '../git/repo.js';
import { lintCiConfig } from '../gitlab/api.js';
import { type AllowlistReport, allowlistLines, fixAllowlist } from '../gitlab-ci/allowlist.js';
import { PUBLISH_JOB, STARTER_JOB, TEMPLATE_JOB } from '../gitlab-ci/build.js';
import {
  ignoreLocal,
  LOCAL_VARIABLES_FILE,
  type LocalResult,
  prepareLocal,
  refuseTrackedLocalFile,
  writeLocal,
} from '../gitlab-ci/local-vars.js';
import type { BlockAction } from '../gitlab-ci/merge.js';
import { type CiPlan, type CiPlanOptions, type PinChoice, type PinName, planCiSetup } from '../gitlab-ci/plan.js';
import {
  compareMinor,
  fromPythonVersionFile,
  isPythonMinor,
  lowerBound,
  NEWEST_IMAGE_PYTHON,
  OLDEST_IMAGE_PYTHON,
} from '../gitlab-ci/python-version.js';
import { BASE_LAYERS, DEFAULT_UV_VERSION } from '../gitlab-ci/uv-image.js';
import { indexEnvVars, refuseEnvCollisions } from '../pyproject/index-name.js';
import { type IndexEntry, isTable, parsePyproject } from '../pyproject/read.js';
import { type HostResolution, resolveBaseUrl } from '../resolve/host.js';
import { type GitLabIndex, loadGitLabIndexes } from '../resolve/indexes.js';
import { parseRegistryArg, type RegistryTarget } from '../resolve/registry.js';
import { unifiedDiff } from '../util/diff.js';
import { MAX_EDIT_BYTES, readTextIfExists, writeFileAtomic } from '../util/fs-atomic.js';
import { lockOptions, withFileLock } from '../util/lock.js';

export interface CiSetupOptions {
  /** true: add or refresh the publish job; false: remove it; undefined: keep what the file has. */
  publish?: boolean;
  allowlist: boolean;
  local: boolean;
  lint: boolean;
  uvVersion?: string;
  python?: string;
  baseLayer?: string;
  /** This project, when git remote origin and CI_PROJECT_ID do not say. */
  project?: RegistryTarget;
  ciFile?: string;
  file?: string;
  dryRun: boolean;
}

export interface CiSetupResult {
  file: string;
  created: boolean;
  changed: boolean;
  dryRun: boolean;
  jobs: { template: BlockAction; publish?: BlockAction; starter?: BlockAction };
  /** Per glx block that was in the file and is rewritten: each change in words. */
  changes: Record<string, string[]>;
  publishStage?: string;
  image: string;
  pins: Record<PinName, PinChoice>;
  indexes: Array<{ name: string; username: string; password: string }>;
  skippedIndexes: Array<{ name: string; host: string }>;
  diff: string;
  local?: LocalResult;
  lint?: { valid: boolean; warnings: string[] } | { skipped: string };
  allowlist?: AllowlistReport;
}

const VERSION = /^\d+\.\d+(\.\d+)?$/;

/** argv + env → validated options. Throws usage errors; does no I/O. */
export function parseCiSetupOptions(raw: Record<string, unknown>, _env: Env): CiSetupOptions {
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : undefined);
  const uvVersion = text('uvVersion');
  if (uvVersion !== undefined && !VERSION.test(uvVersion)) {
    throw usageError(
      `--uv-version ${JSON.stringify(uvVersion)} is not a uv version`,
      `Use a minor such as ${DEFAULT_UV_VERSION} (the image follows its patch releases) or an exact version such as ${DEFAULT_UV_VERSION}.5.`,
    );
  }
  const python = text('python');
  if (python !== undefined && !isPythonMinor(python)) {
    const minor = /^(\d+\.\d+)\.\d+/.exec(python)?.[1];
    throw usageError(
      `--python ${JSON.stringify(python)} is not a Python minor version`,
      minor ? `The uv images are tagged by minor version: use --python ${minor}.` : 'Use a minor version such as 3.12.',
    );
  }
  const baseLayer = text('baseLayer');
  if (baseLayer !== undefined && !(BASE_LAYERS as readonly string[]).includes(baseLayer)) {
    const why = baseLayer.startsWith('bookworm')
      ? ': uv stopped publishing bookworm images in 0.10'
      : ' uv publishes Python images for';
    throw usageError(
      `--base-layer ${JSON.stringify(baseLayer)} is not a base${why}`,
      `Use one of ${BASE_LAYERS.join(', ')} (ghcr.io/astral-sh/uv:<version>-python<X.Y>-<base>).`,
    );
  }
  return {
    publish: typeof raw.publish === 'boolean' ? raw.publish : undefined,
    allowlist: raw.allowlist === true,
    local: raw.local === true,
    lint: raw.lint === true,
    uvVersion,
    python,
    baseLayer,
    project: typeof raw.project === 'string' ? parseRegistryArg('project', raw.project, '--project') : undefined,
    ciFile: text('ciFile'),
    file: text('file'),
    dryRun: raw.dryRun === true,
  };
}

export async function ciSetupAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const options = parseCiSetupOptions(raw, ctx.deps.env);
  const result = await ciSetup(options, ctx);
  // Reported after the output: the file was written, only the allowlist is incomplete.
  const failure = allowlistFailure(result);
  if (ctx.json) printJsonResult(ctx.deps, result, failure);
  else if (options.dryRun) ctx.deps.io.out(result.diff);
  if (failure) throw failure;
  return 0;
}

function allowlistFailure(result: CiSetupResult): GlxError | undefined {
  const undone =
    result.allowlist?.entries.filter((entry) => entry.status === 'not-permitted' || entry.status === 'failed') ?? [];
  if (undone.length === 0) return undefined;
  const names = undone.map((entry) => entry.project.path ?? `project ${entry.project.id}`).join(', ');
  const onlyRole = undone.every((entry) => entry.status === 'not-permitted');
  return new GlxError(
    onlyRole ? 'TOKEN_ROLE' : 'GITLAB_ERROR',
    `${undone.length} job-token allowlist ${undone.length === 1 ? 'entry' : 'entries'} not added: ${names}`,
    onlyRole
      ? 'A Maintainer of each of those projects can add it with the call or the UI path printed above; then the pipeline can read them.'
      : 'See the lines above; run with --verbose for the request log.',
  );
}

export async function ciSetup(options: CiSetupOptions, ctx: Context): Promise<CiSetupResult> {
  // Local input first: broken files fail before any network call.
  const loaded = await loadGitLabIndexes(ctx.deps, ctx, { cwd: ctx.cwd, file: options.file });
  checkCollisions(loaded.all, loaded.relative);
  const pyprojectDir = path.dirname(loaded.file);
  const ciFile = await locateCiFile(ctx, options.ciFile, pyprojectDir);
  const ciDir = path.dirname(ciFile);
  const relative = path.relative(ctx.cwd, ciFile) || '.gitlab-ci.yml';
  const projectDir = path.relative(ciDir, pyprojectDir).split(path.sep).join('/');
  if (projectDir.startsWith('..') || path.isAbsolute(projectDir)) {
    throw usageError(
      `${loaded.relative} is outside the directory of ${relative}`,
      'Run glx ci-setup in the repository that holds the project, or point --ci-file at its .gitlab-ci.yml.',
    );
  }

  const base = await ciInstance(ctx, loaded.gitlab);
  ctx.debug(`GitLab instance ${base.baseUrl} (from ${base.source})`);
  const sameHost = loaded.gitlab.filter((index) => index.registry.host === base.host);
  const otherHost = loaded.gitlab.filter((index) => index.registry.host !== base.host);
  for (const index of otherHost) {
    ctx.warn(
      `index "${index.entry.name}" is on ${index.registry.host}, not ${base.host}: a job token only works on its own instance, so glx gives it no credentials. ` +
        `Set ${indexEnvVars(index.entry.name).username} / _PASSWORD (a deploy token) as masked CI/CD variables instead.`,
    );
  }

  const planOptions: CiPlanOptions = {
    file: relative,
    indexNames: sameHost.map((index) => index.entry.name),
    projectDir,
    locked: await fs.stat(path.join(pyprojectDir, 'uv.lock')).then(
      (stat) => stat.isFile(),
      () => false,
    ),
    publish: options.publish,
    uvVersion: options.uvVersion,
    python: options.python,
    baseLayer: options.baseLayer,
    detectedPython: await detectPython(ctx, pyprojectDir, loaded.file, loaded.relative),
  };
  // A CI file over 1 MiB is refused like a pyproject.toml of that size (huge inputs).
  const before = await readTextIfExists(ciFile, { maxBytes: MAX_EDIT_BYTES });
  let plan = planCiSetup(before, planOptions);
  const python = plan.pins.PYTHON_VERSION.value;
  if (isPythonMinor(python) && compareMinor(python, NEWEST_IMAGE_PYTHON) > 0) {
    ctx.warn(
      `PYTHON_VERSION ${python}: uv's images go up to python${NEWEST_IMAGE_PYTHON} as far as glx knows; check that ghcr.io/astral-sh/uv has the tag.`,
    );
  }

  // Every refusal comes before any write: a tracked secret file, a missing or unfit token, the lint.
  if (options.local) await refuseTrackedLocalFile(ctx.deps, ctx.cwd, ciDir);
  // One lookup for all three: --token-stdin can be read only once, and a prompt should come once.
  const token =
    options.local || options.allowlist
      ? await requireToken(ctx.deps, {
          tokenStdin: ctx.tokenStdin,
          host: base.host,
          prompt: true,
          promptUrl: `${base.baseUrl}/-/user_settings/personal_access_tokens`,
        })
      : options.lint
        ? await findToken(ctx.deps, { tokenStdin: ctx.tokenStdin, host: base.host })
        : undefined;
  const localPrep = options.local && token ? await prepareLocal(ctx.deps, ctx.cwd, ciDir, token) : undefined;
  const allowlistToken = options.allowlist && token ? apiToken(token, 'Changing job-token allowlists') : undefined;
  const lint = options.lint ? await lintPlan(ctx, options, base, plan, token) : undefined;
  // The .gitignore line goes first: if git does not take it, nothing else is written.
  const ignored = localPrep ? await ignoreLocal(ctx.deps, ctx, ctx.cwd, localPrep, options.dryRun) : undefined;

  if (!options.dryRun && plan.changed) {
    // Re-read under the lock: another glx may have written since we first looked.
    plan = await withFileLock(
      ciFile,
      async () => {
        const current = await readTextIfExists(ciFile, { maxBytes: MAX_EDIT_BYTES });
        const again = current === before ? plan : planCiSetup(current, planOptions);
        if (again.changed) await writeFileAtomic(ciFile, again.after);
        return again;
      },
      lockOptions(ctx.deps.env),
    );
  }

  const diffs = [unifiedDiff(plan.before, plan.after, relative)];
  if (ignored?.diff) diffs.push(ignored.diff);
  const local =
    localPrep && ignored ? await writeLocal(localPrep, ignored.gitignore, ctx.deps, options.dryRun) : undefined;
  const allowlistReport = allowlistToken ? await allowlist(ctx, options, base, sameHost, allowlistToken) : undefined;

  const result: CiSetupResult = {
    file: ciFile,
    created: plan.created,
    changed: plan.changed,
    dryRun: options.dryRun,
    jobs: {
      template: plan.template,
      ...(plan.publish ? { publish: plan.publish } : {}),
      ...(plan.starter ? { starter: plan.starter } : {}),
    },
    changes: Object.fromEntries(
      Object.entries(plan.changes).filter(
        ([key]) => (key === TEMPLATE_JOB ? plan.template : plan.publish) === 'updated',
      ),
    ),
    ...(plan.publishStage ? { publishStage: plan.publishStage } : {}),
    image: `ghcr.io/astral-sh/uv:${plan.pins.UV_VERSION.value}-python${plan.pins.PYTHON_VERSION.value}-${plan.pins.BASE_LAYER.value}`,
    pins: plan.pins,
    indexes: sameHost.map((index) => ({ name: index.entry.name, ...indexEnvVars(index.entry.name) })),
    skippedIndexes: otherHost.map((index) => ({ name: index.entry.name, host: index.registry.host })),
    diff: diffs.join(''),
    ...(local ? { local } : {}),
    ...(lint ? { lint } : {}),
    ...(allowlistReport ? { allowlist: allowlistReport } : {}),
  };
  if (!ctx.json) summarize(ctx, result, relative, loaded.gitlab);
  return result;
}

function checkCollisions(all: IndexEntry[], relative: string): void {
  refuseEnvCollisions(
    all,
    relative,
    'Rename one of them in pyproject.toml; the pipeline could not give them different credentials.',
  );
}

/** --ci-file, else .gitlab-ci.yml at the top of the git checkout, else next to pyproject.toml. */
async function locateCiFile(ctx: Context, ciFile: string | undefined, pyprojectDir: string): Promise<string> {
  if (ciFile) return path.resolve(ctx.cwd, ciFile);
  return path.join((await checkoutTop(ctx.deps, pyprojectDir)) ?? pyprojectDir, '.gitlab-ci.yml');
}

/**
 * The instance the pipeline runs on: --host, GITLAB_HOST, CI_SERVER_URL in CI, git remote origin;
 * only when none of those says, the host of the first GitLab index.
 */
async function ciInstance(ctx: Context, indexes: GitLabIndex[]): Promise<HostResolution> {
  const resolved = await resolveBaseUrl(ctx.deps, ctx, []);
  const first = indexes[0];
  if ((resolved.source === 'default' || resolved.source.startsWith('glab')) && first) {
    return { baseUrl: first.registry.baseUrl, host: first.registry.host, source: 'pyproject.toml' };
  }
  return resolved;
}

/** .python-version, else the lower bound of requires-python (never below the oldest image). */
async function detectPython(
  ctx: Context,
  dir: string,
  pyproject: string,
  relative: string,
): Promise<PinChoice | undefined> {
  const pinned = await readTextIfExists(path.join(dir, '.python-version'));
  if (pinned !== undefined) {
    const value = fromPythonVersionFile(pinned);
    if (value) return { value, source: '.python-version' };
    ctx.warn('.python-version names no CPython minor version glx can use for the image; ignoring it.');
  }
  const doc = parsePyproject((await readTextIfExists(pyproject)) ?? '', relative);
  const requires = isTable(doc.project) ? doc.project['requires-python'] : undefined;
  if (typeof requires !== 'string') return undefined;
  const bound = lowerBound(requires);
  if (!bound) return undefined;
  if (compareMinor(bound, OLDEST_IMAGE_PYTHON) < 0)
    return {
      value: OLDEST_IMAGE_PYTHON,
      source: `requires-python ${requires} (the oldest uv image is python${OLDEST_IMAGE_PYTHON})`,
    };
  return { value: bound, source: `requires-python ${requires}` };
}

/** This project: --project, CI_PROJECT_ID in CI, or the git remote origin. */
async function thisProject(ctx: Context, flag: RegistryTarget | undefined): Promise<RegistryTarget> {
  if (flag) return flag;
  const { env } = ctx.deps;
  if (env.GITLAB_CI === 'true' && env.CI_PROJECT_ID)
    return { kind: 'project', id: env.CI_PROJECT_ID, ...(env.CI_PROJECT_PATH ? { path: env.CI_PROJECT_PATH } : {}) };
  const origin = await readOrigin(ctx.deps, ctx.cwd);
  if (origin?.info) return { kind: 'project', id: origin.info.projectPath, path: origin.info.projectPath };
  throw new GlxError(
    'NO_GIT_REMOTE',
    'cannot tell which GitLab project this pipeline belongs to (no --project, no CI_PROJECT_ID, no git remote "origin")',
    'Name it: glx ci-setup --project <id|path> ...',
  );
}

function apiToken(token: ResolvedToken, what: string): ResolvedToken {
  // https://docs.gitlab.com/ci/jobs/ci_job_token/: job tokens cannot call the allowlist or lint APIs; deploy tokens no REST at all.
  if (token.kind === 'job' || token.kind === 'deploy') {
    throw new GlxError(
      'TOKEN_ROLE',
      `${what} needs a personal, project or group access token; a ${token.kind === 'job' ? 'CI job' : 'deploy'} token cannot call that API`,
      'Run it on your machine with a token of scope api (GITLAB_TOKEN, --token-stdin, or `glx auth --netrc`).',
    );
  }
  return token;
}

// ----- --lint ---------------------------------------------------------------------------------

async function lintPlan(
  ctx: Context,
  options: CiSetupOptions,
  base: HostResolution,
  plan: CiPlan,
  token: ResolvedToken | undefined,
): Promise<CiSetupResult['lint']> {
  if (!token || token.kind === 'job' || token.kind === 'deploy') {
    const why = token
      ? `a ${token.kind === 'job' ? 'CI job' : 'deploy'} token cannot call the lint API`
      : `no GitLab token for ${base.host}`;
    ctx.warn(`--lint skipped: ${why}. Set GITLAB_TOKEN (a token of scope api) to have GitLab check the file.`);
    return { skipped: why };
  }
  const project = await thisProject(ctx, options.project);
  const client = await ctx.gitlab({ baseUrl: base.baseUrl, token: token.token, kind: token.kind });
  const answer = await lintCiConfig(client, project.id, plan.after);
  for (const warning of answer.warnings ?? []) ctx.warn(`GitLab CI lint: ${warning}`);
  if (!answer.valid) {
    for (const error of answer.errors) ctx.info(`  GitLab CI lint: ${error}`);
    throw new GlxError(
      'CHECK_FAILED',
      `GitLab's CI lint rejects the ${plan.created ? 'new' : 'merged'} .gitlab-ci.yml: ${answer.errors[0] ?? 'invalid'}`,
      options.dryRun
        ? 'Fix what the lint names (see the diff on stdout).'
        : 'Nothing was written. Fix what the lint names, or run without --lint to write the file anyway.',
    );
  }
  return { valid: true, warnings: answer.warnings ?? [] };
}

// ----- --allowlist ----------------------------------------------------------------------------

async function allowlist(
  ctx: Context,
  options: CiSetupOptions,
  base: HostResolution,
  indexes: GitLabIndex[],
  token: ResolvedToken,
): Promise<AllowlistReport> {
  const client = await ctx.gitlab({ baseUrl: base.baseUrl, token: token.token, kind: token.kind });
  return fixAllowlist(ctx.deps, ctx, client, {
    self: await thisProject(ctx, options.project),
    indexes,
    lookup: { baseUrl: base.baseUrl, host: base.host, token, tokenStdin: ctx.tokenStdin },
    dryRun: options.dryRun,
  });
}

// ----- summary --------------------------------------------------------------------------------

function summarize(ctx: Context, result: CiSetupResult, relative: string, allIndexes: GitLabIndex[]): void {
  const { jobs } = result;
  const touched = [
    jobs.template !== 'unchanged' ? `${jobs.template} ${TEMPLATE_JOB}` : undefined,
    jobs.starter ? `${jobs.starter} ${STARTER_JOB}` : undefined,
    jobs.publish && jobs.publish !== 'unchanged' ? `${jobs.publish} ${PUBLISH_JOB}` : undefined,
  ].filter((part) => part !== undefined);
  if (result.dryRun)
    ctx.info(
      result.changed
        ? `Dry run: ${relative} would change as shown (${touched.join(', ')}); nothing was written.`
        : `Dry run: ${relative} is up to date; nothing to change.`,
    );
  else if (!result.changed) ctx.info(`${relative} is up to date; nothing changed.`);
  else ctx.info(`${result.created ? 'Wrote' : 'Updated'} ${relative}: ${touched.join(', ')}.`);
  for (const [key, changes] of Object.entries(result.changes))
    if (changes.length > 0) ctx.info(`  ${key}: ${changes.join('; ')}.`);

  // "(PYTHON_VERSION from .python-version; UV_VERSION, BASE_LAYER from .gitlab-ci.yml)"
  const bySource = new Map<string, string[]>();
  for (const name of ['PYTHON_VERSION', 'UV_VERSION', 'BASE_LAYER'] as const) {
    const { source } = result.pins[name];
    if (source !== 'default') bySource.set(source, [...(bySource.get(source) ?? []), name]);
  }
  const sources = [...bySource].map(([source, names]) => `${names.join(', ')} from ${source}`).join('; ');
  ctx.info(`Image ${result.image}${sources ? ` (${sources})` : ''}.`);
  if (result.indexes.length > 0)
    ctx.info(`Job-token credentials for ${result.indexes.map((index) => `"${index.name}"`).join(', ')}.`);
  else if (allIndexes.length === 0)
    ctx.info(
      'No GitLab index in pyproject.toml yet: `glx init` adds one, and a re-run of glx ci-setup gives it credentials.',
    );
  if (result.local) {
    const verb = result.dryRun ? 'would set' : result.local.action === 'unchanged' ? 'already has' : 'set';
    ctx.info(
      `${path.relative(ctx.cwd, result.local.file) || LOCAL_VARIABLES_FILE} ${verb} CI_JOB_TOKEN to your token (mode 0600; .gitignore: ${result.local.gitignore}).`,
    );
  }
  if (
    (result.jobs.publish === 'added' || result.jobs.publish === 'updated') &&
    !allIndexes.some((index) => index.entry.publishUrl)
  ) {
    ctx.info(
      `Note: uv checks the registry before uploading only with credentials for it; add an index for this project with \`glx init --publish --explicit\` so that a re-run skips files already published.`,
    );
  }
  if (result.allowlist) for (const line of allowlistLines(result.allowlist, result.dryRun)) ctx.info(line);
  if (!result.dryRun && result.changed)
    ctx.info(
      `Next: give your uv jobs \`extends: ${TEMPLATE_JOB}\`${result.allowlist || result.indexes.length === 0 ? '' : ', and if a registry belongs to another project, run `glx ci-setup --allowlist`'}.`,
    );
}
