import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, onTestFinished, test } from 'vitest';
import { blake2bHex } from './fake-gitlab/blake2b.js';
import { createFakeGitLab, type FakeGitLab, lintCiYaml, type StandardWorld, simplePage } from './fake-gitlab/index.js';
import { createMultipartParser } from './fake-gitlab/multipart.js';

const NOW = new Date('2025-06-01T12:00:00Z');

let fake: FakeGitLab;
let world: StandardWorld;

beforeEach(async () => {
  fake = await createFakeGitLab({ now: () => NOW });
  world = fake.seed.standard();
});

afterEach(async () => {
  await fake.close();
  fake.assertClean();
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.apiUrl}${path}`, { redirect: 'manual', ...init });
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function withToken(token: string): RequestInit {
  return { headers: { 'PRIVATE-TOKEN': token } };
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const BOUNDARY = '----glx-test-boundary-7MA4YWxkTrZu0gW';

interface UploadFile {
  fileName: string;
  content: Buffer;
}

/** A multipart body the way twine and uv send it: text fields, then `content`. */
function multipartBody(fields: Record<string, string>, file?: UploadFile): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="${file.fileName}"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

function uploadFields(name: string, version: string, content: Buffer): Record<string, string> {
  return {
    ':action': 'file_upload',
    protocol_version: '1',
    name,
    version,
    filetype: 'bdist_wheel',
    requires_python: '>=3.10',
    sha256_digest: sha256(content),
  };
}

function upload(projectId: number | string, authorization: string | undefined, body: Buffer): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
  if (authorization) headers.authorization = authorization;
  return api(`/projects/${projectId}/packages/pypi`, { method: 'POST', headers, body });
}

function wheel(text: string): UploadFile {
  return { fileName: 'acme_utils-2.0.0-py3-none-any.whl', content: Buffer.from(text) };
}

describe('authentication and token introspection', () => {
  test('GET /user answers the token owner and records the credential used', async () => {
    fake.expect(['GET /user']);
    const res = await api('/user', withToken(world.tokens.alicePat));

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({ id: world.users.alice, username: 'alice', bot: false });
    const [recorded] = fake.requests;
    expect(recorded?.rawUrl).toBe('/api/v4/user');
    expect(recorded?.headers['private-token']).toBe(world.tokens.alicePat);
    expect(recorded?.auth).toMatchObject({
      via: 'PRIVATE-TOKEN header',
      outcome: 'authenticated',
      kind: 'personal',
      username: 'alice',
    });
  });

  test('an unknown PRIVATE-TOKEN gets 401 with the plain message body', async () => {
    fake.expect(['GET /user']);
    const res = await api('/user', withToken('glpat-doesnotexist000000'));

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401 Unauthorized' });
    expect(fake.requests[0]?.auth).toMatchObject({ outcome: 'rejected', reason: 'unknown token' });
  });

  test('an expired token is reported as expired even when it is also revoked', async () => {
    fake.expect(['GET /user']);
    const res = await api('/user', withToken(world.tokens.aliceExpiredRevoked));

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await res.json()).toEqual({
      error: 'invalid_token',
      error_description: 'Token is expired. You can either do re-authorization or token refresh.',
    });
  });

  test('a revoked token gets 401 invalid_token "Token was revoked"', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    const res = await api('/personal_access_tokens/self', withToken(world.tokens.aliceRevoked));

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: 'invalid_token',
      error_description: 'Token was revoked. You have to re-authorize from the user.',
    });
  });

  test('a token expires at 00:00 UTC of its expiry date', async () => {
    fake.expect(['GET /user']);
    const today = fake.addToken({ kind: 'personal', user: 'alice', expiresAt: '2025-06-01' });
    const tomorrow = fake.addToken({ kind: 'personal', user: 'alice', expiresAt: '2025-06-02' });

    const expired = await api('/user', withToken(today));
    const valid = await api('/user', withToken(tomorrow));

    expect(expired.status).toBe(401);
    expect(valid.status).toBe(200);
  });

  test('a read_user token reads /user and /version but gets 403 insufficient_scope elsewhere', async () => {
    fake.expect(['GET /user', 'GET /version', 'GET /projects/:id']);
    const user = await api('/user', withToken(world.tokens.aliceReadUser));
    const version = await api('/version', withToken(world.tokens.aliceReadUser));
    const project = await api('/projects/7', withToken(world.tokens.aliceReadUser));

    expect(user.status).toBe(200);
    expect(version.status).toBe(200);
    expect(project.status).toBe(403);
    expect(project.headers.get('www-authenticate')).toBeNull();
    expect(await project.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: 'api read_api',
    });
  });

  test('/personal_access_tokens/self accepts any scope and describes the token', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    const res = await api('/personal_access_tokens/self', withToken(world.tokens.aliceReadUser));

    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'alice-read-user',
      scopes: ['read_user'],
      user_id: world.users.alice,
      active: true,
      revoked: false,
      expires_at: null,
    });
  });

  test('a project access token belongs to a bot user named project_<id>_bot_<hex>', async () => {
    fake.expect(['GET /personal_access_tokens/self', 'GET /user', 'GET /projects/:id/members/all/:user_id']);
    const self = await api('/personal_access_tokens/self', withToken(world.tokens.projectBot));
    const { user_id: userId } = (await self.json()) as { user_id: number };
    const user = await api('/user', withToken(world.tokens.projectBot));
    const member = await api(`/projects/7/members/all/${userId}`, withToken(world.tokens.projectBot));

    expect(await user.json()).toMatchObject({
      bot: true,
      username: expect.stringMatching(/^project_7_bot_[0-9a-f]+$/),
    });
    expect(await member.json()).toMatchObject({ id: userId, access_level: 40 });
  });

  test('job and deploy tokens are refused by /user and /personal_access_tokens/self', async () => {
    fake.expect(['GET /user', 'GET /personal_access_tokens/self']);
    const job = await api('/user', { headers: { 'JOB-TOKEN': world.tokens.jobSelf } });
    const jobAsPrivate = await api('/personal_access_tokens/self', withToken(world.tokens.jobSelf));
    const deploy = await api('/user', { headers: { 'Deploy-Token': world.tokens.deployRead } });
    const deployBearer = await api('/user', { headers: { authorization: `Bearer ${world.tokens.deployRead}` } });

    expect([job.status, jobAsPrivate.status, deploy.status, deployBearer.status]).toEqual([401, 401, 401, 401]);
    expect(fake.requests[0]?.auth.ignored[0]).toContain('JOB-TOKEN header');
    expect(fake.requests[1]?.auth.ignored[0]).toContain('glcbt-');
    expect(await deployBearer.json()).toEqual({ message: '401 Unauthorized' });
  });

  test('a PRIVATE-TOKEN starting with glcbt- is ignored, leaving the request anonymous', async () => {
    fake.expect(['GET /projects/:id']);
    const publicProject = await api('/projects/8', withToken(world.tokens.jobSelf));
    const privateProject = await api('/projects/7', withToken(world.tokens.jobSelf));

    expect(publicProject.status).toBe(200);
    expect(privateProject.status).toBe(404);
    expect(fake.requests[0]?.auth.outcome).toBe('anonymous');
  });

  test('a blocked user gets 403 "Your account has been blocked."', async () => {
    fake.expect(['GET /user']);
    const res = await api('/user', withToken(world.tokens.blockedPat));

    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: '403 Forbidden - Your account has been blocked.' });
  });

  test('/version and /metadata need authentication and report the version', async () => {
    fake.expect(['GET /metadata', 'GET /version']);
    const anonymous = await api('/metadata');
    const version = await api('/version', withToken(world.tokens.aliceReadApi));

    expect(anonymous.status).toBe(401);
    expect(await version.json()).toMatchObject({ version: '18.2.1-ee', enterprise: true });
  });

  test('GET /job answers a running job, 401 for a finished one, 404 Job Not Found for a PAT', async () => {
    fake.expect(['GET /job']);
    const running = await api('/job', { headers: { 'JOB-TOKEN': world.tokens.jobOther } });
    const query = await api(`/job?job_token=${world.tokens.jobSelf}`);
    const finished = await api('/job', { headers: { 'JOB-TOKEN': world.tokens.jobFinished } });
    const pat = await api('/job', withToken(world.tokens.alicePat));

    expect(running.status).toBe(200);
    expect(await running.json()).toMatchObject({
      status: 'running',
      pipeline: { project_id: world.projects.app },
      user: { username: 'alice' },
    });
    expect(query.status).toBe(200);
    expect(finished.status).toBe(401);
    expect(await finished.json()).toEqual({ message: '401 Unauthorized' });
    expect(pat.status).toBe(404);
    expect(await pat.json()).toEqual({ message: '404 Job Not Found' });
  });
});

function rotate(headers: Record<string, string>, body?: Record<string, string>): Promise<Response> {
  return fetch(`${fake.apiUrl}/personal_access_tokens/self/rotate`, {
    method: 'POST',
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

describe('POST /personal_access_tokens/self/rotate', () => {
  test('revokes the token and answers a new one with the same name and scopes, expiring in a week by default', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate', 'GET /user']);
    const old = world.tokens.alicePat;

    const response = await rotate({ 'PRIVATE-TOKEN': old });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      name: fake.token(old).name,
      scopes: fake.token(old).scopes,
      revoked: false,
      active: true,
      expires_at: '2025-06-08',
    });
    expect(body.token).toMatch(/^glpat-/);
    expect(body.token).not.toBe(old);
    expect(fake.token(old).revoked).toBe(true);
    expect((await fetch(`${fake.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': String(body.token) } })).status).toBe(200);
    expect((await fetch(`${fake.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': old } })).status).toBe(401);
  });

  test('takes expires_at, and refuses a date past the 365-day limit or one that is not a date with 400', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate']);
    const ok = await rotate({ 'PRIVATE-TOKEN': world.tokens.alicePat }, { expires_at: '2025-09-01' });
    const far = await rotate({ 'PRIVATE-TOKEN': world.tokens.bobPat }, { expires_at: '2026-06-02' });
    const bad = await rotate({ 'PRIVATE-TOKEN': world.tokens.bobPat }, { expires_at: '2025-02-30' });

    expect(((await ok.json()) as { expires_at: string }).expires_at).toBe('2025-09-01');
    expect(far.status).toBe(400);
    expect(await far.json()).toEqual({ message: '400 Bad request - Expires at must be before 2026-06-01' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'expires_at is invalid' });
    expect(fake.token(world.tokens.bobPat).revoked).toBeFalsy();
  });

  test('accepts self_rotate alone and refuses read_api with 403 insufficient_scope', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate']);
    const selfRotate = fake.addToken({ kind: 'personal', user: 'alice', scopes: ['read_api', 'self_rotate'] });
    const readOnly = fake.addToken({ kind: 'personal', user: 'alice', scopes: ['read_api'] });

    const allowed = await rotate({ 'PRIVATE-TOKEN': selfRotate });
    const denied = await rotate({ 'PRIVATE-TOKEN': readOnly });

    expect(allowed.status).toBe(200);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope', scope: 'api self_rotate' });
    expect(fake.token(readOnly).revoked).toBeFalsy();
  });

  test('answers an OAuth token 405, and deploy, job, expired and revoked tokens 401', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate', 'GET /personal_access_tokens/self']);
    const oauth = fake.addToken({ kind: 'oauth', user: 'alice', scopes: ['api'] });

    const statuses = await Promise.all([
      rotate({ authorization: `Bearer ${oauth}` }),
      rotate({ 'deploy-token': world.tokens.deployRead }),
      rotate({ 'job-token': world.tokens.jobSelf }),
      rotate({ 'PRIVATE-TOKEN': world.tokens.aliceExpired }),
      rotate({ 'PRIVATE-TOKEN': world.tokens.aliceRevoked }),
    ]).then((responses) => responses.map((r) => r.status));

    expect(statuses).toEqual([405, 401, 401, 401, 401]);
    const self = await fetch(`${fake.apiUrl}/personal_access_tokens/self`, {
      headers: { authorization: `Bearer ${oauth}` },
    });
    expect(self.status).toBe(400);
    expect(await self.json()).toEqual({
      message: '400 Bad request - This endpoint requires token type to be a personal access token',
    });
  });

  test('rotating an already rotated token again answers 401 and revokes the whole family (reuse detection)', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate', 'GET /user']);
    const old = world.tokens.projectBot;
    const first = (await (await rotate({ 'PRIVATE-TOKEN': old })).json()) as { token: string };
    const second = (await (await rotate({ 'PRIVATE-TOKEN': first.token })).json()) as { token: string };

    const reuse = await rotate({ 'PRIVATE-TOKEN': old });

    expect(reuse.status).toBe(401);
    expect(fake.token(first.token).revoked).toBe(true);
    expect(fake.token(second.token).revoked).toBe(true);
    expect(fake.token(second.token).kind).toBe('project');
    expect((await fetch(`${fake.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': second.token } })).status).toBe(401);
  });

  test('using a revoked token elsewhere does not touch its family', async () => {
    fake.expect(['POST /personal_access_tokens/self/rotate', 'GET /user']);
    const old = world.tokens.alicePat;
    const fresh = (await (await rotate({ 'PRIVATE-TOKEN': old })).json()) as { token: string };

    const elsewhere = await fetch(`${fake.apiUrl}/user`, { headers: { 'PRIVATE-TOKEN': old } });

    expect(elsewhere.status).toBe(401);
    expect(fake.token(fresh.token).revoked).toBeFalsy();
  });
});

describe('projects, groups and members', () => {
  test('a project is found by numeric id or URL-encoded path; a raw slash is an unknown route', async () => {
    fake.expect(['GET /projects/:id']);
    const byId = await api('/projects/7', withToken(world.tokens.alicePat));
    const byPath = await api('/projects/acme%2Ftools', withToken(world.tokens.alicePat));
    const raw = await api('/projects/acme/tools', withToken(world.tokens.alicePat));

    expect(await byId.json()).toMatchObject({ id: 7, path_with_namespace: 'acme/tools', namespace: { id: 42 } });
    expect(await byPath.json()).toMatchObject({ id: 7 });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual({ error: '404 Not Found' });
    expect(fake.takeUnexpected().map((u) => [u.request.rawUrl, u.reason])).toEqual([
      ['/api/v4/projects/acme/tools', 'unknown route'],
    ]);
  });

  test('a private project is 404 Project Not Found to outsiders and anonymous callers; a public one is visible', async () => {
    fake.expect(['GET /projects/:id']);
    const outsider = await api('/projects/7', withToken(world.tokens.erinPat));
    const anonymous = await api('/projects/acme%2Ftools');
    const publicProject = await api('/projects/oss%2Fpub');
    const unknown = await api('/projects/4242', withToken(world.tokens.alicePat));

    for (const res of [outsider, anonymous, unknown]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ message: '404 Project Not Found' });
    }
    expect(publicProject.status).toBe(200);
  });

  test('the project entity shows the caller its direct and group access', async () => {
    fake.expect(['GET /projects/:id']);
    const alice = await api('/projects/7', withToken(world.tokens.alicePat));
    const bob = await api('/projects/7', withToken(world.tokens.bobPat));

    expect(await alice.json()).toMatchObject({
      permissions: { project_access: null, group_access: { access_level: 30 } },
    });
    expect(await bob.json()).toMatchObject({
      permissions: { project_access: { access_level: 20 }, group_access: null },
    });
  });

  test('job tokens are not accepted on the projects API', async () => {
    fake.expect(['GET /projects/:id']);
    const res = await api('/projects/7', { headers: { 'JOB-TOKEN': world.tokens.jobSelf } });

    expect(res.status).toBe(404);
    expect(fake.requests[0]?.auth.outcome).toBe('anonymous');
  });

  test('a group is 404 Group Not Found when the caller cannot see it', async () => {
    fake.expect(['GET /groups/:id']);
    const member = await api('/groups/acme', withToken(world.tokens.alicePat));
    const projectOnlyMember = await api('/groups/42', withToken(world.tokens.bobPat));
    const outsider = await api('/groups/42', withToken(world.tokens.erinPat));

    expect(await member.json()).toMatchObject({ id: 42, full_path: 'acme' });
    expect(projectOnlyMember.status).toBe(200);
    expect(outsider.status).toBe(404);
    expect(await outsider.json()).toEqual({ message: '404 Group Not Found' });
  });

  test('members/all combines project, group and ancestor memberships; a non-member is "404 Not found"', async () => {
    fake.expect(['GET /projects/:id/members/all/:user_id', 'GET /groups/:id/members/all/:user_id']);
    const viaAncestor = await api(`/projects/11/members/all/${world.users.alice}`, withToken(world.tokens.davePat));
    const highest = await api(`/projects/7/members/all/${world.users.dave}`, withToken(world.tokens.davePat));
    const projectOnly = await api(`/groups/42/members/all/${world.users.bob}`, withToken(world.tokens.davePat));

    expect(await viaAncestor.json()).toMatchObject({ username: 'alice', access_level: 30 });
    expect(await highest.json()).toMatchObject({ username: 'dave', access_level: 40 });
    expect(projectOnly.status).toBe(404);
    expect(await projectOnly.json()).toEqual({ message: '404 Not found' });
  });

  test('member lists paginate with x-total, x-next-page and Link headers', async () => {
    fake.expect(['GET /projects/:id/members/all']);
    const first = await api('/projects/7/members/all?per_page=2', withToken(world.tokens.alicePat));
    const last = await api('/projects/7/members/all?per_page=2&page=4', withToken(world.tokens.alicePat));

    expect((await first.json()) as unknown[]).toHaveLength(2);
    expect(first.headers.get('x-total')).toBe('7');
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('link')).toContain(
      `<${fake.apiUrl}/projects/7/members/all?per_page=2&page=2>; rel="next"`,
    );
    expect((await last.json()) as unknown[]).toHaveLength(1);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });
});

