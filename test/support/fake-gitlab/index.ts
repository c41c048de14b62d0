/**
 * A GitLab stand-in on node:http for tests and the demo: it behaves as GitLab does, each access
 * rule citing the GitLab source it follows (README.md beside this file has the table), records
 * every request against its raw URL, and fails on surprises.
 * Only node: built-ins here, so it bundles into a plain .mjs.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RecordedRequest, RouteDefinition, Settings, UnexpectedRequest, UploadRecord } from './context.js';
import type { Fault } from './faults.js';
import { normaliseRouteSpec, routeKey } from './router.js';
import { allowlistRoutes } from './routes/allowlist.js';
import { ciLintRoutes } from './routes/ci-lint.js';
import { coreRoutes } from './routes/core.js';
import { packagesRoutes } from './routes/packages.js';
import { pypiRoutes } from './routes/pypi.js';
import { releaseRoutes } from './routes/releases.js';
import { tokenRoutes } from './routes/tokens.js';
import { type StandardWorld, seedStandard } from './seed.js';
import { createPipeline } from './server.js';
import {
  type AddGroupInput,
  type AddMemberInput,
  type AddPackageInput,
  type AddProjectInput,
  type AddReleaseInput,
  type AddTokenInput,
  type AddUserInput,
  addGroup,
  addMember,
  addPackage,
  addProject,
  addRelease,
  addToken,
  addUser,
  createState,
  type FakeState,
  findToken,
  findUser,
  type Group,
  type GroupRef,
  mustGroup,
  mustProject,
  type Package,
  type Project,
  type ProjectRef,
  type Release,
  type Token,
  type User,
  type UserRef,
} from './state.js';

export type { RecordedRequest, Settings, UnexpectedRequest, UploadRecord } from './context.js';
export type { Fault } from './faults.js';
export { lintCiYaml } from './routes/ci-lint.js';
export { simplePage } from './routes/pypi.js';
export type { StandardWorld } from './seed.js';
export * from './state.js';

export interface FakeGitLabOptions extends Partial<Settings> {
  /** Port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Loopback address to listen on: 127.0.0.1 (default) or ::1 (for IPv6 literal hosts). */
  hostname?: '127.0.0.1' | '::1';
  /** The instance URL GitLab puts in links (index hrefs, web_url); default the listening address. */
  externalUrl?: string;
  /** Clock for token expiry and timestamps (default: the real clock). */
  now?: () => Date;
  /** Called as each request is answered (or reset), e.g. to log. */
  onRequest?: (request: RecordedRequest) => void;
  /** How it waits out latencyMs and delay faults (default: a timer that close() cancels); tests can watch it. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * `'declared'` (default): a request is allowed only to a route the test declared with `expect()`, and
   * `assertClean()` fails for a declared route never requested. `'any'`: every known route is allowed and
   * none is required — only for the demo server (`standalone.ts`), where the client is a person.
   */
  routes?: 'declared' | 'any';
}

export interface FakeGitLab {
  /** `http://127.0.0.1:<port>`: the instance base URL, as a user would configure it. */
  readonly url: string;
  /** Same as `url` (the name glx's client options use). */
  readonly baseUrl: string;
  /** `${url}/api/v4`. */
  readonly apiUrl: string;
  readonly port: number;
  readonly state: FakeState;
  readonly settings: Settings;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests that should not have happened: unknown or disallowed routes, malformed bodies, crashes. */
  readonly unexpected: UnexpectedRequest[];
  /** Every parsed upload attempt (accepted or not). */
  readonly uploads: UploadRecord[];
  /** Pending faults, consumed in order by matching requests. */
  readonly faults: Fault[];
  /** Every route the fake knows, as `METHOD /path/:param`. */
  readonly routes: string[];
  readonly seed: { standard(): StandardWorld };

  addUser(input: AddUserInput): User;
  addGroup(input: AddGroupInput): Group;
  addProject(input: AddProjectInput): Project;
  addMember(input: AddMemberInput): void;
  /** Returns the token string. */
  addToken(input: AddTokenInput): string;
  addPackage(project: ProjectRef, input: AddPackageInput): Package;
  addRelease(project: ProjectRef, input: AddReleaseInput): Release;
  user(ref: UserRef): User;
  group(ref: GroupRef): Group;
  project(ref: ProjectRef): Project;
  /** The record behind a token string (mutate it to expire, revoke or stop a job mid-test). */
  token(token: string): Token;

  /**
   * Declares routes (`GET /projects/:id`) the test will request: each is allowed, and `assertClean()` fails
   * if one was never requested. Declarations add up; a route not declared is unexpected. Typos throw.
   */
  expect(specs: string[]): void;
  /** Requests that went to this route (`POST /projects/:id/packages/pypi`) or concrete path. */
  requestsTo(spec: string): RecordedRequest[];
  /** Removes and returns the unexpected requests, for tests that provoke them on purpose. */
  takeUnexpected(): UnexpectedRequest[];
  /** Throws, listing what happened, if a request was unexpected or an expected route went unused. */
  assertClean(): void;
  /** Forgets requests, unexpected requests, uploads, faults and declarations; keeps the state. */
  resetLog(): void;
  close(): Promise<void>;
}

const ALL_ROUTES: RouteDefinition[] = [
  ...coreRoutes,
  ...pypiRoutes,
  ...allowlistRoutes,
  ...releaseRoutes,
  ...ciLintRoutes,
  ...packagesRoutes,
  ...tokenRoutes,
];

