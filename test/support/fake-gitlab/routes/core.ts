/** Instance, user, token and job introspection; project and group lookup; members (gitlab.md §4, §7, §10). */
import { groupAccess, projectAccess } from '../access.js';
import { isExpired } from '../auth.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import {
  badRequest,
  errorReply,
  jsonReply,
  notFound,
  paginate,
  type Reply,
  recordNotFound,
  unauthorized,
} from '../reply.js';
import type { Group, Project, User } from '../state.js';
import {
  basicUserEntity,
  fakeSha,
  findGroupOrReply,
  findProjectOrReply,
  groupEntity,
  isReply,
  memberEntity,
  projectEntity,
  requireAuthenticated,
  userEntity,
} from './common.js';

/** gitlab.md §10: `/version` and `/metadata` share a handler and need authentication. */
function metadata(ctx: RouteContext): Reply {
  const denied = requireAuthenticated(ctx);
  if (denied) return denied;
  const plain = ctx.settings.version.replace(/-ee$/, '');
  return jsonReply(200, {
    version: ctx.settings.version,
    revision: 'f4k3g1t1ab0',
    kas: {
      enabled: false,
      externalUrl: null,
      externalK8sProxyUrl: null,
      version: plain,
    },
    enterprise: ctx.settings.version.endsWith('-ee'),
  });
}

function currentUser(ctx: RouteContext): Reply {
  const principal = ctx.principal;
  // Job and deploy tokens never reach here as users: this route does not take them (gitlab.md §4).
  if (principal.kind !== 'user') return unauthorized();
  return jsonReply(200, userEntity(ctx, principal.user));
}

/** gitlab.md §4: PATs, project and group access tokens; any scope; expired/revoked never get here. */
function tokenSelf(ctx: RouteContext): Reply {
  const principal = ctx.principal;
  if (principal.kind !== 'user') return unauthorized();
  const token = principal.token;
  // lib/api/personal_access_tokens/self_information.rb: an OAuth token is refused before the route.
  if (token.kind === 'oauth') return badRequest('This endpoint requires token type to be a personal access token');
  return jsonReply(200, {
    id: token.id,
    name: token.name,
    revoked: token.revoked ?? false,
    created_at: token.createdAt,
    description: null,
    scopes: token.scopes,
    user_id: principal.user.id,
    last_used_at: token.lastUsedAt ?? null,
    active: true,
    expires_at: token.expiresAt ?? null,
    // Newer fields (lib/api/entities/personal_access_token.rb); an expired token never gets this far (401).
    expired: isExpired(token, ctx.now()),
    last_used_ips: ['127.0.0.1'],
  });
}

/** gitlab.md §4 `GET /job`: a PAT gets `404 Job Not Found`; no credential 401. */
function currentJob(ctx: RouteContext): Reply {
  const principal = ctx.principal;
  if (principal.kind === 'anonymous') return unauthorized();
  if (principal.kind !== 'job') return notFound('Job');
  const token = principal.token;
  const project = ctx.state.projects.find((p) => p.id === token.projectId);
  const sha = fakeSha(`${token.projectId}:${token.ref}`);
  const path = project?.pathWithNamespace ?? 'unknown/project';
  return jsonReply(200, {
    id: token.jobId,
    status: 'running',
    stage: 'build',
    name: token.jobName ?? 'build',
    ref: token.ref ?? 'main',
    tag: false,
    coverage: null,
    allow_failure: false,
    created_at: token.createdAt,
    started_at: token.createdAt,
    finished_at: null,
    erased_at: null,
    duration: null,
    user: basicUserEntity(ctx, principal.user),
    commit: { id: sha, short_id: sha.slice(0, 8), title: 'Fake commit' },
    pipeline: {
      id: token.pipelineId,
      project_id: token.projectId,
      ref: token.ref ?? 'main',
      sha,
      status: 'running',
      source: 'push',
      web_url: `${ctx.baseUrl}/${path}/-/pipelines/${token.pipelineId}`,
    },
    web_url: `${ctx.baseUrl}/${path}/-/jobs/${token.jobId}`,
    project: { ci_job_token_scope_enabled: project?.jobTokenScope.inboundEnabled ?? true },
    artifacts: [],
    runner: null,
    tag_list: [],
  });
}

