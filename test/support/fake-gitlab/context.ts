/** Shapes shared by the server, the routes and the tests: recorded requests, settings, route definitions. */
import type { IncomingMessage } from 'node:http';
import type { AccessSettings, Principal } from './access.js';
import type { Reply } from './reply.js';
import type { FakeState, TokenKind } from './state.js';

export interface Settings extends AccessSettings {
  /** Verify the client's `sha256_digest` against the bytes (GitLab does not, gitlab.md §6). Default true. */
  verifyDigests: boolean;
  /** Uploaded files up to this size keep their bytes for downloads. Default 8 MiB. */
  keepBytesLimit: number;
  /** `pypi_max_file_size` plan limit (gitlab.md §6). Default 3 GiB. */
  maxFileSize: number;
  /** Added before every answer, in ms. */
  latencyMs: number;
  /** What `/version` and `/metadata` report. */
  version: string;
  /**
   * Where forwarded misses go: GitLab's `REGISTRY_BASE_URLS[:pypi]`, `https://pypi.org/simple/`
   * (lib/api/helpers/packages/dependency_proxy_helpers.rb). Tests point it at test/support/fake-pypi.ts.
   */
  pypiUrl: string;
}

/** How the request authenticated (gitlab.md §2). Tokens here are fake, so they may be shown. */
export interface AuthRecord {
  /** The credential form GitLab used, e.g. `Basic`, `PRIVATE-TOKEN header`, `JOB-TOKEN header`, or `none`. */
  via: string;
  outcome: 'anonymous' | 'authenticated' | 'rejected';
  kind?: TokenKind;
  tokenId?: number;
  tokenName?: string;
  /** The authenticated user's username, or the deploy token's username. */
  username?: string;
  /** The username part of Basic credentials, as sent. */
  basicUsername?: string;
  /** Why a credential was refused: `unknown token`, `expired`, `revoked`, `job not running`, `blocked user`, ... */
  reason?: string;
  /** Credentials present on the request that this route does not look at. */
  ignored: string[];
  /** One line for logs: `Basic gitlab-ci-token → job token #12 (user alice)`. */
  summary: string;
}

export interface RecordedBody {
  size: number;
  sha256?: string;
  /** Parsed JSON or form fields of small non-upload bodies. */
  json?: unknown;
  text?: string;
}

/** What an upload attempt carried (streamed; bytes kept only when small). */
export interface UploadRecord {
  projectId: number;
  status: number;
  accepted: boolean;
  /** Every non-file multipart field, last value wins (`:action`, `name`, `version`, `sha256_digest`, ...). */
  fields: Record<string, string>;
  fileName?: string;
  contentType?: string;
  size: number;
  /** Digests computed by the fake from the streamed bytes (BLAKE2b-256 only for files up to 256 KiB). */
  sha256?: string;
  md5?: string;
  blake2b256?: string;
  /** Digests the client claimed. */
  clientSha256?: string;
  clientMd5?: string;
  clientBlake2b256?: string;
  bytes?: Buffer;
  auth: AuthRecord;
  error?: string;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  /** `req.url` exactly as received (path and query, nothing decoded). */
  rawUrl: string;
  /** The raw path part of `rawUrl`. */
  path: string;
  query: Record<string, string>;
  /** The matched route, e.g. `GET /projects/:id`, or null for an unknown route. */
  route: string | null;
  params: Record<string, string>;
  /** Lower-cased names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  auth: AuthRecord;
  status?: number;
  body?: RecordedBody;
  upload?: UploadRecord;
  fault?: string;
  durationMs?: number;
}

export interface UnexpectedRequest {
  request: RecordedRequest;
  reason: string;
}

export type AuthProfile =
  /** Generic REST: PRIVATE-TOKEN / private_token / Bearer only. */
  | 'rest'
  /** `job_token_allowed: true`: also JOB-TOKEN header, `job_token` / `token` params, Bearer job token. */
  | 'job'
  /** PyPI routes: deploy tokens, Basic PAT, Basic `gitlab-ci-token` job token (gitlab.md §2). */
  | 'packages';

export interface RouteContext {
  state: FakeState;
  settings: Settings;
  /** Instance base URL without `/api/v4`, e.g. `http://127.0.0.1:4321`. */
  baseUrl: string;
  /** The request URL on the instance base (for pagination links). */
  url: URL;
  method: string;
  params: Record<string, string>;
  /** Query parameters merged with JSON / form body fields (body wins), as Grape does. */
  input: Record<string, unknown>;
  principal: Principal;
  auth: AuthRecord;
  req: IncomingMessage;
  record: RecordedRequest;
  markUnexpected(reason: string): void;
  recordUpload(upload: UploadRecord): void;
  now(): Date;
}

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>;

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/api/v4`; `:param` is one segment, `*param` the rest of the path. */
  path: string;
  auth: AuthProfile;
  /** Scopes accepted for access tokens besides `api` (and `read_api` on GET/HEAD). `'*'` = every scope. */
  extraScopes?: string[] | '*';
  /** The handler reads `ctx.req` itself (uploads); the server does not buffer the body. */
  streaming?: boolean;
  handler: Handler;
}