describe('PyPI simple index', () => {
  test('the project index has one link per version, numeric-id hrefs and escaped data-requires-python', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const res = await api('/projects/acme%2Ftools/packages/pypi/simple/', {
      headers: { authorization: basic('__token__', world.tokens.alicePat) },
    });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const href = `${fake.url}/api/v4/projects/7/packages/pypi/simple/acme-utils`;
    const link = `<a href="${href}" data-requires-python="&gt;=3.9">acme-utils</a>`;
    expect(await res.text()).toBe(
      '<!DOCTYPE html>\n' +
        '        <html>\n' +
        '          <head>\n' +
        '            <title>Links for tools</title>\n' +
        '          </head>\n' +
        '          <body>\n' +
        '            <h1>Links for tools</h1>\n' +
        `            ${link}${link}\n` +
        '          </body>\n' +
        '        </html>\n',
    );
  });

  test('the versions page links every file with its sha256', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name']);
    const res = await api('/projects/7/packages/pypi/simple/acme-utils', {
      headers: { authorization: basic('anything', world.tokens.alicePat) },
    });

    const html = await res.text();
    const wheelSha = sha256('fake wheel of acme-utils 1.0.0\n');
    expect(html).toContain('<title>Links for acme-utils</title>');
    expect(html).toContain(
      `<a href="${fake.url}/api/v4/projects/7/packages/pypi/files/${wheelSha}/acme_utils-1.0.0-py3-none-any.whl#sha256=${wheelSha}" data-requires-python="&gt;=3.9">acme_utils-1.0.0-py3-none-any.whl</a>`,
    );
    expect(html.match(/<a /g)).toHaveLength(3);
  });

  test('a Reporter reads a private registry; Guest gets 403, an outsider 404, anonymous 401 with the Basic challenge', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const path = '/projects/7/packages/pypi/simple';
    const reporter = await api(path, { headers: { authorization: basic('bob', world.tokens.bobPat) } });
    const guest = await api(path, { headers: { authorization: basic('carol', world.tokens.carolPat) } });
    const outsider = await api(path, { headers: { authorization: basic('erin', world.tokens.erinPat) } });
    const anonymous = await api(path);

    expect(reporter.status).toBe(200);
    expect(guest.status).toBe(403);
    expect(await guest.json()).toEqual({ message: '403 Forbidden' });
    expect(outsider.status).toBe(404);
    expect(await outsider.json()).toEqual({ message: '404 Not Found' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="GitLab Packages Registry"');
  });

  test('the guest-pull flag lets a Guest read a private registry', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    fake.settings.guestCanPullPackages = true;

    const res = await api('/projects/7/packages/pypi/simple', {
      headers: { authorization: basic('carol', world.tokens.carolPat) },
    });

    expect(res.status).toBe(200);
  });

  test('a non-existent project is 404 Not Found even for anonymous callers', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const res = await api('/projects/999/packages/pypi/simple');

    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: '404 Not Found' });
  });

  test('a deploy token authenticates as Basic with any username, as Deploy-Token or as Bearer', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const path = '/projects/7/packages/pypi/simple';
    const asBasic = await api(path, { headers: { authorization: basic('whoever', world.tokens.deployRead) } });
    const asHeader = await api(path, { headers: { 'Deploy-Token': world.tokens.deployRead } });
    const asBearer = await api(path, { headers: { authorization: `Bearer ${world.tokens.deployRead}` } });

    expect([asBasic.status, asHeader.status, asBearer.status]).toEqual([200, 200, 200]);
    expect(fake.requests.map((r) => r.auth.via)).toEqual(['Basic', 'Deploy-Token header', 'Bearer']);
    expect(fake.requests[0]?.auth).toMatchObject({ kind: 'deploy', username: world.deployUsernames.deployRead });
  });

  test('a revoked deploy token is indistinguishable from no credentials', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    fake.token(world.tokens.deployRead).revoked = true;

    const res = await api('/projects/7/packages/pypi/simple', {
      headers: { authorization: basic(world.deployUsernames.deployRead, world.tokens.deployRead) },
    });

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="GitLab Packages Registry"');
  });

  test('a job token works only as Basic gitlab-ci-token; another username or the JOB-TOKEN header is anonymous', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const path = '/projects/7/packages/pypi/simple';
    const ok = await api(path, { headers: { authorization: basic('gitlab-ci-token', world.tokens.jobSelf) } });
    const wrongUser = await api(path, { headers: { authorization: basic('__token__', world.tokens.jobSelf) } });
    const header = await api(path, { headers: { 'JOB-TOKEN': world.tokens.jobSelf } });
    const finished = await api(path, {
      headers: { authorization: basic('gitlab-ci-token', world.tokens.jobFinished) },
    });

    expect(ok.status).toBe(200);
    expect(wrongUser.status).toBe(401);
    expect(fake.requests[1]?.auth.outcome).toBe('anonymous');
    expect(header.status).toBe(401);
    expect(fake.requests[2]?.auth.ignored[0]).toContain('JOB-TOKEN header');
    expect(finished.status).toBe(401);
    expect(fake.requests[3]?.auth).toMatchObject({ outcome: 'rejected', reason: 'job not running' });
  });

  test('package routes also take a PAT or a running job token as Bearer', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const path = '/projects/7/packages/pypi/simple';

    const pat = await api(path, { headers: { authorization: `Bearer ${world.tokens.alicePat}` } });
    const job = await api(path, { headers: { authorization: `Bearer ${world.tokens.jobSelf}` } });

    expect([pat.status, job.status]).toEqual([200, 200]);
    expect(fake.requests.map((r) => r.auth.kind)).toEqual(['personal', 'job']);
  });

  test('an unknown Basic password is anonymous, while an unknown PRIVATE-TOKEN is 401', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const basicOnPublic = await api('/projects/8/packages/pypi/simple', {
      headers: { authorization: basic('__token__', 'glpat-nope') },
    });
    const headerOnPublic = await api('/projects/8/packages/pypi/simple', withToken('glpat-nope'));

    expect(basicOnPublic.status).toBe(200);
    expect(headerOnPublic.status).toBe(401);
    expect(headerOnPublic.headers.get('www-authenticate')).toBe('Basic realm="GitLab Packages Registry"');
  });

  test('a job token from a project outside the allowlist gets 404 until the project or its group is allowlisted', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const path = '/projects/7/packages/pypi/simple';
    const auth = { headers: { authorization: basic('gitlab-ci-token', world.tokens.jobOther) } };

    const before = await api(path, auth);
    fake.project(7).jobTokenScope.allowlistProjectIds.push(world.projects.app);
    const byProject = await api(path, auth);
    fake.project(7).jobTokenScope.allowlistProjectIds = [];
    fake.project(7).jobTokenScope.allowlistGroupIds.push(world.groups.beta);
    const byGroup = await api(path, auth);

    expect(before.status).toBe(404);
    expect(await before.json()).toEqual({ message: '404 Not Found' });
    expect(byProject.status).toBe(200);
    expect(byGroup.status).toBe(200);
  });

  test('names match the normalised stored name; the request is only lower-cased', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name']);
    const auth = { headers: { authorization: basic('__token__', world.tokens.alicePat) } };

    const upper = await api('/projects/7/packages/pypi/simple/ACME-Utils', auth);
    const underscore = await api('/projects/7/packages/pypi/simple/acme_utils', auth);

    expect(upper.status).toBe(200);
    expect(underscore.status).toBe(302);
  });

  test('an unknown package redirects to pypi.org while forwarding is on, and is 404 once the group turns it off', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple/:package_name']);
    const auth = { headers: { authorization: basic('__token__', world.tokens.alicePat) } };

    const forwarded = await api('/projects/11/packages/pypi/simple/requests/', auth);
    fake.group('acme').forwarding = false;
    const inherited = await api('/projects/11/packages/pypi/simple/requests/', auth);
    const anonymous = await api('/projects/11/packages/pypi/simple/requests/');

    expect(forwarded.status).toBe(302);
    expect(forwarded.headers.get('location')).toBe('https://pypi.org/simple/requests/');
    expect(forwarded.headers.get('content-type')).toBe('text/plain');
    expect(await forwarded.text()).toBe(
      'This resource has been moved temporarily to https://pypi.org/simple/requests/.',
    );
    expect(inherited.status).toBe(404);
    expect(await inherited.json()).toEqual({ message: '404 Package Not Found' });
    expect(anonymous.status).toBe(401);
  });

  test('settings.pypiUrl moves the forwarding target (a pypi.org stand-in)', async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple/:package_name']);
    fake.settings.pypiUrl = 'http://127.0.0.1:9/simple';

    const forwarded = await api('/groups/42/-/packages/pypi/simple/Requests/', {
      headers: { authorization: basic('__token__', world.tokens.alicePat) },
    });

    expect(forwarded.status).toBe(302);
    expect(forwarded.headers.get('location')).toBe('http://127.0.0.1:9/simple/Requests/');
  });

  test('the group index lists packages of the group and its subgroups for group members and group deploy tokens', async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple']);
    const member = await api('/groups/42/-/packages/pypi/simple', {
      headers: { authorization: basic('alice', world.tokens.alicePat) },
    });
    const deploy = await api('/groups/acme/-/packages/pypi/simple', {
      headers: { authorization: basic(world.deployUsernames.groupDeploy, world.tokens.groupDeploy) },
    });

    const html = await member.text();
    expect(html).toContain('<title>Links for Acme</title>');
    expect(html).toContain(`href="${fake.url}/api/v4/groups/42/-/packages/pypi/simple/acme-core"`);
    expect(html.match(/>acme-utils</g)).toHaveLength(2);
    expect(deploy.status).toBe(200);
  });

  test('project-only members and project tokens get 403 on a private group index; a project deploy token 404', async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple']);
    const path = '/groups/42/-/packages/pypi/simple';
    const bob = await api(path, { headers: { authorization: basic('bob', world.tokens.bobPat) } });
    const bot = await api(path, { headers: { authorization: basic('bot', world.tokens.projectBot) } });
    const deploy = await api(path, { headers: { authorization: basic('d', world.tokens.deployRead) } });
    const groupBot = await api(path, { headers: { authorization: basic('bot', world.tokens.groupBot) } });

    expect(bob.status).toBe(403);
    expect(bot.status).toBe(403);
    expect(deploy.status).toBe(404);
    expect(groupBot.status).toBe(200);
  });

  test('the group versions page links group download URLs that serve the file', async () => {
    fake.expect([
      'GET /groups/:id/-/packages/pypi/simple/:package_name',
      'GET /groups/:id/-/packages/pypi/files/:sha256/*file_identifier',
    ]);
    const auth = { headers: { authorization: basic('alice', world.tokens.alicePat) } };
    const page = await (await api('/groups/42/-/packages/pypi/simple/acme-core', auth)).text();
    const href = /href="([^"#]+)#sha256=/.exec(page)?.[1] ?? '';

    const file = await fetch(href, auth);

    expect(href).toMatch(
      /\/api\/v4\/groups\/42\/-\/packages\/pypi\/files\/[0-9a-f]{64}\/acme_core-0\.1\.0-py3-none-any\.whl$/,
    );
    expect(await file.text()).toBe('fake wheel of acme-core 0.1.0\n');
  });

  test('a file downloads with its stored bytes; a wrong sha256 is 404 Package Not Found', async () => {
    fake.expect([
      'GET /projects/:id/packages/pypi/files/:sha256/*file_identifier',
      'GET /groups/:id/-/packages/pypi/files/:sha256/*file_identifier',
    ]);
    const auth = { headers: { authorization: basic('__token__', world.tokens.alicePat) } };
    const content = 'fake sdist of acme-utils 1.0.0\n';

    const ok = await api(`/projects/7/packages/pypi/files/${sha256(content)}/acme_utils-1.0.0.tar.gz`, auth);
    const wrong = await api(`/projects/7/packages/pypi/files/${'0'.repeat(64)}/acme_utils-1.0.0.tar.gz`, auth);
    const groupWrong = await api(`/groups/42/-/packages/pypi/files/${'0'.repeat(64)}/x.whl`, auth);

    expect(ok.headers.get('content-type')).toBe('application/octet-stream');
    expect(ok.headers.get('content-disposition')).toContain('filename="acme_utils-1.0.0.tar.gz"');
    expect(await ok.text()).toBe(content);
    expect(await wrong.json()).toEqual({ message: '404 Package Not Found' });
    expect(await groupWrong.json()).toEqual({ message: '404 Not found' });
  });

  test('HEAD answers like GET without a body', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const res = await api('/projects/8/packages/pypi/simple', { method: 'HEAD' });

    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await res.text()).toBe('');
    expect(fake.requests[0]?.route).toBe('GET /projects/:id/packages/pypi/simple');
  });
});