function defaultSettings(options: FakeGitLabOptions): Settings {
  return {
    guestCanPullPackages: options.guestCanPullPackages ?? false,
    forwardingDefault: options.forwardingDefault ?? true,
    verifyDigests: options.verifyDigests ?? true,
    keepBytesLimit: options.keepBytesLimit ?? 8 * 1024 * 1024,
    maxFileSize: options.maxFileSize ?? 3 * 1024 * 1024 * 1024,
    latencyMs: options.latencyMs ?? 0,
    version: options.version ?? '18.2.1-ee',
    pypiUrl: options.pypiUrl ?? 'https://pypi.org/simple/',
  };
}

function describeRequest(r: RecordedRequest): string {
  const fault = r.fault ? ` [fault: ${r.fault}]` : '';
  return `#${r.seq} ${r.method} ${r.rawUrl} → ${r.status ?? '(no answer)'}${fault} (${r.auth.summary})`;
}

/** Starts a fake GitLab on 127.0.0.1 and resolves once it listens. */
export async function createFakeGitLab(options: FakeGitLabOptions = {}): Promise<FakeGitLab> {
  const state = createState();
  const settings = defaultSettings(options);
  const now = options.now ?? (() => new Date());
  const requests: RecordedRequest[] = [];
  const unexpected: UnexpectedRequest[] = [];
  const uploads: UploadRecord[] = [];
  const faults: Fault[] = [];
  const knownSpecs = new Map(ALL_ROUTES.map((r) => [normaliseRouteSpec(routeKey(r)), routeKey(r)]));
  // Normalised declared specs; undefined in the demo's permissive mode (every known route allowed).
  const allowed: Set<string> | undefined = options.routes === 'any' ? undefined : new Set();
  const expectedCalls = new Set<string>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let base = '';

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function knownSpec(spec: string): string {
    const normalised = normaliseRouteSpec(spec);
    if (!knownSpecs.has(normalised)) {
      throw new Error(
        `fake GitLab has no route ${JSON.stringify(spec)}; known routes:\n  ${[...knownSpecs.values()].join('\n  ')}`,
      );
    }
    return normalised;
  }

  const handler = createPipeline({
    state,
    settings,
    routes: ALL_ROUTES,
    baseUrl: () => base,
    now,
    requests,
    unexpected,
    uploads,
    faults,
    allowed: () => allowed,
    sleep: options.sleep ?? sleep,
    isClosed: () => closed,
    onAnswered: (request) => options.onRequest?.(request),
  });

  const server: Server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      // The pipeline catches handler errors; this is for failures while writing.
      unexpected.push({
        request: requests[requests.length - 1] as RecordedRequest,
        reason: `the fake failed: ${(error as Error).message}`,
      });
      res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.hostname ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake GitLab: no TCP address');
  const url = `http://${options.hostname === '::1' ? '[::1]' : '127.0.0.1'}:${address.port}`;
  base = (options.externalUrl ?? url).replace(/\/+$/, '');

  const fake: FakeGitLab = {
    url,
    baseUrl: url,
    apiUrl: `${url}/api/v4`,
    port: address.port,
    state,
    settings,
    requests,
    unexpected,
    uploads,
    faults,
    routes: [...knownSpecs.values()],
    seed: { standard: () => seedStandard(state) },
    addUser: (input) => addUser(state, input),
    addGroup: (input) => addGroup(state, input),
    addProject: (input) => addProject(state, input),
    addMember: (input) => addMember(state, input),
    addToken: (input) => addToken(state, input),
    addPackage: (project, input) => addPackage(state, project, input),
    addRelease: (project, input) => addRelease(state, project, input),
    user(ref) {
      const user = findUser(state, ref);
      if (!user) throw new Error(`fake GitLab: no user ${JSON.stringify(ref)}`);
      return user;
    },
    group: (ref) => mustGroup(state, ref),
    project: (ref) => mustProject(state, ref),
    token(text) {
      const token = findToken(state, text);
      if (!token) throw new Error('fake GitLab: no such token');
      return token;
    },
    expect(specs) {
      for (const spec of specs.map(knownSpec)) {
        allowed?.add(spec);
        expectedCalls.add(spec);
      }
    },
    requestsTo(spec) {
      const wanted = normaliseRouteSpec(spec);
      return requests.filter((r) => {
        const method = r.method === 'HEAD' ? 'GET' : r.method;
        const concrete = normaliseRouteSpec(`${method} ${r.path}`);
        return (r.route !== null && normaliseRouteSpec(r.route) === wanted) || concrete === wanted;
      });
    },
    takeUnexpected() {
      return unexpected.splice(0, unexpected.length);
    },
    assertClean() {
      const called = new Set(requests.flatMap((r) => (r.route ? [normaliseRouteSpec(r.route)] : [])));
      const unused = [...expectedCalls].filter((spec) => !called.has(spec)).map((spec) => knownSpecs.get(spec) ?? spec);
      if (unexpected.length === 0 && unused.length === 0) return;
      const lines: string[] = [];
      if (unexpected.length > 0) {
        lines.push(`fake GitLab saw ${unexpected.length} unexpected request(s):`);
        for (const u of unexpected) lines.push(`  ${u.reason}: ${describeRequest(u.request)}`);
      }
      if (unused.length > 0) {
        lines.push('routes expected but never requested:');
        for (const spec of unused) lines.push(`  ${spec}`);
      }
      lines.push(`all requests (${requests.length}):`);
      for (const r of requests) lines.push(`  ${describeRequest(r)}`);
      throw new Error(lines.join('\n'));
    },
    resetLog() {
      requests.length = 0;
      unexpected.length = 0;
      uploads.length = 0;
      faults.length = 0;
      allowed?.clear();
      expectedCalls.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await done;
    },
  };
  return fake;
}
