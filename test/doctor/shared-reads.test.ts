/** doctor's clients share one answer per page and credentials (src/doctor/shared-reads.ts), against the stand-in. */
import { describe, expect, it } from 'vitest';
import { sharedReads } from '../../src/doctor/shared-reads.js';
import { getProject } from '../../src/gitlab/api.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import type { OpenOptions } from '../../src/gitlab/open.js';
import { createSecrets } from '../../src/util/redact.js';
import { useFakeProject } from '../support/fake-project.js';

const project = useFakeProject();

const open = () =>
  sharedReads(async (options: OpenOptions) =>
    createGitLabClient({ ...options, backoffMs: 1, timeoutMs: 5_000 }, { env: {}, secrets: createSecrets() }),
  );
const page = { path: '/projects/7/packages/pypi/simple', auth: 'basic' as const, accept: [401, 403, 404] };
const pageRequests = () =>
  project.fake.requests.filter((r) => r.route === 'GET /projects/:id/packages/pypi/simple').length;

describe('sharedReads', () => {
  it('asks once for a page two clients with the same credentials read, at the same time or later', async () => {
    project.fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const opener = open();
    const options = { baseUrl: project.fake.url, token: project.world.tokens.alicePat, kind: 'personal' as const };
    const [a, b] = await Promise.all([opener(options), opener(options)]);

    const answers = await Promise.all([a.request(page), b.request({ ...page, subject: 'another name' })]);
    const later = await a.request(page);

    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(later).toBe(answers[0]);
    expect(pageRequests()).toBe(1);
  });

  it('asks again for other credentials, other headers, or a request that is not a plain GET', async () => {
    project.fake.expect([
      'GET /projects/:id/packages/pypi/simple',
      'GET /projects/:id',
      'POST /projects/:id/packages/pypi',
    ]);
    const opener = open();
    const alice = await opener({ baseUrl: project.fake.url, token: project.world.tokens.alicePat, kind: 'personal' });
    const bob = await opener({ baseUrl: project.fake.url, token: project.world.tokens.bobPat, kind: 'personal' });
    const anonymous = await opener({ baseUrl: project.fake.url });

    const pages = [
      await alice.request(page),
      await bob.request(page),
      await anonymous.request(page),
      await alice.request({ ...page, headers: { accept: 'text/html' } }),
    ];
    const upload = {
      ...page,
      path: '/projects/7/packages/pypi',
      method: 'POST' as const,
      accept: [400, 401, 403, 422],
    };
    const posts = [await alice.request(upload), await alice.request(upload)];
    // JSON reads go through the same sharing.
    const projects = [await getProject(alice, '7'), await getProject(alice, '7')];

    // Bodiless POSTs to the upload route: the stand-in answers 400 and counts them as mistakes.
    expect(project.fake.takeUnexpected()).toHaveLength(2);
    expect(new Set(pages).size).toBe(4);
    expect(posts.map((post) => post.status)).toEqual([400, 400]);
    expect(posts[1]).not.toBe(posts[0]);
    expect(pageRequests()).toBe(4);
    expect(project.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(projects[1]).toEqual(projects[0]);
    expect(project.fake.requests.filter((r) => r.route === 'GET /projects/:id')).toHaveLength(1);
  });

  it('hands every asker the same failure', async () => {
    project.fake.expect(['GET /projects/:id/packages/pypi/simple']);
    const opener = open();
    const client = await opener({ baseUrl: project.fake.url, token: 'glpat-notatokenGitLabknows0', kind: 'personal' });
    const strict = { path: page.path, auth: 'basic' as const };

    const [first, second] = await Promise.allSettled([client.request(strict), client.request(strict)]);

    expect(first.status).toBe('rejected');
    expect(second).toEqual(first);
    expect(pageRequests()).toBe(1);
  });
});