describe('PyPI upload', () => {
  test('an upload is stored and indexed; the same file again is 400, another file of the version is 201', async () => {
    fake.expect(['POST /projects/:id/packages/pypi', 'GET /projects/:id/packages/pypi/files/:sha256/*file_identifier']);
    const file = wheel('wheel bytes v2');
    const auth = basic('__token__', world.tokens.alicePat);
    const body = multipartBody(uploadFields('acme-utils', '2.0.0', file.content), file);

    const first = await upload(7, auth, body);
    const again = await upload(7, auth, body);
    const sdist = { fileName: 'acme_utils-2.0.0.tar.gz', content: Buffer.from('sdist bytes v2') };
    const second = await upload(7, auth, multipartBody(uploadFields('acme-utils', '2.0.0', sdist.content), sdist));

    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ message: '201 Created' });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      message: '400 Bad request - Validation failed: File name has already been taken',
    });
    expect(second.status).toBe(201);
    const stored = fake.project(7).packages.find((p) => p.version === '2.0.0');
    expect(stored?.files.map((f) => f.fileName)).toEqual([file.fileName, sdist.fileName]);
    expect(stored?.requiresPython).toBe('>=3.10');
    expect(fake.uploads[0]).toMatchObject({
      accepted: true,
      fileName: file.fileName,
      sha256: sha256(file.content),
      clientSha256: sha256(file.content),
      fields: { ':action': 'file_upload', name: 'acme-utils', version: '2.0.0' },
      size: file.content.length,
    });
    const download = await api(`/projects/7/packages/pypi/files/${sha256(file.content)}/${file.fileName}`, {
      headers: { authorization: auth },
    });
    expect(await download.text()).toBe('wheel bytes v2');
  });

  test('publishing needs Developer and the api scope', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const file = wheel('x');
    const body = multipartBody(uploadFields('acme-utils', '2.0.0', file.content), file);

    const reporter = await upload(7, basic('bob', world.tokens.bobPat), body);
    const readApi = await upload(7, basic('alice', world.tokens.aliceReadApi), body);
    const anonymous = await upload(7, undefined, body);
    const deployRead = await upload(7, basic('d', world.tokens.deployRead), body);

    expect(reporter.status).toBe(403);
    expect(await reporter.json()).toEqual({ message: '403 Forbidden' });
    expect(readApi.status).toBe(403);
    expect(await readApi.json()).toMatchObject({ error: 'insufficient_scope', scope: 'api read_api' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="GitLab Packages Registry"');
    expect(deployRead.status).toBe(403);
    expect(fake.uploads).toHaveLength(0);
  });

  test('deploy tokens with write_package_registry, project bots and allowlisted job tokens publish', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const send = (version: string, authorization: string) => {
      const file = { fileName: `acme_utils-${version}-py3-none-any.whl`, content: Buffer.from(version) };
      return upload(7, authorization, multipartBody(uploadFields('acme-utils', version, file.content), file));
    };

    const deploy = await send('3.0.0', basic('d', world.tokens.deployWrite));
    const bot = await send('3.0.1', basic('__token__', world.tokens.projectBot));
    const self = await send('3.0.2', basic('gitlab-ci-token', world.tokens.jobSelf));
    const other = await send('3.0.3', basic('gitlab-ci-token', world.tokens.jobOther));
    fake.project(7).jobTokenScope.allowlistProjectIds.push(world.projects.app);
    const allowlisted = await send('3.0.4', basic('gitlab-ci-token', world.tokens.jobOther));

    expect([deploy.status, bot.status, self.status, other.status, allowlisted.status]).toEqual([
      201, 201, 201, 404, 201,
    ]);
  });

  test('missing fields are listed in one Grape error', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const res = await upload(7, basic('a', world.tokens.alicePat), multipartBody({ version: '1.0' }));

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'content is missing, name is missing' });
  });

  test('an invalid version is refused with "Version is invalid"', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const file = wheel('y');

    const res = await upload(
      7,
      basic('a', world.tokens.alicePat),
      multipartBody(uploadFields('acme-utils', 'one', file.content), file),
    );

    expect(await res.json()).toEqual({ message: '400 Bad request - Validation failed: Version is invalid' });
  });

  test('a sha256_digest that does not match the bytes is refused and flagged as unexpected', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const file = wheel('real bytes');
    const fields = { ...uploadFields('acme-utils', '2.0.0', file.content), sha256_digest: sha256('other bytes') };

    const res = await upload(7, basic('a', world.tokens.alicePat), multipartBody(fields, file));

    expect(res.status).toBe(400);
    expect(fake.takeUnexpected()[0]?.reason).toContain('does not match the uploaded bytes');
  });

  test('a blake2_256_digest is checked against the bytes with an independent BLAKE2b, agreeing with Python', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const file = wheel('bytes for blake2b');
    const python = spawnSync(
      'python3',
      ['-c', 'import hashlib,sys;print(hashlib.blake2b(sys.stdin.buffer.read(),digest_size=32).hexdigest())'],
      { input: file.content, encoding: 'utf8' },
    ).stdout.trim();
    const good = { ...uploadFields('acme-utils', '2.0.0', file.content), blake2_256_digest: python };
    const bad = { ...uploadFields('acme-utils', '2.0.1', file.content), blake2_256_digest: 'f'.repeat(64) };

    const accepted = await upload(7, basic('a', world.tokens.alicePat), multipartBody(good, file));
    const refused = await upload(7, basic('a', world.tokens.alicePat), multipartBody(bad, file));

    expect(accepted.status).toBe(201);
    expect(fake.uploads[0]).toMatchObject({ blake2b256: python, clientBlake2b256: python });
    expect(blake2bHex(Buffer.from('abc'), 64)).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
    expect(refused.status).toBe(400);
    expect(fake.takeUnexpected()[0]?.reason).toContain('blake2_256_digest');
  });

  test('with verifyDigests off, the client digest is stored and advertised as GitLab does', async () => {
    fake.expect(['POST /projects/:id/packages/pypi', 'GET /projects/:id/packages/pypi/simple/:package_name']);
    fake.settings.verifyDigests = false;
    const file = wheel('real bytes');
    const claimed = sha256('other bytes');
    const fields = { ...uploadFields('acme-utils', '2.0.0', file.content), sha256_digest: claimed };

    const res = await upload(7, basic('a', world.tokens.alicePat), multipartBody(fields, file));
    const page = await api('/projects/7/packages/pypi/simple/acme-utils', {
      headers: { authorization: basic('a', world.tokens.alicePat) },
    });

    expect(res.status).toBe(201);
    expect(await page.text()).toContain(`#sha256=${claimed}`);
    expect(fake.uploads[0]).toMatchObject({ sha256: sha256(file.content), clientSha256: claimed });
  });

  test('a 50 MB upload streams through and only its size and digests are kept', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const size = 50 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    const digest = createHash('sha256');
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nacme-utils\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="version"\r\n\r\n9.0.0\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="acme_utils-9.0.0-py3-none-any.whl"\r\n\r\n`,
    );
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
      },
      pull(controller) {
        if (sent >= size) {
          controller.enqueue(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
          controller.close();
          return;
        }
        // Varying bytes, including the boundary's first characters, so the parser has work to do.
        chunk.fill(sent % 251);
        chunk.write(`\r\n--${BOUNDARY.slice(0, 10)}`, 500);
        digest.update(chunk);
        controller.enqueue(Buffer.from(chunk));
        sent += chunk.length;
      },
    });

    const res = await fetch(`${fake.apiUrl}/projects/7/packages/pypi`, {
      method: 'POST',
      headers: {
        authorization: basic('__token__', world.tokens.alicePat),
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);

    expect(res.status).toBe(201);
    expect(fake.uploads[0]).toMatchObject({ size, sha256: digest.digest('hex') });
    expect(fake.uploads[0]?.bytes).toBeUndefined();
    expect(fake.project(7).packages.at(-1)?.files[0]?.bytes).toBeUndefined();
  });

  test('a refusal before the body is read still reaches a client that is sending a large body', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const file = { fileName: 'big.whl', content: Buffer.alloc(5 * 1024 * 1024, 1) };

    const res = await upload(
      7,
      basic('bob', world.tokens.bobPat),
      multipartBody(uploadFields('big', '1.0', file.content), file),
    );

    expect(res.status).toBe(403);
  });

  test('a body that ends before the closing boundary is a 400 and flagged as unexpected', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const body = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="name"\r\n\r\nacme`);

    const res = await upload(7, basic('a', world.tokens.alicePat), body);

    expect(res.status).toBe(400);
    expect(fake.takeUnexpected()[0]?.reason).toContain('closing boundary');
  });
});

