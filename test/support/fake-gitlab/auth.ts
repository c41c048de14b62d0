/**
 * Credential resolution, in the order of GitLab's `find_user_from_sources` (gitlab.md §2):
 * deploy token → Bearer job token → access token (PRIVATE-TOKEN / private_token / Bearer, then Basic
 * password on package routes) → job token (Basic `gitlab-ci-token` on package routes; JOB-TOKEN,
 * `job_token`, `token` on job-token routes) → anonymous.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './access.js';
import type { AuthProfile, AuthRecord } from './context.js';
import {
  EXPIRED_DESCRIPTION,
  forbidden,
  insufficientScope,
  invalidToken,
  packagesUnauthorized,
  REVOKED_DESCRIPTION,
  type Reply,
  unauthorized,
} from './reply.js';
import type { FakeState, Token } from './state.js';

export interface AuthOutcome {
  principal: Principal;
  record: AuthRecord;
  /** Set when GitLab would answer before reaching the endpoint (401 unknown/expired/revoked, 403 blocked). */
  reply?: Reply;
}

interface BasicCredentials {
  username: string;
  password: string;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text;
}

function parseAuthorization(value: string | undefined): { basic?: BasicCredentials; bearer?: string } {
  if (!value) return {};
  const match = /^(\S+)\s+(.*)$/.exec(value.trim());
  if (!match) return {};
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = (match[2] ?? '').trim();
  if (scheme === 'bearer') return rest ? { bearer: rest } : {};
  if (scheme !== 'basic') return {};
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    basic:
      colon < 0
        ? { username: decoded, password: '' }
        : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
  };
}

/** gitlab.md §3: PATs expire on their date at 00:00 UTC. */
export function isExpired(token: Token, now: Date): boolean {
  if (!token.expiresAt) return false;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(token.expiresAt)
    ? Date.parse(`${token.expiresAt}T00:00:00Z`)
    : Date.parse(token.expiresAt);
  return Number.isFinite(at) && now.getTime() >= at;
}

const ACCESS_TOKEN_KINDS = new Set(['personal', 'project', 'group']);

function describeToken(token: Token, state: FakeState): string {
  const user = token.userId === undefined ? undefined : state.users.find((u) => u.id === token.userId);
  const owner = token.kind === 'deploy' ? `username ${token.username}` : `user ${user?.username ?? '?'}`;
  return `${token.kind} token #${token.id} "${token.name}" (${owner})`;
}

