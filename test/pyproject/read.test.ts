import { describe, expect, test } from 'vitest';
import { createLocator } from '../../src/pyproject/locate.js';
import {
  listIndexes,
  listSources,
  normalizePackageName,
  parsePyproject,
  sourceIndex,
} from '../../src/pyproject/read.js';
import { errorOf } from '../support/errors.js';

const FILE = 'pyproject.toml';

function indexesOf(text: string) {
  return listIndexes(parsePyproject(text, FILE), FILE, createLocator(text));
}

describe('parsePyproject', () => {
  test('returns the document and ignores a leading BOM', () => {
    const text = '\uFEFF[project]\nname = "demo"\n';

    const doc = parsePyproject(text, FILE);

    expect(doc).toEqual({ project: { name: 'demo' } });
  });

  test('reports a syntax error as file:line:col and smol-toml first message line, on one line', () => {
    const text = '[project]\nname = "demo"\ndependencies = [\n  "a"\n  "b",\n]\n';

    const error = errorOf(() => parsePyproject(text, 'sub/pyproject.toml'));

    expect(error.code).toBe('PYPROJECT_INVALID');
    expect(error.message).toMatch(/^sub\/pyproject\.toml:5:\d+: Invalid TOML document: /);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toMatch(/valid TOML/);
  });

  test('reads TOML 1.1 syntax as uv does (the editor notes it for tomllib)', () => {
    const text = 'x = "\\e[0m"\n';

    const doc = parsePyproject(text, FILE);

    expect(doc.x).toBe('\u001b[0m');
  });
});

