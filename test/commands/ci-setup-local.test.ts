/**
 * `glx ci-setup --local`: the user's token goes into .gitlab-ci-local-variables.yml for
 * gitlab-ci-local, only once git is sure to ignore that file, and nowhere else.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { createFakeGitLab } from '../support/fake-gitlab/index.js';
import { glx, tempDir } from '../support/test-deps.js';

const TOKEN = 'glpat-localtoken0123456789abc';
const FILE = '.gitlab-ci-local-variables.yml';
let dir: string;
let cleanup: () => void;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
}

function ignoredByGit(): boolean {
  return spawnSync('git', ['check-ignore', '-q', FILE], { cwd: dir }).status === 0;
}

function run(args: string[], env: Record<string, string> = { GITLAB_TOKEN: TOKEN }) {
  return glx(['--cwd', dir, 'ci-setup', '--local', ...args], { env, homeDir: dir, cwd: dir });
}

/** Every file under dir (but .git) that contains the text. */
function filesContaining(text: string, at = dir): string[] {
  return readdirSync(at, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(at, entry.name);
    if (entry.isDirectory()) return entry.name === '.git' ? [] : filesContaining(text, full);
    return readFileSync(full, 'utf8').includes(text) ? [path.relative(dir, full)] : [];
  });
}

/** Every file under dir (but .git) with its bytes, as a sorted list of [path, content]. */
function snapshot(at = dir): Array<[string, string]> {
  return readdirSync(at, { withFileTypes: true })
    .flatMap((entry): Array<[string, string]> => {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) return entry.name === '.git' ? [] : snapshot(full);
      return [[path.relative(dir, full), readFileSync(full, 'latin1')]];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "tools"\nversion = "1.0.0"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "https://gitlab.example.com/api/v4/projects/7/packages/pypi/simple"\n',
  );
});

afterEach(() => cleanup());

