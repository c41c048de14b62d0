/**
 * Route matching on the raw (undecoded) path, segment by segment, as Grape does: `:id` never spans a
 * raw `/`, so `projects/acme/tools` does not match `projects/:id` (gitlab.md §7) while `acme%2Ftools` does.
 */
import type { RouteDefinition } from './context.js';

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
  /** `GET /projects/:id` (HEAD requests report the GET route they used). */
  key: string;
}

export const API_PREFIX = '/api/v4';

export function routeKey(route: Pick<RouteDefinition, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** `GET /projects/:project_id/` and `get /api/v4/projects/:id` → `GET /projects/:`. Used to compare route specs. */
export function normaliseRouteSpec(spec: string): string {
  const match = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(spec);
  if (!match) throw new Error(`fake GitLab: a route spec looks like "GET /projects/:id", got ${JSON.stringify(spec)}`);
  let path = match[2] ?? '';
  if (path.startsWith(API_PREFIX)) path = path.slice(API_PREFIX.length);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  path = path.replace(/\/:[^/]+/g, '/:').replace(/\/\*[^/]+/g, '/*');
  return `${(match[1] ?? '').toUpperCase()} ${path}`;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').slice(1);
  const have = path.split('/').slice(1);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i] ?? '';
    if (part.startsWith('*')) {
      const rest = have.slice(i);
      if (rest.length === 0 || rest.some((s) => s === '')) return undefined;
      const decoded = rest.map(decodeSegment);
      if (decoded.some((d) => d === undefined)) return undefined;
      params[part.slice(1)] = decoded.join('/');
      return params;
    }
    const segment = have[i];
    if (segment === undefined || segment === '') return undefined;
    if (part.startsWith(':')) {
      const decoded = decodeSegment(segment);
      if (decoded === undefined) return undefined;
      params[part.slice(1)] = decoded;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return have.length === want.length ? params : undefined;
}

/**
 * Finds the route for a raw request path (with `/api/v4`, without query). Trailing slashes are
 * allowed (gitlab.md §6: Grape strips them); HEAD uses GET routes.
 */
export function matchRoute(routes: RouteDefinition[], method: string, rawPath: string): RouteMatch | undefined {
  if (!rawPath.startsWith(`${API_PREFIX}/`)) return undefined;
  let path = rawPath.slice(API_PREFIX.length);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const route of routes) {
    if (route.method !== wanted) continue;
    const params = matchPath(route.path, path);
    if (params) return { route, params, key: routeKey(route) };
  }
  return undefined;
}
