/**
 * HTTP failures mapped in one place: 401/403 become credential
 * errors with a hint naming the missing scope or role; 404 says "not found, or this token
 * cannot see it". Bodies follow https://docs.gitlab.com/api/rest/troubleshooting/.
 */
import { GlxError } from '../errors.js';
import { displayUrl } from '../util/redact.js';
import type { AuthMode, GitLabResponse, TokenKind } from './client-types.js';

export interface ErrorContext {
  subject?: string;
  kind: TokenKind;
  auth: AuthMode;
  method: string;
  /** Masks the run's secrets in what GitLab answered (Deps.secrets). */
  redact(text: string): string;
}

export interface GitLabErrorBody {
  message?: string;
  error?: string;
  description?: string;
  scope?: string;
}

/** Pulls the interesting fields out of GitLab's JSON error bodies (`message`, `error`, `error_description`, `scope`). */
export function errorBody(response: GitLabResponse): GitLabErrorBody {
  try {
    const value = JSON.parse(response.body) as Record<string, unknown>;
    if (!value || typeof value !== 'object') return {};
    const message = value.message;
    return {
      message:
        typeof message === 'string'
          ? message
          : Array.isArray(message)
            ? message.join('; ')
            : message && typeof message === 'object'
              ? JSON.stringify(message)
              : undefined,
      error: typeof value.error === 'string' ? value.error : undefined,
      description: typeof value.error_description === 'string' ? value.error_description : undefined,
      scope: typeof value.scope === 'string' ? value.scope : undefined,
    };
  } catch {
    return {};
  }
}

export function describeBody(body: GitLabErrorBody, response: GitLabResponse): string {
  const text = body.description ?? body.message ?? body.error;
  if (text) return text;
  const ct = response.headers['content-type'] ?? '';
  if (ct.includes('html')) return 'an HTML page instead of an API answer (a proxy or login page?)';
  return response.body.trim().slice(0, 120) || 'no body';
}

export function httpError(response: GitLabResponse, ctx: ErrorContext): GlxError {
  const body = errorBody(response);
  const what = ctx.subject ? `${ctx.subject}: ` : '';
  const where = `${ctx.method} ${displayUrl(response.url)}`;
  const status = response.status;
  const detail = ctx.redact(describeBody(body, response));

  if (status === 401) {
    if (body.error === 'invalid_token' && /expired/i.test(body.description ?? '')) {
      return new GlxError(
        'TOKEN_EXPIRED',
        `${what}the token has expired (${where} answered 401)`,
        'Create a new token in GitLab (User settings > Access tokens) and run `glx auth` again.',
      );
    }
    if (body.error === 'invalid_token' && /revoked/i.test(body.description ?? '')) {
      return new GlxError(
        'TOKEN_REVOKED',
        `${what}the token was revoked (${where} answered 401)`,
        'Create a new token in GitLab and run `glx auth` again.',
      );
    }
    const hint =
      ctx.kind === 'job'
        ? 'A CI job token works only while its job runs, and only as `gitlab-ci-token` with Basic auth on package routes.'
        : ctx.kind === 'deploy'
          ? // lib/gitlab/auth/auth_finders.rb finds a deploy token by its value alone; the username plays no part.
            'Deploy tokens work on package routes only, and GitLab checks only the token there: make sure it is the whole value, not revoked and not expired.'
          : 'The token is unknown to this GitLab (typo, wrong host, or deleted). Create one with scope read_api (api to publish) and run `glx auth`.';
    return new GlxError(
      'GITLAB_AUTH',
      `${what}GitLab rejected the credentials (${where} answered 401: ${detail})`,
      hint,
    );
  }
  if (status === 403) {
    if (body.error === 'insufficient_scope') {
      const needs = body.scope ? body.scope.split(/\s+/).join(' or ') : 'a wider scope';
      return new GlxError(
        'TOKEN_SCOPE',
        `${what}the token lacks the scope for ${where} (needs ${needs})`,
        ctx.method === 'GET'
          ? 'Use a token with scope read_api (or api).'
          : 'Publishing needs a token with scope api (read_api cannot write).',
      );
    }
    if (/package protected/i.test(detail)) {
      // app/services/packages/pypi/create_package_service.rb: a package protection rule, not the role check.
      return new GlxError(
        'PACKAGE_PROTECTED',
        `${what}GitLab refused ${where}: the package name is protected (403: ${detail})`,
        'A package protection rule of the project matches this name (Settings > Packages and registries > Protected packages): pushing it needs the role the rule names (Maintainer, Owner or Admin), and deploy tokens never may.',
      );
    }
    if (/job token|token permission is required/i.test(detail)) {
      const permission = /token permission is required/i.test(detail);
      return new GlxError(
        'GITLAB_AUTH',
        `${what}${detail}`,
        permission
          ? 'The job-token allowlist entry on the target project lacks that permission: a Maintainer there adds it (Settings > CI/CD > Job token permissions).'
          : "Add this project to the target project's job-token allowlist: `glx ci-setup --allowlist` (needs Maintainer on the target).",
      );
    }
    // https://docs.gitlab.com/user/permissions/: a deploy token has no role; its scopes decide (and protected packages refuse it).
    const hint =
      ctx.kind === 'deploy' && ctx.method !== 'GET'
        ? 'A deploy token publishes only with scope write_package_registry, and never to a protected package name.'
        : ctx.method === 'GET'
          ? 'Your role is too low: pulling from a private project registry needs Reporter, a private group registry Reporter in the group itself.'
          : 'Your role is too low: publishing needs Developer (allowlist changes need Maintainer).';
    return new GlxError('GITLAB_AUTH', `${what}GitLab refused ${where} (403: ${detail})`, hint);
  }
  if (status === 404) {
    return new GlxError(
      'GITLAB_NOT_FOUND',
      `${what}not found, or this token cannot see it (${where} answered 404)`,
      'Check the id or path, and that the token belongs to a member of that project or group.',
    );
  }
  if (status === 413) {
    // Workhorse refuses a body over the limit Rails gave it (pypi_max_file_size, 3 GiB by default), or a proxy does.
    return new GlxError(
      'GITLAB_ERROR',
      `${what}too large for this GitLab (${where} answered 413)`,
      "The file exceeds the instance's PyPI size limit (pypi_max_file_size, 3 GiB by default) or a proxy's body limit (nginx client_max_body_size); an administrator can raise them.",
    );
  }
  if (status === 409) {
    return new GlxError(
      'GITLAB_CONFLICT',
      `${what}${detail} (${where} answered 409)`,
      'It already exists; nothing was changed.',
    );
  }
  if (status === 429) {
    return new GlxError(
      'GITLAB_ERROR',
      `${what}GitLab is rate limiting requests (${where} answered 429)`,
      'Wait a minute and try again.',
    );
  }
  if (status >= 500) {
    return new GlxError(
      'GITLAB_ERROR',
      `${what}GitLab failed with ${status} (${where}: ${detail})`,
      'This is a server-side problem; try again later.',
    );
  }
  return new GlxError(
    'GITLAB_ERROR',
    `${what}GitLab answered ${status} to ${where}: ${detail}`,
    'See the message above; run with --verbose for the request log.',
  );
}

export function invalidResponse(
  endpoint: string,
  response: GitLabResponse,
  problem: string,
  redact: (text: string) => string,
): GlxError {
  return new GlxError(
    'GITLAB_RESPONSE_INVALID',
    `unexpected answer from GitLab ${endpoint} (${displayUrl(response.url)}): ${redact(problem)}`,
    'Is --host a GitLab instance? Run with --verbose to see the requests.',
  );
}