describe('job token allowlist', () => {
  test('a Maintainer adds a project by numeric id; a path id is 400 "id is invalid"', async () => {
    fake.expect(['POST /projects/:id/job_token_scope/allowlist']);
    const post = (id: string, body: unknown) =>
      api(`/projects/${id}/job_token_scope/allowlist`, {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': world.tokens.davePat, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const added = await post('7', { target_project_id: 9 });
    const byPath = await post('acme%2Ftools', { target_project_id: 9 });

    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ source_project_id: 7, target_project_id: 9 });
    expect(byPath.status).toBe(400);
    expect(await byPath.json()).toEqual({ error: 'id is invalid' });
    expect(fake.project(7).jobTokenScope.allowlistProjectIds).toEqual([9]);
  });

  test('duplicates, itself, unknown targets and missing fields get GitLab messages; a Developer gets 403', async () => {
    fake.expect(['POST /projects/:id/job_token_scope/allowlist']);
    const post = (token: string, body: unknown) =>
      api('/projects/7/job_token_scope/allowlist', {
        method: 'POST',
        headers: { 'PRIVATE-TOKEN': token, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post(world.tokens.davePat, { target_project_id: 9 });

    const duplicate = await post(world.tokens.davePat, { target_project_id: 9 });
    const itself = await post(world.tokens.davePat, { target_project_id: 7 });
    const unknown = await post(world.tokens.davePat, { target_project_id: 12345 });
    const missing = await post(world.tokens.davePat, {});
    const developer = await post(world.tokens.alicePat, { target_project_id: 8 });

    expect(await duplicate.json()).toEqual({
      message: '400 Bad request - Target project is already in the job token scope',
    });
    expect(await itself.json()).toEqual({
      message: "400 Bad request - Validation failed: Target project can't be the same as the source project",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: '404 target_project_id not found Not Found' });
    expect(await missing.json()).toEqual({ error: 'target_project_id is missing' });
    expect(developer.status).toBe(403);
  });

  test('a target the caller cannot read is refused with the "does not exist or you don\'t have permission" message', async () => {
    fake.expect(['POST /projects/:id/job_token_scope/allowlist']);
    const core = fake.addProject({ pathWithNamespace: 'beta/secret' });

    const res = await api('/projects/8/job_token_scope/allowlist', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.davePat, 'content-type': 'application/json' },
      body: JSON.stringify({ target_project_id: core.id }),
    });

    // dave is not a Maintainer of oss/pub: the admin check comes first.
    expect(res.status).toBe(403);
    fake.addMember({ project: 8, user: 'dave', role: 'maintainer' });
    fake.addMember({ project: core.id, user: 'erin', role: 'developer' });
    const hidden = fake.addProject({ pathWithNamespace: 'oss/hidden' });
    const refused = await api('/projects/8/job_token_scope/allowlist', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.davePat },
      body: new URLSearchParams({ target_project_id: String(hidden.id) }),
    });
    expect(await refused.json()).toEqual({
      message:
        "400 Bad request - The target_project that you are attempting to access does not exist or you don't have permission to perform this action",
    });
  });

  test('the allowlist includes the project itself; groups are added and listed; entries are removed', async () => {
    fake.expect([
      'POST /projects/:id/job_token_scope/groups_allowlist',
      'GET /projects/:id/job_token_scope/allowlist',
      'GET /projects/:id/job_token_scope/groups_allowlist',
      'GET /projects/:id/job_token_scope',
      'DELETE /projects/:id/job_token_scope/groups_allowlist/:target_group_id',
    ]);
    const headers = { 'PRIVATE-TOKEN': world.tokens.davePat, 'content-type': 'application/json' };
    await api('/projects/7/job_token_scope/groups_allowlist', {
      method: 'POST',
      headers,
      body: JSON.stringify({ target_group_id: 50 }),
    });

    const projects = await api('/projects/acme%2Ftools/job_token_scope/allowlist', { headers });
    const groups = await api('/projects/7/job_token_scope/groups_allowlist', { headers });
    const scope = await api('/projects/7/job_token_scope', { headers });
    const removed = await api('/projects/7/job_token_scope/groups_allowlist/50', { method: 'DELETE', headers });
    const again = await api('/projects/7/job_token_scope/groups_allowlist/50', { method: 'DELETE', headers });

    expect(((await projects.json()) as Array<{ id: number }>).map((p) => p.id)).toEqual([7]);
    expect(await groups.json()).toEqual([{ id: 50, web_url: `${fake.url}/groups/beta`, name: 'Beta' }]);
    expect(await scope.json()).toEqual({ inbound_enabled: true, outbound_enabled: false });
    expect(removed.status).toBe(204);
    expect(await again.json()).toEqual({ message: '400 Bad request - Target group is not in the job token scope' });
  });

  test('job tokens cannot call the allowlist API', async () => {
    fake.expect(['GET /projects/:id/job_token_scope/allowlist']);
    const res = await api('/projects/7/job_token_scope/allowlist', { headers: { 'JOB-TOKEN': world.tokens.jobSelf } });

    expect(res.status).toBe(401);
  });

  test('turning the inbound scope off lets every job token in', async () => {
    fake.expect(['PATCH /projects/:id/job_token_scope', 'GET /projects/:id/packages/pypi/simple']);
    const off = await api('/projects/7/job_token_scope', {
      method: 'PATCH',
      headers: { 'PRIVATE-TOKEN': world.tokens.davePat, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: false }),
    });
    const read = await api('/projects/7/packages/pypi/simple', {
      headers: { authorization: basic('gitlab-ci-token', world.tokens.jobOther) },
    });

    expect(off.status).toBe(204);
    expect(read.status).toBe(200);
  });
});

