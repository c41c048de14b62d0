import { describe, expect, test } from 'vitest';
import { type IndexSpec, upsertIndex, upsertSources } from '../../src/pyproject/edit.js';
import { errorOf } from '../support/errors.js';

const FILE = 'pyproject.toml';
const URL = 'https://gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple';
const SPEC: IndexSpec = { name: 'gitlab', url: URL, authenticate: 'always' };

describe('upsertIndex updates an entry in place', () => {
  test('replaces only the value that differs, keeping spacing and the trailing comment', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl   =   "https://old.example.com/simple"   # moved\nauthenticate = "always"\n`;
    const expected = input.replace('https://old.example.com/simple', URL);

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.text).toBe(expected);
    expect(result.action).toBe('updated');
  });

  test('leaves keys the spec does not mention as they are', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl = "${URL}"\nexplicit = true\ndefault = false\npriority = "x"\n`;
    const expected = `${input}authenticate = "always"\n`;

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.text).toBe(expected);
  });

  test('matches a quoted key and keeps a literal-quoted value literal', () => {
    const input = `[[tool.uv.index]]\n"name" = 'gitlab'\n'url' = 'https://old/simple'\n"authenticate" = 'always'\n`;
    const expected = input.replace("'https://old/simple'", `'${URL}'`);

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.text).toBe(expected);
  });

  test('falls back to basic quotes when the new value cannot be a literal string', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl = 'https://old/simple'\n`;
    const expected = `${input.replace("'https://old/simple'", '"https://new/it\'s/simple"')}`;

    const result = upsertIndex(input, { name: 'gitlab', url: "https://new/it's/simple" }, FILE);

    expect(result.text).toBe(expected);
  });

  test('returns the very same text and "unchanged" when nothing differs', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl = "${URL}/"\nauthenticate = "always"\n`;

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.action).toBe('unchanged');
    expect(result.text).toBe(input);
  });

  test('keeps an existing default = true when the spec makes the same entry default', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl = "${URL}"\nauthenticate = "always"\ndefault = true\n`;

    const result = upsertIndex(input, { ...SPEC, default: true }, FILE);

    expect(result.action).toBe('unchanged');
  });

  test('updates ignore-error-codes as a whole list', () => {
    const input = `[[tool.uv.index]]\nname = "gitlab"\nurl = "${URL}"\nignore-error-codes = [ 401 ]\n`;
    const expected = input.replace('[ 401 ]', '[401, 403]');

    const result = upsertIndex(input, { name: 'gitlab', url: URL, ignoreErrorCodes: [401, 403] }, FILE);

    expect(result.text).toBe(expected);
  });
});

describe('upsertIndex reuses an entry with the same URL', () => {
  test('keeps the other name and reports it, ignoring user info in the existing URL', () => {
    const input = `[[tool.uv.index]]\nname = "company"\nurl = "https://__token__:glpat-SECRET@gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n`;
    const expected = `${input}authenticate = "always"\n`;

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.text).toBe(expected);
    expect(result.name).toBe('company');
    expect(result.reusedFrom).toBe('company');
    expect(result.notes.join('\n')).toContain('index "company" url carries credentials');
    expect(result.notes.join('\n')).not.toContain('glpat-SECRET');
  });

  test('prefers a named entry over an unnamed one with the same URL', () => {
    const input = `[[tool.uv.index]]\nurl = "${URL}"\n\n[[tool.uv.index]]\nname = "company"\nurl = "${URL}"\nauthenticate = "always"\n`;

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.action).toBe('unchanged');
    expect(result.name).toBe('company');
  });
});

describe('upsertIndex adds a new entry', () => {
  test('writes the keys in the order name, url, publish-url, explicit, default, authenticate, ignore-error-codes', () => {
    const input = '[project]\nname = "demo"\n';
    const expected = `${input}
[[tool.uv.index]]
name = "gitlab"
url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple"
publish-url = "https://gitlab.example.com/api/v4/projects/7/packages/pypi"
explicit = true
default = true
authenticate = "always"
ignore-error-codes = [401, 403]
`;

    const result = upsertIndex(
      input,
      {
        name: 'gitlab',
        url: 'https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple',
        authenticate: 'always',
        explicit: true,
        default: true,
        ignoreErrorCodes: [401, 403],
        publishUrl: 'https://gitlab.example.com/api/v4/projects/7/packages/pypi',
      },
      FILE,
    );

    expect(result.text).toBe(expected);
    expect(result.action).toBe('added');
    expect(result.reusedFrom).toBeUndefined();
  });

  test('does not add a second blank line when the file already ends with one', () => {
    const input = '[project]\nname = "demo"\n\n';
    const expected = `${input}[[tool.uv.index]]\nname = "gitlab"\nurl = "${URL}"\n`;

    const result = upsertIndex(input, { name: 'gitlab', url: URL }, FILE);

    expect(result.text).toBe(expected);
  });

  test('appends to an empty inline array', () => {
    const input = '[tool.uv]\nindex = []\n';
    const expected = input.replace('[]', `[{ name = "gitlab", url = "${URL}" }]`);

    const result = upsertIndex(input, { name: 'gitlab', url: URL }, FILE);

    expect(result.text).toBe(expected);
  });

  test('puts a new element after a trailing comma on the closing line', () => {
    const input = '[tool.uv]\nindex = [\n  { name = "a", url = "https://a/simple" }, ]\n';
    const expected = input.replace('}, ]', `}, { name = "gitlab", url = "${URL}" }, ]`);

    const result = upsertIndex(input, { name: 'gitlab', url: URL }, FILE);

    expect(result.text).toBe(expected);
  });

  test('notes TOML 1.1 syntax, which tomllib rejects, and still edits the file', () => {
    const input = 'x = "\\e"\n';

    const result = upsertIndex(input, SPEC, FILE);

    expect(result.action).toBe('added');
    expect(result.notes.join('\n')).toMatch(/^pyproject\.toml:1:\d+: this file uses TOML 1\.1 syntax/);
  });
});

