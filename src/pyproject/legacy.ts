/**
 * GitLab registries configured the pip way, which uv still reads but gives no name: `[tool.uv]
 * index-url` / `extra-index-url` in pyproject.toml, the same keys in a project's uv.toml, and the
 * UV_INDEX_URL / UV_EXTRA_INDEX_URL variables (uv's settings.rs; https://docs.astral.sh/uv/concepts/indexes/
 * "index-url and extra-index-url" maps them to `[[tool.uv.index]]` with and without
 * `default = true`). An unnamed index gets no UV_INDEX_<NAME>_* credentials, so glx points them
 * out with the migration. pip's own pip.conf and PIP_INDEX_URL are not listed: uv never reads them.
 * Light: `glx env` loads this at shell start-up.
 */
import type { Env } from '../deps.js';
import { type ParsedRegistryUrl, parseRegistryUrl } from '../gitlab/url.js';
import { isTable, type TomlTable } from './read.js';

export type LegacyKey = 'index-url' | 'extra-index-url';

export interface LegacyIndex {
  /** Where it is set, for messages: `pyproject.toml [tool.uv] index-url`, `UV_INDEX_URL`. */
  where: string;
  /** `pyproject` (glx init --migrate can rewrite it), `uv.toml` or `env`. */
  origin: 'pyproject' | 'uv.toml' | 'env';
  key: LegacyKey;
  url: string;
  registry: ParsedRegistryUrl;
}

function urlsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function gitlabOnly(where: string, origin: LegacyIndex['origin'], key: LegacyKey, urls: string[]): LegacyIndex[] {
  return urls.flatMap((url) => {
    const registry = parseRegistryUrl(url);
    return registry?.shape === 'simple' ? [{ where, origin, key, url, registry }] : [];
  });
}

/** The GitLab registries among the legacy settings uv reads for this project. */
export function legacyIndexes(
  pyproject: TomlTable,
  relative: string,
  uvToml: { doc: TomlTable; relative: string } | undefined,
  env: Env,
): LegacyIndex[] {
  const tool = pyproject.tool;
  const uv = isTable(tool) && isTable(tool.uv) ? tool.uv : {};
  const out: LegacyIndex[] = [];
  for (const key of ['index-url', 'extra-index-url'] as const) {
    out.push(...gitlabOnly(`${relative} [tool.uv] ${key}`, 'pyproject', key, urlsOf(uv[key])));
    if (uvToml) out.push(...gitlabOnly(`${uvToml.relative} ${key}`, 'uv.toml', key, urlsOf(uvToml.doc[key])));
  }
  out.push(...gitlabOnly('UV_INDEX_URL', 'env', 'index-url', urlsOf(env.UV_INDEX_URL)));
  // uv splits UV_EXTRA_INDEX_URL on spaces.
  out.push(
    ...gitlabOnly(
      'UV_EXTRA_INDEX_URL',
      'env',
      'extra-index-url',
      (env.UV_EXTRA_INDEX_URL ?? '').split(/\s+/).filter(Boolean),
    ),
  );
  return out;
}

/** One line for every command that meets a legacy GitLab index. */
export function legacyMessage(legacy: LegacyIndex): string {
  const { registry } = legacy;
  const fix =
    legacy.origin === 'pyproject'
      ? '`glx init --migrate` turns it into a named [[tool.uv.index]] (add --dry-run to see the diff)'
      : legacy.origin === 'uv.toml'
        ? `move it to a named [[tool.uv.index]] in pyproject.toml: \`glx init --${registry.kind} ${registry.id}\`, then delete the ${legacy.key} line from uv.toml`
        : `unset ${legacy.where} and add a named index: \`glx init --${registry.kind} ${registry.id}\``;
  return `${legacy.where} points at GitLab ${registry.kind} ${registry.id} on ${registry.host}: uv gives an index without a name no UV_INDEX_<NAME>_* credentials (only netrc or the URL); ${fix}`;
}
