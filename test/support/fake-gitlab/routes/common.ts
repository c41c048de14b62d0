/** Lookups and entities shared by the route files. */
import { canReadGroup, canReadProject, groupAccess, groupChain, jobTokenAllows } from '../access.js';
import type { RouteContext } from '../context.js';
import { errorReply, forbidden, messageReply, notFound, type Reply, unauthorized } from '../reply.js';
import type { FakeState, Group, Member, Project, User } from '../state.js';

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value && 'headers' in value;
}

/**
 * `:id` is a numeric id or a (decoded) full path (gitlab.md §7); an old path of a renamed or moved project
 * finds it too (`find_by_full_path(id, follow_redirects: true)`, lib/api/helpers.rb `find_project`).
 */
export function lookupProject(state: FakeState, id: string): Project | undefined {
  if (/^\d+$/.test(id)) return state.projects.find((p) => p.id === Number(id));
  const wanted = id.toLowerCase();
  return (
    state.projects.find((p) => p.pathWithNamespace.toLowerCase() === wanted) ??
    state.projects.find((p) => (p.previousPaths ?? []).some((old) => old.toLowerCase() === wanted))
  );
}

/** Was the project asked for by a path it no longer has (`project_moved?`, lib/api/helpers.rb)? */
function askedByOldPath(project: Project, id: string): boolean {
  return !/^\d+$/.test(id) && id.toLowerCase() !== project.pathWithNamespace.toLowerCase();
}

export function lookupGroup(state: FakeState, id: string): Group | undefined {
  if (/^\d+$/.test(id)) return state.groups.find((g) => g.id === Number(id));
  const wanted = id.toLowerCase();
  return state.groups.find((g) => g.fullPath.toLowerCase() === wanted);
}

/** `authenticate!`: anonymous → `401 {"message":"401 Unauthorized"}`. */
export function requireAuthenticated(ctx: RouteContext): Reply | undefined {
  return ctx.principal.kind === 'anonymous' ? unauthorized() : undefined;
}

/**
 * `find_project!` (gitlab.md §3, §7): unknown or unreadable → `404 Project Not Found`; a job token whose
 * project is not allowlisted → `403 ... Authentication by CI/CD job token not allowed from S to T.`
 */
export function findProjectOrReply(ctx: RouteContext, id: string): Project | Reply {
  const project = lookupProject(ctx.state, id);
  if (!project) return notFound('Project');
  const principal = ctx.principal;
  if (canReadProject(ctx.state, project, principal)) {
    if (!askedByOldPath(project, id)) return project;
    // lib/api/helpers.rb `find_project!`: GET → `redirect!(url_with_project_id(project))` (301), else 405.
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      return messageReply(405, 'Non GET methods are not allowed for moved projects');
    }
    // `url_with_project_id`: the same request URL with the numeric id in place of the path.
    const path = ctx.record.path.replace(/\/projects\/[^/]+/, `/projects/${project.id}`);
    const location = `${ctx.baseUrl}${path}${ctx.url.search}`;
    return { status: 301, headers: { location } };
  }
  if (principal.kind === 'job' && !jobTokenAllows(ctx.state, principal.token.projectId ?? -1, project)) {
    const source = ctx.state.projects.find((p) => p.id === principal.token.projectId);
    return forbidden(
      `Authentication by CI/CD job token not allowed from ${source?.pathWithNamespace ?? '?'} to ${project.pathWithNamespace}.`,
    );
  }
  return notFound('Project');
}

export function findGroupOrReply(ctx: RouteContext, id: string): Group | Reply {
  const group = lookupGroup(ctx.state, id);
  if (!group || !canReadGroup(ctx.state, group, ctx.principal)) return notFound('Group');
  return group;
}

/** Grape `type: Integer` coercion: `12` and `"12"` pass, anything else is `<name> is invalid`. */
export function integerParam(input: Record<string, unknown>, name: string): number | Reply | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return errorReply(400, `${name} is invalid`);
}

export function stringParam(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Grape `requires`: `{"error":"a is missing, b is missing"}` (gitlab.md §3). */
export function missingParams(input: Record<string, unknown>, names: string[]): Reply | undefined {
  const missing = names.filter((n) => input[n] === undefined || input[n] === null);
  return missing.length === 0 ? undefined : errorReply(400, missing.map((n) => `${n} is missing`).join(', '));
}

export function webUrl(ctx: RouteContext, path: string): string {
  return `${ctx.baseUrl}/${path}`;
}

export function basicUserEntity(ctx: RouteContext, user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: user.state,
    locked: user.state === 'blocked',
    avatar_url: null,
    web_url: webUrl(ctx, user.username),
  };
}

