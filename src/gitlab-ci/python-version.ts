/**
 * Which Python the CI image carries: the uv images are tagged `python3.X` (minor only), for the
 * versions uv's Docker guide lists (https://docs.astral.sh/uv/guides/integration/docker/ at uv 0.12.5: 3.9 to 3.14).
 */

/** The oldest and newest `python3.X-*` uv images published. */
export const OLDEST_IMAGE_PYTHON = '3.9';
export const NEWEST_IMAGE_PYTHON = '3.14';
/** Used when the project says nothing: current, and every major package ships wheels for it. */
export const DEFAULT_PYTHON = '3.13';

export function compareMinor(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

/**
 * The major.minor of a `.python-version` file (uv's request syntax: `3.12`, `3.12.4`, `cpython@3.12`,
 * `cpython-3.12`, `3.13t`); undefined when its first request names no CPython minor.
 */
export function fromPythonVersionFile(text: string): string | undefined {
  const first = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .find((line) => line !== '');
  if (!first) return undefined;
  const match = /^(?:cpython[@-]|python)?(\d+)\.(\d+)(?:[.t+\-@]|$)/i.exec(first);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/**
 * The lowest Python minor a `requires-python` allows (PEP 440 clauses joined by commas, all must
 * hold, so the highest lower bound wins): `>=3.10` → 3.10, `~=3.11` → 3.11, `==3.12.*` → 3.12,
 * `>=3.8.1,<4` → 3.8. Undefined when no clause gives a lower bound.
 */
export function lowerBound(requiresPython: string): string | undefined {
  let best: string | undefined;
  for (const clause of requiresPython.split(',')) {
    const match = /^\s*(>=|~=|==|===|>)\s*(\d+)\.(\d+)/.exec(clause);
    if (!match) continue;
    const minor = `${match[2]}.${match[3]}`;
    if (best === undefined || compareMinor(minor, best) > 0) best = minor;
  }
  return best;
}

/** `3.12` (what the image tag needs), not `3.12.4` or `3`. */
export function isPythonMinor(value: string): boolean {
  return /^\d+\.\d+$/.test(value);
}
