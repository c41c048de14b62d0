/**
 * Core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist): RFC 822 style headers, then the
 * description as the message body (https://packaging.python.org/en/latest/specifications/core-metadata/).
 */

export interface CoreMetadata {
  metadataVersion: string;
  name: string;
  version: string;
  /** Every header, by its lower-cased name, in file order (multiple-use fields have several values). */
  headers: Map<string, string[]>;
  /** The message body (Metadata-Version 2.1+), or the `Description` header of older files. */
  description?: string;
}

export interface MetadataResult {
  metadata?: CoreMetadata;
  problems: string[];
}

/**
 * setuptools folds multi-line values (Description, License) with eight spaces, distutils with seven
 * spaces and a `|`; both are undone so the text reads as it was written.
 */
function unfold(line: string): string {
  if (/^ {7}\|/.test(line)) return line.slice(8);
  if (line.startsWith('        ')) return line.slice(8);
  return line.replace(/^[ \t]/, '');
}

export function parseCoreMetadata(text: string): MetadataResult {
  const headers = new Map<string, string[]>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: { key: string; value: string } | undefined;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.key) ?? [];
    list.push(current.value);
    headers.set(current.key, list);
    current = undefined;
  };
  let index = 0;
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '') {
      index++;
      break;
    }
    if (/^[ \t]/.test(line) && current) {
      current.value += `\n${unfold(line)}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    flush();
    current = { key: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1).trim() };
  }
  flush();
  const body = lines.slice(index).join('\n');

  const first = (key: string) => headers.get(key)?.[0];
  const problems: string[] = [];
  const metadataVersion = first('metadata-version');
  const name = first('name');
  const version = first('version');
  if (!metadataVersion) problems.push('no Metadata-Version field');
  if (!name) problems.push('no Name field');
  if (!version) problems.push('no Version field');
  if (problems.length > 0) return { problems };
  const description = body.trim() !== '' ? body : first('description');
  return {
    metadata: {
      metadataVersion: metadataVersion!,
      name: name!,
      version: version!,
      headers,
      ...(description !== undefined ? { description } : {}),
    },
    problems,
  };
}

/** Single-valued core metadata fields and the upload form field each becomes (https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs). */
const SINGLE_FIELDS: Array<[header: string, field: string]> = [
  ['author', 'author'],
  ['author-email', 'author_email'],
  ['description-content-type', 'description_content_type'],
  ['download-url', 'download_url'],
  ['home-page', 'home_page'],
  ['keywords', 'keywords'],
  ['license', 'license'],
  ['license-expression', 'license_expression'],
  ['maintainer', 'maintainer'],
  ['maintainer-email', 'maintainer_email'],
  ['summary', 'summary'],
];

/** Multiple-use fields, sent once per value. */
const MULTI_FIELDS: Array<[header: string, field: string]> = [
  ['classifier', 'classifiers'],
  ['dynamic', 'dynamic'],
  ['license-file', 'license_file'],
  ['obsoletes-dist', 'obsoletes_dist'],
  ['platform', 'platform'],
  ['project-url', 'project_urls'],
  ['provides-dist', 'provides_dist'],
  ['provides-extra', 'provides_extra'],
  ['requires-dist', 'requires_dist'],
  ['requires-external', 'requires_external'],
];

export interface FormInput {
  metadata: CoreMetadata;
  filetype: 'bdist_wheel' | 'sdist';
  pyversion: string;
}

/**
 * The text fields of the legacy upload form, in the order uv sends them (https://github.com/astral-sh/uv/blob/main/crates/uv-publish/src/lib.rs).
 * `requires_python` is always present, even empty: GitLab's API wants it (uv's lib.rs says so).
 */
export function uploadFields(input: FormInput): Array<[string, string]> {
  const { metadata } = input;
  const first = (key: string) => metadata.headers.get(key)?.[0];
  const fields: Array<[string, string]> = [
    [':action', 'file_upload'],
    ['protocol_version', '1'],
    ['metadata_version', metadata.metadataVersion],
    ['name', metadata.name],
    ['version', metadata.version],
    ['filetype', input.filetype],
    ['pyversion', input.pyversion],
  ];
  for (const [header, field] of SINGLE_FIELDS) {
    const value = first(header);
    if (value !== undefined && value !== '') fields.push([field, value]);
  }
  if (metadata.description !== undefined && metadata.description !== '')
    fields.push(['description', metadata.description]);
  fields.push(['requires_python', first('requires-python') ?? '']);
  for (const [header, field] of MULTI_FIELDS) {
    for (const value of metadata.headers.get(header) ?? []) fields.push([field, value]);
  }
  return fields;
}
