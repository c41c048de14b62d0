import { describe, expect, test } from 'vitest';
import { parseCoreMetadata, uploadFields } from '../../src/dist/metadata.js';

describe('core metadata', () => {
  test('reads headers, multiple-use fields and the body as the description', () => {
    const text = [
      'Metadata-Version: 2.4',
      'Name: acme-utils',
      'Version: 1.2.0',
      'Summary: Utilities',
      'Requires-Dist: attrs>=22',
      'Requires-Dist: click; extra == "cli"',
      'Requires-Python: >=3.9',
      '',
      '# acme-utils',
      '',
      'Body text.',
    ].join('\n');

    const { metadata, problems } = parseCoreMetadata(text);

    expect(problems).toEqual([]);
    expect(metadata).toMatchObject({
      metadataVersion: '2.4',
      name: 'acme-utils',
      version: '1.2.0',
      description: '# acme-utils\n\nBody text.',
    });
    expect(metadata?.headers.get('requires-dist')).toEqual(['attrs>=22', 'click; extra == "cli"']);
  });

  test('unfolds a Description header the way setuptools (8 spaces) and distutils (7 spaces and |) fold it', () => {
    const setuptools =
      'Metadata-Version: 1.2\r\nName: a\r\nVersion: 1\r\nDescription: first\r\n        second\r\n        \r\n        third\r\n';
    const distutils =
      'Metadata-Version: 1.1\nName: a\nVersion: 1\nDescription: first\n       |second\n       |  indented\n';

    expect(parseCoreMetadata(setuptools).metadata?.description).toBe('first\nsecond\n\nthird');
    expect(parseCoreMetadata(distutils).metadata?.description).toBe('first\nsecond\n  indented');
  });

  test('names every missing required field', () => {
    expect(parseCoreMetadata('Summary: nothing else\n').problems).toEqual([
      'no Metadata-Version field',
      'no Name field',
      'no Version field',
    ]);
    expect(parseCoreMetadata('Metadata-Version: 2.1\nName: a\n').problems).toEqual(['no Version field']);
  });

  test('the upload form carries the fields uv sends, in its order, with requires_python always present', () => {
    const { metadata } = parseCoreMetadata(
      'Metadata-Version: 2.1\nName: Acme_Utils\nVersion: 1.0\nClassifier: A\nClassifier: B\nKeywords: x,y\n',
    );

    const fields = uploadFields({ metadata: metadata!, filetype: 'bdist_wheel', pyversion: 'py3' });

    expect(fields).toEqual([
      [':action', 'file_upload'],
      ['protocol_version', '1'],
      ['metadata_version', '2.1'],
      ['name', 'Acme_Utils'],
      ['version', '1.0'],
      ['filetype', 'bdist_wheel'],
      ['pyversion', 'py3'],
      ['keywords', 'x,y'],
      ['requires_python', ''],
      ['classifiers', 'A'],
      ['classifiers', 'B'],
    ]);
  });
});
