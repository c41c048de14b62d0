/**
 * Which GitLab instance glx talks to, the first found winning: --host > GITLAB_HOST/GL_HOST
 * > CI_SERVER_URL in CI > a GitLab index already in pyproject.toml > git remote origin > glab's
 * default host > https://gitlab.com.
 */
import { readGlabConfig } from '../credentials/glab.js';
import type { Deps } from '../deps.js';
import { GlxError } from '../errors.js';
import { readOrigin } from '../git/remote.js';
import { isUnexpandedRegistryUrl, normalizeBaseUrl, parseRegistryUrl } from '../gitlab/url.js';
import { displayUrl } from '../util/redact.js';

export interface HostResolution {
  baseUrl: string;
  host: string;
  source: string;
}

/** Where glx runs: the directory (--cwd, for its git remote) and the --host it was given. */
export interface HostWhere {
  cwd: string;
  host?: string;
}

export async function resolveBaseUrl(deps: Deps, where: HostWhere, indexUrls: string[] = []): Promise<HostResolution> {
  const { env } = deps;
  const fromValue = (value: string, source: string): HostResolution => {
    let baseUrl: string;
    // The value may carry user:token@: never echo it; JSON quoting keeps it on one line.
    const invalid = () =>
      new GlxError(
        'USAGE',
        `invalid GitLab host from ${source}: ${JSON.stringify(displayUrl(value))}`,
        'Use a URL like https://gitlab.example.com',
      );
    try {
      baseUrl = normalizeBaseUrl(value);
    } catch {
      throw invalid();
    }
    const host = new URL(baseUrl).hostname.toLowerCase();
    // RFC 1035 limits (253 characters, 63 per label): beyond them no resolver can look the host up,
    // and the name would only end up in the netrc.
    if (host === '' || host.length > 253 || host.split('.').some((label) => label.length > 63)) throw invalid();
    return { baseUrl, host, source };
  };
  // An empty --host is a mistake (an unset variable in a script), not "use the default".
  if (where.host !== undefined) return fromValue(where.host, '--host');
  if (env.GITLAB_HOST) return fromValue(env.GITLAB_HOST, 'GITLAB_HOST');
  if (env.GL_HOST) return fromValue(env.GL_HOST, 'GL_HOST');
  if (env.GITLAB_CI === 'true' && env.CI_SERVER_URL) return fromValue(env.CI_SERVER_URL, 'CI_SERVER_URL');
  for (const url of indexUrls) {
    // A $VARIABLE URL names no host uv would reach (url.ts, isUnexpandedRegistryUrl).
    const parsed = isUnexpandedRegistryUrl(url) ? undefined : parseRegistryUrl(url);
    if (parsed) return fromValue(parsed.baseUrl, 'pyproject.toml');
  }
  const origin = await readOrigin(deps, where.cwd);
  if (origin?.info) return fromValue(origin.info.baseUrl, 'git remote origin');
  const glab = await readGlabConfig(deps);
  if (glab?.host) {
    const protocol = glab.hosts[glab.host.toLowerCase()]?.apiProtocol ?? 'https';
    return fromValue(/:\/\//.test(glab.host) ? glab.host : `${protocol}://${glab.host}`, `glab (${glab.file})`);
  }
  return fromValue('https://gitlab.com', 'default');
}