export function userEntity(ctx: RouteContext, user: User): Record<string, unknown> {
  return {
    ...basicUserEntity(ctx, user),
    created_at: user.createdAt,
    bio: '',
    public_email: null,
    bot: user.bot,
    email: user.email ?? `${user.username}@example.com`,
    is_admin: false,
    external: false,
    private_profile: false,
    two_factor_enabled: false,
  };
}

export function memberEntity(ctx: RouteContext, user: User, accessLevel: number): Record<string, unknown> {
  return {
    ...basicUserEntity(ctx, user),
    access_level: accessLevel,
    created_at: user.createdAt,
    expires_at: null,
    membership_state: 'active',
  };
}

function namespaceEntity(ctx: RouteContext, group: Group): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    path: group.path,
    kind: 'group',
    full_path: group.fullPath,
    parent_id: group.parentId ?? null,
    avatar_url: null,
    web_url: webUrl(ctx, `groups/${group.fullPath}`),
  };
}

export function fullName(state: FakeState, group: Group): string {
  return groupChain(state, group.id)
    .reverse()
    .map((g) => g.name)
    .join(' / ');
}

export function groupEntity(ctx: RouteContext, group: Group): Record<string, unknown> {
  return {
    id: group.id,
    web_url: webUrl(ctx, `groups/${group.fullPath}`),
    name: group.name,
    path: group.path,
    description: group.description ?? '',
    visibility: group.visibility,
    full_name: fullName(ctx.state, group),
    full_path: group.fullPath,
    parent_id: group.parentId ?? null,
    created_at: '2025-01-15T10:00:00.000Z',
    avatar_url: null,
  };
}

function directLevel(members: Member[], userId: number): number | undefined {
  return members.find((m) => m.userId === userId)?.accessLevel;
}

/** Project entity; `permissions` as GitLab shows it to a signed-in user (direct project and namespace access). */
export function projectEntity(ctx: RouteContext, project: Project): Record<string, unknown> {
  const namespace = ctx.state.groups.find((g) => g.id === project.namespaceId);
  const entity: Record<string, unknown> = {
    id: project.id,
    description: project.description ?? null,
    name: project.name,
    name_with_namespace: namespace ? `${fullName(ctx.state, namespace)} / ${project.name}` : project.name,
    path: project.path,
    path_with_namespace: project.pathWithNamespace,
    created_at: '2025-01-15T10:00:00.000Z',
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ssh_url_to_repo: `git@${new URL(ctx.baseUrl).host}:${project.pathWithNamespace}.git`,
    http_url_to_repo: `${ctx.baseUrl}/${project.pathWithNamespace}.git`,
    web_url: webUrl(ctx, project.pathWithNamespace),
    readme_url: null,
    avatar_url: null,
    forks_count: 0,
    star_count: 0,
    last_activity_at: '2025-01-15T10:00:00.000Z',
    namespace: namespace ? namespaceEntity(ctx, namespace) : null,
    visibility: project.visibility,
    empty_repo: false,
    archived: false,
    packages_enabled: project.packageRegistryAccess !== 'disabled',
    package_registry_access_level: project.packageRegistryAccess ?? 'enabled',
  };
  const principal = ctx.principal;
  if (principal.kind === 'user') {
    const projectLevel = directLevel(project.members, principal.user.id);
    const groupLevel = groupAccess(ctx.state, project.namespaceId, principal.user.id);
    entity.permissions = {
      project_access: projectLevel === undefined ? null : { access_level: projectLevel, notification_level: 3 },
      group_access: groupLevel > 0 ? { access_level: groupLevel, notification_level: 3 } : null,
    };
  }
  return entity;
}

export function shortSha(seed: string): string {
  let hash = 0x811c9dc5;
  for (const ch of seed) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** A stable fake commit sha for a tag or ref. */
export function fakeSha(seed: string): string {
  return Array.from({ length: 5 }, (_, i) => shortSha(`${seed}:${i}`))
    .join('')
    .slice(0, 40);
}
