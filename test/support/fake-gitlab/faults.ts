/** Fault injection: what proxies, load balancers and rate limiters in front of GitLab do to requests. */
import type { RecordedRequest } from './context.js';
import { htmlReply, jsonReply, type Reply } from './reply.js';
import { API_PREFIX, normaliseRouteSpec } from './router.js';

/**
 * Which requests a fault applies to: a route spec (`'GET /user'`, `'POST /projects/:id/packages/pypi'`),
 * a concrete request (`'GET /projects/7'`), a bare path (`'/user'`, any method), a RegExp tested on
 * `"METHOD rawUrl"`, or a predicate. Omitted: every request.
 */
export type FaultMatcher = string | RegExp | ((request: RecordedRequest) => boolean);

interface FaultBase {
  route?: FaultMatcher;
  /** How many matching requests it applies to (default 1; `Infinity` for all). */
  times?: number;
}

export type Fault = FaultBase &
  (
    | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | object }
    /** gitlab.md §10: Rack::Attack's 429 with `Retry-After` and `RateLimit-*` headers, body `Retry later\n`. */
    | { kind: 'rate-limit'; retryAfter?: number }
    /** The connection is reset before any answer; with `afterBytes`, once that much of the body has arrived. */
    | { kind: 'reset'; afterBytes?: number }
    /** The request waits, then is answered normally. */
    | { kind: 'delay'; ms: number }
    /** The real answer's headers and half its body, then the connection drops. */
    | { kind: 'truncate' }
    /** An HTML error page, as a proxy in front of GitLab sends (502, 503, ...). */
    | { kind: 'html'; status: number }
    | { kind: 'redirect'; location: string; status?: number }
  );

function stripPrefix(path: string): string {
  return path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) || '/' : path;
}

function pathOf(spec: string): string {
  const normalised = normaliseRouteSpec(spec);
  return normalised.slice(normalised.indexOf(' ') + 1);
}

export function faultMatches(matcher: FaultMatcher | undefined, request: RecordedRequest): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'function') return matcher(request);
  if (matcher instanceof RegExp) return matcher.test(`${request.method} ${request.rawUrl}`);
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const concrete = `${method} ${stripPrefix(request.path)}`;
  const keys = request.route ? [concrete, request.route] : [concrete];
  if (!/\s/.test(matcher.trim())) {
    const wanted = pathOf(`GET ${matcher.trim()}`);
    return keys.some((key) => pathOf(key) === wanted);
  }
  const wanted = normaliseRouteSpec(matcher);
  return keys.some((key) => normaliseRouteSpec(key) === wanted);
}

/** Takes the first fault that matches and uses up one of its `times`. */
export function takeFault(faults: Fault[], request: RecordedRequest): Fault | undefined {
  const index = faults.findIndex((f) => (f.times ?? 1) > 0 && faultMatches(f.route, request));
  if (index < 0) return undefined;
  const fault = faults[index];
  if (!fault) return undefined;
  const left = (fault.times ?? 1) - 1;
  if (left <= 0) faults.splice(index, 1);
  else fault.times = left;
  return fault;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'status':
    case 'html':
      return `${fault.kind} ${fault.status}`;
    case 'redirect':
      return `redirect ${fault.location}`;
    case 'delay':
      return `delay ${fault.ms}ms`;
    case 'reset':
      return fault.afterBytes ? `reset after ${fault.afterBytes} bytes` : 'reset';
    default:
      return fault.kind;
  }
}

/** The answer a fault gives instead of GitLab's, for the kinds that replace the answer. */
export function faultReply(fault: Fault, now: Date): Reply | undefined {
  switch (fault.kind) {
    case 'status': {
      const reason = REASONS[fault.status] ?? 'Error';
      if (typeof fault.body === 'string') {
        return { status: fault.status, headers: { 'content-type': 'text/plain', ...fault.headers }, body: fault.body };
      }
      return jsonReply(fault.status, fault.body ?? { message: `${fault.status} ${reason}` }, fault.headers);
    }
    case 'rate-limit': {
      const retryAfter = fault.retryAfter ?? 1;
      const reset = new Date(now.getTime() + retryAfter * 1000);
      return {
        status: 429,
        headers: {
          'content-type': 'text/plain',
          'retry-after': String(retryAfter),
          'ratelimit-name': 'throttle_authenticated_api',
          'ratelimit-limit': '60',
          'ratelimit-observed': '61',
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.floor(reset.getTime() / 1000)),
          'ratelimit-resettime': reset.toUTCString(),
        },
        body: 'Retry later\n',
      };
    }
    case 'html': {
      const title = `${fault.status} ${REASONS[fault.status] ?? 'Error'}`;
      return htmlReply(
        fault.status,
        `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
      );
    }
    case 'redirect':
      return { status: fault.status ?? 302, headers: { location: fault.location } };
    default:
      return undefined;
  }
}
