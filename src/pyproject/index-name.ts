/**
 * uv's rules for index names and the env vars they select (https://github.com/astral-sh/uv/blob/main/crates/uv-distribution-types/src/index_name.rs, https://github.com/astral-sh/uv/blob/main/crates/uv-static/src/env_vars.rs).
 * Kept dependency-free: `glx env` imports it during shell start-up.
 */
import { GlxError } from '../errors.js';

const ALLOWED_HINT =
  'Index names may use ASCII letters, digits, "-", "_" and "." only (uv rejects anything else), for example "gitlab" or "acme-internal".';

/**
 * Shows control characters as escapes (`\n`, `\u0000`) so the error stays one line, and so that
 * a hostile name cannot drive the terminal: C1 controls (U+009B is a CSI on some terminals) and
 * bidi overrides are escaped too.
 */
function visible(text: string): string {
  const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };
  return text.replace(
    /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Throws INVALID_NAME exactly where uv's `IndexName::new` would, with uv's wording
 * (crates/uv-distribution-types/src/index_name.rs). uv accepts "" (it selects `UV_INDEX__USERNAME`,
 * which nobody means): glx reads such a file as uv does (`allowEmpty`), but never writes one.
 */
export function validateIndexName(name: string, options: { allowEmpty?: boolean } = {}): void {
  if (name === '' && !options.allowEmpty) {
    throw new GlxError('INVALID_NAME', 'Index name is empty', ALLOWED_HINT);
  }
  for (const char of name) {
    if (/^[A-Za-z0-9._-]$/.test(char)) continue;
    const message =
      char.charCodeAt(0) < 0x80
        ? `Index names may only contain letters, digits, hyphens, underscores, and periods, but found unsupported character (\`${visible(char)}\`) in: \`${visible(name)}\``
        : `Index names must be ASCII, but found non-ASCII character (\`${visible(char)}\`) in: \`${visible(name)}\``;
    throw new GlxError('INVALID_NAME', message, ALLOWED_HINT);
  }
}

/** `my-index` → `MY_INDEX`: ASCII letters and digits uppercased, everything else `_`, one for one (uv `to_env_var`). */
export function envVarStem(name: string): string {
  let stem = '';
  for (const char of name) stem += /^[A-Za-z0-9]$/.test(char) ? char.toUpperCase() : '_';
  return stem;
}

export interface IndexEnvVars {
  username: string;
  password: string;
}

/** The variables uv reads for a named index (crates/uv-static/src/env_vars.rs `index_username`). */
export function indexEnvVars(name: string): IndexEnvVars {
  const stem = envVarStem(name);
  return { username: `UV_INDEX_${stem}_USERNAME`, password: `UV_INDEX_${stem}_PASSWORD` };
}

/**
 * Groups of distinct names that select the same env vars (`GitLab`, `gitlab`), in first-seen
 * order. uv would silently give both indexes the same credentials.
 */
export function findEnvCollisions(names: readonly string[]): string[][] {
  const byStem = new Map<string, string[]>();
  for (const name of names) {
    const stem = envVarStem(name);
    const group = byStem.get(stem);
    if (!group) byStem.set(stem, [name]);
    else if (!group.includes(name)) group.push(name);
  }
  return [...byStem.values()].filter((group) => group.length > 1);
}

/**
 * Throws INDEX_NAME_COLLISION for the first two indexes in `relative` (a file name for the
 * message) that read the same UV_INDEX_* variables; `hint` says what that breaks for the caller.
 */
export function refuseEnvCollisions(
  entries: readonly { name?: string | undefined }[],
  relative: string,
  hint: string,
): void {
  const names = entries.flatMap((entry) => (entry.name === undefined ? [] : [entry.name]));
  const collision = findEnvCollisions(names)[0];
  if (collision)
    throw new GlxError(
      'INDEX_NAME_COLLISION',
      `indexes ${collision.map((n) => `"${n}"`).join(' and ')} in ${relative} share the variable ${indexEnvVars(collision[0]!).username}`,
      hint,
    );
}