describe('releases', () => {
  test('a job token creates a release once, then 409 "Release already exists"', async () => {
    fake.expect(['POST /projects/:id/releases', 'GET /projects/:id/releases/:tag_name']);
    const create = () =>
      api('/projects/7/releases', {
        method: 'POST',
        headers: { 'JOB-TOKEN': world.tokens.jobSelf, 'content-type': 'application/json' },
        body: JSON.stringify({ tag_name: 'v2.0.0', ref: 'main', name: 'Release 2' }),
      });

    const first = await create();
    const second = await create();
    const fetched = await api('/projects/7/releases/v2.0.0', { headers: { 'JOB-TOKEN': world.tokens.jobSelf } });

    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ tag_name: 'v2.0.0', name: 'Release 2', author: { username: 'alice' } });
    expect(second.status).toBe(409);
    expect(await second.json()).toEqual({ message: 'Release already exists' });
    expect(fetched.status).toBe(200);
  });

  test('a release for a tag that does not exist needs ref', async () => {
    fake.expect(['POST /projects/:id/releases']);
    const res = await api('/projects/7/releases', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' },
      body: JSON.stringify({ tag_name: 'v9.9.9' }),
    });

    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ message: 'Ref is not specified' });
  });

  test('package links are added; a duplicate name or url is 400 with an array of messages', async () => {
    fake.expect([
      'POST /projects/:id/releases/:tag_name/assets/links',
      'GET /projects/:id/releases/:tag_name/assets/links',
    ]);
    const headers = { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' };
    const url = `${fake.apiUrl}/projects/7/packages/pypi/files/${'a'.repeat(64)}/acme_utils-1.0.0.tar.gz`;
    const add = (body: unknown) =>
      api('/projects/7/releases/v1.0.0/assets/links', { method: 'POST', headers, body: JSON.stringify(body) });

    const created = await add({ name: 'acme_utils-1.0.0.tar.gz', url, link_type: 'package' });
    const sameName = await add({ name: 'acme_utils-1.0.0.tar.gz', url: `${url}?x` });
    const sameBoth = await add({ name: 'acme_utils-1.0.0.tar.gz', url });
    const list = await api('/projects/7/releases/v1.0.0/assets/links', { headers });

    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'acme_utils-1.0.0.tar.gz',
      url,
      direct_asset_url: url,
      link_type: 'package',
    });
    expect(await sameName.json()).toEqual({ message: ['Name has already been taken'] });
    expect(await sameBoth.json()).toEqual({ message: ['Name has already been taken', 'Url has already been taken'] });
    expect(((await list.json()) as unknown[]).length).toBe(1);
  });

  test('link_type must be other, runbook, image or package', async () => {
    fake.expect(['POST /projects/:id/releases/:tag_name/assets/links']);
    const res = await api('/projects/7/releases/v1.0.0/assets/links', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', url: 'https://example.com/x', link_type: 'wheel' }),
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'link_type does not have a valid value' });
  });

  test('a missing release is "404 Not Found" on GET and "404 Not found" for its links', async () => {
    fake.expect(['GET /projects/:id/releases/:tag_name', 'GET /projects/:id/releases/:tag_name/assets/links']);
    const headers = { 'PRIVATE-TOKEN': world.tokens.alicePat };

    const release = await api('/projects/7/releases/v0.0.0', { headers });
    const links = await api('/projects/7/releases/v0.0.0/assets/links', { headers });

    expect(await release.json()).toEqual({ message: '404 Not Found' });
    expect(await links.json()).toEqual({ message: '404 Not found' });
  });

  test('a job token from a project outside the allowlist is refused with the job-token message', async () => {
    fake.expect(['GET /projects/:id/releases/:tag_name']);
    const res = await api('/projects/7/releases/v1.0.0', { headers: { 'JOB-TOKEN': world.tokens.jobOther } });

    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      message: '403 Forbidden - Authentication by CI/CD job token not allowed from beta/app to acme/tools.',
    });
  });

  test('a Reporter cannot create releases', async () => {
    fake.expect(['POST /projects/:id/releases']);
    const res = await api('/projects/7/releases', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.bobPat, 'content-type': 'application/json' },
      body: JSON.stringify({ tag_name: 'v1.0.0' }),
    });

    expect(res.status).toBe(403);
  });
});