/** Who is calling, and whether GitLab would refuse before the endpoint runs. */
export function authenticate(
  state: FakeState,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  profile: AuthProfile,
  now: Date,
  path = '',
): AuthOutcome {
  const ignored: string[] = [];
  const { basic, bearer } = parseAuthorization(header(headers, 'authorization'));
  const deployHeader = header(headers, 'deploy-token');
  const privateHeader = header(headers, 'private-token');
  const privateQuery = query.get('private_token') || undefined;
  const jobHeader = header(headers, 'job-token');
  const jobQuery = query.get('job_token') || undefined;
  const runnerQuery = query.get('token') || undefined;
  const basicNote = basic ? { basicUsername: basic.username } : {};
  const unauthorizedReply = profile === 'packages' ? packagesUnauthorized : unauthorized;

  function done(
    principal: Principal,
    via: string,
    outcome: AuthRecord['outcome'],
    token?: Token,
    reason?: string,
    reply?: Reply,
  ): AuthOutcome {
    const record: AuthRecord = { via, outcome, ignored, summary: '', ...basicNote };
    if (token) {
      record.kind = token.kind;
      record.tokenId = token.id;
      record.tokenName = token.name;
      const user = token.userId === undefined ? undefined : state.users.find((u) => u.id === token.userId);
      const username = token.kind === 'deploy' ? token.username : user?.username;
      if (username !== undefined) record.username = username;
    }
    if (reason !== undefined) record.reason = reason;
    const who = token ? describeToken(token, state) : outcome === 'anonymous' ? 'anonymous' : 'no token';
    const basicUser = basic && via.startsWith('Basic') ? ` as "${basic.username}"` : '';
    record.summary = `${via}${basicUser} → ${outcome === 'rejected' ? `rejected (${reason})` : who}`;
    if (ignored.length > 0) record.summary += `; ignored: ${ignored.join(', ')}`;
    return reply ? { principal, record, reply } : { principal, record };
  }

  function userPrincipal(token: Token, via: string): AuthOutcome {
    // gitlab.md §3: expired is checked before revoked.
    if (isExpired(token, now)) {
      return done({ kind: 'anonymous' }, via, 'rejected', token, 'expired', invalidToken(EXPIRED_DESCRIPTION));
    }
    if (token.revoked) {
      // Gitlab::Auth::AuthFinders#revoke_token_family: a revoked token used on a rotate path
      // revokes every active token that descends from it (PersonalAccessTokens::RevokeTokenFamilyService).
      if (/access_tokens\/(\d+|self)\/rotate$/.test(path)) revokeFamily(state, token);
      return done({ kind: 'anonymous' }, via, 'rejected', token, 'revoked', invalidToken(REVOKED_DESCRIPTION));
    }
    const user = state.users.find((u) => u.id === token.userId);
    if (!user) return done({ kind: 'anonymous' }, via, 'rejected', token, 'token without user', unauthorizedReply());
    if (user.state === 'blocked') {
      // Not in gitlab.md: APIGuard#find_current_user! → forbidden!(UserAccessDeniedReason#rejection_message).
      return done(
        { kind: 'anonymous' },
        via,
        'rejected',
        token,
        'blocked user',
        forbidden('Your account has been blocked.'),
      );
    }
    token.lastUsedAt = now.toISOString();
    return done({ kind: 'user', user, token }, via, 'authenticated', token);
  }

  function jobPrincipal(value: string, via: string): AuthOutcome {
    const token = state.tokens.find((t) => t.kind === 'job' && t.token === value);
    if (!token)
      return done({ kind: 'anonymous' }, via, 'rejected', undefined, 'unknown job token', unauthorizedReply());
    // gitlab.md §4: a job token is valid only while its job runs.
    if (!token.running)
      return done({ kind: 'anonymous' }, via, 'rejected', token, 'job not running', unauthorizedReply());
    const user = state.users.find((u) => u.id === token.userId);
    if (!user) return done({ kind: 'anonymous' }, via, 'rejected', token, 'job without user', unauthorizedReply());
    return done({ kind: 'job', user, token }, via, 'authenticated', token);
  }

  // 1. Deploy tokens, package routes only; Basic wins over Deploy-Token and Bearer (gitlab.md §2).
  if (profile === 'packages') {
    const via = basic ? 'Basic' : deployHeader ? 'Deploy-Token header' : 'Bearer';
    const candidate = basic ? basic.password : (deployHeader ?? bearer);
    if (candidate) {
      const token = state.tokens.find(
        // gitlab.md §4: revoked or expired deploy tokens are simply not found (DeployToken.active).
        (t) => t.kind === 'deploy' && t.token === candidate && !t.revoked && !isExpired(t, now),
      );
      if (token) return done({ kind: 'deploy', token }, via, 'authenticated', token);
    }
    if (basic && deployHeader) ignored.push('Deploy-Token header (Basic credentials take precedence)');
  } else if (deployHeader) {
    ignored.push('Deploy-Token header (deploy tokens cannot use this API)');
  }

  // 2a. Bearer job token on routes that take job tokens (Ci::AuthJobFinder: a stopped job is just not found).
  if (bearer && profile !== 'rest') {
    const job = state.tokens.find((t) => t.kind === 'job' && t.token === bearer && t.running);
    if (job) return jobPrincipal(bearer, 'Bearer');
  }

  // 2b. Access token: private_token param, PRIVATE-TOKEN header, Bearer; unknown → 401.
  const patSources: Array<[string | undefined, string]> = [
    [privateQuery, 'private_token query'],
    [privateHeader, 'PRIVATE-TOKEN header'],
    [bearer, 'Bearer'],
  ];
  const patSource = patSources.find(([value]) => value !== undefined);
  if (patSource?.[0] !== undefined) {
    const [value, via] = patSource;
    // gitlab.md §2: a value starting with glcbt- is ignored on API paths.
    if (value.startsWith('glcbt-')) {
      ignored.push(`${via} (glcbt- values are ignored there)`);
    } else {
      // find_oauth_access_token reads only Bearer (Doorkeeper); PRIVATE-TOKEN finds PATs only.
      const token = state.tokens.find(
        (t) => (ACCESS_TOKEN_KINDS.has(t.kind) || (t.kind === 'oauth' && via === 'Bearer')) && t.token === value,
      );
      if (!token) return done({ kind: 'anonymous' }, via, 'rejected', undefined, 'unknown token', unauthorizedReply());
      return userPrincipal(token, via);
    }
  }
  // Basic password as an access token, package routes only; an unknown one does not raise.
  if (profile === 'packages' && basic) {
    const token = state.tokens.find((t) => ACCESS_TOKEN_KINDS.has(t.kind) && t.token === basic.password);
    if (token) return userPrincipal(token, 'Basic');
  }

  // 3. Job tokens.
  if (profile === 'packages') {
    // `job_token_allowed: :basic_auth`: only Basic with the username exactly gitlab-ci-token.
    if (basic?.username && basic.password && basic.username === 'gitlab-ci-token') {
      return jobPrincipal(basic.password, 'Basic');
    }
    if (jobHeader) ignored.push('JOB-TOKEN header (package routes take job tokens only as Basic gitlab-ci-token)');
    if (jobQuery) ignored.push('job_token query (package routes take job tokens only as Basic gitlab-ci-token)');
  } else if (profile === 'job') {
    const sources: Array<[string | undefined, string]> = [
      [jobQuery, 'job_token query'],
      [runnerQuery, 'token query'],
      [jobHeader, 'JOB-TOKEN header'],
    ];
    const source = sources.find(([value]) => value !== undefined);
    if (source?.[0] !== undefined) return jobPrincipal(source[0], source[1]);
  } else {
    if (jobHeader) ignored.push('JOB-TOKEN header (job tokens are not accepted on this route)');
    if (jobQuery) ignored.push('job_token query (job tokens are not accepted on this route)');
  }
  if (basic && profile !== 'packages') ignored.push('Basic credentials (only package routes read them)');
  if (basic && profile === 'packages') ignored.push(`Basic password (no token matched; username "${basic.username}")`);
  return done({ kind: 'anonymous' }, 'none', 'anonymous');
}

/** The tokens rotated from `token`, directly or through later rotations. */
function revokeFamily(state: FakeState, token: Token): void {
  let generation = [token.id];
  while (generation.length > 0) {
    const children = state.tokens.filter(
      (t) => t.previousTokenId !== undefined && generation.includes(t.previousTokenId),
    );
    for (const child of children) child.revoked = true;
    generation = children.map((t) => t.id);
  }
}

/**
 * gitlab.md §3: `api` always; `read_api` and the route's extra scopes (e.g. `read_user`) for GET/HEAD;
 * every scope where the route says `'*'`. The 403 body lists all scopes registered for the endpoint.
 */
export function checkScopes(token: Token, method: string, extraScopes: string[] | '*' | undefined): Reply | undefined {
  if (extraScopes === '*') return undefined;
  const extras = extraScopes ?? [];
  const readOnly = method === 'GET' || method === 'HEAD';
  const accepted = readOnly ? ['api', 'read_api', ...extras] : ['api'];
  if (token.scopes.some((s) => accepted.includes(s))) return undefined;
  return insufficientScope([...extras, 'api', 'read_api']);
}
