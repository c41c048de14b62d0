/**
 * Turns `--group acme/platform` or `--project 7` into a numeric registry id on a GitLab host.
 * A numeric id needs no network; a path is looked up with whatever token is available.
 */
import { findToken, type ResolvedToken } from '../credentials/token.js';
import type { Deps, Log } from '../deps.js';
import { GlxError } from '../errors.js';
import { openGitLab } from '../gitlab/open.js';
import type { RegistryKind } from '../gitlab/url.js';

export interface RegistryTarget {
  kind: RegistryKind;
  id: string;
  /** Full path when known (from the API or the git remote). */
  path?: string;
  /** The project's `package_registry_access_level`, when the API was asked. */
  registryAccess?: string;
  /** public, internal or private, when the API was asked. */
  visibility?: string;
}

/** `42`, `acme`, `acme/sub/tools`; no empty segments, no URL. */
export function parseRegistryArg(kind: RegistryKind, raw: string, flag: string): RegistryTarget {
  const value = raw.trim().replace(/^\/+|\/+$/g, '');
  if (/^\d+$/.test(value)) {
    if (value === '0' || value.length > 18)
      throw new GlxError(
        'USAGE',
        `${flag} ${raw}: not a valid ${kind} id`,
        `Use the numeric ${kind} id shown on the ${kind} page, or its full path.`,
      );
    return { kind, id: value };
  }
  if (/^https?:\/\//.test(value)) {
    throw new GlxError(
      'USAGE',
      `${flag} takes an id or a path, not a URL: ${raw}`,
      `Use e.g. ${flag} ${new URL(value).pathname.replace(/^\/+|\/+$/g, '') || '42'} and --host for the instance.`,
    );
  }
  const segment = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
  const parts = value.split('/');
  if (value === '' || !parts.every((part) => segment.test(part))) {
    throw new GlxError(
      'USAGE',
      `${flag} ${JSON.stringify(raw)}: not a GitLab ${kind} id or path`,
      `Use the numeric id or the full path, e.g. ${kind === 'group' ? 'acme/platform' : 'acme/tools'}.`,
    );
  }
  if (kind === 'project' && parts.length < 2) {
    throw new GlxError(
      'USAGE',
      `${flag} ${raw}: a project path includes its namespace`,
      'Use the full path, e.g. acme/tools, or the numeric project id.',
    );
  }
  return { kind, id: value, path: value };
}

export interface LookupOptions {
  baseUrl: string;
  host: string;
  /** The token to ask with; else the host's from the usual sources. */
  token?: ResolvedToken;
  /** --token-stdin was given. */
  tokenStdin: boolean;
}

export async function resolveNumericId(
  deps: Deps,
  log: Log,
  target: RegistryTarget,
  options: LookupOptions,
): Promise<RegistryTarget> {
  if (/^\d+$/.test(target.id)) return target;
  const { baseUrl, host, token } = options;
  const { env } = deps;
  // Job tokens cannot call the Projects API (https://docs.gitlab.com/ci/jobs/ci_job_token/); the pipeline already knows its own id.
  if (target.kind === 'project' && env.GITLAB_CI === 'true' && env.CI_PROJECT_PATH === target.id && env.CI_PROJECT_ID) {
    return { ...target, id: env.CI_PROJECT_ID, path: target.id };
  }
  const credential = token ?? (await findToken(deps, { host, tokenStdin: options.tokenStdin }));
  const usable = credential && credential.kind !== 'job' && credential.kind !== 'deploy' ? credential : undefined;
  const client = await openGitLab(deps, log, { baseUrl, token: usable?.token, kind: usable?.kind });
  try {
    // The API module (and with it zod and undici) loads only when a path must become an id:
    // `glx init --group 42` never pays for it.
    const { getGroup, getProject } = await import('../gitlab/api.js');
    const found = target.kind === 'project' ? await getProject(client, target.id) : await getGroup(client, target.id);
    const path = 'path_with_namespace' in found ? found.path_with_namespace : found.full_path;
    log.debug(`${target.kind} ${target.id} is id ${found.id} on ${host}`);
    // GitLab finds a renamed or moved project by its old path too (a 301 that getProject followed).
    if (path.toLowerCase() !== target.id.toLowerCase())
      log.warn(`${target.kind} ${target.id} was renamed or moved: it is now ${path} (id ${found.id}); using that`);
    const registryAccess = 'package_registry_access_level' in found ? found.package_registry_access_level : undefined;
    return {
      kind: target.kind,
      id: String(found.id),
      path,
      ...(registryAccess ? { registryAccess } : {}),
      ...(found.visibility ? { visibility: found.visibility } : {}),
    };
  } catch (error) {
    if (error instanceof GlxError && error.code === 'GITLAB_NOT_FOUND') {
      // Without a token a private group or project looks exactly like a missing one: that is a
      // credentials problem (exit 4), and storing a token is the fix to offer first.
      if (!usable) {
        throw new GlxError(
          'NO_TOKEN',
          `${target.kind} ${target.id} not found on ${host}, or it is private and no token was available`,
          `Run \`glx auth --netrc --host ${baseUrl}\` (or set GITLAB_TOKEN), or pass the numeric id with --${target.kind}: it needs no lookup.`,
        );
      }
      throw new GlxError(
        'GITLAB_NOT_FOUND',
        `${target.kind} ${target.id} not found on ${host}, or this token cannot see it`,
        `Check the path, or pass the numeric id with --${target.kind}.`,
      );
    }
    throw error;
  }
}