describe('CI lint', () => {
  test('valid YAML is echoed as merged_yaml', async () => {
    fake.expect(['POST /projects/:id/ci/lint']);
    const content = 'stages: [build]\nbuild:\n  stage: build\n  script:\n    - uv build\n';

    const res = await api('/projects/7/ci/lint', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' },
      body: JSON.stringify({ content }),
    });

    expect(await res.json()).toEqual({ valid: true, errors: [], warnings: [], merged_yaml: content, includes: [] });
  });

  test('empty content, tab indentation, bad brackets and job-less files are invalid', () => {
    expect(lintCiYaml('  \n')).toEqual(['Please provide content of .gitlab-ci.yml']);
    expect(lintCiYaml('build:\n\tscript: [x]\n')[0]).toContain('found character that cannot start any token');
    expect(lintCiYaml('build:\n  script: [x\n')[0]).toContain("did not find expected ','");
    expect(lintCiYaml('variables:\n  A: "1"\n.hidden:\n  script: [x]\n')).toEqual([
      'jobs config should contain at least one visible job',
    ]);
    expect(lintCiYaml('- just\n- a list\n')).toEqual(['Invalid configuration format']);
    expect(lintCiYaml('# comment: [\nbuild:\n  script: ["echo ]"]\n  after: |\n    not: a key\n')).toEqual([]);
  });

  test('a Reporter may not lint in a project context', async () => {
    fake.expect(['POST /projects/:id/ci/lint']);
    const res = await api('/projects/7/ci/lint', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.bobPat, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x:\n  script: [y]\n' }),
    });

    expect(res.status).toBe(403);
  });
});

describe('group package listing', () => {
  test('lists the PyPI packages of a group and its subgroups with their projects, paginated', async () => {
    fake.expect(['GET /groups/:id/packages']);
    const res = await api('/groups/42/packages?package_type=pypi&per_page=2', withToken(world.tokens.alicePat));

    expect(res.status).toBe(200);
    expect(res.headers.get('x-total')).toBe('3');
    expect(res.headers.get('x-next-page')).toBe('2');
    const page = (await res.json()) as Array<{ name: string; project_id: number; project_path: string }>;
    expect(page.map((p) => [p.name, p.project_id, p.project_path])).toEqual([
      ['acme-utils', 7, 'acme/tools'],
      ['acme-utils', 7, 'acme/tools'],
    ]);
    const rest = (await (
      await api('/groups/42/packages?package_type=pypi&per_page=2&page=2', withToken(world.tokens.alicePat))
    ).json()) as Array<{ project_id: number }>;
    expect(rest.map((p) => p.project_id)).toEqual([11]);
  });

  test('leaves subgroups out with exclude_subgroups and other package types out by type', async () => {
    fake.expect(['GET /groups/:id/packages']);
    const own = (await (
      await api('/groups/42/packages?exclude_subgroups=true', withToken(world.tokens.alicePat))
    ).json()) as Array<{ project_id: number }>;
    const npm = (await (
      await api('/groups/42/packages?package_type=npm', withToken(world.tokens.alicePat))
    ).json()) as unknown[];

    expect(new Set(own.map((p) => p.project_id))).toEqual(new Set([7]));
    expect(npm).toEqual([]);
  });

  test('answers 404 for a group the caller cannot see and 403 without the pull role on it', async () => {
    fake.expect(['GET /groups/:id/packages']);
    const hidden = await api('/groups/42/packages', withToken(world.tokens.erinPat));
    const projectMember = await api('/groups/42/packages', withToken(world.tokens.bobPat));

    expect(hidden.status).toBe(404);
    expect(projectMember.status).toBe(403);
  });
});

describe('strictness', () => {
  test('an unknown route answers {"error":"404 Not Found"} and makes assertClean fail', async () => {
    const res = await api('/projects/7/packages/generic/x/1/y');

    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: '404 Not Found' });
    expect(() => fake.assertClean()).toThrow(
      /unexpected request.*\n {2}unknown route: #1 GET \/api\/v4\/projects\/7\/packages\/generic\/x\/1\/y/,
    );
    fake.takeUnexpected();
  });

  test('a request to a route the test did not declare is unexpected and makes assertClean fail', async () => {
    const res = await api('/user', withToken(world.tokens.alicePat));

    expect(res.status).toBe(200);
    expect(fake.unexpected.map((u) => u.reason)).toEqual(['route GET /user not declared']);
    expect(() => fake.assertClean()).toThrow(
      /unexpected request.*\n {2}route GET \/user not declared: #1 GET \/api\/v4\/user/,
    );
    fake.takeUnexpected();
  });

  test('a declared route never requested makes assertClean fail', async () => {
    fake.expect(['GET /user', 'GET /projects/:id/packages/pypi/simple/:name']);

    await api('/user', withToken(world.tokens.alicePat));

    expect(fake.unexpected).toEqual([]);
    expect(() => fake.assertClean()).toThrow(
      /never requested:\n {2}GET \/projects\/:id\/packages\/pypi\/simple\/:package_name\n/,
    );
    fake.resetLog();
  });

  test('declared and requested routes pass; declarations add up; HEAD counts for the GET route', async () => {
    fake.expect(['GET /user']);
    fake.expect(['GET /projects/:id/packages/pypi/simple']);

    await api('/user', withToken(world.tokens.alicePat));
    await api('/projects/8/packages/pypi/simple/', { method: 'HEAD' });

    expect(fake.requestsTo('GET /projects/:id/packages/pypi/simple')).toHaveLength(1);
    expect(fake.requestsTo('GET /projects/8/packages/pypi/simple')).toHaveLength(1);
    expect(() => fake.assertClean()).not.toThrow();
  });

  test('resetLog forgets the declarations with the requests', async () => {
    fake.expect(['GET /user']);
    fake.resetLog();

    await api('/user', withToken(world.tokens.alicePat));

    expect(fake.takeUnexpected().map((u) => u.reason)).toEqual(['route GET /user not declared']);
  });

  test('route specs are checked against the routes the fake knows', () => {
    expect(() => fake.expect(['GET /projetcs/:id'])).toThrow(/no route "GET \/projetcs\/:id"/);
    expect(() => fake.expect(['/projects/:id'])).toThrow(/a route spec looks like "GET \/projects\/:id"/);
  });

  test("routes: 'any' (the demo server) allows every known route and requires none", async () => {
    const demo = await createFakeGitLab({ routes: 'any' });
    onTestFinished(() => demo.close());
    const demoWorld = demo.seed.standard();

    const user = await fetch(`${demo.apiUrl}/user`, withToken(demoWorld.tokens.alicePat));
    const unknown = await fetch(`${demo.apiUrl}/projects/7/packages/generic/x/1/y`);

    expect(user.status).toBe(200);
    expect(unknown.status).toBe(404);
    expect(demo.unexpected.map((u) => u.reason)).toEqual(['unknown route']);
  });

  test('the raw URL is recorded undecoded, with lower-cased headers and the body size', async () => {
    fake.expect(['GET /projects/:id/job_token_scope/allowlist']);
    await api('/projects/acme%2Ftools/job_token_scope/allowlist?per_page=5', {
      headers: { 'PRIVATE-TOKEN': world.tokens.davePat, 'X-Custom': 'yes' },
    });

    const [recorded] = fake.requests;
    expect(recorded).toMatchObject({
      method: 'GET',
      rawUrl: '/api/v4/projects/acme%2Ftools/job_token_scope/allowlist?per_page=5',
      path: '/api/v4/projects/acme%2Ftools/job_token_scope/allowlist',
      query: { per_page: '5' },
      route: 'GET /projects/:id/job_token_scope/allowlist',
      params: { id: 'acme/tools' },
      status: 200,
    });
    expect(recorded?.headers['x-custom']).toBe('yes');
  });
});

