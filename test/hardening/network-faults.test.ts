/**
 * Network faults: the GitLab stand-in slows down, fails, rate-limits, resets, truncates,
 * answers with HTML, stalls after the headers and redirects elsewhere, while `glx auth --netrc`
 * and `glx init --group <path>` run. glx retries what is safe to retry, gives up in bounded time
 * with one error line and a hint (exit 1), never sends a token anywhere but the configured host,
 * and never leaves a half-written file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { createGitLabClient, retryDelay } from '../../src/gitlab/client.js';
import { createSecrets } from '../../src/util/redact.js';
import { createFakeGitLab, type FakeGitLab, type Fault, type StandardWorld } from '../support/fake-gitlab/index.js';
import { checkRoutes } from '../support/routes.js';
import { recordWaits, tempDir, testDeps } from '../support/test-deps.js';
import { cleanError, runBin } from './helpers.js';

let fake: FakeGitLab;
/** Another origin: redirects point here, and it must never see a token. */
let elsewhere: FakeGitLab;
let world: StandardWorld;
let dir: string;
let cleanup: () => void;
let faultCases = 0;

const NETRC = '# mine\nmachine other.example.com login bob password s3cret\n';

beforeAll(async () => {
  elsewhere = await createFakeGitLab();
});

afterAll(async () => {
  await elsewhere.close();
  console.log(`network-faults: ${faultCases} fault cases run`);
});

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => new Date('2025-06-01T12:00:00Z') });
  world = fake.seed.standard();
  ({ dir, cleanup } = tempDir('glx-faults-'));
  writeFileSync(
    path.join(dir, 'pyproject.toml'),
    `[project]\nname = "demo"\n\n[[tool.uv.index]]\nname = "gitlab"\nurl = "${fake.url}/api/v4/groups/42/-/packages/pypi/simple"\nauthenticate = "always"\n`,
  );
  writeFileSync(path.join(dir, 'netrc'), NETRC, { mode: 0o600 });
});

afterEach(async () => {
  await fake.close();
  cleanup();
  try {
    expectNoTokenElsewhere();
    elsewhere.assertClean();
    fake.assertClean();
  } finally {
    elsewhere.resetLog(); // shared by the file: each test declares what it sends there
  }
});

function expectNoTokenElsewhere(): void {
  for (const request of elsewhere.requests) {
    const seen = JSON.stringify([request.rawUrl, request.headers]);
    for (const token of Object.values(world.tokens)) expect(seen).not.toContain(token);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['private-token']).toBeUndefined();
    expect(request.headers['job-token']).toBeUndefined();
  }
}

/**
 * glx in-process; `timeoutMs` stands in for GLX_HTTP_TIMEOUT_MS. The waits before retries are
 * recorded (with how many requests the stand-in had seen), not slept.
 */
async function glx(argv: string[], options: { timeoutMs?: number } = {}) {
  const env = { GITLAB_TOKEN: world.tokens.alicePat, NETRC: path.join(dir, 'netrc') };
  const { deps, io } = testDeps({ env, homeDir: dir, cwd: dir });
  const { waits, sleep } = recordWaits(fake);
  deps.gitlab = async (clientOptions) =>
    createGitLabClient(
      { backoffMs: 1, timeoutMs: options.timeoutMs ?? 5_000, ...clientOptions },
      { env: deps.env, secrets: deps.secrets, sleep },
    );
  const code = await runCli(argv, deps);
  return { code, ...io, waits };
}

const auth = () => glx(['--cwd', dir, 'auth', '--netrc']);
const init = () => glx(['--cwd', dir, 'init', '--group', 'acme/libs', '--name', 'libs']);
/** `auth --netrc` checks the token for the project's group index. */
const AUTH_ROUTES = checkRoutes('group');
/** `init --group <path>` resolves the path and nothing else. */
const INIT_ROUTES = ['GET /groups/:id'];

function netrcText(): string {
  return readFileSync(path.join(dir, 'netrc'), 'utf8');
}

function pyprojectText(): string {
  return readFileSync(path.join(dir, 'pyproject.toml'), 'utf8');
}

function expectStored(): void {
  expect(netrcText()).toBe(`${NETRC}machine 127.0.0.1 login __token__ password ${world.tokens.alicePat}\n`);
}

function expectAdded(): void {
  expect(pyprojectText()).toContain(`name = "libs"\nurl = "${fake.url}/api/v4/groups/43/-/packages/pypi/simple"`);
}

