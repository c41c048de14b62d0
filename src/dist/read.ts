/**
 * A distribution file as publish needs it: its kind, its core metadata read from the file itself
 * (`*.dist-info/METADATA` in a wheel, `{name}-{version}/PKG-INFO` in an sdist), and every way it
 * disagrees with its own file name. Problems are returned, not thrown, so that all of them can
 * be reported at once.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  type DistName,
  normalizeName,
  normalizeVersion,
  PROJECT_NAME,
  parseDistName,
  sameVersion,
  sdistStemMatches,
} from './filename.js';
import { type CoreMetadata, parseCoreMetadata } from './metadata.js';
import { findInTarGz } from './tar.js';
import { openZip, type ZipArchive, type ZipEntry } from './zip.js';

export interface Distribution {
  /** Absolute path. */
  path: string;
  /** As the user gave it (relative to --cwd when inside it), for messages. */
  display: string;
  fileName: string;
  size: number;
  kind: 'wheel' | 'sdist';
  /** The upload form's `filetype` (https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs). */
  filetype: 'bdist_wheel' | 'sdist';
  /** The wheel's python tag (`py3`, `cp312`, `py2.py3`), or `source` for an sdist. */
  pyversion: string;
  metadata: CoreMetadata;
}

export type ReadResult = { ok: true; dist: Distribution } | { ok: false; display: string; problems: string[] };

/** Core metadata larger than this is refused (a description is a README, not a gigabyte). */
const MAX_METADATA_BYTES = 32 * 1024 * 1024;

const decoder = new TextDecoder('utf-8');

export async function readDistribution(file: string, display: string): Promise<ReadResult> {
  const fail = (...problems: string[]): ReadResult => ({ ok: false, display, problems });
  const fileName = path.basename(file);
  let size: number;
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) return fail('is a directory; give the files in it, e.g. dist/*');
    if (!stat.isFile()) return fail('is not a regular file');
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})`);
  }
  const parsed = parseDistName(fileName);
  if (typeof parsed === 'string') return fail(parsed);

  let found: { where: string; text: string } | { problem: string };
  try {
    found =
      parsed.kind === 'wheel'
        ? await wheelMetadata(file, parsed.name, parsed.version)
        : await sdistMetadata(file, parsed.format);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code
        ? `cannot be read (${code})`
        : `is not a valid ${parsed.kind === 'wheel' || parsed.format === 'zip' ? 'zip' : 'tar.gz'} archive: ${(error as Error).message}`,
    );
  }
  if ('problem' in found) return fail(found.problem);

  const { metadata, problems } = parseCoreMetadata(found.text);
  if (!metadata) return fail(...problems.map((problem) => `${found.where}: ${problem}`));
  const mismatches = checkAgainstName(parsed, metadata, found.where);
  if (mismatches.length > 0) return fail(...mismatches);
  return {
    ok: true,
    dist: {
      path: file,
      display,
      fileName,
      size,
      kind: parsed.kind,
      filetype: parsed.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
      pyversion: parsed.kind === 'wheel' ? parsed.pythonTag : 'source',
      metadata,
    },
  };
}

function checkAgainstName(parsed: DistName, metadata: CoreMetadata, where: string): string[] {
  const problems: string[] = [];
  if (!PROJECT_NAME.test(metadata.name))
    problems.push(`${where}: Name ${JSON.stringify(metadata.name)} is not a valid project name`);
  if (normalizeVersion(metadata.version) === undefined)
    problems.push(`${where}: Version ${JSON.stringify(metadata.version)} is not a valid PEP 440 version`);
  if (parsed.kind === 'wheel') {
    if (normalizeName(parsed.name) !== normalizeName(metadata.name)) {
      problems.push(`the file name says project "${parsed.name}", ${where} says Name: ${metadata.name}`);
    }
    if (!sameVersion(parsed.version.replace(/_/g, '-'), metadata.version)) {
      problems.push(`the file name says version "${parsed.version}", ${where} says Version: ${metadata.version}`);
    }
  } else if (!sdistStemMatches(parsed.stem, metadata.name, metadata.version)) {
    const expected = `${metadata.name.replace(/[-_.]+/g, '_').toLowerCase()}-${normalizeVersion(metadata.version) ?? metadata.version}`;
    problems.push(
      `the file name does not match ${where} (Name: ${metadata.name}, Version: ${metadata.version}); expected ${expected}.${parsed.format}`,
    );
  }
  return problems;
}

/** `{name}-{version}.dist-info/METADATA` at the top of the wheel; with several, the one the file name points at. */
async function wheelMetadata(
  file: string,
  name: string,
  version: string,
): Promise<{ where: string; text: string } | { problem: string }> {
  const zip = await openZip(file);
  try {
    const candidates = zip.entries.filter((entry) => /^[^/]+\.dist-info\/METADATA$/.test(entry.name));
    if (candidates.length === 0)
      return { problem: 'has no *.dist-info/METADATA (not a wheel built by a PEP 517 backend?)' };
    const wanted = `${normalizeName(name)}-${normalizeVersion(version.replace(/_/g, '-')) ?? version}`;
    const entry =
      candidates.length === 1
        ? candidates[0]!
        : candidates.find((candidate) => {
            const dir = candidate.name.slice(0, -'.dist-info/METADATA'.length);
            const cut = dir.lastIndexOf('-');
            return (
              cut > 0 &&
              `${normalizeName(dir.slice(0, cut))}-${normalizeVersion(dir.slice(cut + 1)) ?? dir.slice(cut + 1)}` ===
                wanted
            );
          });
    if (!entry)
      return {
        problem: `has several .dist-info directories and none matches its file name (${candidates.map((c) => c.name).join(', ')})`,
      };
    return { where: entry.name, text: await readText(zip, entry) };
  } finally {
    await zip.close();
  }
}

async function readText(zip: ZipArchive, entry: ZipEntry): Promise<string> {
  return decoder.decode(await zip.read(entry, MAX_METADATA_BYTES));
}

/** PKG-INFO one level down (`{name}-{version}/PKG-INFO`); deeper ones belong to egg-info copies. */
const SDIST_PKG_INFO = /^[^/]+\/PKG-INFO$/;

async function sdistMetadata(
  file: string,
  format: 'tar.gz' | 'zip',
): Promise<{ where: string; text: string } | { problem: string }> {
  if (format === 'tar.gz') {
    const member = await findInTarGz(file, (member) => SDIST_PKG_INFO.test(member), MAX_METADATA_BYTES);
    if (!member) return { problem: 'has no <name>-<version>/PKG-INFO' };
    return { where: member.path, text: decoder.decode(member.data) };
  }
  const zip = await openZip(file);
  try {
    const entry = zip.entries.find((candidate) => SDIST_PKG_INFO.test(candidate.name));
    if (!entry) return { problem: 'has no <name>-<version>/PKG-INFO' };
    return { where: entry.name, text: await readText(zip, entry) };
  } finally {
    await zip.close();
  }
}