describe('faults', () => {
  test('a status fault answers in place of GitLab for the given number of times', async () => {
    fake.expect(['GET /user']);
    fake.faults.push({ route: 'GET /user', times: 2, kind: 'status', status: 503 });

    const first = await api('/user', withToken(world.tokens.alicePat));
    const second = await api('/user', withToken(world.tokens.alicePat));
    const third = await api('/user', withToken(world.tokens.alicePat));

    expect([first.status, second.status, third.status]).toEqual([503, 503, 200]);
    expect(await first.json()).toEqual({ message: '503 Service Unavailable' });
    expect(fake.requests[0]?.fault).toBe('status 503');
    expect(fake.faults).toHaveLength(0);
  });

  test('a reset with afterBytes lets part of an upload body arrive, then drops the connection', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: 'POST /projects/:id/packages/pypi', kind: 'reset', afterBytes: 1000 });
    const file = { fileName: 'acme_utils-5.0.0.tar.gz', content: Buffer.alloc(200_000, 1) };

    const error = await upload(
      7,
      basic('a', world.tokens.alicePat),
      multipartBody(uploadFields('acme-utils', '5.0.0', file.content), file),
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(fake.requests[0]?.fault).toBe('reset after 1000 bytes');
    expect(fake.uploads).toHaveLength(0);
  });

  test('rate-limit answers 429 "Retry later" with Retry-After and RateLimit headers', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    fake.faults.push({ kind: 'rate-limit', retryAfter: 7 });

    const res = await api('/projects/8/packages/pypi/simple');

    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('Retry later\n');
  });

  test('faults match concrete paths, bare paths, regexps and predicates, in order', async () => {
    fake.expect(['GET /projects/:id', 'GET /projects/:id/packages/pypi/simple']);
    fake.faults.push(
      { route: 'GET /projects/8', kind: 'status', status: 500 },
      { route: '/projects/:id', kind: 'status', status: 502 },
      { route: /simple$/, kind: 'status', status: 504 },
      { route: (r) => r.headers['x-fail'] === '1', kind: 'status', status: 418, body: 'teapot' },
    );

    const concrete = await api('/projects/8');
    const bare = await api('/projects/8');
    const regexp = await api('/projects/8/packages/pypi/simple');
    const predicate = await api('/projects/8', { headers: { 'x-fail': '1' } });

    expect([concrete.status, bare.status, regexp.status, predicate.status]).toEqual([500, 502, 504, 418]);
    expect(await predicate.text()).toBe('teapot');
  });

  test('reset drops the connection before any answer', async () => {
    fake.expect(['GET /user']);
    fake.faults.push({ route: 'GET /user', kind: 'reset' });

    await expect(api('/user', withToken(world.tokens.alicePat))).rejects.toThrow();
    expect(fake.requests[0]?.status).toBeUndefined();
  });

  test('truncate sends the headers and half the body, then drops the connection', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    fake.faults.push({ kind: 'truncate' });

    const res = await api('/projects/8/packages/pypi/simple');

    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  test('html answers a proxy error page; redirect answers a Location', async () => {
    fake.expect(['GET /user']);
    fake.faults.push({ kind: 'html', status: 502 }, { kind: 'redirect', location: 'https://login.example.com/' });

    const html = await api('/user', withToken(world.tokens.alicePat));
    const redirect = await api('/user', withToken(world.tokens.alicePat));

    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('<h1>502 Bad Gateway</h1>');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://login.example.com/');
  });

  test('delay and latencyMs slow answers down: it waits out each before answering', async () => {
    const sleeps: number[] = [];
    const slow = await createFakeGitLab({ latencyMs: 30, sleep: async (ms) => void sleeps.push(ms) });
    slow.seed.standard();
    slow.faults.push({ kind: 'delay', ms: 120 });
    slow.expect(['GET /projects/:id']);

    const res = await fetch(`${slow.apiUrl}/projects/8`);
    await slow.close();

    expect(res.status).toBe(200);
    expect(sleeps).toEqual([30, 120]);
    slow.assertClean();
  });
});

