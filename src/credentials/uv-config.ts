/**
 * The uv settings that change where uv takes credentials from, read from every file uv reads
 * (https://docs.astral.sh/uv/concepts/configuration-files/; crates/uv-settings/src/lib.rs): a project `uv.toml` beside
 * pyproject.toml (it replaces `[tool.uv]`), then the user `uv.toml` ($XDG_CONFIG_HOME/uv, ~/.config/uv;
 * %APPDATA%\uv on Windows), then the system one (/etc/xdg/uv, /etc/uv). UV_NO_CONFIG skips the files.
 * Scalars: the first file that sets one wins; index lists are concatenated, project first.
 */
import path from 'node:path';
import type { Deps } from '../deps.js';
import { readTextIfExists } from '../util/fs-atomic.js';
import type { IndexForSources } from './uv-sources.js';

export interface UvConfigIndex extends IndexForSources {
  file: string;
}

export interface UvConfig {
  keyringProvider?: string;
  /** Indexes from uv.toml files (pyproject's own are read elsewhere). */
  indexes: UvConfigIndex[];
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function uvTomlFiles(deps: Pick<Deps, 'env' | 'homeDir' | 'platform'>, projectDir: string): string[] {
  const project = path.join(projectDir, 'uv.toml');
  if (deps.env.UV_NO_CONFIG) return [project];
  const { env, homeDir, platform } = deps;
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');
    return [
      project,
      path.win32.join(appData, 'uv', 'uv.toml'),
      path.win32.join(env.SYSTEMDRIVE ? `${env.SYSTEMDRIVE}\\` : 'C:\\', 'ProgramData', 'uv', 'uv.toml'),
    ];
  }
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homeDir, '.config');
  const system = (env.XDG_CONFIG_DIRS || '/etc/xdg')
    .split(':')
    .filter(Boolean)
    .map((dir) => path.join(dir, 'uv', 'uv.toml'));
  return [project, path.join(config, 'uv', 'uv.toml'), ...system, '/etc/uv/uv.toml'];
}

/** `toolUv` is pyproject's `[tool.uv]` table; it counts only when no project uv.toml exists. */
export async function readUvConfig(
  deps: Pick<Deps, 'env' | 'homeDir' | 'platform'>,
  projectDir: string,
  toolUv: Record<string, unknown>,
): Promise<UvConfig> {
  const { parse } = await import('smol-toml');
  const config: UvConfig = { indexes: [] };
  const layers: Array<{ file: string; table: Record<string, unknown> }> = [];
  const files = uvTomlFiles(deps, projectDir);
  for (const [i, file] of files.entries()) {
    const text = await readTextIfExists(file).catch(() => undefined);
    let table: Record<string, unknown> | undefined;
    if (text !== undefined) {
      try {
        table = parse(text) as Record<string, unknown>;
      } catch {
        table = undefined; // uv itself reports a broken uv.toml; glx only reads what it can
      }
    }
    if (table) layers.push({ file, table });
    else if (i === 0) layers.push({ file: 'pyproject.toml', table: toolUv });
  }
  for (const { file, table } of layers) {
    const keyring = table['keyring-provider'];
    if (config.keyringProvider === undefined && typeof keyring === 'string') config.keyringProvider = keyring;
    if (file === 'pyproject.toml') continue;
    const list = Array.isArray(table.index) ? table.index : [];
    for (const item of list) {
      if (!isTable(item) || typeof item.url !== 'string') continue;
      config.indexes.push({
        file,
        url: item.url,
        ...(typeof item.name === 'string' ? { name: item.name } : {}),
        ...(typeof item.authenticate === 'string' ? { authenticate: item.authenticate } : {}),
      });
    }
  }
  return config;
}