function expectUntouched(before: { netrc: string; pyproject: string }): void {
  expect(netrcText()).toBe(before.netrc);
  expect(pyprojectText()).toBe(before.pyproject);
}

const TRANSIENT: Array<{ name: string; fault: Fault; requests?: number }> = [
  { name: 'a 500 on a read', fault: { kind: 'status', status: 500 } },
  { name: 'a 502', fault: { kind: 'status', status: 502 } },
  { name: 'a 503', fault: { kind: 'status', status: 503 } },
  { name: 'a 504', fault: { kind: 'status', status: 504 } },
  { name: 'an nginx 502 page', fault: { kind: 'html', status: 502 } },
  { name: 'a 429 with Retry-After: 0', fault: { kind: 'rate-limit', retryAfter: 0 } },
  { name: 'a reset before the answer', fault: { kind: 'reset' } },
  { name: 'an answer cut off halfway', fault: { kind: 'truncate' } },
  { name: 'a 300 ms delay', fault: { kind: 'delay', ms: 300 }, requests: 1 },
];

describe('faults that pass', () => {
  it.each(TRANSIENT)('auth --netrc gets through $name (twice) and stores the token', async ({ fault, requests }) => {
    fake.expect(AUTH_ROUTES);
    fake.faults.push({ ...fault, route: 'GET /personal_access_tokens/self', times: 2 });
    faultCases++;

    const result = await auth();

    expect(result.code, result.stderr).toBe(0);
    expect(fake.requestsTo('GET /personal_access_tokens/self')).toHaveLength(requests ?? 3);
    expectStored();
  });

  it.each(TRANSIENT)('init --group <path> gets through $name (twice) and writes the index', async ({ fault }) => {
    fake.expect(INIT_ROUTES);
    fake.faults.push({ ...fault, route: 'GET /groups/:id', times: 2 });
    faultCases++;

    const result = await init();

    expect(result.code, result.stderr).toBe(0);
    expectAdded();
  });

  it('works through latency on every request', async () => {
    fake.expect([...AUTH_ROUTES, ...INIT_ROUTES]);
    fake.settings.latencyMs = 150;
    faultCases++;

    const [a, b] = [await auth(), await init()];

    expect([a.code, b.code]).toEqual([0, 0]);
    expectStored();
    expectAdded();
  });

  it('honours Retry-After before trying again', async () => {
    fake.expect(INIT_ROUTES);
    fake.faults.push({ route: 'GET /groups/:id', kind: 'rate-limit', retryAfter: 1 });
    faultCases++;

    const result = await init();

    expect(result.code, result.stderr).toBe(0);
    // Right after the 429 (Retry-After: 1), one wait of that second, then the same request again.
    const limited = fake.requests.findIndex((r) => r.fault === 'rate-limit');
    expect(fake.requests[limited + 1]?.route).toBe('GET /groups/:id');
    expect(result.waits).toEqual([{ ms: 1000, afterRequests: limited + 1 }]);
    expectAdded();
  });
});

const PERSISTENT: Array<{ name: string; fault: Fault; error: RegExp; attempts: number }> = [
  { name: '500 on every read', fault: { kind: 'status', status: 500 }, error: /GitLab failed with 500/, attempts: 4 },
  { name: '503 every time', fault: { kind: 'status', status: 503 }, error: /GitLab failed with 503/, attempts: 4 },
  {
    name: 'an nginx 502 page every time',
    fault: { kind: 'html', status: 502 },
    error: /GitLab failed with 502 .*an HTML page instead of an API answer/,
    attempts: 4,
  },
  {
    name: '429 every time',
    fault: { kind: 'rate-limit', retryAfter: 0 },
    error: /rate limiting requests/,
    attempts: 4,
  },
  {
    name: 'a reset every time',
    fault: { kind: 'reset' },
    error: /cannot reach http:\/\/127\.0\.0\.1:\d+: /,
    attempts: 4,
  },
  {
    name: 'a cut-off answer every time',
    fault: { kind: 'truncate' },
    error: /cannot reach http:\/\/127\.0\.0\.1:\d+: /,
    attempts: 4,
  },
  {
    name: 'truncated JSON with a clean close',
    fault: { kind: 'status', status: 200, body: '{"id": 43, "full_path": "acme/li' },
    error: /unexpected answer from GitLab .*not JSON/,
    attempts: 1,
  },
  {
    name: 'an HTML login page with 200',
    fault: {
      kind: 'status',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Sign in</body></html>',
    },
    error: /unexpected answer from GitLab .*HTML page/,
    attempts: 1,
  },
  {
    name: 'a redirect to another host',
    fault: { kind: 'redirect', location: 'ELSEWHERE' },
    error:
      /unexpected answer from GitLab .*a redirect \(302\) to http:\/\/127\.0\.0\.1:\d+\/api\/v4\/.* which glx does not follow/,
    attempts: 1,
  },
];

