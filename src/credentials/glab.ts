/**
 * glab's config.yml: its default host and stored per-host tokens (https://gitlab.com/gitlab-org/cli, internal/config/config_file.go).
 * Read only as a fallback source, and only on demand (yaml is loaded lazily).
 */
import path from 'node:path';
import type { Deps } from '../deps.js';
import { GlxError } from '../errors.js';
import { readTextIfExists } from '../util/fs-atomic.js';

export interface GlabHost {
  token?: string;
  /** `is_oauth2: "true"`: an OAuth token from `glab auth login`, which glab refreshes itself. */
  oauth2?: boolean;
  apiProtocol?: string;
  apiHost?: string;
}

export interface GlabConfig {
  file: string;
  host?: string;
  hosts: Record<string, GlabHost>;
}

/** glab's search order: $GLAB_CONFIG_DIR, legacy ~/.config/glab-cli, $XDG_CONFIG_HOME, macOS, $XDG_CONFIG_DIRS. */
export function glabConfigCandidates(deps: Pick<Deps, 'env' | 'homeDir'>): string[] {
  const { env, homeDir } = deps;
  const out: string[] = [];
  if (env.GLAB_CONFIG_DIR) out.push(path.join(env.GLAB_CONFIG_DIR, 'config.yml'));
  out.push(path.join(homeDir, '.config', 'glab-cli', 'config.yml'));
  if (env.XDG_CONFIG_HOME) out.push(path.join(env.XDG_CONFIG_HOME, 'glab-cli', 'config.yml'));
  out.push(path.join(homeDir, 'Library', 'Application Support', 'glab-cli', 'config.yml'));
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean))
    out.push(path.join(dir, 'glab-cli', 'config.yml'));
  return [...new Set(out)];
}

/** The first glab config that exists, or undefined; a file glab itself could not read is ignored. */
export async function readGlabConfig(deps: Pick<Deps, 'env' | 'homeDir'>): Promise<GlabConfig | undefined> {
  for (const file of glabConfigCandidates(deps)) {
    let text: string | undefined;
    try {
      text = await readTextIfExists(file);
    } catch {
      continue;
    }
    if (text === undefined) continue;
    // yaml is CommonJS: bundled into the ESM CLI, an import() of it holds its exports under
    // `default` only (dist/glx-env.cjs gets them by name), and glab's tokens went unread.
    const yaml = (await import('yaml')) as typeof import('yaml') & { default?: typeof import('yaml') };
    const parse = yaml.parse ?? yaml.default?.parse;
    if (!parse) throw new GlxError('INTERNAL', 'the bundled yaml parser has no parse()', 'Report this as a glx bug.');
    let doc: unknown;
    try {
      doc = parse(text);
    } catch {
      return undefined;
    }
    return toConfig(file, doc);
  }
  return undefined;
}

function toConfig(file: string, doc: unknown): GlabConfig {
  const root = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const hosts: Record<string, GlabHost> = {};
  const rawHosts = root.hosts && typeof root.hosts === 'object' ? (root.hosts as Record<string, unknown>) : {};
  for (const [name, value] of Object.entries(rawHosts)) {
    if (!value || typeof value !== 'object') continue;
    const entry = value as Record<string, unknown>;
    hosts[name.toLowerCase()] = {
      token: typeof entry.token === 'string' && entry.token !== '' ? entry.token : undefined,
      ...(String(entry.is_oauth2) === 'true' ? { oauth2: true } : {}),
      apiProtocol: typeof entry.api_protocol === 'string' ? entry.api_protocol : undefined,
      apiHost: typeof entry.api_host === 'string' ? entry.api_host : undefined,
    };
  }
  return { file, host: typeof root.host === 'string' && root.host !== '' ? root.host : undefined, hosts };
}

/**
 * glab's config with `oldToken` replaced by `newToken` under `hosts.<host>.token` (host matched
 * case-insensitively, as glx reads it), or undefined when that host does not hold it. The value
 * is spliced into the text in its own quoting, so every other byte stays as it was.
 */
export async function replaceGlabToken(
  text: string,
  host: string,
  oldToken: string,
  newToken: string,
): Promise<string | undefined> {
  const { isMap, isScalar, parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  const hosts = doc.get('hosts', true);
  if (!isMap(hosts)) return undefined;
  for (const pair of hosts.items) {
    if (!isScalar(pair.key) || String(pair.key.value).toLowerCase() !== host || !isMap(pair.value)) continue;
    const node = pair.value.get('token', true);
    if (!isScalar(node) || node.value !== oldToken || !node.range) return undefined;
    // GitLab tokens are letters, digits, `-`, `_` and `.`: the same quotes hold the new one unescaped.
    const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
    const value = /^[\w.-]+$/.test(newToken) ? `${quote}${newToken}${quote}` : JSON.stringify(newToken);
    return `${text.slice(0, node.range[0])}${value}${text.slice(node.range[1])}`;
  }
  return undefined;
}
