/**
 * `glx init`: add or update one [[tool.uv.index]] entry for a GitLab registry and pin packages
 * to it. Resolve, plan, act, print.
 */
import path from 'node:path';
import type { Context } from '../cli/context.js';
import type { Env } from '../deps.js';
import { at, GlxError, usageError } from '../errors.js';
import { readOrigin } from '../git/remote.js';
import { compareRegistries, parseRegistryUrl, publishUrl, simpleUrl } from '../gitlab/url.js';
import { type EditResult, type Parsed, removeLegacyUrl, upsertIndex, upsertSources } from '../pyproject/edit.js';
import { validateIndexName } from '../pyproject/index-name.js';
import { type LegacyIndex, legacyIndexes } from '../pyproject/legacy.js';
import { createLocator } from '../pyproject/locate.js';
import {
  type IndexEntry,
  isPackageName,
  listIndexes,
  listSources,
  normalizePackageName,
  parsePyproject,
  sourceIndex,
} from '../pyproject/read.js';
import { findUvProject } from '../pyproject/workspace.js';
import { resolveBaseUrl } from '../resolve/host.js';
import { parseRegistryArg, type RegistryTarget, resolveNumericId } from '../resolve/registry.js';
import { unifiedDiff } from '../util/diff.js';
import { MAX_EDIT_BYTES, readTextIfExists, writeFileAtomic } from '../util/fs-atomic.js';
import { lockOptions, withFileLock } from '../util/lock.js';

export interface InitOptions {
  target?: RegistryTarget;
  name: string;
  packages: string[];
  explicit: boolean;
  /** explicit = true only because of --package (not asked for with --explicit). */
  explicitImplied: boolean;
  /** Point an existing index name at another registry. */
  replace: boolean;
  /** Turn `[tool.uv] index-url` / `extra-index-url` for the registry into the index. */
  migrate: boolean;
  default: boolean;
  ignoreErrorCodes?: number[];
  publish: boolean;
  file?: string;
  dryRun: boolean;
}

