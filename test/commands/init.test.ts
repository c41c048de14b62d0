import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { glx, tempDir } from '../support/test-deps.js';

const PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\n\n# uv settings\n[tool.uv]\npackage = true\n';

let fake: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;

beforeEach(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), PYPROJECT);
});

afterEach(async () => {
  await fake.close();
  cleanup();
  fake.assertClean();
});

function run(args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', dir, ...args], { env: { GITLAB_HOST: fake.url, ...env }, homeDir: dir });
}

function pyproject(): string {
  return readFileSync(path.join(dir, 'pyproject.toml'), 'utf8');
}

describe('glx init with a numeric id', () => {
  it('adds a group index without any network call', async () => {
    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(pyproject()).toBe(
      `${PYPROJECT}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${fake.url}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n`,
    );
    expect(fake.requests).toHaveLength(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Added index "gitlab" → group 42 on 127.0.0.1 in pyproject.toml.');
  });

  it('changes no byte on a second identical run', async () => {
    await run(['init', '--project', '7', '--package', 'acme-utils', '--publish']);
    const first = pyproject();

    const again = await run(['init', '--project', '7', '--package', 'acme-utils', '--publish']);

    expect(again.code).toBe(0);
    expect(pyproject()).toBe(first);
    expect(again.stderr).toContain('nothing changed');
  });

  it('writes explicit, publish-url, ignore-error-codes and the pins', async () => {
    const result = await run([
      'init',
      '--project',
      '7',
      '--name',
      'tools',
      '--package',
      'acme-utils',
      '--package',
      'acme-cli',
      '--publish',
      '--ignore-error-codes',
      '401,403',
    ]);

    expect(result.code).toBe(0);
    const text = pyproject();
    expect(text).toContain(`publish-url = "${fake.url}/api/v4/projects/7/packages/pypi"`);
    expect(text).toContain('explicit = true');
    expect(text).toContain('ignore-error-codes = [401, 403]');
    expect(text).toContain('[tool.uv.sources]\nacme-utils = { index = "tools" }\nacme-cli = { index = "tools" }\n');
  });

  it('prints a diff with --dry-run and writes nothing', async () => {
    const result = await run(['init', '--group', '42', '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^--- a\/pyproject.toml\n\+\+\+ b\/pyproject.toml\n@@/);
    expect(result.stdout).toContain('+[[tool.uv.index]]');
    expect(pyproject()).toBe(PYPROJECT);
  });

  it('reports the plan as JSON with --dry-run --json', async () => {
    const result = await run(['init', '--group', '42', '--dry-run', '--json']);

    const plan = JSON.parse(result.stdout);
    expect(plan).toMatchObject({
      changed: true,
      dryRun: true,
      index: { name: 'gitlab', action: 'added' },
      registry: { kind: 'group', id: '42' },
    });
    expect(plan.diff).toContain('+name = "gitlab"');
    expect(pyproject()).toBe(PYPROJECT);
  });
});

describe('glx init with a path', () => {
  it('resolves a group path to its numeric id with the available token', async () => {
    fake.expect(['GET /groups/:id']);

    const result = await run(['init', '--group', 'acme', '--name', 'acme'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(pyproject()).toContain(`url = "${fake.url}/api/v4/groups/42/-/packages/pypi/simple"`);
    expect(fake.requests[0]?.rawUrl).toBe('/api/v4/groups/acme?with_projects=false');
    expect(result.stderr + result.stdout).not.toContain(world.tokens.alicePat);
  });

  it('resolves a subgroup project path, URL-encoded', async () => {
    fake.expect(['GET /projects/:id']);
    const result = await run(['init', '--project', 'acme/libs/core'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(fake.requests[0]?.rawUrl).toBe('/api/v4/projects/acme%2Flibs%2Fcore');
    expect(pyproject()).toContain('/api/v4/projects/11/packages/pypi/simple');
  });

  it('resolves a public project without a token', async () => {
    fake.expect(['GET /projects/:id']);
    const result = await run(['init', '--project', 'oss/pub']);

    expect(result.code).toBe(0);
    expect(fake.requests[0]?.headers['private-token']).toBeUndefined();
    expect(pyproject()).toContain('/api/v4/projects/8/packages/pypi/simple');
  });

  it('explains a private path it cannot see without a token (exit 4, hint leads with glx auth --netrc), and changes nothing', async () => {
    fake.expect(['GET /projects/:id']);
    const result = await run(['init', '--project', 'acme/tools']);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: project acme\/tools not found on 127\.0\.0\.1, or it is private and no token was available\nhint: Run `glx auth --netrc --host http:\/\/127\.0\.0\.1:\d+` \(or set GITLAB_TOKEN\), or pass the numeric id with --project/m,
    );
    expect(pyproject()).toBe(PYPROJECT);
  });

  it('treats a private group it cannot see without a token as missing credentials (exit 4)', async () => {
    fake.expect(['GET /groups/:id']);
    const result = await run(['init', '--group', 'acme']);

    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^hint: Run `glx auth --netrc/m);
    expect(pyproject()).toBe(PYPROJECT);
  });

  it('uses the project of git remote origin when no target is given', async () => {
    fake.expect(['GET /projects/:id']);
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', `${fake.url}/acme/tools.git`]);

    const result = await run(['init'], { GITLAB_HOST: '', GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(pyproject()).toContain(`url = "${fake.url}/api/v4/projects/7/packages/pypi/simple"`);
  });
});

describe('glx init refuses bad input with exit 2 and changes nothing', () => {
  it.each([
    [['init', '--group', '42', '--project', '7'], /cannot be used with option '--project/],
    [['init', '--group', '42', '--publish'], /--publish needs a project registry/],
    [['init', '--group', '42', '--name', 'my index'], /unsupported character/],
    [['init', '--group', '42', '--ignore-error-codes', '401,abc'], /not an HTTP status code/],
    [['init', '--group', 'https://gitlab.com/acme'], /takes an id or a path, not a URL/],
    [['init', '--project', 'tools'], /a project path includes its namespace/],
    [['init', '--group', '42', '--package', 'not a name'], /not a valid Python package name/],
  ])('%j', async (args, message) => {
    const result = await run(args as string[]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message as RegExp);
    expect(result.stderr).toMatch(/\nhint: /);
    expect(pyproject()).toBe(PYPROJECT);
  });

  it('names file, line and column of malformed TOML', async () => {
    const broken = '[project]\nname = "demo"\nversion = \n';
    writeFileSync(path.join(dir, 'pyproject.toml'), broken);

    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: pyproject\.toml:3:\d+: /);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(pyproject()).toBe(broken);
  });

  it('refuses a [tool.uv.index] table that is not an array', async () => {
    const odd = `${PYPROJECT}\n[tool.uv.index]\nname = "x"\nurl = "https://example.com/simple"\n`;
    writeFileSync(path.join(dir, 'pyproject.toml'), odd);

    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pyproject\.toml:9:\d+: .*array of tables/);
    expect(pyproject()).toBe(odd);
  });

  it('refuses a name whose variables collide with another index', async () => {
    const existing = `${PYPROJECT}\n[[tool.uv.index]]\nname = "git-lab"\nurl = "https://example.com/simple"\n`;
    writeFileSync(path.join(dir, 'pyproject.toml'), existing);

    const result = await run(['init', '--group', '42', '--name', 'git_lab']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('git-lab');
    expect(result.stderr).toContain('git_lab');
    expect(pyproject()).toBe(existing);
  });

  it('says when there is no pyproject.toml', async () => {
    const { dir: empty, cleanup: done } = tempDir();
    try {
      const result = await glx(['--cwd', empty, 'init', '--group', '42'], { homeDir: empty });

      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no pyproject\.toml in .* or any parent directory\nhint: Run `uv init` first/);
    } finally {
      done();
    }
  });

  it('says when there is neither a target nor a git remote', async () => {
    const result = await run(['init']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no --group or --project given');
  });
});

describe('glx init and credentials', () => {
  it('warns about credentials already in an index URL without printing them', async () => {
    const secret = 'glpat-embeddedsecret0001';
    const withCreds = `${PYPROJECT}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://__token__:${secret}@gitlab.example.com/api/v4/groups/42/-/packages/pypi/simple"\n`;
    writeFileSync(path.join(dir, 'pyproject.toml'), withCreds);

    const result = await run(['init', '--group', '42', '--host', 'https://gitlab.example.com']);

    expect(result.stderr).toMatch(/warning: .*credentials.*glx auth/);
    expect(result.stderr + result.stdout).not.toContain(secret);
  });

  it('keeps the file mode of pyproject.toml', async () => {
    const file = path.join(dir, 'pyproject.toml');
    execFileSync('chmod', ['640', file]);

    await run(['init', '--group', '42']);

    expect(statSync(file).mode & 0o777).toBe(0o640);
  });
});

describe('glx init places the index where uv ranks it as intended', () => {
  const mirror = '[[tool.uv.index]]\nname = "mirror"\nurl = "https://mirror.example.com/simple"\n';

  it('puts a new non-explicit index above the others, and says uv asks it first', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), `${PYPROJECT}\n${mirror}`);

    const result = await run(['init', '--group', '42']);

    expect(result.code, result.stderr).toBe(0);
    expect(pyproject().indexOf('name = "gitlab"')).toBeLessThan(pyproject().indexOf('name = "mirror"'));
    expect(result.stderr).toContain('uv asks "gitlab" first for packages not pinned to an index.');
  });

  it('leaves an updated entry in place and warns when another index ranks above it', async () => {
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `${PYPROJECT}\n${mirror}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${fake.url}/api/v4/groups/43/-/packages/pypi/simple"\n`,
    );

    const result = await run(['init', '--group', '42', '--replace']);

    expect(result.code, result.stderr).toBe(0);
    expect(pyproject().indexOf('name = "mirror"')).toBeLessThan(pyproject().indexOf('name = "gitlab"'));
    expect(result.stderr).toMatch(
      /warning: uv asks index "mirror" before "gitlab" for packages not pinned to an index .*move its \[\[tool\.uv\.index\]\] block above "mirror", or pin packages with --package/,
    );
  });
});

describe('glx init replaces nothing without a word', () => {
  const named = (url: string, extra = '') =>
    `${PYPROJECT}\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${url}"\nauthenticate = "always"\n${extra}`;

  it('refuses to point an existing index name at another registry, exit 2, with --name in the hint', async () => {
    const before = named(`${fake.url}/api/v4/groups/43/-/packages/pypi/simple`);
    writeFileSync(path.join(dir, 'pyproject.toml'), before);

    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: index "gitlab" in pyproject.toml already points at group 43 on 127\.0\.0\.1; refusing to point it at group 42/,
    );
    expect(result.stderr).toMatch(/hint: .*--name gitlab-group.*--replace/);
    expect(pyproject()).toBe(before);
  });

  it('--replace points it at the new registry and says what it pointed at', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), named(`${fake.url}/api/v4/groups/43/-/packages/pypi/simple`));

    const result = await run(['init', '--group', '42', '--replace']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: index "gitlab" pointed at group 43 on 127.0.0.1; --replace points it at group 42',
    );
    expect(pyproject()).toBe(named(`${fake.url}/api/v4/groups/42/-/packages/pypi/simple`));
  });

  it('the same registry by path is the same registry: the path spelling stays, nothing changes', async () => {
    fake.expect(['GET /groups/:id']);
    const before = named(`${fake.url}/api/v4/groups/acme/-/packages/pypi/simple`);
    writeFileSync(path.join(dir, 'pyproject.toml'), before);

    const result = await run(['init', '--group', 'acme'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(pyproject()).toBe(before);
    expect(result.stderr).toContain('nothing changed');
  });

  it('a project path with %2F is the same registry as its numeric id once the API has named it', async () => {
    fake.expect(['GET /projects/:id']);
    const before = named(`${fake.url}/api/v4/projects/acme%2Ftools/packages/pypi/simple`);
    writeFileSync(path.join(dir, 'pyproject.toml'), before);

    const result = await run(['init', '--project', 'acme/tools'], { GITLAB_TOKEN: world.tokens.alicePat });

    expect(result.code).toBe(0);
    expect(pyproject()).toBe(before);
  });

  it('offline, a path against a bare numeric id cannot be compared: it refuses and says so', async () => {
    const before = named(`${fake.url}/api/v4/groups/acme/-/packages/pypi/simple`);
    writeFileSync(path.join(dir, 'pyproject.toml'), before);

    const result = await run(['init', '--group', '42']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('without asking GitLab glx cannot tell whether that is group 42');
    expect(result.stderr).toContain('--group acme');
    expect(pyproject()).toBe(before);
    expect(fake.requests).toHaveLength(0);
  });

  it('--package on an index that was not explicit warns that unpinned packages stop resolving from it', async () => {
    writeFileSync(path.join(dir, 'pyproject.toml'), named(`${fake.url}/api/v4/groups/42/-/packages/pypi/simple`));

    const result = await run(['init', '--group', '42', '--package', 'acme-utils']);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'warning: index "gitlab" was not explicit; --package makes it explicit = true, so uv takes only the packages pinned to it from there (acme-utils): unpinned packages stop resolving from it',
    );
    expect(pyproject()).toContain('explicit = true');
  });

  it('no such warning for a new index, an index already explicit, or when --explicit was asked for', async () => {
    const fresh = await run(['init', '--group', '42', '--package', 'acme-utils']);
    writeFileSync(path.join(dir, 'pyproject.toml'), named(`${fake.url}/api/v4/groups/42/-/packages/pypi/simple`));
    const asked = await run(['init', '--group', '42', '--package', 'acme-cli', '--explicit']);

    expect(fresh.stderr).not.toContain('warning');
    expect(asked.stderr).not.toContain('warning');
  });
});
