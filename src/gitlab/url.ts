/** GitLab URL shapes: base URLs, PyPI simple/publish URLs, and recognising them again. No heavy imports. */

export type RegistryKind = 'project' | 'group';

export interface RegistryRef {
  kind: RegistryKind;
  /** Numeric id, or a full path (`acme/tools`), exactly as it appears in the URL (decoded). */
  id: string;
}

export interface ParsedRegistryUrl extends RegistryRef {
  baseUrl: string;
  host: string;
  /** `simple` for the index URL, `upload` for a project publish URL. */
  shape: 'simple' | 'upload';
  hasCredentials: boolean;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** `https://gitlab.example.com/` → `https://gitlab.example.com`; adds https:// to a bare host. */
export function normalizeBaseUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  const url = new URL(withScheme);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function encodeId(id: string): string {
  return /^\d+$/.test(id) ? id : encodeURIComponent(id);
}

/** https://docs.gitlab.com/api/packages/pypi/: project and group simple index URLs. */
export function simpleUrl(baseUrl: string, ref: RegistryRef): string {
  return ref.kind === 'project'
    ? `${baseUrl}/api/v4/projects/${encodeId(ref.id)}/packages/pypi/simple`
    : `${baseUrl}/api/v4/groups/${encodeId(ref.id)}/-/packages/pypi/simple`;
}

/** Upload endpoint; there is no group-level upload (https://docs.gitlab.com/api/packages/pypi/). */
export function publishUrl(baseUrl: string, projectId: string): string {
  return `${baseUrl}/api/v4/projects/${encodeId(projectId)}/packages/pypi`;
}

const SIMPLE_RE =
  /^(?<prefix>.*?)\/api\/v4\/(?:projects\/(?<project>[^/]+)\/packages\/pypi(?<psimple>\/simple)?|groups\/(?<group>[^/]+)\/-\/packages\/pypi\/simple)\/?$/;

/** Recognises a GitLab PyPI URL (index or upload); `undefined` for anything else. */
export function parseRegistryUrl(raw: string): ParsedRegistryUrl | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const match = SIMPLE_RE.exec(url.pathname);
  if (!match?.groups) return undefined;
  const { prefix, project, psimple, group } = match.groups;
  const baseUrl = `${url.protocol}//${url.host}${prefix ?? ''}`;
  const common = {
    baseUrl,
    host: url.hostname.toLowerCase(),
    hasCredentials: url.username !== '' || url.password !== '',
  };
  if (project) return { ...common, kind: 'project', id: safeDecode(project), shape: psimple ? 'simple' : 'upload' };
  if (group) return { ...common, kind: 'group', id: safeDecode(group), shape: 'simple' };
  return undefined;
}

/**
 * A GitLab registry URL written with a shell-style variable (`${GITLAB_URL}/api/v4/groups/42/-/…`,
 * `…/projects/$PROJECT_ID/…`). uv does not expand variables in index URLs: it requests the text
 * literally (checked with uv 0.13.9), so no command may treat it as the registry it looks like.
 */
export function isUnexpandedRegistryUrl(raw: string): boolean {
  return /\$\{?[A-Za-z_]/.test(raw) && /\/api\/v4\/(?:projects|groups)\/[^/]+\/(?:-\/)?packages\/pypi/.test(raw);
}

export const UNEXPANDED_URL =
  'the URL contains a $VARIABLE, which uv does not expand: it uses the text literally, so the request goes to the wrong place or with the wrong credentials';

export type RegistryMatch = 'same' | 'different' | 'unknown';

/**
 * Whether two GitLab registry references name the same registry. A registry has two spellings,
 * its numeric id and its full path (`groups/42/-/…` and `groups/acme/-/…`, `projects/7/…` and
 * `projects/acme%2Ftools/…`, https://docs.gitlab.com/api/packages/pypi/); paths compare case-insensitively, as GitLab looks them
 * up. A path against an id with no known path is `unknown`: only the API can tell.
 */
export function compareRegistries(
  a: ParsedRegistryUrl,
  b: ParsedRegistryUrl | (RegistryRef & { baseUrl: string; path?: string }),
): RegistryMatch {
  const origin = (baseUrl: string) => baseUrl.replace(/\/+$/, '').toLowerCase();
  if (origin(a.baseUrl) !== origin(b.baseUrl) || a.kind !== b.kind) return 'different';
  const numeric = (id: string) => /^\d+$/.test(id);
  const bPath = 'path' in b ? b.path : undefined;
  if (a.id.toLowerCase() === b.id.toLowerCase()) return 'same';
  if (numeric(a.id) === numeric(b.id)) return 'different';
  if (!numeric(a.id) && bPath !== undefined) return a.id.toLowerCase() === bPath.toLowerCase() ? 'same' : 'different';
  return 'unknown';
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Where GitLab serves an uploaded PyPI file: the URL its simple pages link to and the one a
 * release asset link should carry (https://docs.gitlab.com/api/packages/pypi/, https://docs.gitlab.com/api/releases/links/).
 */
export function pypiFileUrl(baseUrl: string, projectId: string, sha256: string, fileName: string): string {
  return `${baseUrl}/api/v4/projects/${encodeId(projectId)}/packages/pypi/files/${sha256}/${fileName}`;
}