export interface InitResult {
  file: string;
  /** The workspace member glx ran in; the index went to `file`, the workspace root. */
  member?: string;
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

/** argv + env → validated options. Throws usage errors; does no I/O. */
export function parseInitOptions(raw: Record<string, unknown>, _env: Env): InitOptions {
  const name = String(raw.name ?? 'gitlab');
  validateIndexName(name);
  let target: RegistryTarget | undefined;
  if (raw.group !== undefined && raw.project !== undefined)
    throw usageError(
      '--group and --project cannot be used together',
      'Pick the registry: a group (read-only, all its projects) or a project (can publish).',
    );
  if (typeof raw.group === 'string') target = parseRegistryArg('group', raw.group, '--group');
  if (typeof raw.project === 'string') target = parseRegistryArg('project', raw.project, '--project');
  if (raw.publish && target?.kind === 'group') {
    throw usageError(
      '--publish needs a project registry: GitLab has no group-level upload endpoint',
      'Use --project <id|path> for the project you publish to; a group index can still be added separately for installs.',
    );
  }
  const packages = ((raw.package as string[] | undefined) ?? []).map((pkg) => pkg.trim());
  for (const pkg of packages) {
    if (!isPackageName(pkg))
      throw usageError(
        `--package ${JSON.stringify(pkg)} is not a valid Python package name`,
        'Use the distribution name as on PyPI, e.g. acme-utils.',
      );
  }
  let ignoreErrorCodes: number[] | undefined;
  if (typeof raw.ignoreErrorCodes === 'string') {
    ignoreErrorCodes = raw.ignoreErrorCodes.split(',').map((part) => {
      const code = Number(part.trim());
      if (!Number.isInteger(code) || code < 100 || code > 599)
        throw usageError(
          `--ignore-error-codes: ${JSON.stringify(part.trim())} is not an HTTP status code`,
          'Give a comma-separated list such as 401,403.',
        );
      return code;
    });
    ignoreErrorCodes = [...new Set(ignoreErrorCodes)];
  }
  return {
    target,
    name,
    packages: [...new Set(packages)],
    explicit: raw.explicit === true || packages.length > 0,
    explicitImplied: raw.explicit !== true && packages.length > 0,
    replace: raw.replace === true,
    migrate: raw.migrate === true,
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
  const { file, member, found } = await locatePyproject(options.file, ctx);
  const relative = displayPath(ctx, file);
  // Local input first: a broken pyproject.toml fails before any network call. Parsed once: the
  // indexes, the legacy settings and the edit all read this document.
  const before = await readPyproject(file);
  const parsed: Parsed = { text: before, doc: found?.text === before ? found.doc : parsePyproject(before, relative) };
  const existing = readIndexes(parsed, relative);
  // In a workspace member, uv reads indexes from the root only; a pin goes to the root's sources
  // (uv applies them to every member) unless the member has its own entry, which overrides it.
  const memberRelative = member ? displayPath(ctx, member) : undefined;
  const memberBefore = member ? await readPyproject(member) : undefined;
  const memberKeys =
    memberBefore !== undefined
      ? new Set([...listSources(parsePyproject(memberBefore, memberRelative!)).keys()].map(normalizePackageName))
      : new Set<string>();
  const memberPins = options.packages.filter((pkg) => memberKeys.has(normalizePackageName(pkg)));
  const rootPins = options.packages.filter((pkg) => !memberKeys.has(normalizePackageName(pkg)));
  if (member)
    ctx.info(
      `${memberRelative} is a member of the uv workspace at ${relative}: uv reads indexes from the root, so glx writes them there.`,
    );

  const legacy = legacyIndexes(parsed.doc, relative, undefined, {});
  const fromLegacy = !options.target && options.migrate ? legacySource(legacy, relative) : undefined;
  const { target: wanted, fromRemote } = fromLegacy ?? (await chooseTarget(options, ctx));
  const base = fromLegacy
    ? fromLegacy.fromRemote
    : fromRemote && !ctx.host && !ctx.deps.env.GITLAB_HOST && !ctx.deps.env.GL_HOST
      ? fromRemote
      : await resolveBaseUrl(
          ctx.deps,
          ctx,
          existing.map((entry) => entry.url),
        );
  ctx.debug(`GitLab host ${base.baseUrl} (from ${base.source})`);
  const target = await resolveNumericId(ctx.deps, ctx, wanted, {
    baseUrl: base.baseUrl,
    host: base.host,
    tokenStdin: ctx.tokenStdin,
  });
  const migrating = legacyFor(legacy, options, { baseUrl: base.baseUrl, ...target }, relative);
  const kept = keepSpelling(existing, options, { baseUrl: base.baseUrl, ...target }, relative, ctx);
  if (target.registryAccess === 'disabled') {
    // `packages_disabled` refuses every package request, whatever the role (app/policies/project_policy.rb).
    ctx.warn(
      `the package registry of project ${target.path ?? target.id} is turned off: uv will be refused until a Maintainer turns it on (Settings > General > Visibility, project features, permissions > Package registry)`,
    );
  }
  const spec = {
    name: options.name,
    url: migrating[0]?.url ?? kept ?? simpleUrl(base.baseUrl, target),
    authenticate: 'always' as const,
    ...(options.explicit ? { explicit: true } : {}),
    // index-url replaced PyPI; its [[tool.uv.index]] form says so with default = true (uv's indexes docs).
    ...(options.default || migrating.some((item) => item.key === 'index-url') ? { default: true } : {}),
    ...(options.ignoreErrorCodes ? { ignoreErrorCodes: options.ignoreErrorCodes } : {}),
    ...(options.publish ? { publishUrl: publishUrl(base.baseUrl, target.id) } : {}),
  };

  const plan = (source: Parsed | string) => {
    const migrated = migrating.reduce<Parsed | string>(
      (out, item) => removeLegacyUrl(out, item.key, item.url, relative),
      source,
    );
    const index = upsertIndex(migrated, spec, relative);
    const pins =
      rootPins.length > 0
        ? upsertSources(
            index,
            rootPins.map((pkg) => ({ package: pkg, index: index.name })),
            relative,
          )
        : undefined;
    const after = pins ?? index;
    return { index, pins, after: after.text, doc: after.doc };
  };
  let planned = plan(parsed);
  const planMember = (text: string) =>
    upsertSources(
      text,
      memberPins.map((pkg) => ({ package: pkg, index: planned.index.name })),
      memberRelative!,
    );

  let original = before;
  if (!options.dryRun && planned.after !== before) {
    // Re-read under the lock: another glx may have written since we first looked.
    planned = await withFileLock(
      file,
      async () => {
        original = await readPyproject(file);
        const again = original === before ? planned : plan(original);
        if (again.after !== original) await writeFileAtomic(file, again.after);
        return again;
      },
      lockOptions(ctx.deps.env),
    );
  }
  let memberOriginal = memberBefore ?? '';
  let memberPlanned = member && memberPins.length > 0 ? planMember(memberOriginal) : undefined;
  if (member && memberPlanned && !options.dryRun && memberPlanned.text !== memberOriginal) {
    memberPlanned = await withFileLock(
      member,
      async () => {
        memberOriginal = await readPyproject(member);
        const again = planMember(memberOriginal);
        if (again.text !== memberOriginal) await writeFileAtomic(member, again.text);
        return again;
      },
      lockOptions(ctx.deps.env),
    );
  }
  for (const note of new Set([...planned.index.notes, ...(planned.pins?.notes ?? []), ...(memberPlanned?.notes ?? [])]))
    ctx.warn(note);
  const previous = planned.index.previous;
  if (options.explicitImplied && previous && previous.explicit !== true) {
    const pinned = [...listSources(planned.doc)]
      .filter(([, value]) => sourceIndex(value) === planned.index.name)
      .map(([pkg]) => pkg);
    ctx.warn(
      `index "${planned.index.name}" was not explicit; --package makes it explicit = true, so uv takes only the packages pinned to it from there (${[...new Set([...pinned, ...memberPins])].join(', ')}): unpinned packages stop resolving from it`,
    );
  }

  const memberAfter = memberPlanned?.text ?? memberOriginal;
  const changed = planned.after !== original || memberAfter !== memberOriginal;
  const result: InitResult = {
    file,
    ...(member ? { member } : {}),
    changed,
    index: {
      name: planned.index.name,
      url: spec.url,
      action: planned.index.action,
      ...(planned.index.reusedFrom ? { reusedFrom: planned.index.reusedFrom } : {}),
      ...(spec.publishUrl ? { publishUrl: spec.publishUrl } : {}),
    },
    // The edit checked the indexes of its result (or left the checked original as it was).
    rank: rankOf(listIndexes(planned.doc, relative), planned.index.name),
    packages: options.packages,
    registry: { kind: target.kind, id: target.id, ...(target.path ? { path: target.path } : {}), host: base.host },
    diff:
      unifiedDiff(original, planned.after, relative) +
      (member ? unifiedDiff(memberOriginal, memberAfter, memberRelative!) : ''),
    dryRun: options.dryRun,
  };
  if (!ctx.json) summarize(result, relative, ctx, memberPins.length > 0 ? memberRelative : undefined);
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

/** `glx init --migrate` with no --group/--project: the one GitLab registry the legacy keys name. */
function legacySource(
  legacy: LegacyIndex[],
  relative: string,
): { target: RegistryTarget; fromRemote: { baseUrl: string; host: string; source: string } } {
  const first = legacy[0];
  if (!first)
    throw usageError(
      `--migrate: ${relative} has no [tool.uv] index-url or extra-index-url pointing at GitLab`,
      'Nothing to migrate; add an index with glx init --group <id|path> or --project <id|path>.',
    );
  if (legacy.some((item) => compareRegistries(item.registry, first.registry) !== 'same')) {
    throw usageError(
      `--migrate: ${relative} names several GitLab registries in index-url / extra-index-url`,
      'Migrate one at a time: glx init --migrate --group|--project <id> --name <name>.',
    );
  }
  const { registry } = first;
  return {
    target: { kind: registry.kind, id: registry.id },
    fromRemote: { baseUrl: registry.baseUrl, host: registry.host, source: first.where },
  };
}

/**
 * The legacy settings for this registry. Without --migrate they are refused: adding the index
 * would list the registry twice. With --migrate they are what the edit takes out.
 */
function legacyFor(
  legacy: LegacyIndex[],
  options: InitOptions,
  wanted: RegistryTarget & { baseUrl: string },
  relative: string,
): LegacyIndex[] {
  const same = legacy.filter((item) => compareRegistries(item.registry, wanted) === 'same');
  if (options.migrate && same.length === 0) {
    throw usageError(
      `--migrate: no [tool.uv] index-url or extra-index-url in ${relative} points at ${wanted.kind} ${wanted.path ?? wanted.id}`,
      'Run without --migrate to add the index, or name the registry the legacy setting points at.',
    );
  }
  if (!options.migrate && same[0]) {
    throw usageError(
      `${same[0].where} already points at ${wanted.kind} ${wanted.path ?? wanted.id}; adding [[tool.uv.index]] "${options.name}" would list the registry twice`,
      'Move it into a named index instead: glx init --migrate (add --dry-run to see the diff first).',
    );
  }
  return same;
}

/**
 * The URL to write for the registry, given what the file already has: the existing spelling when
 * an entry names the same registry (path or numeric id, so nothing churns), undefined for the
 * canonical one. An existing name that points elsewhere is refused unless --replace.
 */
function keepSpelling(
  existing: IndexEntry[],
  options: InitOptions,
  wanted: RegistryTarget & { baseUrl: string },
  relative: string,
  ctx: Context,
): string | undefined {
  const describe = (kind: string, id: string, path?: string) =>
    `${kind} ${path ?? id}${path && path !== id ? ` (id ${id})` : ''}`;
  const here = describe(wanted.kind, wanted.id, wanted.path);
  const named = existing.find((entry) => entry.name === options.name);
  if (!named) {
    const same = existing.find((entry) => {
      const parsed = parseRegistryUrl(entry.url);
      return parsed?.shape === 'simple' && !parsed.hasCredentials && compareRegistries(parsed, wanted) === 'same';
    });
    return same?.url;
  }
  const parsed = parseRegistryUrl(named.url);
  const match = parsed?.shape === 'simple' ? compareRegistries(parsed, wanted) : 'different';
  // A URL with credentials is never written back (upsertIndex compares without them and warns).
  if (match === 'same') return parsed?.hasCredentials ? undefined : named.url;
  const there = parsed ? `${describe(parsed.kind, parsed.id)} on ${parsed.host}` : ctx.deps.secrets.redact(named.url);
  if (options.replace) {
    ctx.warn(
      `index "${options.name}" pointed at ${there}; --replace points it at ${here} (packages pinned to "${options.name}" now resolve from there)`,
    );
    return undefined;
  }
  const why =
    match === 'unknown'
      ? `index "${options.name}" in ${relative} points at ${there}, and without asking GitLab glx cannot tell whether that is ${here}`
      : `index "${options.name}" in ${relative} already points at ${there}; refusing to point it at ${here}`;
  const lookup =
    match === 'unknown' ? ` Give the registry by path (--${wanted.kind} ${parsed?.id}) so glx can look it up,` : '';
  throw usageError(
    why,
    `${lookup} Add a second index with --name <other-name> (e.g. --name ${options.name}-${wanted.kind}), or pass --replace to repoint "${options.name}".`.trim(),
  );
}

function displayPath(ctx: Context, file: string): string {
  return path.relative(ctx.cwd, file) || 'pyproject.toml';
}

/** Positions cost a second full parse (toml-eslint-parser): pay for them only to report an error. */
function readIndexes({ text, doc }: Parsed, relative: string): IndexEntry[] {
  try {
    return listIndexes(doc, relative);
  } catch (error) {
    if (error instanceof GlxError) listIndexes(doc, relative, createLocator(text));
    throw error;
  }
}

/** The file uv reads indexes from (the workspace root's) and the member glx runs in, if any. */
async function locatePyproject(
  file: string | undefined,
  ctx: Context,
): Promise<{ file: string; member?: string; found?: Parsed }> {
  if (file) return { file: path.resolve(ctx.cwd, file) };
  const found = await findUvProject(ctx.cwd, (name) => displayPath(ctx, name));
  if (!found)
    throw new GlxError(
      'PYPROJECT_NOT_FOUND',
      `no pyproject.toml in ${ctx.cwd} or any parent directory`,
      'Run `uv init` first, or point glx at the file with --file.',
    );
  return { file: found.root, ...(found.member ? { member: found.member } : {}), found };
}

async function readPyproject(file: string): Promise<string> {
  const text = await readTextIfExists(file, { maxBytes: MAX_EDIT_BYTES });
  if (text === undefined)
    throw new GlxError(
      'PYPROJECT_NOT_FOUND',
      `${file} does not exist`,
      'Run `uv init` first, or point glx at the file with --file.',
    );
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    // Where it is, so that a stray NUL in an otherwise good file can be found.
    const line = text.slice(0, nul).split('\n').length;
    const column = nul - text.lastIndexOf('\n', nul - 1);
    throw new GlxError(
      'PYPROJECT_INVALID',
      `${at(file, line, column)}: binary content (NUL byte), not a TOML file`,
      'Point glx at your pyproject.toml; TOML allows no NUL bytes.',
    );
  }
  return text;
}

async function chooseTarget(
  options: InitOptions,
  ctx: Context,
): Promise<{ target: RegistryTarget; fromRemote?: { baseUrl: string; host: string; source: string } }> {
  if (options.target) return { target: options.target };
  const origin = await readOrigin(ctx.deps, ctx.cwd);
  if (!origin) {
    throw new GlxError(
      'NO_GIT_REMOTE',
      'no --group or --project given, and this directory has no git remote "origin"',
      'Name the registry: glx init --group <id|path> or --project <id|path>.',
    );
  }
  if (!origin.info) {
    throw new GlxError(
      'NO_GIT_REMOTE',
      'the git remote "origin" is not a GitLab project URL',
      'Name the registry: glx init --group <id|path> or --project <id|path>.',
    );
  }
  const { info } = origin;
  ctx.debug(`project ${info.projectPath} from git remote origin`);
  return {
    target: { kind: 'project', id: info.projectPath, path: info.projectPath },
    fromRemote: { baseUrl: info.baseUrl, host: info.host, source: 'git remote origin' },
  };
}

function summarize(result: InitResult, relative: string, ctx: Context, memberPinned?: string): void {
  const { index } = result;
  const where = `${result.registry.kind} ${result.registry.path ?? result.registry.id}${result.registry.path ? ` (id ${result.registry.id})` : ''}`;
  if (result.dryRun) {
    ctx.info(
      result.changed
        ? `Dry run: ${relative} would change as shown; nothing was written.`
        : `Dry run: ${relative} already points at ${where}; nothing to change.`,
    );
    return;
  }
  if (!result.changed) {
    ctx.info(`${relative} already has index "${index.name}" for ${where}; nothing changed.`);
    return;
  }
  const verb = index.action === 'added' ? 'Added' : 'Updated';
  const reused = index.reusedFrom ? ` (reused the entry with the same URL)` : '';
  ctx.info(`${verb} index "${index.name}"${reused} → ${where} on ${result.registry.host} in ${relative}.`);
  if (result.packages.length > 0)
    ctx.info(
      `Pinned ${result.packages.join(', ')} to "${index.name}"${memberPinned ? ` (the ones ${memberPinned} already had sources for, in ${memberPinned})` : ''}.`,
    );
  const { rank } = result;
  if (rank.order === 'after') {
    ctx.warn(
      `uv asks index "${rank.before}" before "${index.name}" for packages not pinned to an index (the first non-explicit index wins); glx left the entry where it was: move its [[tool.uv.index]] block above "${rank.before}", or pin packages with --package`,
    );
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
