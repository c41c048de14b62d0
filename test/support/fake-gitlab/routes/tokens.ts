/**
 * `POST /personal_access_tokens/self/rotate`, as lib/api/personal_access_tokens/self_rotation.rb
 * and app/services/personal_access_tokens/rotate_service.rb answer it (gitlab.md errata 7):
 * scope `api` or `self_rotate`; an OAuth token gets 405; the old token is revoked and a new one
 * with the same name, description and scopes is created in the same step; 200 with the new `token`.
 * Using the revoked token on this path again revokes the new one too (see auth.ts).
 */
import type { RouteContext, RouteDefinition } from '../context.js';
import {
  badRequest,
  errorReply,
  insufficientScope,
  jsonReply,
  messageReply,
  type Reply,
  unauthorized,
} from '../reply.js';
import { addToken, type Token } from '../state.js';

/** RotateService::EXPIRATION_PERIOD: the expiry when none is given and the instance requires one. */
const DEFAULT_EXPIRY_DAYS = 7;
/** PersonalAccessToken::MAX_PERSONAL_ACCESS_TOKEN_LIFETIME_IN_DAYS (the buffered 400 is behind a flag). */
const MAX_LIFETIME_DAYS = 365;

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(date: Date, days: number): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + days));
}

/** Grape's `type: Date` coercion: a real calendar date, else `{"error":"expires_at is invalid"}`. */
function parseDate(value: unknown): string | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return 'invalid';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return 'invalid';
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return isoDate(date) === value ? value : 'invalid';
}

/** Entities::PersonalAccessTokenWithToken. */
function tokenEntity(token: Token): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked ?? false,
    created_at: token.createdAt,
    description: token.description ?? null,
    scopes: token.scopes,
    user_id: token.userId,
    last_used_at: token.lastUsedAt ?? null,
    active: true,
    expires_at: token.expiresAt ?? null,
    token: token.token,
  };
}

function rotateSelf(ctx: RouteContext): Reply {
  const principal = ctx.principal;
  // Deploy and job tokens never authenticate on this API: `authenticate!` answers 401.
  if (principal.kind !== 'user') return unauthorized();
  const old = principal.token;
  // allow_access_with_scope :api, :self_rotate (checked by the API guard, before the route).
  if (!old.scopes.includes('api') && !old.scopes.includes('self_rotate'))
    return insufficientScope(['api', 'self_rotate']);
  // `not_allowed! unless access_token.is_a? PersonalAccessToken` (project and group tokens are PATs of bots).
  if (old.kind === 'oauth') return messageReply(405, '405 Method Not Allowed');
  const requested = parseDate(ctx.input.expires_at);
  if (requested === 'invalid') return errorReply(400, 'expires_at is invalid');
  // RotateService#execute: only reachable when another rotation revoked it after authentication.
  if (old.revoked) return badRequest('Token already revoked');
  const today = ctx.now();
  // #expires_at: the given date, else 1 week when require_personal_access_token_expiry (the default).
  const expiresAt = requested ?? isoDate(addDays(today, DEFAULT_EXPIRY_DAYS));
  // PersonalAccessToken#expires_at_before_instance_max_expiry_date; full_messages.to_sentence.
  const max = isoDate(addDays(today, MAX_LIFETIME_DAYS));
  if (expiresAt > max) return badRequest(`Expires at must be before ${max}`);
  old.revoked = true;
  const text = addToken(ctx.state, {
    kind: 'personal',
    user: old.userId ?? 0,
    scopes: [...old.scopes],
    name: old.name,
    expiresAt,
  });
  const fresh = ctx.state.tokens.find((t) => t.token === text)!;
  // create_token_params: the same owner (a bot stays a bot), name, description and scopes.
  fresh.kind = old.kind;
  if (old.projectId !== undefined) fresh.projectId = old.projectId;
  if (old.groupId !== undefined) fresh.groupId = old.groupId;
  fresh.description = old.description ?? null;
  fresh.previousTokenId = old.id;
  fresh.createdAt = today.toISOString();
  return jsonReply(200, tokenEntity(fresh));
}

export const tokenRoutes: RouteDefinition[] = [
  // The scope check is the route's own: POST accepts `self_rotate` as well as `api`.
  { method: 'POST', path: '/personal_access_tokens/self/rotate', auth: 'rest', extraScopes: '*', handler: rotateSelf },
];
