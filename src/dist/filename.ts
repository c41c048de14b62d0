/**
 * Distribution file names and the normalisations needed to compare them with core metadata:
 * wheel names (binary distribution format spec), sdist names (`{name}-{version}.tar.gz`, PEP 625),
 * PEP 503 project names and PEP 440 versions.
 */

export type DistKind = 'wheel' | 'sdist';

export interface WheelName {
  kind: 'wheel';
  fileName: string;
  name: string;
  version: string;
  build?: string;
  pythonTag: string;
  abiTag: string;
  platformTag: string;
}

export interface SdistName {
  kind: 'sdist';
  fileName: string;
  /** `foo-1.0` of `foo-1.0.tar.gz`: name and version are split by the metadata, not here. */
  stem: string;
  format: 'tar.gz' | 'zip';
}

export type DistName = WheelName | SdistName;

/** What kind of file this is by its extension, or undefined for anything else. */
export function distKindOf(fileName: string): { kind: DistKind; format: 'whl' | 'tar.gz' | 'zip' } | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.whl')) return { kind: 'wheel', format: 'whl' };
  if (lower.endsWith('.tar.gz')) return { kind: 'sdist', format: 'tar.gz' };
  if (lower.endsWith('.zip')) return { kind: 'sdist', format: 'zip' };
  return undefined;
}

/**
 * https://packaging.python.org/en/latest/specifications/binary-distribution-format/#file-name-convention:
 * `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`; the build
 * tag starts with a digit. Returns a problem sentence instead of throwing.
 */
export function parseDistName(fileName: string): DistName | string {
  const kind = distKindOf(fileName);
  if (!kind) return 'not a wheel (.whl) or source distribution (.tar.gz, .zip)';
  if (kind.kind === 'sdist') {
    const stem = fileName.slice(0, fileName.length - (kind.format === 'zip' ? 4 : 7));
    if (!stem.includes('-'))
      return `an sdist is named <name>-<version>.${kind.format} (e.g. acme_utils-1.0.${kind.format}); this name has no "-"`;
    return { kind: 'sdist', fileName, stem, format: kind.format === 'zip' ? 'zip' : 'tar.gz' };
  }
  const parts = fileName.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    return 'a wheel is named <name>-<version>[-<build>]-<python>-<abi>-<platform>.whl (e.g. acme_utils-1.0-py3-none-any.whl); this one has the wrong number of "-" parts';
  }
  const [name, version] = parts as [string, string];
  const build = parts.length === 6 ? parts[2] : undefined;
  if (build !== undefined && !/^\d/.test(build)) return `the wheel build tag "${build}" must start with a digit`;
  const [pythonTag, abiTag, platformTag] = parts.slice(-3) as [string, string, string];
  if (!name || !version || !pythonTag || !abiTag || !platformTag) return 'a wheel file name has an empty part';
  return { kind: 'wheel', fileName, name, version, ...(build ? { build } : {}), pythonTag, abiTag, platformTag };
}

/** PEP 503: lower case, runs of `-_.` become one `-`. GitLab matches simple pages this way (https://docs.gitlab.com/api/packages/pypi/). */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** PEP 508 project names (core metadata `Name`). */
export const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/**
 * The version pattern of PEP 440's appendix (https://peps.python.org/pep-0440/#appendix-b-parsing-version-strings-with-regular-expressions),
 * written out as a JavaScript regular expression.
 */
const PEP440 =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

/**
 * PEP 440 normal form (`1.0-Alpha_1` → `1.0a1`, `1.0-1` → `1.0.post1`), or undefined when the
 * string is not a valid version. Trailing zeros are kept: `1.0` and `1.0.0` stay distinct, as
 * they are distinct file names on a registry.
 */
export function normalizeVersion(version: string): string | undefined {
  const m = PEP440.exec(version);
  if (!m) return undefined;
  const [, epoch, release, preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  let out = epoch && Number(epoch) !== 0 ? `${BigInt(epoch)}!` : '';
  out += release!
    .split('.')
    .map((part) => BigInt(part).toString())
    .join('.');
  if (preL) {
    const label = preL.toLowerCase();
    const short =
      label === 'alpha'
        ? 'a'
        : label === 'beta'
          ? 'b'
          : label === 'c' || label === 'pre' || label === 'preview'
            ? 'rc'
            : label;
    out += `${short}${BigInt(preN ?? '0')}`;
  }
  if (postN1 !== undefined) out += `.post${BigInt(postN1)}`;
  else if (postL) out += `.post${BigInt(postN2 ?? '0')}`;
  if (devL) out += `.dev${BigInt(devN ?? '0')}`;
  if (local) out += `+${local.toLowerCase().replace(/[-_]/g, '.')}`;
  return out;
}

/** Two versions are the same release string once normalised (or byte-equal when not PEP 440). */
export function sameVersion(a: string, b: string): boolean {
  const na = normalizeVersion(a);
  const nb = normalizeVersion(b);
  return na !== undefined && nb !== undefined ? na === nb : a === b;
}

/**
 * Checks an sdist stem against the metadata's name and version: some split of the stem at a `-`
 * must give the same normalised name and version (PEP 625 names are `{name}-{version}` with the
 * name normalised to `_`; older tools kept `-` and dots, so every split point is tried).
 */
export function sdistStemMatches(stem: string, name: string, version: string): boolean {
  for (let at = stem.indexOf('-'); at > 0; at = stem.indexOf('-', at + 1)) {
    if (normalizeName(stem.slice(0, at)) === normalizeName(name) && sameVersion(stem.slice(at + 1), version))
      return true;
  }
  return false;
}