describe('faults that persist', () => {
  it.each(PERSISTENT)(
    'auth --netrc gives up on $name with one error line and stores nothing',
    async ({ fault, error, attempts }) => {
      fake.expect(['GET /personal_access_tokens/self']);
      const location = `${elsewhere.url}/api/v4/personal_access_tokens/self`;
      fake.faults.push({
        ...(fault.kind === 'redirect' ? { ...fault, location } : fault),
        route: 'GET /personal_access_tokens/self',
        times: Number.POSITIVE_INFINITY,
      } as Fault);
      const before = { netrc: netrcText(), pyproject: pyprojectText() };
      faultCases++;

      const result = await auth();

      expect(result.code).toBe(1);
      const { error: line, hint } = cleanError(result.stderr);
      expect(line).toMatch(error);
      expect(hint).toBeTruthy();
      expect(fake.requestsTo('GET /personal_access_tokens/self')).toHaveLength(attempts);
      // One wait before each retry and none after the last attempt: it gave up.
      expect(result.waits).toHaveLength(attempts - 1);
      expectUntouched(before);
    },
  );

  it.each(PERSISTENT)(
    'init --group <path> gives up on $name with one error line and writes nothing',
    async ({ fault, error, attempts }) => {
      fake.expect(INIT_ROUTES);
      const location = `${elsewhere.url}/api/v4/groups/43`;
      fake.faults.push({
        ...(fault.kind === 'redirect' ? { ...fault, location } : fault),
        route: 'GET /groups/:id',
        times: Number.POSITIVE_INFINITY,
      } as Fault);
      const before = { netrc: netrcText(), pyproject: pyprojectText() };
      faultCases++;

      const result = await init();

      expect(result.code).toBe(1);
      const { error: line, hint } = cleanError(result.stderr);
      expect(line).toMatch(error);
      expect(hint).toBeTruthy();
      expect(fake.requestsTo('GET /groups/:id')).toHaveLength(attempts);
      expect(result.waits).toHaveLength(attempts - 1);
      expectUntouched(before);
    },
  );
});

describe('a server that stalls', () => {
  /** Headers at once, then one byte every 100 ms, forever: idle timeouts never fire. */
  async function slowLoris(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
    let hits = 0;
    const timers = new Set<NodeJS.Timeout>();
    const server = http.createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000000' });
      res.write('{"id":');
      const timer = setInterval(() => res.write(' '), 100);
      timers.add(timer);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      hits: () => hits,
      close: async () => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it('gives up on a body that trickles in forever, after the request timeout and its retries', async () => {
    const loris = await slowLoris();
    faultCases++;
    try {
      const result = await glx(['--cwd', dir, 'auth', '--netrc', '--host', loris.url], { timeoutMs: 500 });

      expect(result.code).toBe(1);
      expect(cleanError(result.stderr)).toEqual({
        error: `cannot reach ${loris.url}: the answer stopped arriving within the time limit`,
        hint: expect.stringContaining('did not answer in time'),
      });
      // Each attempt cut off by the request timeout (the error says which), then given up.
      expect(loris.hits()).toBe(4);
      expect(result.waits).toHaveLength(3);
      expect(netrcText()).toBe(NETRC);
    } finally {
      await loris.close();
    }
  });

  it('gives up on headers that never come', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    fake.faults.push({
      route: 'GET /personal_access_tokens/self',
      kind: 'delay',
      ms: 60_000,
      times: Number.POSITIVE_INFINITY,
    });
    faultCases++;

    const result = await glx(['--cwd', dir, 'auth', '--netrc'], { timeoutMs: 500 });

    expect(result.code).toBe(1);
    expect(cleanError(result.stderr)).toEqual({
      error: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+: no answer within the time limit$/),
      hint: expect.stringContaining('did not answer in time'),
    });
    expect(fake.requestsTo('GET /personal_access_tokens/self')).toHaveLength(4);
    expect(result.waits).toHaveLength(3);
    expect(netrcText()).toBe(NETRC);
  });

  it('reads GLX_HTTP_TIMEOUT_MS in the built bin', async () => {
    const loris = await slowLoris();
    faultCases++;
    try {
      const result = await runBin(['auth', '--netrc', '--host', loris.url], {
        cwd: dir,
        env: {
          HOME: dir,
          NETRC: path.join(dir, 'netrc'),
          GITLAB_TOKEN: world.tokens.alicePat,
          GLX_HTTP_TIMEOUT_MS: '400',
        },
      });

      expect(result.code).toBe(1);
      expect(cleanError(result.stderr).error).toBe(
        `cannot reach ${loris.url}: the answer stopped arriving within the time limit`,
      );
      expect(netrcText()).toBe(NETRC);
    } finally {
      await loris.close();
    }
  });
});

