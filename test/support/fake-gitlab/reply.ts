/**
 * Replies as data. Handlers return a `Reply`; the server writes it (or a fault mangles it first).
 * Bodies follow gitlab.md §3.
 */

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** `{"message": ...}` bodies (`render_api_error!`, gitlab.md §3). */
export function messageReply(status: number, message: unknown, headers: Record<string, string> = {}): Reply {
  return jsonReply(status, { message }, headers);
}

/** `{"error": ...}` bodies (Grape validation errors and the catch-all route, gitlab.md §3). */
export function errorReply(status: number, error: string): Reply {
  return jsonReply(status, { error });
}

export function unauthorized(): Reply {
  return messageReply(401, '401 Unauthorized');
}

export function forbidden(reason?: string): Reply {
  return messageReply(403, reason ? `403 Forbidden - ${reason}` : '403 Forbidden');
}

/** `not_found!(resource)`: `404 Project Not Found`, or `404 Not Found` without a resource. */
export function notFound(resource?: string): Reply {
  return messageReply(404, resource ? `404 ${resource} Not Found` : '404 Not Found');
}

/** `ActiveRecord::RecordNotFound` rescued by `API::API`: note the lower-case "found" (gitlab.md §3). */
export function recordNotFound(): Reply {
  return messageReply(404, '404 Not found');
}

export function badRequest(reason?: string): Reply {
  return messageReply(400, reason ? `400 Bad request - ${reason}` : '400 Bad request');
}

export function created(): Reply {
  return messageReply(201, '201 Created');
}

export function noContent(): Reply {
  return { status: 204, headers: {} };
}

/** The catch-all route: `{"error":"404 Not Found"}` (gitlab.md §3). */
export function unknownRoute(): Reply {
  return errorReply(404, '404 Not Found');
}

/** Package routes override `unauthorized!` to add the Basic challenge pip and uv answer to (gitlab.md §3). */
export function packagesUnauthorized(): Reply {
  return messageReply(401, '401 Unauthorized', { 'www-authenticate': 'Basic realm="GitLab Packages Registry"' });
}

/** rack-oauth2 bodies for dead tokens (gitlab.md §3). */
export function invalidToken(description: string): Reply {
  return jsonReply(
    401,
    { error: 'invalid_token', error_description: description },
    {
      'www-authenticate': `Bearer realm="Protected by OAuth 2.0", error="invalid_token", error_description="${description}"`,
    },
  );
}

export const EXPIRED_DESCRIPTION = 'Token is expired. You can either do re-authorization or token refresh.';
export const REVOKED_DESCRIPTION = 'Token was revoked. You have to re-authorize from the user.';

/** gitlab.md §3: 403 without WWW-Authenticate; `scope` lists every scope registered for the endpoint. */
export function insufficientScope(scopes: string[]): Reply {
  return jsonReply(403, {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token.',
    scope: scopes.join(' '),
  });
}

export function htmlReply(status: number, html: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body: html };
}

/** Plain-text answers from Workhorse and nginx (Go's `http.Error`: the text and a newline). */
export function textReply(status: number, text: string): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
}

/** ERB::Util.html_escape. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * Offset pagination (gitlab.md §10): `page` (default 1), `per_page` (default 20, max 100), and the
 * `Link`, `x-next-page`, `x-page`, `x-per-page`, `x-prev-page`, `x-total`, `x-total-pages` headers.
 */
export function paginate<T>(items: T[], requestUrl: URL): Page<T> {
  const perPageRaw = Number.parseInt(requestUrl.searchParams.get('per_page') ?? '', 10);
  const perPage = Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(perPageRaw, 100) : 20;
  const pageRaw = Number.parseInt(requestUrl.searchParams.get('page') ?? '', 10);
  const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  const total = items.length;
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  function linkTo(target: number): string {
    const url = new URL(requestUrl.href);
    url.searchParams.set('page', String(target));
    url.searchParams.set('per_page', String(perPage));
    return url.href;
  }
  const links: string[] = [];
  if (page > 1) links.push(`<${linkTo(page - 1)}>; rel="prev"`);
  if (page < totalPages) links.push(`<${linkTo(page + 1)}>; rel="next"`);
  links.push(`<${linkTo(1)}>; rel="first"`, `<${linkTo(totalPages)}>; rel="last"`);
  return {
    items: slice,
    headers: {
      link: links.join(', '),
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(total),
      'x-total-pages': String(totalPages),
    },
  };
}
