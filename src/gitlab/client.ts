/**
 * The GitLab HTTP client: undici, one place for authentication headers, timeouts, retries,
 * redirects and error mapping. Loaded lazily (undici and zod are too heavy for `glx env`).
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher, EnvHttpProxyAgent, request as undiciRequest } from 'undici';
import type { Env } from '../deps.js';
import { GlxError } from '../errors.js';
import { displayUrl, mask, type Secrets } from '../util/redact.js';
import { notAnApiAnswer } from './answer-shape.js';
import { readBodyWithin } from './body-deadline.js';
import {
  defaultUsername,
  type GitLabClient,
  type GitLabClientOptions,
  type GitLabRequest,
  type GitLabResponse,
  type TokenKind,
} from './client-types.js';
import { httpError, invalidResponse } from './errors.js';
import { isLoopbackHost } from './url.js';

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const RETRY_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** Cap on one Retry-After wait, so a hostile or misconfigured server cannot stall glx for hours. */
const MAX_RETRY_AFTER_MS = 30_000;
const USER_AGENT = 'glx (+https://www.npmjs.com/package/glx)';

export interface TransportOptions {
  env: Env;
  timeoutMs?: number;
}

/** One dispatcher per configuration: proxies from HTTPS_PROXY/NO_PROXY, extra CA from SSL_CERT_FILE. */
const dispatchers = new Map<string, Dispatcher>();
export function dispatcherFor(options: TransportOptions): Dispatcher {
  const { env } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const key = JSON.stringify([
    timeoutMs,
    env.SSL_CERT_FILE,
    env.HTTP_PROXY,
    env.http_proxy,
    env.HTTPS_PROXY,
    env.https_proxy,
    env.NO_PROXY,
    env.no_proxy,
  ]);
  const cached = dispatchers.get(key);
  if (cached) return cached;
  let dispatcher: Dispatcher;
  // NODE_EXTRA_CA_CERTS is applied by Node itself; SSL_CERT_FILE is what uv reads, so honour it too.
  let ca: string[] | undefined;
  const certFile = env.SSL_CERT_FILE;
  if (certFile) {
    try {
      ca = [...rootCertificates, readFileSync(certFile, 'utf8')];
    } catch (error) {
      throw new GlxError(
        'USAGE',
        `cannot read SSL_CERT_FILE ${certFile}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        'Point SSL_CERT_FILE at a PEM file, or unset it.',
      );
    }
  }
  const connect = ca ? { ca } : undefined;
  const common = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs, ...connect } };
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy;
  if (httpProxy || httpsProxy) {
    dispatcher = new EnvHttpProxyAgent({
      ...common,
      httpProxy,
      httpsProxy: httpsProxy ?? httpProxy,
      noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
      ...(connect ? { requestTls: connect, proxyTls: connect } : {}),
    });
  } else {
    dispatcher = new Agent(common);
  }
  dispatchers.set(key, dispatcher);
  return dispatcher;
}

export function createGitLabClient(
  options: GitLabClientOptions,
  /** `sleep` is the wait before a retry (default: a timer); tests record it instead of waiting. */
  transport: TransportOptions & { secrets: Secrets; sleep?: (ms: number) => Promise<void> },
): GitLabClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new GlxError(
      'USAGE',
      `GitLab URL must be http(s): ${displayUrl(options.baseUrl)}`,
      'Pass --host https://gitlab.example.com',
    );
  }
  if (base.protocol === 'http:' && !isLoopbackHost(base.hostname)) {
    throw new GlxError(
      'USAGE',
      `refusing plain http to ${base.host}: tokens would travel unencrypted`,
      `Use https://${base.host}, or a loopback address for local testing.`,
    );
  }
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const apiUrl = `${baseUrl}/api/v4`;
  const token = options.token;
  const kind: TokenKind = options.kind ?? 'unknown';
  const username = options.username ?? defaultUsername(kind);
  transport.secrets.register(token);
  const redact = (text: string) => transport.secrets.redact(text);
  const dispatcher = dispatcherFor({ env: transport.env, timeoutMs: options.timeoutMs });
  const bodyDeadlineMs = options.timeoutMs ?? 30_000;
  const attempts = Math.max(1, options.attempts ?? 4);
  const backoffMs = options.backoffMs ?? 250;
  const log = options.log;
  const wait = transport.sleep ?? sleep;

  function authHeaders(mode: GitLabRequest['auth']): Record<string, string> {
    if (!token || mode === 'none') return {};
    if (mode === 'basic') {
      const user = username ?? '__token__';
      return { authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` };
    }
    // https://docs.gitlab.com/api/rest/authentication/: job tokens use JOB-TOKEN on the endpoints that allow them; deploy tokens
    // cannot call the REST API at all, so they go anonymous there.
    if (kind === 'job') return { 'job-token': token };
    if (kind === 'deploy') return {};
    return { 'private-token': token };
  }

  function buildUrl(req: GitLabRequest): URL {
    const url = /^https?:\/\//.test(req.path) ? new URL(req.path) : new URL(`${apiUrl}${req.path}`);
    if (url.origin !== base.origin) {
      throw new GlxError(
        'GITLAB_ERROR',
        `refusing to call ${displayUrl(url.toString())}: not on ${base.origin}`,
        'glx only sends credentials to the configured GitLab host.',
      );
    }
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async function send(req: GitLabRequest): Promise<GitLabResponse> {
    const method = req.method ?? 'GET';
    let url = buildUrl(req);
    let redirects = 0;
    let sameOrigin = true;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        accept: 'application/json',
        ...req.headers,
        ...(sameOrigin ? authHeaders(req.auth ?? 'api') : {}),
      };
      let body: string | AsyncIterable<Uint8Array> | undefined;
      // An error raised by the caller's own body (a file that vanished) is not a network failure.
      let bodyError: { error: unknown } | undefined;
      if (req.json !== undefined) {
        body = JSON.stringify(req.json);
        headers['content-type'] = 'application/json';
      } else if (req.body) {
        body = watchBody(req.body(), (error) => {
          bodyError = { error };
        });
      }
      const started = performance.now();
      let response: GitLabResponse;
      try {
        const timeouts = req.timeoutMs === undefined ? {} : { headersTimeout: req.timeoutMs };
        // undici sends async iterables as they come (writeIterable in client-h1.js); its types list only Readable.
        const res = await undiciRequest(url, {
          method,
          headers,
          body: body as string | Readable | undefined,
          dispatcher,
          ...timeouts,
        });
        const text = await readBodyWithin(res.body, bodyDeadlineMs);
        response = { status: res.statusCode, headers: flattenHeaders(res.headers), body: text, url: url.toString() };
      } catch (error) {
        if (bodyError) throw bodyError.error;
        const code = (error as { code?: string }).code ?? '';
        log?.(`${method} ${displayUrl(url.toString())} -> ${code || 'error'} (${elapsed(started)})`);
        if (RETRY_CODES.has(code) && attempt < attempts) {
          const delayMs = backoff(backoffMs, attempt);
          req.onRetry?.({ attempt, attempts, reason: networkReason(code), delayMs });
          await wait(delayMs);
          continue;
        }
        throw unreachable(url, code, error, redact);
      }
      log?.(
        `${method} ${displayUrl(url.toString())} -> ${response.status} (${elapsed(started)})${token && sameOrigin && req.auth !== 'none' ? ` [${req.auth ?? 'api'} ${mask(token)}]` : ''}`,
      );
      if (
        (shouldRetry(method, response.status) || (req.retryServerErrors && response.status === 500)) &&
        attempt < attempts
      ) {
        const delayMs = retryDelay(response, backoffMs, attempt);
        req.onRetry?.({ attempt, attempts, reason: String(response.status), delayMs });
        await wait(delayMs);
        continue;
      }
      if (
        response.status >= 300 &&
        response.status < 400 &&
        req.followRedirects &&
        response.headers.location &&
        redirects < 5
      ) {
        const next = new URL(response.headers.location, url);
        redirects++;
        // Never carry credentials to another origin (e.g. object storage or pypi.org).
        sameOrigin = next.origin === base.origin;
        url = next;
        attempt = 0;
        continue;
      }
      return response;
    }
  }

  return {
    baseUrl,
    apiUrl,
    host: base.hostname.toLowerCase(),
    token,
    username,
    kind,
    async request(req) {
      const response = await send(req);
      if (response.status >= 400 && !(req.accept ?? []).includes(response.status)) {
        throw httpError(response, {
          subject: req.subject,
          kind,
          auth: req.auth ?? 'api',
          method: req.method ?? 'GET',
          redact,
        });
      }
      return response;
    },
    redact,
    async json(req, schema, endpoint) {
      return parseAnswer(await this.request(req), schema, endpoint, redact);
    },
  };
}

/** A JSON answer checked with its zod schema; an unexpected shape names the endpoint. */
export function parseAnswer<T>(
  response: GitLabResponse,
  schema: { parse(value: unknown): T },
  endpoint: string,
  redact: (text: string) => string,
): T {
  const shape = notAnApiAnswer(response);
  if (shape) throw invalidResponse(endpoint, response, shape, redact);
  let value: unknown;
  try {
    value = response.body === '' ? null : JSON.parse(response.body);
  } catch {
    throw invalidResponse(endpoint, response, 'not JSON', redact);
  }
  try {
    return schema.parse(value);
  } catch (error) {
    throw invalidResponse(endpoint, response, firstIssue(error), redact);
  }
}

async function* watchBody(
  source: AsyncIterable<Uint8Array>,
  onError: (error: unknown) => void,
): AsyncIterable<Uint8Array> {
  try {
    yield* source;
  } catch (error) {
    onError(error);
    throw error;
  }
}

function shouldRetry(method: string, status: number): boolean {
  if (RETRY_STATUSES.has(status)) return true;
  // A 500 on a read is worth another try; on a write it may have half-happened.
  return status === 500 && (method === 'GET' || method === 'HEAD');
}

export function retryDelay(response: GitLabResponse, backoffMs: number, attempt: number): number {
  const header = response.headers['retry-after'];
  if (header) {
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  return backoff(backoffMs, attempt);
}

export function backoff(baseMs: number, attempt: number): number {
  const exp = baseMs * 2 ** (attempt - 1);
  return Math.min(exp + Math.random() * baseMs, 10_000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsed(started: number): string {
  return `${Math.round(performance.now() - started)} ms`;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** What a network error code means, in words: undici's UND_ERR_* names are not for users. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'no such host (DNS lookup failed)',
  EAI_AGAIN: 'the DNS lookup failed for now',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection closed unexpectedly',
  UND_ERR_CLOSED: 'the connection closed unexpectedly',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer within the time limit',
  UND_ERR_BODY_TIMEOUT: 'the answer stopped arriving within the time limit',
};

/** A network failure in words: the known codes translated, any other UND_ERR_* as a generic phrase. */
export function networkReason(code: string, message = ''): string {
  const words = NETWORK_WORDS[code];
  if (words) return words;
  if (code.startsWith('UND_ERR')) return message && !/UND_ERR/.test(message) ? message : 'the connection failed';
  return code || message;
}

function unreachable(url: URL, code: string, error: unknown, redact: (text: string) => string): GlxError {
  const what = networkReason(code, (error as Error).message);
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(`${code} ${(error as Error).message ?? ''}`);
  const hint = tls
    ? 'The server certificate is not trusted: set NODE_EXTRA_CA_CERTS (or SSL_CERT_FILE) to your CA bundle.'
    : code.includes('TIMEOUT')
      ? 'GitLab did not answer in time; check the host and your network, or try again.'
      : `Check that ${url.host} is reachable (VPN, proxy settings HTTPS_PROXY/NO_PROXY) and that --host is right.`;
  return new GlxError('GITLAB_UNREACHABLE', `cannot reach ${url.origin}: ${redact(String(what))}`, hint, {
    cause: error,
  });
}

function firstIssue(error: unknown): string {
  const issues = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues;
  if (issues?.[0]) return `${issues[0].path.join('.') || '(root)'}: ${issues[0].message}`;
  return (error as Error).message;
}