function getProject(ctx: RouteContext): Reply {
  const project = findProjectOrReply(ctx, ctx.params.id ?? '');
  if (isReply(project)) return project;
  return jsonReply(200, projectEntity(ctx, project));
}

function getGroup(ctx: RouteContext): Reply {
  const group = findGroupOrReply(ctx, ctx.params.id ?? '');
  if (isReply(group)) return group;
  return jsonReply(200, groupEntity(ctx, group));
}

/** `/members/all`: the project's, its namespace's and the ancestors' members, highest level wins (§7). */
function effectiveProjectMembers(ctx: RouteContext, project: Project): Array<[User, number]> {
  return ctx.state.users
    .map((u): [User, number] => [u, projectAccess(ctx.state, project, u.id)])
    .filter(([, level]) => level > 0);
}

function effectiveGroupMembers(ctx: RouteContext, group: Group): Array<[User, number]> {
  return ctx.state.users
    .map((u): [User, number] => [u, groupAccess(ctx.state, group.id, u.id)])
    .filter(([, level]) => level > 0);
}

function listMembers(ctx: RouteContext, members: Array<[User, number]>): Reply {
  const page = paginate(members, ctx.url);
  return jsonReply(
    200,
    page.items.map(([user, level]) => memberEntity(ctx, user, level)),
    page.headers,
  );
}

function oneMember(ctx: RouteContext, members: Array<[User, number]>): Reply {
  const raw = ctx.params.user_id ?? '';
  if (!/^\d+$/.test(raw)) return errorReply(400, 'user_id is invalid');
  const userId = Number(raw);
  const found = members.find(([user]) => user.id === userId);
  // `find_by!` → RecordNotFound → lower-case "found" (gitlab.md §7).
  if (!found) return recordNotFound();
  return jsonReply(200, memberEntity(ctx, found[0], found[1]));
}

function withProject(fn: (ctx: RouteContext, project: Project) => Reply): (ctx: RouteContext) => Reply {
  return (ctx) => {
    const project = findProjectOrReply(ctx, ctx.params.id ?? '');
    return isReply(project) ? project : fn(ctx, project);
  };
}

function withGroup(fn: (ctx: RouteContext, group: Group) => Reply): (ctx: RouteContext) => Reply {
  return (ctx) => {
    const group = findGroupOrReply(ctx, ctx.params.id ?? '');
    return isReply(group) ? group : fn(ctx, group);
  };
}

export const coreRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/version', auth: 'rest', extraScopes: ['read_user'], handler: metadata },
  { method: 'GET', path: '/metadata', auth: 'rest', extraScopes: ['read_user'], handler: metadata },
  { method: 'GET', path: '/user', auth: 'rest', extraScopes: ['read_user'], handler: currentUser },
  { method: 'GET', path: '/personal_access_tokens/self', auth: 'rest', extraScopes: '*', handler: tokenSelf },
  { method: 'GET', path: '/job', auth: 'job', handler: currentJob },
  { method: 'GET', path: '/projects/:id', auth: 'rest', handler: getProject },
  { method: 'GET', path: '/groups/:id', auth: 'rest', handler: getGroup },
  {
    method: 'GET',
    path: '/projects/:id/members/all',
    auth: 'rest',
    handler: withProject((ctx, p) => listMembers(ctx, effectiveProjectMembers(ctx, p))),
  },
  {
    method: 'GET',
    path: '/projects/:id/members/all/:user_id',
    auth: 'rest',
    handler: withProject((ctx, p) => oneMember(ctx, effectiveProjectMembers(ctx, p))),
  },
  {
    method: 'GET',
    path: '/projects/:id/members/:user_id',
    auth: 'rest',
    handler: withProject((ctx, p) =>
      oneMember(
        ctx,
        p.members.flatMap((m): Array<[User, number]> => {
          const user = ctx.state.users.find((u) => u.id === m.userId);
          return user ? [[user, m.accessLevel]] : [];
        }),
      ),
    ),
  },
  {
    method: 'GET',
    path: '/groups/:id/members/all',
    auth: 'rest',
    handler: withGroup((ctx, g) => listMembers(ctx, effectiveGroupMembers(ctx, g))),
  },
  {
    method: 'GET',
    path: '/groups/:id/members/all/:user_id',
    auth: 'rest',
    handler: withGroup((ctx, g) => oneMember(ctx, effectiveGroupMembers(ctx, g))),
  },
];
