import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { useFakeProject } from '../support/fake-project.js';
import { checkRoutes, PUBLISH_ROUTES } from '../support/routes.js';
import { glx } from '../support/test-deps.js';

const ROOT =
  '[project]\nname = "root"\nversion = "0.1.0"\ndependencies = ["a"]\n\n[tool.uv.sources]\na = { workspace = true }\n\n[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/scratch"]\n';
const MEMBER = (name: string) => `[project]\nname = "${name}"\nversion = "0.1.0"\ndependencies = ["acme-utils"]\n`;

const t = useFakeProject();

beforeEach(() => {
  write('pyproject.toml', ROOT);
  write('packages/a/pyproject.toml', MEMBER('a'));
  write('packages/scratch/pyproject.toml', MEMBER('scratch'));
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(t.dir, file)), { recursive: true });
  writeFileSync(path.join(t.dir, file), text);
}

function read(file: string): string {
  return readFileSync(path.join(t.dir, file), 'utf8');
}

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', path.join(t.dir, cwd), ...args], {
    env: { GITLAB_HOST: t.fake.url, NETRC: path.join(t.dir, 'netrc'), SHELL: '/bin/bash', ...env },
    homeDir: t.dir,
  });
}

const INDEX = (url: string) =>
  `\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${url}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n`;