describe('the built bin with its real retry schedule', () => {
  // How long it waits between attempts is the backoff's (see 'Retry-After' below); a hang would fail the test's timeout.
  it('gives up on a GitLab that answers 503 forever after four attempts', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    fake.faults.push({
      route: 'GET /personal_access_tokens/self',
      kind: 'status',
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    faultCases++;

    const result = await runBin(['auth', '--netrc', '--host', fake.url], {
      cwd: dir,
      env: { HOME: dir, NETRC: path.join(dir, 'netrc'), GITLAB_TOKEN: world.tokens.alicePat },
    });

    expect(result.code).toBe(1);
    expect(cleanError(result.stderr).error).toMatch(/GitLab failed with 503/);
    expect(fake.requestsTo('GET /personal_access_tokens/self')).toHaveLength(4);
    expect(netrcText()).toBe(NETRC);
  });
});

describe('redirects followed by the client', () => {
  it('carries no credentials to another origin, in any header or the URL', async () => {
    fake.expect(['GET /user']);
    elsewhere.expect(['GET /user']);
    fake.faults.push({ route: 'GET /user', kind: 'redirect', location: `${elsewhere.url}/api/v4/user?from=redirect` });
    const client = createGitLabClient(
      { baseUrl: fake.url, token: world.tokens.alicePat, kind: 'personal', backoffMs: 1 },
      { env: {}, secrets: createSecrets() },
    );
    const seen = elsewhere.requests.length;
    faultCases++;

    const response = await client.request({ path: '/user', followRedirects: true, accept: [401] });

    expect(response.status).toBe(401); // the other server saw an anonymous request
    expect(elsewhere.requests.length).toBe(seen + 1);
  });

  it('refuses a request for an absolute URL on another origin before sending anything', async () => {
    const client = createGitLabClient(
      { baseUrl: fake.url, token: world.tokens.alicePat, kind: 'personal' },
      { env: {}, secrets: createSecrets() },
    );
    const seen = elsewhere.requests.length;

    await expect(client.request({ path: `${elsewhere.url}/api/v4/user` })).rejects.toThrow(
      /not on http:\/\/127\.0\.0\.1/,
    );
    expect(elsewhere.requests.length).toBe(seen);
  });
});

describe('Retry-After', () => {
  const response = (value: string) => ({
    status: 429,
    headers: { 'retry-after': value },
    body: '',
    url: 'https://gitlab.example.com/api/v4/user',
  });

  // A fake clock on a whole second (an HTTP date has no milliseconds): an HTTP date is that far from now.
  const NOW = Date.parse('2026-06-01T12:00:00Z');
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const at = (ms: number) => new Date(NOW + ms).toUTCString();

  it('is honoured in seconds and as an HTTP date', () => {
    expect(retryDelay(response('2'), 250, 1)).toBe(2_000);
    expect(retryDelay(response(at(5_000)), 250, 1)).toBe(5_000);
  });

  it('is capped at 30 s, so a hostile server cannot park glx for an hour', () => {
    expect(retryDelay(response('3600'), 250, 1)).toBe(30_000);
    expect(retryDelay(response(at(3_600_000)), 250, 1)).toBe(30_000);
  });

  it('falls back to the backoff when it is garbage or in the past', () => {
    for (const value of ['soon', '-5', at(-60_000)]) {
      const delay = retryDelay(response(value), 250, 2);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThan(750);
    }
  });
});