describe('upsertIndex refuses', () => {
  test('a name whose env vars collide with an existing index, naming both', () => {
    const input = '[[tool.uv.index]]\nname = "GitLab"\nurl = "https://other/simple"\n';

    const error = errorOf(() => upsertIndex(input, SPEC, FILE));

    expect(error.code).toBe('INDEX_NAME_COLLISION');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'pyproject.toml:2:1: index name "gitlab" collides with existing index "GitLab": both read UV_INDEX_GITLAB_USERNAME and UV_INDEX_GITLAB_PASSWORD',
    );
    expect(error.hint).toContain('"GitLab"');
  });

  test('a second default index', () => {
    const input = '[[tool.uv.index]]\nname = "mirror"\nurl = "https://mirror/simple"\ndefault = true\n';

    const error = errorOf(() => upsertIndex(input, { ...SPEC, default: true }, FILE));

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('"mirror" is already the default index');
    expect(error.hint).toContain('default = true');
  });

  test('a URL with credentials, without printing them', () => {
    const error = errorOf(() =>
      upsertIndex('', { name: 'gitlab', url: 'https://user:glpat-SECRET@gitlab.example.com/simple' }, FILE),
    );

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('https://***@gitlab.example.com/simple');
    expect(`${error.message}${error.hint}`).not.toContain('glpat-SECRET');
  });

  test('a publish URL with credentials', () => {
    const error = errorOf(() =>
      upsertIndex('', { ...SPEC, publishUrl: 'https://u:p@gitlab.example.com/api/v4/projects/7/packages/pypi' }, FILE),
    );

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('publish URL');
  });

  test('an invalid index name, before reading the file', () => {
    const error = errorOf(() => upsertIndex('not toml [', { name: 'git lab', url: URL }, FILE));

    expect(error.code).toBe('INVALID_NAME');
  });

  test('tool.uv written as an inline table at the top level', () => {
    const error = errorOf(() => upsertIndex('tool = { uv = { managed = true } }\n', SPEC, FILE));

    expect(error.code).toBe('PYPROJECT_UNSUPPORTED');
    expect(error.message).toMatch(/^pyproject\.toml:1:1: tool is written as an inline table/);
  });
});

describe('upsertIndex notes credentials in a replaced URL', () => {
  test('says the old credentials left the file but stay in history', () => {
    const input = '[[tool.uv.index]]\nname = "gitlab"\nurl = "https://u:glpat-SECRET@old.example.com/simple"\n';

    const result = upsertIndex(input, { name: 'gitlab', url: URL }, FILE);

    expect(result.text).not.toContain('glpat-SECRET');
    expect(result.notes.join('\n')).toContain('previous url carried credentials');
    expect(result.notes.join('\n')).not.toContain('glpat-SECRET');
  });
});

