import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getProject, getTokenSelf } from '../../src/gitlab/api.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import { createSecrets } from '../../src/util/redact.js';
import { rejectionOf } from '../support/errors.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { recordWaits } from '../support/test-deps.js';

let fake: FakeGitLab;
let world: StandardWorld;

beforeEach(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
});

afterEach(async () => {
  await fake.close();
  fake.assertClean();
});

function client(
  token?: string,
  kind: 'personal' | 'job' | 'deploy' = 'personal',
  sleep?: (ms: number) => Promise<void>,
) {
  return createGitLabClient(
    { baseUrl: fake.url, token, kind, backoffMs: 1, timeoutMs: 5_000 },
    { env: {}, secrets: createSecrets(), ...(sleep ? { sleep } : {}) },
  );
}

describe('the GitLab client authenticates per token kind', () => {
  it('sends PRIVATE-TOKEN for access tokens on API routes', async () => {
    fake.expect(['GET /projects/:id']);
    await getProject(client(world.tokens.alicePat), '7');

    expect(fake.requests[0]?.headers['private-token']).toBe(world.tokens.alicePat);
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('sends Basic __token__:<token> on package routes', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const response = await client(world.tokens.alicePat).request({
      path: '/projects/7/packages/pypi/simple',
      auth: 'basic',
    });

    expect(response.status).toBe(200);
    expect(fake.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`__token__:${world.tokens.alicePat}`).toString('base64')}`,
    );
  });

  it('sends JOB-TOKEN for a job token on API routes and gitlab-ci-token with Basic on package routes', async () => {
    fake.expect(['GET /job', 'GET /projects/:id/packages/pypi/simple']);
    const job = client(world.tokens.jobSelf, 'job');

    await job.request({ path: '/job' });
    await job.request({ path: '/projects/7/packages/pypi/simple', auth: 'basic' });

    expect(fake.requests[0]?.headers['job-token']).toBe(world.tokens.jobSelf);
    expect(fake.requests[1]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`gitlab-ci-token:${world.tokens.jobSelf}`).toString('base64')}`,
    );
  });

  it('never sends a deploy token to the REST API, where GitLab does not accept it', async () => {
    fake.expect(['GET /projects/:id']);
    await client(world.tokens.deployRead, 'deploy').request({ path: '/projects/8' });

    expect(fake.requests[0]?.headers['private-token']).toBeUndefined();
  });
});

describe('the GitLab client retries what is safe to retry', () => {
  it('retries a 503 and then succeeds', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'status', status: 503, times: 2 });

    const project = await getProject(client(world.tokens.alicePat), '7');

    expect(project.id).toBe(7);
    expect(fake.requestsTo('GET /projects/:id')).toHaveLength(3);
  });

  it('honours Retry-After on a 429', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'rate-limit', retryAfter: 1 });
    const { waits, sleep } = recordWaits(fake);

    await getProject(client(world.tokens.alicePat, 'personal', sleep), '7');

    expect(fake.requestsTo('GET /projects/:id').map((r) => [r.status, r.fault])).toEqual([
      [429, 'rate-limit'],
      [200, undefined],
    ]);
    // Between the 429 (Retry-After: 1) and the second request, one wait of that second.
    expect(waits).toEqual([{ ms: 1000, afterRequests: 1 }]);
  });

  it('gives up after its attempts with a server-side error and a hint', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'status', status: 502, times: 10 });

    const error = await rejectionOf(getProject(client(world.tokens.alicePat), '7'));

    expect(error.code).toBe('GITLAB_ERROR');
    expect(error.message).toMatch(/GitLab failed with 502/);
    expect(fake.requestsTo('GET /projects/:id')).toHaveLength(4);
  });

  it('does not retry a 500 on a write, which may have half-happened', async () => {
    fake.expect(['POST /projects/:id/releases']);
    fake.faults.push({ route: 'POST /projects/:id/releases', kind: 'status', status: 500 });

    const error = await rejectionOf(
      client(world.tokens.alicePat).request({ method: 'POST', path: '/projects/7/releases', json: { tag_name: 'v9' } }),
    );

    expect(error.code).toBe('GITLAB_ERROR');
    expect(fake.requestsTo('POST /projects/:id/releases')).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'reset' });

    const project = await getProject(client(world.tokens.alicePat), '7');

    expect(project.id).toBe(7);
  });
});

