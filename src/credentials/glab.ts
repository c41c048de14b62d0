/**
 * glab's config.yml: its default host and stored per-host tokens (research/peers.md §1.6).
 * Read only as a fallback source, and only on demand (yaml is loaded lazily).
 */
import path from 'node:path';
import type { Deps } from '../deps.js';
import { readTextIfExists } from '../util/fs-atomic.js';

export interface GlabHost {
  token?: string;
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
  for (const dir of (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean)) out.push(path.join(dir, 'glab-cli', 'config.yml'));
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
    // yaml is CommonJS: its exports are the default export everywhere (Node's own loader, and
    // the bundle's lazy chunk, which has no named exports for it).
    const { parse } = (await import('yaml')).default;
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
      apiProtocol: typeof entry.api_protocol === 'string' ? entry.api_protocol : undefined,
      apiHost: typeof entry.api_host === 'string' ? entry.api_host : undefined,
    };
  }
  return { file, host: typeof root.host === 'string' && root.host !== '' ? root.host : undefined, hosts };
}
