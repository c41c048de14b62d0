/**
 * Secrets: every command, through its success and error paths, with recognisable
 * canary tokens handed over each way glx takes one (GITLAB_TOKEN, --token-stdin, netrc, glab's
 * config, CI_JOB_TOKEN in CI, user:token@ in a URL). stdout, stderr, --verbose logs, --json,
 * GLX_DEBUG=1 stack traces and every file glx leaves behind are scanned: the canaries appear only
 * on `glx env`'s stdout, in the netrc and in .gitlab-ci-local-variables.yml.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists } from '../support/dists.js';
import { createFakeGitLab, type FakeGitLab } from '../support/fake-gitlab/index.js';
import { assertCleanAfterEach } from '../support/fake-project.js';
import { checkRoutes, installRoutes } from '../support/routes.js';
import { tempDir } from '../support/test-deps.js';
import { runBin } from './helpers.js';

/** Personal access token of alice (api): the canary. */
const CANARY = 'glpat-CANARYcanary0123456789';
/** A CI job token of a running job in acme/tools. */
const JOB_CANARY = 'glcbt-64_JOBCANARYjobcanary0123456';

let fake: FakeGitLab;
let dir: string;
let cleanup: () => void;

interface Recorded {
  name: string;
  stdout: string;
  stderr: string;
  code: number | null;
  /** `glx env` prints the token on stdout: its job. Nowhere else. */
  stdoutMayHoldToken: boolean;
  ms: number;
}

const runs: Recorded[] = [];

/** The canaries in every form a leak could take: raw, in a Basic header, URL-encoded, in part. */
function leakForms(token: string): string[] {
  const body = token.slice(token.indexOf('-') + 1);
  return [
    token,
    body.slice(0, 12),
    body.slice(-12),
    Buffer.from(`__token__:${token}`).toString('base64').slice(0, 24),
    Buffer.from(`gitlab-ci-token:${token}`).toString('base64').slice(0, 24),
    encodeURIComponent(token),
  ];
}

function findLeaks(text: string): string[] {
  return [...leakForms(CANARY), ...leakForms(JOB_CANARY)].filter((form) => text.includes(form));
}

function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: dir, NETRC: path.join(dir, 'netrc'), GITLAB_HOST: fake.url, ...extra };
}

/**
 * Runs one step and checks its exit code, the one README.md (Usage) gives for what the step meets: 0, 1 a
 * remote error or a failed doctor check, 2 bad input, 4 missing, invalid or insufficient credentials.
 */
async function run(
  name: string,
  args: string[],
  options: { exit: number; env?: Record<string, string>; input?: string; stdoutMayHoldToken?: boolean },
): Promise<Recorded> {
  const result = await runBin(args, { cwd: dir, env: baseEnv(options.env), input: options.input ?? '' });
  const recorded = {
    name,
    stdout: result.stdout,
    stderr: result.stderr,
    code: result.code,
    stdoutMayHoldToken: options.stdoutMayHoldToken ?? false,
    ms: result.ms,
  };
  runs.push(recorded);
  expect(result.code, `glx ${args.join(' ')} (${name}):\n${result.stderr}`).toBe(options.exit);
  return recorded;
}

function git(...args: string[]): void {
  execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
}

/** Every regular file under `root`, as paths relative to it. */
function allFiles(root: string, at = root): string[] {
  return readdirSync(at).flatMap((name) => {
    const full = path.join(at, name);
    const stat = lstatSync(full);
    if (stat.isDirectory()) return allFiles(root, full);
    return stat.isFile() ? [path.relative(root, full)] : [];
  });
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('glx-secrets-'));
  fake = await createFakeGitLab({ now: () => new Date('2025-06-01T12:00:00Z') });
  fake.seed.standard();
  fake.addToken({ kind: 'personal', user: 'alice', scopes: ['api'], token: CANARY });
  fake.addToken({ kind: 'job', project: 'acme/tools', user: 'alice', running: true, token: JOB_CANARY });
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    '[project]\nname = "acme-utils"\nversion = "9.9.9"\nrequires-python = ">=3.9"\n',
  );
  git('init', '-q');
  git('remote', 'add', 'origin', `${fake.url}/acme/tools.git`);
  mkdirSync(path.join(dir, 'dist'));
  await buildDists(path.join(dir, 'dist'), [{ kind: 'wheel', name: 'acme-utils', version: '9.9.9' }]);
});

assertCleanAfterEach(() => fake);

afterAll(async () => {
  await fake.close();
  cleanup();
});

