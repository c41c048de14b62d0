/** The CI/CD job token scope and its allowlists (gitlab.md §8). */
import { canReadGroup, canReadProject, roleOn } from '../access.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import {
  badRequest,
  errorReply,
  forbidden,
  jsonReply,
  noContent,
  notFound,
  paginate,
  type Reply,
  unauthorized,
} from '../reply.js';
import type { Project } from '../state.js';
import { AccessLevel } from '../state.js';
import { findProjectOrReply, groupEntity, integerParam, isReply, missingParams, projectEntity } from './common.js';

interface Admin {
  project: Project;
}

/**
 * `before { authenticate! }`; then Grape validation, all problems in one message (`requires :id, type:
 * Integer` on POST/DELETE → `{"error":"id is invalid"}` for a path); then `user_project` (404 Project
 * Not Found) and `authorize_admin_project` (Maintainer+, else 403).
 */
function adminOrReply(
  ctx: RouteContext,
  numericIdRequired: boolean,
  integerParams: string[] = [],
  forbiddenReason?: string,
): Admin | Reply {
  if (ctx.principal.kind === 'anonymous') return unauthorized();
  const id = ctx.params.id ?? '';
  const problems: string[] = [];
  if (numericIdRequired && !/^\d+$/.test(id)) problems.push('id is invalid');
  for (const name of integerParams) {
    const value = integerParam({ ...ctx.input, ...ctx.params }, name);
    if (value === undefined) problems.push(`${name} is missing`);
    else if (isReply(value)) problems.push(`${name} is invalid`);
  }
  if (problems.length > 0) return errorReply(400, problems.join(', '));
  const project = findProjectOrReply(ctx, id);
  if (isReply(project)) return project;
  if (roleOn(ctx.state, project, ctx.principal) < AccessLevel.maintainer) return forbidden(forbiddenReason);
  return { project };
}

function getScope(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, false);
  if (isReply(admin)) return admin;
  return jsonReply(200, { inbound_enabled: admin.project.jobTokenScope.inboundEnabled, outbound_enabled: false });
}

function patchScope(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, false);
  if (isReply(admin)) return admin;
  const missing = missingParams(ctx.input, ['enabled']);
  if (missing) return missing;
  const enabled = ctx.input.enabled;
  if (enabled !== true && enabled !== false && enabled !== 'true' && enabled !== 'false') {
    return errorReply(400, 'enabled is invalid');
  }
  admin.project.jobTokenScope.inboundEnabled = enabled === true || enabled === 'true';
  return noContent();
}

/** gitlab.md §8: the project list includes the project itself. */
function listProjects(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, false);
  if (isReply(admin)) return admin;
  const ids = [admin.project.id, ...admin.project.jobTokenScope.allowlistProjectIds];
  const projects = ids.flatMap((id) => ctx.state.projects.filter((p) => p.id === id));
  const page = paginate(projects, ctx.url);
  return jsonReply(
    200,
    page.items.map((p) => projectEntity(ctx, p)),
    page.headers,
  );
}

function listGroups(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, false);
  if (isReply(admin)) return admin;
  const groups = admin.project.jobTokenScope.allowlistGroupIds.flatMap((id) =>
    ctx.state.groups.filter((g) => g.id === id),
  );
  const page = paginate(groups, ctx.url);
  return jsonReply(
    200,
    page.items.map((g) => {
      const entity = groupEntity(ctx, g);
      return { id: entity.id, web_url: entity.web_url, name: entity.name };
    }),
    page.headers,
  );
}

function addProject(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, true, ['target_project_id']);
  if (isReply(admin)) return admin;
  const targetId = Number(integerParam(ctx.input, 'target_project_id'));
  const target = ctx.state.projects.find((p) => p.id === targetId);
  if (!target) return notFound('target_project_id not found');
  const source = admin.project;
  if (!canReadProject(ctx.state, target, ctx.principal)) {
    return badRequest(
      "The target_project that you are attempting to access does not exist or you don't have permission to perform this action",
    );
  }
  if (target.id === source.id) {
    return badRequest("Validation failed: Target project can't be the same as the source project");
  }
  if (source.jobTokenScope.allowlistProjectIds.includes(target.id)) {
    return badRequest('Target project is already in the job token scope');
  }
  source.jobTokenScope.allowlistProjectIds.push(target.id);
  return jsonReply(201, { source_project_id: source.id, target_project_id: target.id });
}

function addGroup(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, true, ['target_group_id']);
  if (isReply(admin)) return admin;
  const targetId = Number(integerParam(ctx.input, 'target_group_id'));
  const target = ctx.state.groups.find((g) => g.id === targetId);
  if (!target) return notFound('target_group_id not found');
  if (!canReadGroup(ctx.state, target, ctx.principal)) {
    return badRequest(
      "The target_group that you are attempting to access does not exist or you don't have permission to perform this action",
    );
  }
  const source = admin.project;
  if (source.jobTokenScope.allowlistGroupIds.includes(target.id)) {
    return badRequest('Target group is already in the job token scope');
  }
  source.jobTokenScope.allowlistGroupIds.push(target.id);
  return jsonReply(201, { source_project_id: source.id, target_group_id: target.id });
}

const MODIFY_DENIED = 'Insufficient permissions to modify the job token scope';

function removeProject(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, true, ['target_project_id'], MODIFY_DENIED);
  if (isReply(admin)) return admin;
  const raw = ctx.params.target_project_id ?? '';
  // DELETE resolves the target with find_project!: unreadable → 404 Project Not Found.
  const target = findProjectOrReply(ctx, raw);
  if (isReply(target)) return target;
  const source = admin.project;
  if (target.id === source.id) return badRequest('Source project cannot be removed from the job token scope');
  const list = source.jobTokenScope.allowlistProjectIds;
  if (!list.includes(target.id)) return badRequest('Target project is not in the job token scope');
  list.splice(list.indexOf(target.id), 1);
  return noContent();
}

function removeGroup(ctx: RouteContext): Reply {
  const admin = adminOrReply(ctx, true, ['target_group_id'], MODIFY_DENIED);
  if (isReply(admin)) return admin;
  const raw = ctx.params.target_group_id ?? '';
  const list = admin.project.jobTokenScope.allowlistGroupIds;
  const targetId = Number(raw);
  if (!list.includes(targetId)) return badRequest('Target group is not in the job token scope');
  list.splice(list.indexOf(targetId), 1);
  return noContent();
}

export const allowlistRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/projects/:id/job_token_scope', auth: 'rest', handler: getScope },
  { method: 'PATCH', path: '/projects/:id/job_token_scope', auth: 'rest', handler: patchScope },
  { method: 'GET', path: '/projects/:id/job_token_scope/allowlist', auth: 'rest', handler: listProjects },
  { method: 'POST', path: '/projects/:id/job_token_scope/allowlist', auth: 'rest', handler: addProject },
  {
    method: 'DELETE',
    path: '/projects/:id/job_token_scope/allowlist/:target_project_id',
    auth: 'rest',
    handler: removeProject,
  },
  { method: 'GET', path: '/projects/:id/job_token_scope/groups_allowlist', auth: 'rest', handler: listGroups },
  { method: 'POST', path: '/projects/:id/job_token_scope/groups_allowlist', auth: 'rest', handler: addGroup },
  {
    method: 'DELETE',
    path: '/projects/:id/job_token_scope/groups_allowlist/:target_group_id',
    auth: 'rest',
    handler: removeGroup,
  },
];
