/**
 * `glx init`: add or update one [[tool.uv.index]] entry for a GitLab registry and pin packages
 * to it. Resolve, plan, act, print.
 */
import path from 'node:path';
import type { Context } from '../cli/context.js';
import type { Env } from '../deps.js';
import { at, GlxError, usageError } from '../errors.js';
import { readOrigin } from '../git/remote.js';
import { publishUrl, simpleUrl } from '../gitlab/url.js';
import { type EditResult, upsertIndex, upsertSources } from '../pyproject/edit.js';
import { findPyproject } from '../pyproject/find.js';
import { createLocator } from '../pyproject/locate.js';
import { validateIndexName } from '../pyproject/index-name.js';
import { type IndexEntry, listIndexes, parsePyproject } from '../pyproject/read.js';
import { resolveBaseUrl } from '../resolve/host.js';
import { parseRegistryArg, type RegistryTarget, resolveNumericId } from '../resolve/registry.js';
import { unifiedDiff } from '../util/diff.js';
import { MAX_EDIT_BYTES, readTextIfExists, writeFileAtomic } from '../util/fs-atomic.js';
import { withFileLock } from '../util/lock.js';

export interface InitOptions {
  target?: RegistryTarget;
  name: string;
  packages: string[];
  explicit: boolean;
  default: boolean;
  ignoreErrorCodes?: number[];
  publish: boolean;
  file?: string;
  dryRun: boolean;
}

export interface InitResult {
  file: string;
  changed: boolean;
  index: { name: string; url: string; action: EditResult['action']; reusedFrom?: string; publishUrl?: string };
  /**
   * Where uv ranks the index: `first` or `after` (the non-explicit index uv asks before it) for an
   * index that serves unpinned packages; `explicit` (pinned packages only) or `default` (asked last).
   */
  rank: { order: 'first' } | { order: 'after'; before: string } | { order: 'explicit' } | { order: 'default' };
  packages: string[];
  registry: { kind: string; id: string; path?: string; host: string };
  diff: string;
  dryRun: boolean;
}

/** PEP 508 distribution names. */
const PACKAGE_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/** argv + env → validated options. Throws usage errors; does no I/O. */
export function parseInitOptions(raw: Record<string, unknown>, _env: Env): InitOptions {
  const name = String(raw.name ?? 'gitlab');
  validateIndexName(name);
  let target: RegistryTarget | undefined;
  if (raw.group !== undefined && raw.project !== undefined) throw usageError('--group and --project cannot be used together', 'Pick the registry: a group (read-only, all its projects) or a project (can publish).');
  if (typeof raw.group === 'string') target = parseRegistryArg('group', raw.group, '--group');
  if (typeof raw.project === 'string') target = parseRegistryArg('project', raw.project, '--project');
  if (raw.publish && target?.kind === 'group') {
    throw usageError('--publish needs a project registry: GitLab has no group-level upload endpoint', 'Use --project <id|path> for the project you publish to; a group index can still be added separately for installs.');
  }
  const packages = ((raw.package as string[] | undefined) ?? []).map((pkg) => pkg.trim());
  for (const pkg of packages) {
    if (!PACKAGE_NAME.test(pkg)) throw usageError(`--package ${JSON.stringify(pkg)} is not a valid Python package name`, 'Use the distribution name as on PyPI, e.g. acme-utils.');
  }
  let ignoreErrorCodes: number[] | undefined;
  if (typeof raw.ignoreErrorCodes === 'string') {
    ignoreErrorCodes = raw.ignoreErrorCodes.split(',').map((part) => {
      const code = Number(part.trim());
      if (!Number.isInteger(code) || code < 100 || code > 599) throw usageError(`--ignore-error-codes: ${JSON.stringify(part.trim())} is not an HTTP status code`, 'Give a comma-separated list such as 401,403.');
      return code;
    });
    ignoreErrorCodes = [...new Set(ignoreErrorCodes)];
  }
  return {
    target,
    name,
    packages: [...new Set(packages)],
    explicit: raw.explicit === true || packages.length > 0,
    default: raw.default === true,
    ignoreErrorCodes,
    publish: raw.publish === true,
    file: typeof raw.file === 'string' ? raw.file : undefined,
    dryRun: raw.dryRun === true,
  };
}

