/**
 * The GitLab indexes a command works on: those of the uv project's pyproject.toml (the workspace
 * root's, as uv reads them), and the GitLab host they and the token belong to. Shared by env,
 * auth, ci-setup, publish and doctor. It stays light: `glx env` loads it at every shell start.
 */
import path from 'node:path';
import type { Deps, Log } from '../deps.js';
import { GlxError } from '../errors.js';
import { isUnexpandedRegistryUrl, type ParsedRegistryUrl, parseRegistryUrl, UNEXPANDED_URL } from '../gitlab/url.js';
import { type LegacyIndex, legacyIndexes, legacyMessage } from '../pyproject/legacy.js';
import { type IndexEntry, type Locate, listIndexes, parsePyproject, type TomlTable } from '../pyproject/read.js';
import { findUvProject, type WorkspaceDefinition } from '../pyproject/workspace.js';
import { readTextIfExists } from '../util/fs-atomic.js';
import { type HostWhere, resolveBaseUrl } from './host.js';

export interface GitLabIndex {
  entry: IndexEntry & { name: string };
  registry: ParsedRegistryUrl;
}

export interface LoadedIndexes {
  file: string;
  relative: string;
  doc: TomlTable;
  all: IndexEntry[];
  gitlab: GitLabIndex[];
  /** GitLab registries set with index-url / extra-index-url (pyproject, uv.toml, UV_INDEX_URL). */
  legacy: LegacyIndex[];
  /** GitLab-looking indexes whose URL has a $VARIABLE uv does not expand; not in `gitlab`. */
  unexpanded: IndexEntry[];
  /** The workspace member glx was run in, when uv reads the settings from the root above it. */
  member?: string;
  workspace?: WorkspaceDefinition;
}

export interface LoadIndexesOptions {
  /** The directory glx runs in (--cwd). */
  cwd: string;
  /** --file: this pyproject.toml instead of the uv project's. */
  file?: string;
  /** Adds line:column to errors; env leaves it out to keep toml-eslint-parser off its path. */
  locator?: (text: string) => Locate;
  /** No warnings about skipped indexes (doctor reports them as checks instead). */
  quiet?: boolean;
}

/** The GitLab indexes of a pyproject.toml, with the file's path. */
export async function loadGitLabIndexes(deps: Deps, log: Log, options: LoadIndexesOptions): Promise<LoadedIndexes> {
  const { cwd, file, locator } = options;
  const display = (name: string) => path.relative(cwd, name) || 'pyproject.toml';
  // uv reads indexes from the workspace root, never from a member (workspace.ts).
  const project = file ? undefined : await findUvProject(cwd, display);
  const found = file ? path.resolve(cwd, file) : project?.root;
  if (!found)
    throw new GlxError(
      'PYPROJECT_NOT_FOUND',
      `no pyproject.toml in ${cwd} or any parent directory`,
      'Run glx in your uv project, or point it at the file with --file.',
    );
  const relative = display(found);
  const text = project ? project.text : await readTextIfExists(found);
  if (text === undefined)
    throw new GlxError(
      'PYPROJECT_NOT_FOUND',
      `${found} does not exist`,
      'Point glx at your pyproject.toml with --file.',
    );
  const doc = project ? project.doc : parsePyproject(text, relative);
  if (project?.member)
    log.debug(`${display(project.member)} is a member of the uv workspace at ${relative}; reading indexes there`);
  let all: IndexEntry[];
  try {
    all = listIndexes(doc, relative, locator?.(text));
  } catch (error) {
    // Errors name the line. The position-keeping parser loads only now, on the way to
    // an error, so that `glx env` does not pay for it at every shell start.
    if (locator || !(error instanceof GlxError)) throw error;
    const { createLocator } = await import('../pyproject/locate.js');
    listIndexes(doc, relative, createLocator(text));
    throw error;
  }
  const gitlab: GitLabIndex[] = [];
  const unexpanded: IndexEntry[] = [];
  for (const entry of all) {
    if (isUnexpandedRegistryUrl(entry.url)) {
      // Every command says the same thing about it (doctor makes it a failed check instead).
      if (!options.quiet)
        log.warn(
          `index "${entry.name ?? entry.url}" in ${relative}: ${UNEXPANDED_URL}; glx skips it. Write the URL out (glx init) and put credentials in the environment: eval "$(glx env)"`,
        );
      unexpanded.push(entry);
      continue;
    }
    const registry = parseRegistryUrl(entry.url);
    // uv only gives env credentials to named indexes (https://github.com/astral-sh/uv/blob/main/crates/uv-static/src/env_vars.rs).
    if (registry && registry.shape === 'simple' && entry.name !== undefined)
      gitlab.push({ entry: entry as GitLabIndex['entry'], registry });
  }
  const uvTomlFile = path.join(path.dirname(found), 'uv.toml');
  const uvTomlText = await readTextIfExists(uvTomlFile);
  const uvToml =
    uvTomlText === undefined
      ? undefined
      : { doc: parsePyproject(uvTomlText, display(uvTomlFile)), relative: display(uvTomlFile) };
  const legacy = legacyIndexes(doc, relative, uvToml, deps.env);
  if (!options.quiet) for (const item of legacy) log.warn(legacyMessage(item));
  return {
    file: found,
    relative,
    doc,
    all,
    gitlab,
    unexpanded,
    legacy,
    ...(project?.member ? { member: project.member } : {}),
    ...(project?.workspace ? { workspace: project.workspace } : {}),
  };
}

export interface Target {
  baseUrl: string;
  host: string;
  /** Where the host came from (--host, GITLAB_HOST, pyproject.toml, ...). */
  source: string;
  /** The GitLab indexes on `host`. */
  indexes: GitLabIndex[];
  /** The GitLab indexes on other hosts: not checked with this host's token. */
  elsewhere: GitLabIndex[];
}

/** The GitLab host and its indexes; a missing pyproject.toml is fine for auth (no registry checks then). */
export async function loadTarget(deps: Deps, log: Log, where: HostWhere, file: string | undefined): Promise<Target> {
  let indexes: GitLabIndex[] = [];
  try {
    indexes = (await loadGitLabIndexes(deps, log, { cwd: where.cwd, file })).gitlab;
  } catch (error) {
    if (!(error instanceof GlxError && error.code === 'PYPROJECT_NOT_FOUND' && !file)) throw error;
  }
  const base = await resolveBaseUrl(
    deps,
    where,
    indexes.map((index) => index.entry.url),
  );
  log.debug(`GitLab host ${base.baseUrl} (from ${base.source})`);
  const onHost = indexes.filter((index) => index.registry.host === base.host);
  const elsewhere = indexes.filter((index) => index.registry.host !== base.host);
  return { baseUrl: base.baseUrl, host: base.host, source: base.source, indexes: onHost, elsewhere };
}