describe('listIndexes', () => {
  test('reads name = "" as uv does (glx refuses it only when writing)', () => {
    const text = '[[tool.uv.index]]\nname = ""\nurl = "https://example.com/simple"\n';

    expect(indexesOf(text)).toMatchObject([{ name: '', url: 'https://example.com/simple' }]);
  });

  test('reads [[tool.uv.index]] entries with every field, in priority order', () => {
    const text = `[[tool.uv.index]]
name = "gitlab"
url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple"
explicit = true
default = false
authenticate = "always"
publish-url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi"
ignore-error-codes = [401, 403]
format = "simple"
cache-control = { api = "max-age=600" }

[[tool.uv.index]]
url = "https://pypi.org/simple"
`;

    const entries = indexesOf(text);

    expect(entries).toEqual([
      {
        name: 'gitlab',
        url: 'https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple',
        explicit: true,
        default: false,
        authenticate: 'always',
        publishUrl: 'https://gitlab.example.com/api/v4/projects/7/packages/pypi',
        ignoreErrorCodes: [401, 403],
        format: 'simple',
        position: 0,
      },
      { url: 'https://pypi.org/simple', position: 1 },
    ]);
  });

  test.each([
    ['an inline array in [tool.uv]', '[tool.uv]\nindex = [{ name = "a", url = "https://a/simple" }]\n'],
    ['top-level dotted keys', 'tool.uv.index = [{ name = "a", url = "https://a/simple" }]\n'],
    ['dotted keys in [tool]', '[tool]\nuv.index = [{ name = "a", url = "https://a/simple" }]\n'],
  ])('reads the same entries from %s', (_form, text) => {
    const entries = indexesOf(text);

    expect(entries).toEqual([{ name: 'a', url: 'https://a/simple', position: 0 }]);
  });

  test('returns no entries when there is no tool.uv.index', () => {
    const entries = indexesOf('[project]\nname = "demo"\n\n[tool.uv]\nmanaged = true\n');

    expect(entries).toEqual([]);
  });

  test('refuses [tool.uv.index] written as a plain table, with its line', () => {
    const text = '[project]\nname = "demo"\n\n[tool.uv.index]\nname = "a"\nurl = "https://a/simple"\n';

    const error = errorOf(() => indexesOf(text));

    expect(error.code).toBe('PYPROJECT_UNSUPPORTED');
    expect(error.message).toBe(
      'pyproject.toml:4:1: tool.uv.index must be an array of tables ([[tool.uv.index]]), found a table',
    );
    expect(error.hint).toMatch(/\[\[tool\.uv\.index\]\]/);
  });

  test('names the file without a position when no locator is given', () => {
    const text = '[tool.uv.index]\nname = "a"\n';

    const error = errorOf(() => listIndexes(parsePyproject(text, FILE), FILE));

    expect(error.message).toMatch(/^pyproject\.toml: tool\.uv\.index must be an array of tables/);
  });

  test('refuses an index array that holds something other than tables', () => {
    const text = '[tool.uv]\nindex = ["https://a/simple"]\n';

    const error = errorOf(() => indexesOf(text));

    expect(error.code).toBe('PYPROJECT_UNSUPPORTED');
    expect(error.message).toBe('pyproject.toml:2:10: tool.uv.index[0] must be a table, found a string');
  });

  test('refuses a tool.uv that is not a table', () => {
    const error = errorOf(() => indexesOf('[tool]\nuv = 1\n'));

    expect(error.code).toBe('PYPROJECT_UNSUPPORTED');
    expect(error.message).toBe('pyproject.toml:2:1: tool.uv must be a table, found an integer');
  });

  test('collects every wrong field and reports the first with a count of the rest', () => {
    const text = `[[tool.uv.index]]
name = "a"
url = "https://a/simple"
explicit = "yes"

[[tool.uv.index]]
name = "b"
url = 42
authenticate = "sometimes"
ignore-error-codes = [401, "403"]
`;

    const error = errorOf(() => indexesOf(text));

    expect(error.code).toBe('PYPROJECT_INVALID');
    expect(error.message).toBe(
      'pyproject.toml:4:1: index "a": explicit must be true or false, found a string (and 3 more)',
    );
    expect(error.hint).toMatch(/authenticate/);
  });

  test.each([
    ['a missing url', '[[tool.uv.index]]\nname = "a"\n', 'pyproject.toml:1:1: index "a": url is missing'],
    [
      'an invalid name',
      '[[tool.uv.index]]\nname = "a b"\nurl = "u"\n',
      'pyproject.toml:2:1: index "a b": Index names may only contain',
    ],
    [
      'explicit without a name',
      '[[tool.uv.index]]\nurl = "u"\nexplicit = true\n',
      'pyproject.toml:3:1: tool.uv.index[0]: explicit = true requires a name',
    ],
    [
      'a duplicate name',
      '[[tool.uv.index]]\nname = "a"\nurl = "u"\n[[tool.uv.index]]\nname = "a"\nurl = "v"\n',
      'pyproject.toml:5:1: duplicate index name "a"',
    ],
    [
      'two default indexes',
      '[[tool.uv.index]]\nname = "a"\nurl = "u"\ndefault = true\n[[tool.uv.index]]\nname = "b"\nurl = "v"\ndefault = true\n',
      'pyproject.toml:8:1: found multiple indexes with default = true ("a" is the first)',
    ],
  ])('refuses %s as uv does', (_what, text, message) => {
    const error = errorOf(() => indexesOf(text));

    expect(error.code).toBe('PYPROJECT_INVALID');
    expect(error.message.startsWith(message)).toBe(true);
  });

  test('ignores keys uv does not define', () => {
    const entries = indexesOf('[[tool.uv.index]]\nname = "a"\nurl = "u"\npriority = "primary"\n');

    expect(entries).toEqual([{ name: 'a', url: 'u', position: 0 }]);
  });
});

describe('sources', () => {
  test('lists sources by the key as written, whatever form they take', () => {
    const doc = parsePyproject(
      '[tool.uv.sources]\nAcme_Utils = { index = "gitlab" }\ntorch = [{ index = "cpu", marker = "sys_platform == \'darwin\'" }]\nlib.workspace = true\n',
      FILE,
    );

    const sources = listSources(doc);

    expect([...sources.keys()]).toEqual(['Acme_Utils', 'torch', 'lib']);
    expect(sourceIndex(sources.get('Acme_Utils'))).toBe('gitlab');
    expect(sourceIndex(sources.get('torch'))).toBeUndefined();
    expect(sourceIndex(sources.get('lib'))).toBeUndefined();
  });

  test('returns no sources when tool.uv.sources is absent', () => {
    const sources = listSources(parsePyproject('[project]\nname = "x"\n', FILE));

    expect(sources.size).toBe(0);
  });

  test.each([
    ['Acme_Utils', 'acme-utils'],
    ['zope.interface', 'zope-interface'],
    ['a__.-b', 'a-b'],
  ])('normalises %j to %j (PEP 503)', (name, normalised) => {
    const result = normalizePackageName(name);

    expect(result).toBe(normalised);
  });
});
