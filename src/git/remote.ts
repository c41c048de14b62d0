/** The git remote `origin`: which GitLab instance and project this checkout belongs to. */
import type { Deps } from '../deps.js';
import { git } from './repo.js';

export interface RemoteInfo {
  /** https://host[:port] for https remotes; https://host for SSH remotes (the SSH port is not the web port). */
  baseUrl: string;
  host: string;
  /** Full project path, subgroups included, without `.git`. */
  projectPath: string;
}

/**
 * Understands the remote forms users have: `git@host:group/sub/proj.git`,
 * `ssh://git@host:2222/group/proj.git`, `https://[user[:token]@]host[:port]/group/proj(.git)`.
 */
export function parseRemoteUrl(raw: string): RemoteInfo | undefined {
  const url = raw.trim();
  const scp = /^(?:[^@/\s]+@)?(?<host>[^:/\s]+):(?!\/)(?<path>[^\s]+?)(?:\.git)?\/?$/.exec(url);
  if (scp?.groups && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const host = scp.groups.host!.toLowerCase();
    return projectPathOk(scp.groups.path!)
      ? { baseUrl: `https://${host}`, host, projectPath: scp.groups.path! }
      : undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const projectPath = decodeURIComponent(parsed.pathname)
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '');
  if (!projectPathOk(projectPath)) return undefined;
  const host = parsed.hostname.toLowerCase();
  if (parsed.protocol === 'ssh:' || parsed.protocol === 'git+ssh:')
    return { baseUrl: `https://${host}`, host, projectPath };
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:')
    return { baseUrl: `${parsed.protocol}//${parsed.host}`, host, projectPath };
  return undefined;
}

function projectPathOk(path: string): boolean {
  // A GitLab project always lives in a namespace: at least `group/project`.
  return /^[^/\s]+(\/[^/\s]+)+$/.test(path);
}

/** Reads origin's URL with git; `undefined` outside a checkout or without an origin. */
export async function readOrigin(
  deps: Deps,
  cwd: string,
): Promise<{ url: string; info: RemoteInfo | undefined } | undefined> {
  const result = await git(deps, cwd, ['remote', 'get-url', 'origin']);
  if (result?.code !== 0) return undefined;
  const url = result.stdout.trim();
  return url ? { url, info: parseRemoteUrl(url) } : undefined;
}
