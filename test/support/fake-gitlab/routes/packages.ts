/**
 * The generic Packages API, group listing only, and the project's package protection rules
 * (https://docs.gitlab.com/api/project_packages_protection_rules/). Group listing: `GET /groups/:id/packages`
 * (https://docs.gitlab.com/api/packages/#for-a-group; `gl:lib/api/group_packages.rb`,
 * `gl:lib/api/entities/package.rb`). `find_group!` (404 Group Not Found), then
 * `authorize_read_package!` on the group (403), then `Packages::GroupPackagesFinder`: packages of
 * the group's and (unless `exclude_subgroups`) its subgroups' projects that the caller may pull.
 * Group listings expose `project_id` and `project_path`.
 */
import { groupAbilities, groupIndexProjects, roleOn } from '../access.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import { forbidden, jsonReply, paginate, type Reply } from '../reply.js';
import { AccessLevel } from '../state.js';
import { findGroupOrReply, findProjectOrReply, isReply, stringParam } from './common.js';

const PACKAGE_TYPES = [
  'maven',
  'npm',
  'conan',
  'nuget',
  'pypi',
  'composer',
  'generic',
  'golang',
  'debian',
  'rubygems',
  'helm',
  'terraform_module',
  'rpm',
  'ml_model',
];

function listGroupPackages(ctx: RouteContext): Reply {
  const group = findGroupOrReply(ctx, ctx.params.id ?? '');
  if (isReply(group)) return group;
  if (!groupAbilities(ctx.state, group, ctx.principal, ctx.settings).readPackage) return forbidden();
  const type = stringParam(ctx.input, 'package_type');
  if (type !== undefined && !PACKAGE_TYPES.includes(type)) {
    return jsonReply(400, { error: 'package_type does not have a valid value' });
  }
  const excludeSubgroups = stringParam(ctx.input, 'exclude_subgroups') === 'true';
  const projects = groupIndexProjects(ctx.state, group, ctx.principal, ctx.settings).filter(
    (project) => !excludeSubgroups || project.namespaceId === group.id,
  );
  // Every package the fake stores is a PyPI package.
  const entries =
    type !== undefined && type !== 'pypi'
      ? []
      : projects.flatMap((project) =>
          project.packages.map((pkg, position) => ({
            id: project.id * 1000 + position + 1,
            name: pkg.name,
            version: pkg.version,
            package_type: 'pypi',
            status: 'default',
            _links: { web_path: `/${project.pathWithNamespace}/-/packages/${project.id * 1000 + position + 1}` },
            created_at: pkg.files[0]?.createdAt ?? ctx.now().toISOString(),
            project_id: project.id,
            project_path: project.pathWithNamespace,
            tags: [],
          })),
        );
  const page = paginate(entries, ctx.url);
  return jsonReply(200, page.items, page.headers);
}

/**
 * `GET /projects/:id/packages/protection/rules` (lib/api/project_packages_protection_rules.rb): `find_project!`,
 * then `authorize! :admin_package` (Maintainer), then the rules with lib/api/entities/projects/packages/protection/rule.rb.
 */
function listProtectionRules(ctx: RouteContext): Reply {
  const project = findProjectOrReply(ctx, ctx.params.id ?? '');
  if (isReply(project)) return project;
  if (roleOn(ctx.state, project, ctx.principal) < AccessLevel.maintainer) return forbidden();
  const rules = (project.protectionRules ?? []).map((rule) => ({
    id: rule.id,
    project_id: project.id,
    package_name_pattern: rule.packageNamePattern,
    package_type: 'pypi',
    minimum_access_level_for_delete: null,
    minimum_access_level_for_push: rule.minimumAccessLevelForPush,
  }));
  const page = paginate(rules, ctx.url);
  return jsonReply(200, page.items, page.headers);
}

export const packagesRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/groups/:id/packages', auth: 'rest', handler: listGroupPackages },
  { method: 'GET', path: '/projects/:id/packages/protection/rules', auth: 'rest', handler: listProtectionRules },
];