describe('the GitLab client maps failures to errors with hints', () => {
  it.each([
    ['an unknown token', () => 'glpat-unknownunknownunkn', 'GITLAB_AUTH', /unknown to this GitLab/],
    ['an expired token', () => world.tokens.aliceExpired, 'TOKEN_EXPIRED', /new token/],
    ['a revoked token', () => world.tokens.aliceRevoked, 'TOKEN_REVOKED', /new token/],
  ])('%s', async (_name, token, code, hint) => {
    fake.expect(['GET /personal_access_tokens/self']);
    fake.expect(['GET /personal_access_tokens/self']);
    fake.expect(['GET /personal_access_tokens/self']);
    const error = await rejectionOf(getTokenSelf(client((token as () => string)())));

    expect(error.code).toBe(code);
    expect(error.hint).toMatch(hint as RegExp);
  });

  it('names the missing scope on a 403 insufficient_scope', async () => {
    fake.expect(['GET /projects/:id']);
    const error = await rejectionOf(getProject(client(world.tokens.aliceReadUser), '7'));

    expect(error.code).toBe('TOKEN_SCOPE');
    expect(error.message).toMatch(/needs api or read_api/);
  });

  it('says "not found, or this token cannot see it" on a 404', async () => {
    fake.expect(['GET /projects/:id']);
    const error = await rejectionOf(getProject(client(world.tokens.erinPat), '7'));

    expect(error.code).toBe('GITLAB_NOT_FOUND');
    expect(error.message).toMatch(/not found, or this token cannot see it/);
  });

  it('names the endpoint when the answer has an unexpected shape', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'status', status: 200, body: { id: 'seven' } });

    const error = await rejectionOf(getProject(client(world.tokens.alicePat), '7'));

    expect(error.code).toBe('GITLAB_RESPONSE_INVALID');
    expect(error.message).toMatch(/GET \/projects\/:id .*id:/);
  });

  it('says an HTML page is not an API answer', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'html', status: 404 });

    const error = await rejectionOf(getProject(client(world.tokens.alicePat), '7'));

    expect(error.code).toBe('GITLAB_NOT_FOUND');
  });
});

describe('the GitLab client keeps credentials at home', () => {
  let other: Server;
  let otherUrl: string;
  let seen: IncomingHttpHeaders[];

  beforeEach(async () => {
    seen = [];
    other = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise((resolve) => other.close(resolve));
  });

  it('follows a redirect to another origin without the token', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'redirect', location: `${otherUrl}/elsewhere` });

    await client(world.tokens.alicePat).request({ path: '/projects/7', auth: 'basic', followRedirects: true });

    expect(seen).toHaveLength(1);
    expect(seen[0]?.authorization).toBeUndefined();
    expect(seen[0]?.['private-token']).toBeUndefined();
  });

  it('does not follow redirects unless asked', async () => {
    fake.expect(['GET /projects/:id']);
    fake.faults.push({ route: 'GET /projects/:id', kind: 'redirect', location: `${otherUrl}/elsewhere` });

    const response = await client(world.tokens.alicePat).request({ path: '/projects/7', accept: [302] });

    expect(response.status).toBe(302);
    expect(seen).toHaveLength(0);
  });

  it('refuses an absolute URL on another origin', async () => {
    const error = await rejectionOf(client(world.tokens.alicePat).request({ path: `${otherUrl}/x` }));

    expect(error.message).toMatch(/not on http:\/\/127\.0\.0\.1/);
    expect(seen).toHaveLength(0);
  });

  it('refuses plain http to a host that is not loopback', () => {
    expect(() =>
      createGitLabClient(
        { baseUrl: 'http://gitlab.example.com', token: 'glpat-x' },
        { env: {}, secrets: createSecrets() },
      ),
    ).toThrow(/refusing plain http/);
  });
});