export async function initAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const options = parseInitOptions(raw, ctx.deps.env);
  const result = await init(options, ctx);
  if (ctx.json) ctx.deps.io.out(`${JSON.stringify(result, null, 2)}\n`);
  else if (options.dryRun) ctx.deps.io.out(result.diff);
  return 0;
}

export async function init(options: InitOptions, ctx: Context): Promise<InitResult> {
  const file = await locatePyproject(options.file, ctx);
  const relative = path.relative(ctx.cwd, file) || 'pyproject.toml';
  // Local input first: a broken pyproject.toml fails before any network call.
  const before = await readPyproject(file);
  const existing = readIndexes(before, relative);

  const { target: wanted, fromRemote } = await chooseTarget(options, ctx);
  const base = fromRemote && !ctx.host && !ctx.deps.env.GITLAB_HOST && !ctx.deps.env.GL_HOST ? fromRemote : await resolveBaseUrl(ctx, existing.map((entry) => entry.url));
  ctx.debug(`GitLab host ${base.baseUrl} (from ${base.source})`);
  const target = await resolveNumericId(ctx, base.baseUrl, base.host, wanted);
  if (target.registryAccess === 'disabled') {
    // `packages_disabled` refuses every package request, whatever the role (app/policies/project_policy.rb).
    ctx.warn(`the package registry of project ${target.path ?? target.id} is turned off: uv will be refused until a Maintainer turns it on (Settings > General > Visibility, project features, permissions > Package registry)`);
  }
  const spec = {
    name: options.name,
    url: simpleUrl(base.baseUrl, target),
    authenticate: 'always' as const,
    ...(options.explicit ? { explicit: true } : {}),
    ...(options.default ? { default: true } : {}),
    ...(options.ignoreErrorCodes ? { ignoreErrorCodes: options.ignoreErrorCodes } : {}),
    ...(options.publish ? { publishUrl: publishUrl(base.baseUrl, target.id) } : {}),
  };

  const plan = (text: string) => {
    const index = upsertIndex(text, spec, relative);
    const pins = options.packages.length > 0 ? upsertSources(index.text, options.packages.map((pkg) => ({ package: pkg, index: index.name })), relative) : undefined;
    return { index, pins, after: pins ? pins.text : index.text };
  };

  let planned = plan(before);
  let original = before;
  if (!options.dryRun && planned.after !== before) {
    // Re-read under the lock: another glx may have written since we first looked.
    planned = await withFileLock(file, async () => {
      original = await readPyproject(file);
      const again = original === before ? planned : plan(original);
      if (again.after !== original) await writeFileAtomic(file, again.after);
      return again;
    });
  }
  for (const note of new Set([...planned.index.notes, ...(planned.pins?.notes ?? [])])) ctx.warn(note);

  const changed = planned.after !== original;
  const result: InitResult = {
    file,
    changed,
    index: {
      name: planned.index.name,
      url: spec.url,
      action: planned.index.action,
      ...(planned.index.reusedFrom ? { reusedFrom: planned.index.reusedFrom } : {}),
      ...(spec.publishUrl ? { publishUrl: spec.publishUrl } : {}),
    },
    rank: rankOf(readIndexes(planned.after, relative), planned.index.name),
    packages: options.packages,
    registry: { kind: target.kind, id: target.id, ...(target.path ? { path: target.path } : {}), host: base.host },
    diff: unifiedDiff(original, planned.after, relative),
    dryRun: options.dryRun,
  };
  if (!ctx.json) summarize(result, relative, ctx);
  return result;
}

/** How uv ranks index `name` among `entries` (uv asks the first non-explicit index first; a default one last). */
export function rankOf(entries: IndexEntry[], name: string): InitResult['rank'] {
  const entry = entries.find((e) => e.name === name);
  if (entry?.explicit) return { order: 'explicit' };
  if (entry?.default) return { order: 'default' };
  const first = entries.find((e) => e.explicit !== true && e.default !== true);
  return !first || first.name === name ? { order: 'first' } : { order: 'after', before: first.name ?? first.url };
}

