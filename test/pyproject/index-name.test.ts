import { describe, expect, test } from 'vitest';
import { envVarStem, findEnvCollisions, indexEnvVars, validateIndexName } from '../../src/pyproject/index-name.js';
import { errorOf } from '../support/errors.js';

describe('validateIndexName', () => {
  test.each(['gitlab', 'my-index', 'My.Index_2', '123', '-lead', 'trail-', 'a--b', 'gitlab.example.com'])(
    'accepts %j like uv does',
    (name) => {
      expect(() => validateIndexName(name)).not.toThrow();
    },
  );

  test.each([
    ['private registry', ' '],
    ['gitlab/group', '/'],
    ['gitlab:8443', ':'],
    ['gitlab@corp', '@'],
  ])('rejects %j naming the unsupported character, in uv wording', (name, char) => {
    const error = errorOf(() => validateIndexName(name));

    expect(error.code).toBe('INVALID_NAME');
    expect(error.message).toBe(
      `Index names may only contain letters, digits, hyphens, underscores, and periods, but found unsupported character (\`${char}\`) in: \`${name}\``,
    );
    expect(error.hint).toMatch(/letters, digits/);
  });

  test('rejects a non-ASCII name naming the first non-ASCII character', () => {
    const error = errorOf(() => validateIndexName('café-ünï'));

    expect(error.code).toBe('INVALID_NAME');
    expect(error.message).toBe('Index names must be ASCII, but found non-ASCII character (`é`) in: `café-ünï`');
  });

  test('rejects the empty name that uv itself would accept', () => {
    const error = errorOf(() => validateIndexName(''));

    expect(error.code).toBe('INVALID_NAME');
    expect(error.message).toMatch(/empty/);
  });

  test('keeps the message on one line when the name holds a control character', () => {
    const error = errorOf(() => validateIndexName('git\nlab'));

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('(`\\n`) in: `git\\nlab`');
  });
});

describe('env var names', () => {
  test.each([
    ['pytorch', 'PYTORCH'],
    ['foo-bar', 'FOO_BAR'],
    ['internal-proxy', 'INTERNAL_PROXY'],
    ['my.index', 'MY_INDEX'],
    ['CamelCase', 'CAMELCASE'],
    ['My.Index_2', 'MY_INDEX_2'],
    ['gitlab.example.com', 'GITLAB_EXAMPLE_COM'],
    ['123', '123'],
    ['-lead', '_LEAD'],
    ['trail-', 'TRAIL_'],
    ['a--b', 'A__B'],
    ['a.-_b', 'A___B'],
  ])('maps %j to the stem %j, one character for one', (name, stem) => {
    const result = envVarStem(name);

    expect(result).toBe(stem);
  });

  test('builds the UV_INDEX_<STEM>_USERNAME and _PASSWORD pair', () => {
    const vars = indexEnvVars('my-index');

    expect(vars).toEqual({ username: 'UV_INDEX_MY_INDEX_USERNAME', password: 'UV_INDEX_MY_INDEX_PASSWORD' });
  });

  test('groups distinct names that select the same variables, in first-seen order', () => {
    const names = ['my-index', 'gitlab', 'pypi', 'my_index', 'GitLab', 'MY.INDEX', 'gitlab'];

    const groups = findEnvCollisions(names);

    expect(groups).toEqual([
      ['my-index', 'my_index', 'MY.INDEX'],
      ['gitlab', 'GitLab'],
    ]);
  });

  test('finds no collision when every name has its own variables', () => {
    const groups = findEnvCollisions(['a', 'b', 'a-b', 'ab']);

    expect(groups).toEqual([]);
  });
});
