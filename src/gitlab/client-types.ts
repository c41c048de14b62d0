/** Types of the GitLab client (and the username rule that goes with a token kind), kept apart from its implementation so that importing them costs nothing. */

/** What a token is, from its prefix and from what GitLab says about it (https://docs.gitlab.com/security/tokens/). */
export type TokenKind = 'personal' | 'project' | 'group' | 'deploy' | 'job' | 'unknown';

/**
 * The HTTP Basic username glx pairs with a token when none is given: `gitlab-ci-token` for a CI
 * job token, `__token__` for an access token (GitLab reads only the password), none for a deploy
 * token, whose username the user gives (https://docs.gitlab.com/user/packages/pypi_repository/).
 */
export function defaultUsername(kind: TokenKind): string | undefined {
  if (kind === 'job') return 'gitlab-ci-token';
  if (kind === 'deploy') return undefined;
  return '__token__';
}

/**
 * How a request authenticates (https://docs.gitlab.com/api/rest/authentication/):
 * - `api`: `PRIVATE-TOKEN` for personal/project/group tokens, `JOB-TOKEN` for a job token;
 * - `basic`: HTTP Basic `username:token`, the only form every token kind can use on PyPI routes;
 * - `none`: anonymous.
 */
export type AuthMode = 'api' | 'basic' | 'none';

export interface GitLabClientOptions {
  /** Instance base URL, e.g. `https://gitlab.example.com` (no `/api/v4`). */
  baseUrl: string;
  token?: string;
  /** Username for Basic auth on package routes (`__token__`, `gitlab-ci-token`, a deploy token's name). */
  username?: string;
  kind?: TokenKind;
  /** Called with one line per request when --verbose is on; tokens never reach it. */
  log?: (line: string) => void;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Attempts for retryable failures: 429, 5xx, resets (default 4). */
  attempts?: number;
  /** Base backoff in ms (default 250); tests make it small. */
  backoffMs?: number;
}

export interface GitLabRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path under `/api/v4` (starting with `/`), or an absolute URL on the same origin. */
  path: string;
  query?: Record<string, string | number | undefined>;
  auth?: AuthMode;
  json?: unknown;
  headers?: Record<string, string>;
  /** Statuses returned to the caller instead of being turned into errors (e.g. 404 for "absent"). */
  accept?: number[];
  /** Follow a redirect (same origin only, never with credentials elsewhere). Default: false. */
  followRedirects?: boolean;
  /** What the request is about, for error messages: "project acme/tools". */
  subject?: string;
  /**
   * A streamed body (e.g. an upload), called once per attempt so that a retry starts again from
   * the first byte: an upload reopens its file. Content-Type and Content-Length go in `headers`.
   */
  body?: () => AsyncIterable<Uint8Array>;
  /**
   * Retry a 500 even on a write: the caller can recognise a repeated request (an upload that did
   * land answers 400 "File name has already been taken" the second time).
   */
  retryServerErrors?: boolean;
  /** How long to wait for the response headers once the body is sent (default: the client's timeout). */
  timeoutMs?: number;
  /** Told before each retry: what failed and how long glx waits. */
  onRetry?: (retry: RetryInfo) => void;
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  attempts: number;
  /** `503`, `429`, `ECONNRESET`, ... */
  reason: string;
  delayMs: number;
}

export interface GitLabResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  url: string;
}

export interface GitLabClient {
  readonly baseUrl: string;
  readonly apiUrl: string;
  readonly host: string;
  readonly token: string | undefined;
  readonly username: string | undefined;
  readonly kind: TokenKind;
  request(request: GitLabRequest): Promise<GitLabResponse>;
  /** GET/POST a JSON endpoint and check the answer with a zod schema. */
  json<T>(request: GitLabRequest, schema: { parse(value: unknown): T }, endpoint: string): Promise<T>;
  /** Text with the run's secrets masked (Deps.secrets), for errors that quote GitLab's answers. */
  redact(text: string): string;
}