/** Positions cost a second full parse (toml-eslint-parser): pay for them only to report an error. */
function readIndexes(text: string, relative: string): IndexEntry[] {
  const doc = parsePyproject(text, relative);
  try {
    return listIndexes(doc, relative);
  } catch (error) {
    if (error instanceof GlxError) listIndexes(doc, relative, createLocator(text));
    throw error;
  }
}

async function locatePyproject(file: string | undefined, ctx: Context): Promise<string> {
  if (file) return path.resolve(ctx.cwd, file);
  const found = await findPyproject(ctx.cwd);
  if (!found) throw new GlxError('PYPROJECT_NOT_FOUND', `no pyproject.toml in ${ctx.cwd} or any parent directory`, 'Run `uv init` first, or point glx at the file with --file.');
  return found;
}

async function readPyproject(file: string): Promise<string> {
  const text = await readTextIfExists(file, { maxBytes: MAX_EDIT_BYTES });
  if (text === undefined) throw new GlxError('PYPROJECT_NOT_FOUND', `${file} does not exist`, 'Run `uv init` first, or point glx at the file with --file.');
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    // Where it is, so that a stray NUL in an otherwise good file can be found (issue 7).
    const line = text.slice(0, nul).split('\n').length;
    const column = nul - text.lastIndexOf('\n', nul - 1);
    throw new GlxError('PYPROJECT_INVALID', `${at(file, line, column)}: binary content (NUL byte), not a TOML file`, 'Point glx at your pyproject.toml; TOML allows no NUL bytes.');
  }
  return text;
}

async function chooseTarget(options: InitOptions, ctx: Context): Promise<{ target: RegistryTarget; fromRemote?: { baseUrl: string; host: string; source: string } }> {
  if (options.target) return { target: options.target };
  const origin = await readOrigin(ctx.deps, ctx.cwd);
  if (!origin) {
    throw new GlxError('NO_GIT_REMOTE', 'no --group or --project given, and this directory has no git remote "origin"', 'Name the registry: glx init --group <id|path> or --project <id|path>.');
  }
  if (!origin.info) {
    throw new GlxError('NO_GIT_REMOTE', 'the git remote "origin" is not a GitLab project URL', 'Name the registry: glx init --group <id|path> or --project <id|path>.');
  }
  const { info } = origin;
  ctx.debug(`project ${info.projectPath} from git remote origin`);
  return {
    target: { kind: 'project', id: info.projectPath, path: info.projectPath },
    fromRemote: { baseUrl: info.baseUrl, host: info.host, source: 'git remote origin' },
  };
}

function summarize(result: InitResult, relative: string, ctx: Context): void {
  const { index } = result;
  const where = `${result.registry.kind} ${result.registry.path ?? result.registry.id}${result.registry.path ? ` (id ${result.registry.id})` : ''}`;
  if (result.dryRun) {
    ctx.info(result.changed ? `Dry run: ${relative} would change as shown; nothing was written.` : `Dry run: ${relative} already points at ${where}; nothing to change.`);
    return;
  }
  if (!result.changed) {
    ctx.info(`${relative} already has index "${index.name}" for ${where}; nothing changed.`);
    return;
  }
  const verb = index.action === 'added' ? 'Added' : 'Updated';
  const reused = index.reusedFrom ? ` (reused the entry with the same URL)` : '';
  ctx.info(`${verb} index "${index.name}"${reused} → ${where} on ${result.registry.host} in ${relative}.`);
  if (result.packages.length > 0) ctx.info(`Pinned ${result.packages.join(', ')} to "${index.name}".`);
  const { rank } = result;
  if (rank.order === 'after') {
    ctx.warn(`uv asks index "${rank.before}" before "${index.name}" for packages not pinned to an index (the first non-explicit index wins); glx left the entry where it was: move its [[tool.uv.index]] block above "${rank.before}", or pin packages with --package`);
  } else {
    ctx.info(
      rank.order === 'first'
        ? `uv asks "${index.name}" first for packages not pinned to an index.`
        : rank.order === 'explicit'
          ? `uv uses "${index.name}" only for the packages pinned to it (explicit = true).`
          : `"${index.name}" is the default index: uv asks it after every other index.`,
    );
  }
  ctx.info('Next: `glx auth --netrc` to give uv credentials for it.');
}