describe('glx in a uv workspace member', () => {
  it('init writes the index into the workspace root, where uv reads it, and leaves the member alone', async () => {
    const result = await run('packages/a', ['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(read('pyproject.toml')).toBe(ROOT + INDEX(t.fake.url));
    expect(read('packages/a/pyproject.toml')).toBe(MEMBER('a'));
    expect(result.stderr).toContain('member of the uv workspace at ../../pyproject.toml');
  });

  it('init from a deeper directory of a member finds the root too', async () => {
    mkdirSync(path.join(t.dir, 'packages/a/src/a'), { recursive: true });

    const result = await run('packages/a/src/a', ['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(read('pyproject.toml')).toBe(ROOT + INDEX(t.fake.url));
  });

  it('init --dry-run from a member sees the root index and adds no duplicate', async () => {
    write('pyproject.toml', ROOT + INDEX(t.fake.url));

    const result = await run('packages/a', ['init', '--group', '42', '--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nothing to change');
  });

  it('pins go to the root sources, which uv applies to every member, unless the member has its own entry', async () => {
    write(
      'packages/a/pyproject.toml',
      `${MEMBER('a')}\n[tool.uv.sources]\nacme-cli = { git = "https://example.com/cli.git" }\n`,
    );

    const result = await run('packages/a', [
      'init',
      '--group',
      '42',
      '--package',
      'acme-utils',
      '--package',
      'acme-cli',
    ]);

    expect(result.code).toBe(0);
    const root = read('pyproject.toml');
    expect(root).toContain('acme-utils = { index = "gitlab" }');
    expect(root).not.toContain('acme-cli');
    // The member's own entry overrides the root's (uv's Workspace sources), so that is the one to change.
    expect(read('packages/a/pyproject.toml')).toContain('acme-cli = { index = "gitlab" }');
    expect(read('packages/a/pyproject.toml')).not.toContain('[[tool.uv.index]]');
  });

  it('an excluded directory is its own project, as uv treats it', async () => {
    const result = await run('packages/scratch', ['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(read('pyproject.toml')).toBe(ROOT);
    expect(read('packages/scratch/pyproject.toml')).toBe(MEMBER('scratch') + INDEX(t.fake.url));
  });

  it('a project under the root that no members glob matches is its own project', async () => {
    write('examples/demo/pyproject.toml', MEMBER('demo'));

    const result = await run('examples/demo', ['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(read('pyproject.toml')).toBe(ROOT);
    expect(read('examples/demo/pyproject.toml')).toBe(MEMBER('demo') + INDEX(t.fake.url));
  });

  it('a plain directory inside the root (no pyproject.toml of its own) uses the root', async () => {
    mkdirSync(path.join(t.dir, 'scripts'));

    const result = await run('scripts', ['init', '--group', '42']);

    expect(result.code).toBe(0);
    expect(read('pyproject.toml')).toBe(ROOT + INDEX(t.fake.url));
  });

  it('env and auth status from a member find the root index', async () => {
    t.fake.expect(checkRoutes('group'));
    write('pyproject.toml', ROOT + INDEX(t.fake.url));

    const env = await run('packages/a', ['env'], { GITLAB_TOKEN: t.world.tokens.alicePat });
    const status = await run('packages/a', ['--json', 'auth', 'status'], {
      UV_INDEX_GITLAB_USERNAME: '__token__',
      UV_INDEX_GITLAB_PASSWORD: t.world.tokens.alicePat,
    });

    expect(env.code).toBe(0);
    expect(env.stdout).toContain("export UV_INDEX_GITLAB_USERNAME='__token__'");
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).indexes.map((i: { name: string }) => i.name)).toEqual(['gitlab']);
  });

  it('doctor from a member checks the root index and warns about index tables uv ignores in members', async () => {
    write('pyproject.toml', ROOT + INDEX(t.fake.url));
    write('packages/b/pyproject.toml', MEMBER('b') + INDEX(t.fake.url).replace('"gitlab"', '"stray"'));

    const result = await run('packages/a', ['--json', 'doctor', '--offline'], {
      UV_INDEX_GITLAB_USERNAME: '__token__',
      UV_INDEX_GITLAB_PASSWORD: t.world.tokens.alicePat,
    });

    const report = JSON.parse(result.stdout) as {
      checks: Array<{ id: string; status: string; message: string; fix?: string }>;
    };
    expect(report.checks.find((c) => c.id === 'pyproject')?.message).toContain('1 GitLab index (gitlab)');
    const warning = report.checks.find((c) => c.id === 'workspace.packages/b');
    expect(warning?.status).toBe('warn');
    expect(warning?.message).toContain('ignores these');
    expect(warning?.fix).toContain('../../pyproject.toml');
    expect(report.checks.some((c) => c.id === 'workspace.packages/scratch')).toBe(false);
  });

  it('publish from a member takes the root publish-url and, with no files, the root dist/ where uv build writes', async () => {
    t.fake.expect(PUBLISH_ROUTES);
    write(
      'pyproject.toml',
      `${ROOT}\n[[tool.uv.index]]\nname = "tools"\nurl = "${t.fake.url}/api/v4/projects/7/packages/pypi/simple"\npublish-url = "${t.fake.url}/api/v4/projects/7/packages/pypi"\nauthenticate = "always"\n`,
    );
    mkdirSync(path.join(t.dir, 'dist'));
    await buildDists(path.join(t.dir, 'dist'), [
      { kind: 'wheel', name: 'a', version: '0.1.0' },
      { kind: 'wheel', name: 'b', version: '0.1.0' },
    ]);

    const fromMember = await run('packages/a', ['publish'], { GITLAB_TOKEN: t.world.tokens.alicePat });

    expect(fromMember.code, fromMember.stderr).toBe(0);
    expect(t.fake.uploads.map((u) => u.fileName).sort()).toEqual([
      'a-0.1.0-py3-none-any.whl',
      'b-0.1.0-py3-none-any.whl',
    ]);
  });

  it('publish with no files and an empty dist/ says where it looked', async () => {
    write(
      'pyproject.toml',
      `${ROOT}\n[[tool.uv.index]]\nname = "tools"\nurl = "${t.fake.url}/api/v4/projects/7/packages/pypi/simple"\npublish-url = "${t.fake.url}/api/v4/projects/7/packages/pypi"\n`,
    );

    const result = await run('packages/a', ['publish'], { GITLAB_TOKEN: t.world.tokens.alicePat });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(t.dir, 'dist')}${path.sep} has no wheels or sdists`);
    expect(result.stderr).toContain('uv build --all-packages');
  });
});