/** What auth, status and doctor ask: the token check and the package's page. */
const CHECK_ROUTES = [...checkRoutes(), installRoutes()[0]];

describe('a canary token through every command', () => {
  it('runs the success paths with the token from GITLAB_TOKEN', { timeout: 120_000 }, async () => {
    fake.expect([...CHECK_ROUTES, 'POST /projects/:id/ci/lint', 'POST /projects/:id/packages/pypi']);
    const env = { GITLAB_TOKEN: CANARY };

    // Each of these works (exit 0); a failure here would leave the error paths untested.
    await run(
      'init --publish --verbose',
      ['init', '--project', 'acme/tools', '--name', 'gitlab', '--publish', '--verbose'],
      {
        exit: 0,
        env,
      },
    );
    await run('init again --json', ['init', '--project', 'acme/tools', '--name', 'gitlab', '--publish', '--json'], {
      exit: 0,
      env,
    });
    await run('auth --netrc --dry-run', ['auth', '--netrc', '--dry-run', '--verbose'], { exit: 0, env });
    await run('auth --netrc --verbose', ['auth', '--netrc', '--verbose'], { exit: 0, env });
    await run('auth --uv-store --dry-run', ['auth', '--uv-store', '--dry-run'], { exit: 0, env });
    await run('auth status --json --verbose', ['auth', 'status', '--json', '--verbose'], { exit: 0, env });
    await run('env', ['env'], { exit: 0, env, stdoutMayHoldToken: true });
    await run('env --publish --shell fish', ['env', '--publish', '--shell', 'fish'], {
      exit: 0,
      env,
      stdoutMayHoldToken: true,
    });
    await run('env --verify --verbose', ['env', '--verify', '--verbose', '--shell', 'dotenv'], {
      exit: 0,
      env,
      stdoutMayHoldToken: true,
    });
    await run('doctor --verbose', ['doctor', '--verbose'], { exit: 0, env });
    await run('doctor --json', ['doctor', '--json'], { exit: 0, env });
    await run('ci-setup --publish --dry-run --verbose', ['ci-setup', '--publish', '--dry-run', '--verbose'], {
      exit: 0,
      env,
    });
    await run('ci-setup --publish --lint --verbose', ['ci-setup', '--publish', '--lint', '--verbose'], {
      exit: 0,
      env,
    });
    await run('ci-setup --local', ['ci-setup', '--local'], { exit: 0, env });
    await run('publish --dry-run --json --verbose', ['publish', 'dist/*.whl', '--dry-run', '--json', '--verbose'], {
      exit: 0,
      env,
    });
    await run('publish --verbose', ['publish', 'dist/*.whl', '--verbose'], { exit: 0, env });
    await run('publish again --json', ['publish', 'dist/*.whl', '--json'], { exit: 0, env });
  });

  it('runs with the token from --token-stdin, the netrc and glab', { timeout: 60_000 }, async () => {
    fake.expect(CHECK_ROUTES);
    const glabDir = path.join(dir, 'glab-config');
    mkdirSync(glabDir, { recursive: true });
    writeFileSync(
      path.join(glabDir, 'config.yml'),
      `host: 127.0.0.1\nhosts:\n  127.0.0.1:\n    token: ${CANARY}\n    api_protocol: http\n`,
    );
    const noNetrc = { NETRC: path.join(dir, 'no-netrc') };

    await run('auth --token-stdin --verbose', ['auth', '--token-stdin', '--verbose'], {
      exit: 0,
      input: `${CANARY}\n`,
    });
    await run('env --token-stdin', ['env', '--token-stdin'], {
      exit: 0,
      input: `${CANARY}\n`,
      stdoutMayHoldToken: true,
    });
    await run('env (netrc)', ['env'], { exit: 0, stdoutMayHoldToken: true });
    await run('auth status (netrc)', ['auth', 'status', '--verbose'], { exit: 0 });
    await run('doctor (netrc) --json', ['doctor', '--json'], { exit: 0 });
    await run('publish --dry-run (netrc)', ['publish', 'dist/*.whl', '--dry-run', '--verbose'], { exit: 0 });
    await run('auth (glab)', ['auth', '--verbose'], { exit: 0, env: { ...noNetrc, GLAB_CONFIG_DIR: glabDir } });
    await run('env (glab)', ['env'], {
      exit: 0,
      env: { ...noNetrc, GLAB_CONFIG_DIR: glabDir },
      stdoutMayHoldToken: true,
    });
  });

  it('runs the CI paths with a job token', { timeout: 60_000 }, async () => {
    fake.expect([
      'GET /job',
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id/packages/pypi/simple/:package_name',
    ]);
    const ci = {
      GITLAB_CI: 'true',
      CI_JOB_TOKEN: JOB_CANARY,
      CI_SERVER_URL: fake.url,
      CI_PROJECT_ID: '7',
      CI_PROJECT_PATH: 'acme/tools',
      NETRC: path.join(dir, 'no-netrc'),
    };

    await run('env (CI)', ['env'], { exit: 0, env: ci, stdoutMayHoldToken: true });
    // A check fails: the job's environment has no UV_INDEX_* variables, so uv would ask anonymously.
    await run('doctor --ci --json (CI)', ['doctor', '--ci', '--json', '--verbose'], { exit: 1, env: ci });
    await run('publish --dry-run (CI)', ['publish', 'dist/*.whl', '--dry-run', '--verbose'], { exit: 0, env: ci });
    fake.token(JOB_CANARY).running = false;
    await run('doctor --ci, job finished, GLX_DEBUG', ['doctor', '--ci', '--verbose'], {
      exit: 1,
      env: { ...ci, GLX_DEBUG: '1' },
    });
    await run('publish, job finished, GLX_DEBUG', ['publish', 'dist/*.whl', '--verbose'], {
      exit: 4,
      env: { ...ci, GLX_DEBUG: '1' },
    });
    fake.token(JOB_CANARY).running = true;
  });

  it('runs the error paths: revoked, expired, too narrow, echoed back by the server, unreachable', {
    timeout: 120_000,
  }, async () => {
    fake.expect([...CHECK_ROUTES, 'POST /projects/:id/ci/lint']);
    const env = { GITLAB_TOKEN: CANARY, GLX_DEBUG: '1' };
    // The exit code of each command: doctor reports a failed check with 1, the others a rejected token with 4.
    const rejected = { auth: 4, status: 4, env: 4, doctor: 1, init: 4, publish: 4, lint: 4 };
    type Exits = typeof rejected;
    // All at once: each fails before it writes anything, so they cannot disturb one another.
    const everything = (label: string, exit: Exits) =>
      Promise.all([
        run(`auth ${label}`, ['auth', '--netrc', '--verbose'], { exit: exit.auth, env }),
        run(`auth status ${label}`, ['auth', 'status', '--json'], { exit: exit.status, env }),
        run(`env --verify ${label}`, ['env', '--verify', '--verbose'], {
          exit: exit.env,
          env,
          stdoutMayHoldToken: true,
        }),
        run(`doctor ${label}`, ['doctor', '--verbose', '--json'], { exit: exit.doctor, env }),
        run(`init ${label}`, ['init', '--project', 'acme/tools', '--name', 'again', '--verbose'], {
          exit: exit.init,
          env,
        }),
        run(`publish ${label}`, ['publish', 'dist/*.whl', '--verbose'], { exit: exit.publish, env }),
        run(`ci-setup --lint ${label}`, ['ci-setup', '--lint', '--verbose'], { exit: exit.lint, env }),
      ]);

    fake.token(CANARY).revoked = true;
    await everything('(revoked)', rejected);
    fake.token(CANARY).revoked = false;
    fake.token(CANARY).expiresAt = '2020-01-01';
    await everything('(expired)', rejected);
    fake.token(CANARY).expiresAt = null;
    fake.token(CANARY).scopes = ['read_api'];
    // read_api reads the registries and resolves projects; publishing and CI lint need api.
    await everything('(read_api only)', { auth: 0, status: 0, env: 0, doctor: 0, init: 0, publish: 4, lint: 4 });
    fake.token(CANARY).scopes = ['api'];
    fake.faults.push({
      kind: 'status',
      status: 400,
      body: { message: `400 Bad request - token ${CANARY} is not allowed here` },
      times: 40,
    });
    // A 400 is a remote error (1) for every command.
    await everything('(server echoes the token as JSON)', {
      auth: 1,
      status: 1,
      env: 1,
      doctor: 1,
      init: 1,
      publish: 1,
      lint: 1,
    });
    fake.faults.length = 0;
    // 403, not 502: the same echo without four retries per command.
    fake.faults.push({
      kind: 'status',
      status: 403,
      headers: { 'content-type': 'text/html' },
      body: `<html><body>proxy refused PRIVATE-TOKEN: ${CANARY}</body></html>`,
      times: 200,
    });
    await everything('(server echoes the token in HTML)', rejected);
    fake.faults.length = 0;
    await run('auth, unreachable host', ['auth', '--verbose', '--host', 'http://127.0.0.1:9'], { exit: 1, env });
    await run('auth, token with a CR', ['auth', '--verbose'], {
      exit: 4,
      env: { ...env, GITLAB_TOKEN: `${CANARY}\r` },
    });
    await run('auth --token-stdin, two lines', ['auth', '--token-stdin'], {
      exit: 4,
      env: { GLX_DEBUG: '1' },
      input: `${CANARY}\n${CANARY}\n`,
    });
    // The userinfo is dropped from the host; the token comes from GITLAB_TOKEN.
    await run(
      'auth, credentials in --host',
      ['auth', '--netrc', '--no-verify', '--host', `http://__token__:${CANARY}@127.0.0.1:${fake.port}`],
      { exit: 0, env },
    );
    await run('auth, credentials in a bad --host', ['auth', '--host', `http://__token__:${CANARY}@bad host`], {
      exit: 2,
      env,
    });
  });

  it('runs with credentials written into the index URL in pyproject.toml', { timeout: 60_000 }, async () => {
    fake.expect(CHECK_ROUTES);
    const file = path.join(dir, 'pyproject.toml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      original.replace(`url = "${fake.url}/`, `url = "http://__token__:${CANARY}@127.0.0.1:${fake.port}/`),
    );
    try {
      await run('doctor, token in the index URL', ['doctor', '--verbose'], { exit: 0 });
      await run('auth status, token in the index URL', ['auth', 'status', '--json'], { exit: 0 });
      await run('init, token in the index URL', ['init', '--project', 'acme/tools', '--name', 'gitlab', '--verbose'], {
        exit: 0,
        env: { GITLAB_TOKEN: CANARY },
      });
      await run('env, token in the index URL', ['env'], { exit: 0, stdoutMayHoldToken: true });
      await run('ci-setup --dry-run, token in the index URL', ['ci-setup', '--dry-run'], {
        exit: 0,
        env: { GITLAB_TOKEN: CANARY },
      });
    } finally {
      writeFileSync(file, original);
    }
  });

  it('runs logout (its dry run prints the netrc diff) and completion', async () => {
    await run('auth logout --dry-run', ['auth', 'logout', '--dry-run', '--verbose'], { exit: 0 });
    await run('auth logout', ['auth', 'logout', '--verbose'], { exit: 0 });
    await run('completion bash', ['completion', 'bash'], { exit: 0 });

    expect(readFileSync(path.join(dir, 'netrc'), 'utf8')).not.toContain(CANARY);
  });

  it('never printed a canary except on the stdout of glx env', () => {
    const leaks = runs.flatMap((r) => [
      ...findLeaks(r.stderr).map((form) => `${r.name} (stderr): ${form}`),
      ...(r.stdoutMayHoldToken ? [] : findLeaks(r.stdout).map((form) => `${r.name} (stdout): ${form}`)),
    ]);

    expect(runs.length).toBeGreaterThanOrEqual(60);
    expect(leaks).toEqual([]);
    // The scan does find a canary where one belongs, and the stack traces were there to scan.
    expect(findLeaks(runs.find((r) => r.name === 'env')!.stdout)).toContain(CANARY);
    expect(runs.filter((r) => /\n\s+at /.test(r.stderr)).length).toBeGreaterThan(10);
  });

  it('never printed a URL with credentials in it', () => {
    const withUserinfo = runs.flatMap((r) =>
      [...`${r.stdout}\n${r.stderr}`.matchAll(/\bhttps?:\/\/[^\s/@'"]+@/g)].map((m) => `${r.name}: ${m[0]}`),
    );

    expect(withUserinfo).toEqual([]);
  });

  it('wrote a canary into no file but the netrc and .gitlab-ci-local-variables.yml', () => {
    // The glab config is the test's own input, not something glx wrote.
    const allowed = new Set(['netrc', '.gitlab-ci-local-variables.yml', 'glab-config/config.yml']);
    const files = allFiles(dir);
    const leaks = files
      .filter((file) => !allowed.has(file))
      .flatMap((file) => findLeaks(readFileSync(path.join(dir, file), 'latin1')).map((form) => `${file}: ${form}`));

    expect(files).toEqual(
      expect.arrayContaining(['.gitlab-ci.yml', '.gitlab-ci-local-variables.yml', 'pyproject.toml', '.gitignore']),
    );
    expect(readFileSync(path.join(dir, '.gitlab-ci-local-variables.yml'), 'utf8')).toContain(CANARY);
    expect(leaks).toEqual([]);
  });
});
