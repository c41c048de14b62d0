import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { GlxError } from '../../src/errors.js';
import { createGitLabClient } from '../../src/gitlab/client.js';
import type { GitLabClient, RetryInfo } from '../../src/gitlab/client-types.js';
import { createSecrets } from '../../src/util/redact.js';
import { rejectionOf } from '../support/errors.js';
import { createFakeGitLab, type FakeGitLab, type StandardWorld } from '../support/fake-gitlab/index.js';
import { seededBytes } from '../support/seed.js';
import { recordWaits } from '../support/test-deps.js';

let fake: FakeGitLab;
let world: StandardWorld;
let client: GitLabClient;
/** The waits before each retry, recorded instead of slept. */
let waits: ReturnType<typeof recordWaits>['waits'];
beforeEach(async () => {
  fake = await createFakeGitLab();
  world = fake.seed.standard();
  const recorder = recordWaits(fake);
  waits = recorder.waits;
  client = createGitLabClient(
    { baseUrl: fake.url, token: world.tokens.alicePat, kind: 'personal', backoffMs: 1 },
    { env: {}, secrets: createSecrets(), sleep: recorder.sleep },
  );
});
afterEach(async () => {
  await fake.close();
  fake.assertClean();
});

const UPLOAD = 'POST /projects/:id/packages/pypi';
const content = seededBytes('upload body', 1024 * 1024);
const boundary = 'test-boundary-0123456789';

/** A minimal valid upload form, cut into 64 KiB chunks as a file stream would be. */
function* form(fileName: string): Generator<Buffer> {
  const field = (name: string, value: string) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  yield field('name', 'acme-stream');
  yield field('version', '1.0');
  yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${fileName}"\r\n\r\n`);
  for (let at = 0; at < content.length; at += 65536) yield content.subarray(at, at + 65536);
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

const length = [...form('acme_stream-1.0.tar.gz')].reduce((sum, chunk) => sum + chunk.length, 0);

function upload(
  extra: {
    retryServerErrors?: boolean;
    onRetry?: (retry: RetryInfo) => void;
    body?: () => AsyncIterable<Uint8Array>;
  } = {},
) {
  let opened = 0;
  const request = client.request({
    method: 'POST',
    path: '/projects/7/packages/pypi',
    auth: 'basic',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) },
    body:
      extra.body ??
      async function* () {
        opened++;
        yield* form('acme_stream-1.0.tar.gz');
      },
    ...(extra.retryServerErrors ? { retryServerErrors: true } : {}),
    ...(extra.onRetry ? { onRetry: extra.onRetry } : {}),
  });
  return { request, opened: () => opened };
}

const sha256 = createHash('sha256').update(content).digest('hex');

describe('streamed request bodies', () => {
  test('a 503 is retried with a body produced afresh, and the whole file arrives', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: UPLOAD, kind: 'status', status: 503 });

    const { request, opened } = upload();
    const response = await request;

    expect(response.status).toBe(201);
    expect(opened()).toBe(2);
    expect(fake.uploads.map((u) => [u.status, u.size, u.sha256])).toEqual([[201, content.length, sha256]]);
  });

  test('a connection reset in the middle of the body is retried from the first byte', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: UPLOAD, kind: 'reset', afterBytes: 300_000 });
    const retries: RetryInfo[] = [];

    const { request, opened } = upload({ onRetry: (retry) => retries.push(retry) });
    const response = await request;

    expect(response.status).toBe(201);
    expect(opened()).toBe(2);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.attempt).toBe(1);
    expect(fake.requestsTo(UPLOAD).map((r) => r.fault ?? 'answered')).toEqual(['reset after 300000 bytes', 'answered']);
    expect(fake.uploads[0]?.sha256).toBe(sha256);
  });

  test('a 429 waits as long as Retry-After says', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: UPLOAD, kind: 'rate-limit', retryAfter: 1 });
    const retries: RetryInfo[] = [];

    const { request } = upload({ onRetry: (retry) => retries.push(retry) });
    await request;

    expect(retries).toEqual([{ attempt: 1, attempts: 4, reason: '429', delayMs: 1000 }]);
    expect(fake.requestsTo(UPLOAD).map((r) => [r.status, r.fault])).toEqual([
      [429, 'rate-limit'],
      [201, undefined],
    ]);
    expect(waits).toEqual([{ ms: 1000, afterRequests: 1 }]);
  });

  test('a 500 on a write is retried only when the caller can recognise a repeat', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: UPLOAD, kind: 'status', status: 500 }, { route: UPLOAD, kind: 'status', status: 500 });

    const refused = await rejectionOf(upload().request);
    const retried = await upload({ retryServerErrors: true }).request;

    expect(refused.code).toBe('GITLAB_ERROR');
    expect(retried.status).toBe(201);
    expect(fake.requestsTo(UPLOAD)).toHaveLength(3);
  });

  test('an error raised by the body itself comes back unchanged and is not retried', async () => {
    const failure = new GlxError('FILE_UNREADABLE', 'cannot read dist/x.whl (ENOENT)');
    let opened = 0;

    const error = await rejectionOf(
      upload({
        body: async function* () {
          opened++;
          yield Buffer.from(`--${boundary}\r\n`);
          throw failure;
        },
      }).request,
    );

    expect(error).toBe(failure);
    expect(opened).toBe(1);
    fake.takeUnexpected();
  });

  test('gives up after the bound on attempts', async () => {
    fake.expect(['POST /projects/:id/packages/pypi']);
    fake.faults.push({ route: UPLOAD, kind: 'reset', times: Number.POSITIVE_INFINITY });

    const error = await rejectionOf(upload().request);

    expect(error.code).toBe('GITLAB_UNREACHABLE');
    expect(fake.requestsTo(UPLOAD)).toHaveLength(4);
  });
});