describe('upsertSources', () => {
  test('pins a package in the [tool.uv.sources] table after its last key', () => {
    const input = '[tool.uv.sources]\nfoo = { index = "gitlab" }\n\n[tool.ruff]\nx = 1\n';
    const expected = input.replace('\n\n', '\nbar = { index = "gitlab" }\n\n');

    const result = upsertSources(input, [{ package: 'bar', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
    expect(result.pins).toEqual([{ package: 'bar', index: 'gitlab', action: 'added' }]);
  });

  test('quotes a package key that is not a bare key', () => {
    const input = '[tool.uv.sources]\n';
    const expected = `${input}"zope.interface" = { index = "gitlab" }\n`;

    const result = upsertSources(input, [{ package: 'zope.interface', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
  });

  test('reports an existing pin to the same index as unchanged, whatever its spelling', () => {
    const input = '[tool.uv.sources]\nAcme_Utils = { index = "gitlab" }\n';

    const result = upsertSources(input, [{ package: 'acme-utils', index: 'gitlab' }], FILE);

    expect(result.action).toBe('unchanged');
    expect(result.text).toBe(input);
    expect(result.pins).toEqual([{ package: 'Acme_Utils', index: 'gitlab', action: 'unchanged' }]);
  });

  test('replaces a dotted workspace source with an index pin, keeping the key spelling', () => {
    const input = '[tool.uv.sources]\nlib-a.workspace = true  # member\nlib-b.workspace = true\n';
    const expected = input.replace('lib-a.workspace = true', 'lib-a = { index = "gitlab" }');

    const result = upsertSources(input, [{ package: 'lib_a', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
    expect(result.notes).toContain('replaced the workspace source of "lib-a" with index "gitlab"');
  });

  test('moves a dotted index pin by its index value only', () => {
    const input = '[tool.uv.sources]\nfoo.index = "old"\nfoo.marker = "sys_platform == \'linux\'"\n';
    const expected = input.replace('"old"', '"gitlab"');

    const result = upsertSources(input, [{ package: 'foo', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
    expect(result.action).toBe('updated');
  });

  test('rewrites a source spread over several dotted lines as one inline table', () => {
    const input =
      '[tool.uv.sources]\nfoo.git = "https://example.com/foo.git"\nfoo.tag = "v1"  # release\nbar = { index = "x" }\n';
    const expected = '[tool.uv.sources]\nfoo = { index = "gitlab" }\nbar = { index = "x" }\n';

    const result = upsertSources(input, [{ package: 'foo', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
  });

  test('adds to an empty inline sources table', () => {
    const input = '[tool.uv]\nsources = {}\n';
    const expected = input.replace('{}', '{ foo = { index = "gitlab" } }');

    const result = upsertSources(input, [{ package: 'foo', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
  });

  test('adds the sources table after the [tool.uv] table when there are no index entries', () => {
    const input = '[tool.uv]\nmanaged = true\n[tool.ruff]\nx = 1\n';
    const expected = input.replace('[tool.ruff]', '\n[tool.uv.sources]\nfoo = { index = "gitlab" }\n\n[tool.ruff]');

    const result = upsertSources(input, [{ package: 'foo', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
  });

  test('notes a pin to an index this file does not define', () => {
    const input = '[project]\nname = "member"\n';

    const result = upsertSources(input, [{ package: 'foo', index: 'gitlab' }], FILE);

    expect(result.notes.join('\n')).toContain('index "gitlab" is not defined in pyproject.toml');
  });

  test('handles several pins in one call and reports each', () => {
    const input = '[tool.uv.sources]\nfoo = { index = "gitlab" }\nbar = { git = "https://example.com/bar.git" }\n';
    const expected =
      '[tool.uv.sources]\nfoo = { index = "gitlab" }\nbar = { index = "gitlab" }\nbaz = { index = "gitlab" }\n';

    const result = upsertSources(
      input,
      [
        { package: 'foo', index: 'gitlab' },
        { package: 'bar', index: 'gitlab' },
        { package: 'baz', index: 'gitlab' },
      ],
      FILE,
    );

    expect(result.text).toBe(expected);
    expect(result.action).toBe('updated');
    expect(result.pins.map((pin) => pin.action)).toEqual(['unchanged', 'updated', 'added']);
  });

  test('adds a pin at the end of a file without final newline, and adds none', () => {
    const input = '[tool.uv.sources]\nfoo = { index = "gitlab" }';
    const expected = `${input}\nbar = { index = "gitlab" }`;

    const result = upsertSources(input, [{ package: 'bar', index: 'gitlab' }], FILE);

    expect(result.text).toBe(expected);
  });

  test('refuses one package pinned to two indexes in the same call', () => {
    const error = errorOf(() =>
      upsertSources(
        '',
        [
          { package: 'Acme_Utils', index: 'a' },
          { package: 'acme-utils', index: 'b' },
        ],
        FILE,
      ),
    );

    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('"a"');
    expect(error.message).toContain('"b"');
  });

  test('refuses an invalid package name', () => {
    const error = errorOf(() => upsertSources('', [{ package: 'bad name', index: 'gitlab' }], FILE));

    expect(error.code).toBe('INVALID_NAME');
  });

  test('refuses tool.uv.sources that is not a table', () => {
    const error = errorOf(() =>
      upsertSources('[tool.uv]\nsources = []\n', [{ package: 'foo', index: 'gitlab' }], FILE),
    );

    expect(error.code).toBe('PYPROJECT_UNSUPPORTED');
    expect(error.message).toMatch(/^pyproject\.toml:2:1: tool\.uv\.sources must be a table/);
  });
});