describe('glx ci-setup --local', () => {
  beforeEach(() => {
    git('init', '-q');
    git('remote', 'add', 'origin', 'git@gitlab.example.com:acme/tools.git');
  });

  it('adds the file to .gitignore, checks with git that it is ignored, then writes CI_JOB_TOKEN there with mode 0600', async () => {
    expect(ignoredByGit()).toBe(false);

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(
      `# gitlab-ci-local variables hold a GitLab token (glx ci-setup --local)\n/${FILE}\n`,
    );
    expect(ignoredByGit()).toBe(true);
    expect(readFileSync(path.join(dir, FILE), 'utf8')).toMatch(
      new RegExp(`^# Variables for gitlab-ci-local[^\\n]*\\n#[^\\n]*\\nCI_JOB_TOKEN: ${TOKEN}\\n$`),
    );
    expect(statSync(path.join(dir, FILE)).mode & 0o777).toBe(0o600);
    expect(filesContaining(TOKEN)).toEqual([FILE]);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
    expect(result.stderr).toContain(`${FILE} set CI_JOB_TOKEN to your token (mode 0600; .gitignore: added).`);
  });

  it('leaves .gitignore alone when git already ignores the file', async () => {
    writeFileSync(path.join(dir, '.gitignore'), '.gitlab-ci-local*\n');

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('.gitlab-ci-local*\n');
    expect(result.stderr).toContain('.gitignore: already ignored');
  });

  it('refuses, exit 2, when the file is tracked by git, and writes nothing at all', async () => {
    writeFileSync(path.join(dir, FILE), 'FOO: bar\n');
    git('add', FILE);

    const result = await run([]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error: ${FILE} is tracked by git; glx will not write a token into a file that gets committed`,
    );
    expect(result.stderr).toContain(`hint: Untrack it (git rm --cached ${FILE}`);
    expect(readFileSync(path.join(dir, FILE), 'utf8')).toBe('FOO: bar\n');
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
    expect(existsSync(path.join(dir, '.gitignore'))).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('refuses, exit 2, when git still does not ignore the file after the entry is added, and changes nothing', async () => {
    // The only way git can miss glx's line: it is the last rule of the .gitignore beside the file, which outranks
    // every other ignore source (a "!" in .git/info/exclude or a parent .gitignore loses to it). But git (2.32+) does
    // not read a .gitignore that is a symlink, while glx writes through the link to the file it points at.
    writeFileSync(path.join(dir, 'shared.gitignore'), 'build/\n');
    symlinkSync('shared.gitignore', path.join(dir, '.gitignore'));
    const before = snapshot();

    const result = await run([]);

    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((line) => /^(error|hint):/.test(line))).toEqual([
      `error: git still does not ignore ${FILE} after adding /${FILE} to .gitignore; nothing was written`,
      `hint: git skipped the rule (it does not read a .gitignore that is a symlink: make it a plain file); \`git check-ignore -v --no-index ${FILE}\` shows what git reads.`,
    ]);
    // The .gitignore line is taken back and .gitlab-ci.yml is not written: every file as it was.
    expect(snapshot()).toEqual(before);
    expect(lstatSync(path.join(dir, '.gitignore')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
    expect(filesContaining(TOKEN)).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("changes nothing on a second run; a new token replaces only CI_JOB_TOKEN's value and the mode becomes 0600", async () => {
    writeFileSync(
      path.join(dir, FILE),
      '# mine\nFOO: bar\nCI_JOB_TOKEN: glpat-oldtoken000000000000  # from last week\n',
      { mode: 0o644 },
    );

    await run([]);
    const first = readFileSync(path.join(dir, FILE), 'utf8');
    const again = await run([]);

    expect(first).toBe(`# mine\nFOO: bar\nCI_JOB_TOKEN: ${TOKEN}  # from last week\n`);
    expect(statSync(path.join(dir, FILE)).mode & 0o777).toBe(0o600);
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(dir, FILE), 'utf8')).toBe(first);
    expect(again.stderr).toContain(`${FILE} already has CI_JOB_TOKEN`);
  });

  it('--dry-run shows the .gitignore change, writes nothing and prints no token', async () => {
    const result = await run(['--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `+++ b/.gitignore\n@@ -0,0 +1,2 @@\n+# gitlab-ci-local variables hold a GitLab token (glx ci-setup --local)\n+/${FILE}\n`,
    );
    expect(existsSync(path.join(dir, FILE))).toBe(false);
    expect(existsSync(path.join(dir, '.gitignore'))).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it('--json reports the file without its content', async () => {
    const result = await run(['--json']);

    expect(JSON.parse(result.stdout).local).toEqual({
      file: path.join(dir, FILE),
      action: 'created',
      gitignore: 'added',
      mode: '0600',
    });
    expect(result.stdout).not.toContain(TOKEN);
  });

  it('refuses a CI job token: --local prepares gitlab-ci-local on your machine', async () => {
    const result = await run([], { GITLAB_CI: 'true', CI_JOB_TOKEN: 'glcbt-64_jobtoken000000000000' });

    expect(result.code).toBe(2);
    expect(existsSync(path.join(dir, FILE))).toBe(false);
  });

  it('exits 4 with a hint when no token can be found, before writing anything', async () => {
    const result = await run([], {});

    expect(result.code).toBe(4);
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
  });
});

describe('glx ci-setup --local outside a git repository', () => {
  it('still lists the file in .gitignore for when it becomes one, and says so', async () => {
    const result = await run(['--host', 'https://gitlab.example.com']);

    expect(result.code).toBe(0);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toContain(`/${FILE}`);
    expect(result.stderr).toContain('is not a git repository');
    expect(statSync(path.join(dir, FILE)).mode & 0o777).toBe(0o600);
  });
});

describe('the personal token standing in for CI_JOB_TOKEN', () => {
  it('is accepted where the pipeline sends it: Basic gitlab-ci-token:<token> on the registry (GitLab ignores the username for access tokens)', async () => {
    const fake = await createFakeGitLab();
    onTestFinished(async () => {
      await fake.close();
      fake.assertClean();
    });
    const world = fake.seed.standard();
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const basic = Buffer.from(`gitlab-ci-token:${world.tokens.alicePat}`).toString('base64');

    const answer = await fetch(`${fake.apiUrl}/projects/7/packages/pypi/simple`, {
      headers: { authorization: `Basic ${basic}` },
    });

    expect(answer.status).toBe(200);
    expect(fake.requests[0]?.auth.kind).toBe('personal');
  });
});