describe('lifecycle', () => {
  test('close() ends keep-alive connections and pending delays', async () => {
    const other = await createFakeGitLab();
    other.expect(['GET /version']);
    other.faults.push({ kind: 'delay', ms: 60_000 });
    const pending = new Promise<string>((resolve) => {
      const req = httpRequest(`${other.apiUrl}/version`, { agent: false }, () => resolve('answered'));
      req.on('error', () => resolve('closed'));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // The delay is twice the test's timeout: a close() that waited for it would fail the test.
    await other.close();

    expect(await pending).toBe('closed');
    other.assertClean();
  });

  test('externalUrl is used in index links', async () => {
    const other = await createFakeGitLab({ externalUrl: 'https://gitlab.example.com/' });
    onTestFinished(async () => {
      await other.close();
      other.assertClean();
    });
    other.seed.standard();
    other.expect(['GET /projects/:id/packages/pypi/simple']);

    const res = await fetch(`${other.apiUrl}/projects/8/packages/pypi/simple`);

    expect(await res.text()).toContain(
      'href="https://gitlab.example.com/api/v4/projects/8/packages/pypi/simple/oss-pub"',
    );
  });

  test('simplePage reproduces the presenter heredoc', () => {
    expect(simplePage('a&b', '<a>')).toBe(
      '<!DOCTYPE html>\n        <html>\n          <head>\n            <title>Links for a&amp;b</title>\n          </head>\n' +
        '          <body>\n            <h1>Links for a&amp;b</h1>\n            <a>\n          </body>\n        </html>\n',
    );
  });
});

describe('multipart parser', () => {
  function parse(body: Buffer, chunkSize: number): Array<{ name: string; filename?: string; data: string }> {
    const parts: Array<{ name: string; filename?: string; data: string }> = [];
    const parser = createMultipartParser(BOUNDARY, (info) => {
      const chunks: Buffer[] = [];
      return {
        data: (c) => chunks.push(Buffer.from(c)),
        end: () => {
          const part: { name: string; filename?: string; data: string } = {
            name: info.name,
            data: Buffer.concat(chunks).toString('latin1'),
          };
          if (info.filename !== undefined) part.filename = info.filename;
          parts.push(part);
        },
      };
    });
    for (let i = 0; i < body.length; i += chunkSize) parser.write(body.subarray(i, i + chunkSize));
    parser.end();
    return parts;
  }

  test('parts come out the same whatever the chunk boundaries', () => {
    const tricky = Buffer.from(`line\r\n--${BOUNDARY.slice(0, -1)}X\r\n\r\n--`);
    const body = Buffer.concat([
      Buffer.from('preamble to ignore\r\n'),
      multipartBody({ name: 'acme-utils', empty: '' }, { fileName: 'a "quoted".whl', content: tricky }),
      Buffer.from('epilogue'),
    ])
      .toString('latin1')
      .replace('filename="a "quoted".whl"', 'filename="a \\"quoted\\".whl"');
    const expected = [
      { name: 'name', data: 'acme-utils' },
      { name: 'empty', data: '' },
      { name: 'content', filename: 'a "quoted".whl', data: tricky.toString('latin1') },
    ];

    for (const size of [1, 2, 3, 7, 41, 64, 1000, 100_000]) {
      expect(parse(Buffer.from(body, 'latin1'), size)).toEqual(expected);
    }
  });

  test('a body without the closing boundary is an error', () => {
    const body = multipartBody({ a: 'b' }).subarray(0, -10);

    expect(() => parse(body, 16)).toThrow(/closing boundary/);
  });
});

describe('standalone runner', () => {
  test('the bundled runner prints its URL and tokens, serves, and exits when stdin closes', async () => {
    const { build } = await import('esbuild');
    const dir = await mkdtemp(join(tmpdir(), 'fake-gitlab-'));
    const outfile = join(dir, 'fake-gitlab.mjs');
    await build({
      entryPoints: [join(import.meta.dirname, 'fake-gitlab', 'standalone.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    const child = spawn(process.execPath, [outfile], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const lines = createInterface({ input: child.stdout });
      const first = await new Promise<string>((resolve) => lines.once('line', resolve));
      const info = JSON.parse(first) as { url: string; tokens: StandardWorld['tokens'] };

      const res = await fetch(`${info.url}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': info.tokens.alicePat } });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.stdin.end();

      expect(await res.json()).toMatchObject({ username: 'alice' });
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('access rules as GitLab applies them', () => {
  test('a group deploy token reads its own group registry, not a subgroup group registry (which still lists under its own)', async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple']);
    const auth = { headers: { authorization: basic(world.deployUsernames.groupDeploy, world.tokens.groupDeploy) } };

    const own = await api(`/groups/${world.groups.acme}/-/packages/pypi/simple`, auth);
    const sub = await api(`/groups/${world.groups.libs}/-/packages/pypi/simple`, auth);

    expect(own.status).toBe(200);
    expect(await own.text()).toContain('acme-core');
    expect(sub.status).toBe(404);
  });

  test('a deploy token is found by its value alone: any Basic username works', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const res = await api(`/projects/${world.projects.tools}/packages/pypi/simple`, {
      headers: { authorization: basic('whoever', world.tokens.deployRead) },
    });

    expect(res.status).toBe(200);
    expect(fake.requests[0]?.auth).toMatchObject({ kind: 'deploy', basicUsername: 'whoever' });
  });

  test('an upload without sha256_digest stores none: the versions page has an empty fragment', async () => {
    fake.expect(['POST /projects/:id/packages/pypi', 'GET /projects/:id/packages/pypi/simple/:package_name']);
    const file = wheel('no digest');
    const { sha256_digest: _omitted, ...fields } = uploadFields('acme-utils', '2.0.0', file.content);

    const res = await upload(
      world.projects.tools,
      basic('__token__', world.tokens.alicePat),
      multipartBody(fields, file),
    );
    const page = await (
      await api(`/projects/${world.projects.tools}/packages/pypi/simple/acme-utils`, {
        headers: { authorization: basic('__token__', world.tokens.alicePat) },
      })
    ).text();

    expect(res.status).toBe(201);
    expect(page).toContain(`/files//acme_utils-2.0.0-py3-none-any.whl#sha256=" data-requires-python`);
  });

  test('requires_python is overwritten by every upload, and emptied by one without it', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    const auth = basic('__token__', world.tokens.alicePat);
    const first = wheel('first');
    const second = { fileName: 'acme_utils-2.0.0.tar.gz', content: Buffer.from('second') };
    const { requires_python: _none, ...withoutPython } = uploadFields('acme-utils', '2.0.0', second.content);

    await upload(world.projects.tools, auth, multipartBody(uploadFields('acme-utils', '2.0.0', first.content), first));
    const before = fake.project(world.projects.tools).packages.find((p) => p.version === '2.0.0')?.requiresPython;
    await upload(world.projects.tools, auth, multipartBody(withoutPython, second));

    expect(before).toBe('>=3.10');
    expect(fake.project(world.projects.tools).packages.find((p) => p.version === '2.0.0')?.requiresPython).toBe('');
  });

  test('a file over the limit gets 413 from Workhorse, as plain text', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.settings.maxFileSize = 4;
    const file = wheel('larger than four bytes');

    const res = await upload(
      world.projects.tools,
      basic('__token__', world.tokens.alicePat),
      multipartBody(uploadFields('acme-utils', '2.0.0', file.content), file),
    );

    expect(res.status).toBe(413);
    expect(await res.text()).toBe('entity is too large\n');
  });

  test('a protected package name refuses a Developer and any deploy token, not a Maintainer of a maintainer rule', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.project(world.projects.tools).protectionRules = [
      { id: 1, packageNamePattern: 'acme-*', minimumAccessLevelForPush: 'maintainer' },
    ];
    fake.addMember({ project: world.projects.tools, user: 'dave', role: 'maintainer' });
    const body = () => {
      const file = wheel('protected');
      return multipartBody(uploadFields('acme-utils', '2.0.0', file.content), file);
    };

    const developer = await upload(world.projects.tools, basic('__token__', world.tokens.alicePat), body());
    const deploy = await upload(world.projects.tools, basic('x', world.tokens.deployWrite), body());
    const maintainer = await upload(world.projects.tools, basic('__token__', world.tokens.davePat), body());

    expect(developer.status).toBe(403);
    expect(await developer.json()).toEqual({ message: '403 Forbidden - Package protected.' });
    expect(deploy.status).toBe(403);
    expect(maintainer.status).toBe(201);
  });

  test('a disabled package registry refuses a member with 403; one open to everyone answers anonymous reads', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple', 'GET /projects/:id']);
    const project = fake.project(world.projects.tools);
    const simple = `/projects/${world.projects.tools}/packages/pypi/simple`;

    project.packageRegistryAccess = 'disabled';
    const disabled = await api(simple, { headers: { authorization: basic('__token__', world.tokens.alicePat) } });
    const entity = await (await api(`/projects/${world.projects.tools}`, withToken(world.tokens.alicePat))).json();
    project.packageRegistryAccess = 'public';
    const open = await api(simple);

    expect(disabled.status).toBe(403);
    expect(entity).toMatchObject({ packages_enabled: false, package_registry_access_level: 'disabled' });
    expect(open.status).toBe(200);
  });

  test('a job token outside the allowlist reads an internal project registry but cannot publish there', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple', 'POST /projects/:id/packages/pypi']);
    fake.addProject({ pathWithNamespace: 'acme/inner', id: 12, visibility: 'internal' });
    const auth = basic('gitlab-ci-token', world.tokens.jobOther);
    const file = wheel('job');

    const read = await api('/projects/12/packages/pypi/simple', { headers: { authorization: auth } });
    const publish = await upload(12, auth, multipartBody(uploadFields('acme-inner', '1.0', file.content), file));

    expect(read.status).toBe(200);
    expect(publish.status).toBe(403);
  });

  test('group registries skip job-token policies: the job user is what counts', async () => {
    fake.expect(['GET /groups/:id/-/packages/pypi/simple']);
    const erinJob = fake.addToken({ kind: 'job', project: world.projects.app, user: 'erin' });

    const alice = await api(`/groups/${world.groups.acme}/-/packages/pypi/simple`, {
      headers: { authorization: basic('gitlab-ci-token', world.tokens.jobOther) },
    });
    const erin = await api(`/groups/${world.groups.acme}/-/packages/pypi/simple`, {
      headers: { authorization: basic('gitlab-ci-token', erinJob) },
    });

    expect(alice.status).toBe(200);
    expect(await alice.text()).toContain('acme-utils');
    expect(erin.status).toBe(404);
  });

  test('fine-grained job-token permissions: an allowlist entry without read_packages gets 403 with the permission named', async () => {
    fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const scope = fake.project(world.projects.tools).jobTokenScope;
    scope.allowlistProjectIds.push(world.projects.app);
    scope.policies = { [world.projects.app]: ['read_releases'] };

    const res = await api(`/projects/${world.projects.tools}/packages/pypi/simple`, {
      headers: { authorization: basic('gitlab-ci-token', world.tokens.jobOther) },
    });

    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      message:
        '403 Forbidden - Insufficient permissions to access this resource in project tools. The following token permission is required: read_packages.',
    });
  });

  test('a REST GET by the old path of a renamed project answers 301 to the numeric id; a POST 405; PyPI routes just work', async () => {
    fake.expect(['GET /projects/:id', 'POST /projects/:id/releases', 'GET /projects/:id/packages/pypi/simple']);
    fake.project(world.projects.tools).previousPaths = ['acme/old-tools'];

    const get = await api('/projects/acme%2Fold-tools?statistics=false', withToken(world.tokens.alicePat));
    const post = await api('/projects/acme%2Fold-tools/releases', {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' },
      body: '{"tag_name":"v9","ref":"main"}',
    });
    const simple = await api('/projects/acme%2Fold-tools/packages/pypi/simple', {
      headers: { authorization: basic('__token__', world.tokens.alicePat) },
    });

    expect(get.status).toBe(301);
    expect(get.headers.get('location')).toBe(`${fake.apiUrl}/projects/${world.projects.tools}?statistics=false`);
    expect(post.status).toBe(405);
    expect(simple.status).toBe(200);
  });

  test('/personal_access_tokens/self has the newer fields expired and last_used_ips', async () => {
    fake.expect(['GET /personal_access_tokens/self']);
    const body = await (await api('/personal_access_tokens/self', withToken(world.tokens.alicePat))).json();

    expect(body).toMatchObject({ expired: false, active: true, last_used_ips: ['127.0.0.1'] });
  });

  test('a release for a CI/CD Catalog project without a description is refused with 422, not "Ref is not specified"', async () => {
    fake.expect(['POST /projects/:id/releases']);
    fake.project(world.projects.tools).catalogResource = true;

    const res = await api(`/projects/${world.projects.tools}/releases`, {
      method: 'POST',
      headers: { 'PRIVATE-TOKEN': world.tokens.alicePat, 'content-type': 'application/json' },
      body: '{"tag_name":"v2.0.0","ref":"main"}',
    });

    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      message: 'Project must have a description, Project must contain a README file',
    });
  });
});
