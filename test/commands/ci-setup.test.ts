/** `glx ci-setup` through the CLI, offline: writing, merging, --dry-run, --json, refusals. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ciData, schemaAvailable, schemaErrors } from '../gitlab-ci/schema.js';
import { glx, tempDir } from '../support/test-deps.js';

const HOST = 'https://gitlab.example.com';
// biome-ignore lint/suspicious/noTemplateCurlyInString: GitLab's variable syntax, literally
const REGISTRY = '${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/packages/pypi';
let dir: string;
let cleanup: () => void;

function pyproject(
  extra = '',
  indexes: Array<{ name: string; url: string; publish?: string }> = [
    { name: 'gitlab', url: `${HOST}/api/v4/groups/42/-/packages/pypi/simple` },
  ],
): string {
  const blocks = indexes.map(
    (index) =>
      `\n[[tool.uv.index]]\nname = "${index.name}"\nurl = "${index.url}"\n${index.publish ? `publish-url = "${index.publish}"\n` : ''}authenticate = "always"\n`,
  );
  return `[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n${extra}${blocks.join('')}`;
}

function run(args: string[], env: Record<string, string> = {}) {
  return glx(['--cwd', dir, 'ci-setup', ...args], { env, homeDir: dir, cwd: dir });
}

function ciFile(): string {
  return readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8');
}

function jobs(): Record<string, Record<string, unknown>> {
  return ciData(ciFile()) as Record<string, Record<string, unknown>>;
}

function scriptOf(job: Record<string, unknown> | undefined): string[] {
  return (job?.script ?? []) as string[];
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), pyproject());
  writeFileSync(path.join(dir, 'uv.lock'), 'version = 1\n');
});

afterEach(() => cleanup());

describe('glx ci-setup', () => {
  it('writes a new .gitlab-ci.yml: the uv template with job-token credentials, and a first job that extends it', async () => {
    const result = await run([]);

    expect(result.code).toBe(0);
    const data = jobs();
    expect(data['.glx-uv']).toMatchObject({
      image: 'ghcr.io/astral-sh/uv:$UV_VERSION-python$PYTHON_VERSION-$BASE_LAYER',
      variables: {
        UV_VERSION: '0.13',
        PYTHON_VERSION: '3.11',
        BASE_LAYER: 'trixie-slim',
        UV_LINK_MODE: 'copy',
        UV_CACHE_DIR: '.uv-cache',
        UV_INDEX_GITLAB_USERNAME: 'gitlab-ci-token',
        UV_INDEX_GITLAB_PASSWORD: '$CI_JOB_TOKEN',
      },
      cache: [{ key: { files: ['uv.lock'] }, paths: ['$UV_CACHE_DIR'] }],
      after_script: ['uv cache prune --ci'],
    });
    expect(data['uv-sync']).toEqual({ extends: '.glx-uv', script: ['uv sync --locked'] });
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Wrote .gitlab-ci.yml: added .glx-uv, added uv-sync.');
    expect(result.stderr).toContain(
      'Image ghcr.io/astral-sh/uv:0.13-python3.11-trixie-slim (PYTHON_VERSION from requires-python >=3.11)',
    );
    expect(result.stderr).toContain('Job-token credentials for "gitlab".');
    expect(statSync(path.join(dir, '.gitlab-ci.yml')).mode & 0o777).toBe(0o644);
  });

  it('changes no byte on a second run and says the file is up to date', async () => {
    await run(['--publish']);
    const first = ciFile();

    const second = await run([]);

    expect(second.code).toBe(0);
    expect(ciFile()).toBe(first);
    expect(second.stderr).toContain('.gitlab-ci.yml is up to date; nothing changed.');
  });

  it('takes the Python of the image from .python-version before requires-python', async () => {
    writeFileSync(path.join(dir, '.python-version'), '3.12.4\n');

    await run([]);

    expect(jobs()['.glx-uv']?.variables).toMatchObject({ PYTHON_VERSION: '3.12' });
  });

  it('keeps UV_VERSION, PYTHON_VERSION and BASE_LAYER edited in the file; flags change them', async () => {
    await run([]);
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), ciFile().replace('UV_VERSION: "0.13"', 'UV_VERSION: "0.11.9"'));

    await run([]);
    const kept = jobs()['.glx-uv']?.variables;
    const flagged = await run(['--uv-version', '0.12.5', '--python', '3.13', '--base-layer', 'alpine']);

    expect(kept).toMatchObject({ UV_VERSION: '0.11.9' });
    expect(flagged.code).toBe(0);
    expect(jobs()['.glx-uv']?.variables).toMatchObject({
      UV_VERSION: '0.12.5',
      PYTHON_VERSION: '3.13',
      BASE_LAYER: 'alpine',
    });
  });

  it('offers only the bases uv publishes images for: bookworm is refused with the reason', async () => {
    const result = await run(['--base-layer', 'bookworm-slim']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error: --base-layer "bookworm-slim" is not a base: uv stopped publishing bookworm images in 0\.10\nhint: Use one of trixie-slim, trixie, alpine, alpine3\.23, dhi/,
    );
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
  });

  it('merges into an existing file: the original text stays a byte-for-byte prefix, no first job is added', async () => {
    const original =
      '# ours\n.base: &base\n  tags: [docker]\n\ntest:\n  <<: *base\n  script:\n    - !reference [.setup, script]\n    - pytest   # unit\n';
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), original);

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(ciFile().startsWith(`${original}\n# glx: `)).toBe(true);
    expect(jobs()['uv-sync']).toBeUndefined();
    expect(result.stderr).toContain('Updated .gitlab-ci.yml: added .glx-uv.');
  });

  it('--publish adds the tag-only publish job; --no-publish takes it out again, restoring the file', async () => {
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'test:\n  script: pytest\n');
    await run([]);
    const withoutPublish = ciFile();

    const added = await run(['--publish']);
    const publish = jobs()['glx-publish'];
    const removed = await run(['--no-publish']);

    expect(added.code).toBe(0);
    expect(publish).toMatchObject({
      extends: '.glx-uv',
      stage: 'deploy',
      rules: [{ if: '$CI_COMMIT_TAG' }],
      variables: {
        UV_PUBLISH_URL: REGISTRY,
        UV_PUBLISH_USERNAME: 'gitlab-ci-token',
        UV_PUBLISH_PASSWORD: '$CI_JOB_TOKEN',
        UV_PUBLISH_CHECK_URL: `${REGISTRY}/simple`,
      },
    });
    expect(scriptOf(publish).slice(0, 2)).toEqual(['uv build', 'uv publish --trusted-publishing never']);
    expect(scriptOf(publish)[2]).toMatch(/^uv run --no-project python - <<'PY'\n/);
    expect(removed.code).toBe(0);
    expect(ciFile()).toBe(withoutPublish);
    expect(removed.stderr).toContain('removed glx-publish');
  });

  it('--dry-run prints the unified diff on stdout and writes nothing', async () => {
    const result = await run(['--publish', '--dry-run']);

    expect(result.code).toBe(0);
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
    expect(result.stdout).toMatch(/^--- \/dev\/null\n\+\+\+ b\/\.gitlab-ci\.yml\n@@ /);
    expect(result.stdout).toContain('+glx-publish:');
    expect(result.stderr).toContain('Dry run: .gitlab-ci.yml would change as shown');
  });

  it('--dry-run on an up-to-date file prints nothing on stdout', async () => {
    await run([]);

    const result = await run(['--dry-run']);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is up to date; nothing to change');
  });

  it('--json reports the jobs, the pins with their sources and the credential variables', async () => {
    const result = await run(['--json', '--python', '3.12']);

    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      created: true,
      changed: true,
      dryRun: false,
      jobs: { template: 'added', starter: 'added' },
      image: 'ghcr.io/astral-sh/uv:0.13-python3.12-trixie-slim',
      pins: { PYTHON_VERSION: { value: '3.12', source: '--python' }, UV_VERSION: { value: '0.13', source: 'default' } },
      indexes: [{ name: 'gitlab', username: 'UV_INDEX_GITLAB_USERNAME', password: 'UV_INDEX_GITLAB_PASSWORD' }],
    });
    expect(result.stderr).toBe('');
  });

  it('exits 2 on malformed YAML with file:line:col and leaves the file untouched', async () => {
    const broken = 'test:\n  script:\n    - pytest\n  stage: [test\n';
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), broken);

    const result = await run(['--publish']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: \.gitlab-ci\.yml:\d+:\d+: /);
    expect(result.stderr).toContain('hint: ');
    expect(ciFile()).toBe(broken);
  });

  it('points uv at a pyproject.toml in a subdirectory with UV_PROJECT and its uv.lock', async () => {
    const sub = path.join(dir, 'python', 'acme');
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, 'pyproject.toml'), pyproject());

    const result = await run(['--file', 'python/acme/pyproject.toml', '--ci-file', '.gitlab-ci.yml', '--publish']);

    expect(result.code).toBe(0);
    expect(jobs()['.glx-uv']).toMatchObject({
      variables: { UV_PROJECT: 'python/acme' },
      cache: [{ key: { files: ['python/acme/uv.lock'] } }],
    });
    expect(scriptOf(jobs()['glx-publish'])[0]).toBe('uv build --out-dir dist');
    expect(jobs()['uv-sync']).toEqual({ extends: '.glx-uv', script: ['uv sync'] });
  });

  it('gives no job-token credentials to an index on another GitLab instance, and says why', async () => {
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      pyproject('', [
        { name: 'gitlab', url: `${HOST}/api/v4/projects/7/packages/pypi/simple` },
        { name: 'elsewhere', url: 'https://gitlab.other.org/api/v4/projects/3/packages/pypi/simple' },
      ]),
    );

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(Object.keys(jobs()['.glx-uv']?.variables as object)).not.toContain('UV_INDEX_ELSEWHERE_PASSWORD');
    expect(result.stderr).toContain('warning: index "elsewhere" is on gitlab.other.org, not gitlab.example.com');
  });

  it('refuses two indexes whose names give the same variables', async () => {
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      pyproject('', [
        { name: 'acme-a', url: `${HOST}/api/v4/projects/7/packages/pypi/simple` },
        { name: 'acme_a', url: `${HOST}/api/v4/projects/8/packages/pypi/simple` },
      ]),
    );

    const result = await run([]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('UV_INDEX_ACME_A_USERNAME');
    expect(existsSync(path.join(dir, '.gitlab-ci.yml'))).toBe(false);
  });

  it('rejects a patch version for --python with the minor to use instead', async () => {
    const result = await run(['--python', '3.12.4']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hint: The uv images are tagged by minor version: use --python 3.12.');
  });

  it('notes that a re-run of a tag pipeline needs read credentials for the check URL when no index has a publish-url', async () => {
    const result = await run(['--publish']);

    expect(result.stderr).toContain('glx init --publish --explicit');
  });

  it.skipIf(!schemaAvailable)("writes files that validate against GitLab's CI schema", async () => {
    await run(['--publish']);

    expect(schemaErrors(ciFile())).toBe('');
  });
});

describe('glx ci-setup keeps what the user added inside its blocks', () => {
  it('keeps user variables and keys in .glx-uv and glx-publish, and names each change in the summary', async () => {
    await run(['--publish']);
    const edited = ciFile()
      .replace(
        '    UV_CACHE_DIR: .uv-cache\n',
        '    UV_CACHE_DIR: .uv-cache\n    PIP_DISABLE_PIP_VERSION_CHECK: "1"\n    UV_INDEX_OLD_USERNAME: gitlab-ci-token\n',
      )
      .replace('.glx-uv:\n', '.glx-uv:\n  tags: [docker]\n')
      .replace('glx-publish:\n', 'glx-publish:\n  environment: pypi\n')
      .replace('    UV_LINK_MODE: copy\n', '    UV_LINK_MODE: copy\n    # ask ops before changing\n');
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), edited);

    const result = await run([]);

    expect(result.code).toBe(0);
    const all = jobs();
    expect(all['.glx-uv']?.tags).toEqual(['docker']);
    expect(all['.glx-uv']?.variables).toMatchObject({ PIP_DISABLE_PIP_VERSION_CHECK: '1' });
    expect(all['.glx-uv']?.variables).not.toHaveProperty('UV_INDEX_OLD_USERNAME');
    expect(all['glx-publish']?.environment).toBe('pypi');
    expect(result.stderr).toContain(
      '.glx-uv: removed variables UV_INDEX_OLD_USERNAME; kept yours: variables PIP_DISABLE_PIP_VERSION_CHECK, key tags; dropped comment lines "# ask ops before changing" (glx rewrites this block; keep notes outside it).',
    );
    expect(result.stderr).toContain('glx-publish: kept yours: key environment.');
  });

  it("keeps the user's quoting of UV_VERSION and the other pins: a second run changes no byte", async () => {
    await run([]);
    const single = ciFile()
      .replace('UV_VERSION: "0.12"', "UV_VERSION: '0.11.9'")
      .replace('PYTHON_VERSION: "3.11"', "PYTHON_VERSION: '3.11'");
    writeFileSync(path.join(dir, '.gitlab-ci.yml'), single);

    const result = await run([]);

    expect(result.code).toBe(0);
    expect(ciFile()).toBe(single);
    expect(result.stderr).toContain('is up to date; nothing changed');
  });
});
