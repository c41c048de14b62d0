/** Who may do what: effective membership, visibility, the job-token scope (gitlab.md §5, §6, §7, §8). */
import {
  AccessLevel,
  type FakeState,
  type Group,
  type PackageProtectionRule,
  type Project,
  type Token,
  type User,
} from './state.js';

/** The identity a request ended up with after authentication (gitlab.md §2). */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: User; token: Token }
  | { kind: 'deploy'; token: Token }
  | { kind: 'job'; user: User; token: Token };

export interface AccessSettings {
  /** Feature flag `allow_guest_plus_roles_to_pull_packages` (gitlab.md §5). Default false. */
  guestCanPullPackages: boolean;
  /** Application setting `pypi_package_requests_forwarding` (gitlab.md §6). Default true. */
  forwardingDefault: boolean;
}

/** The group and its ancestors, nearest first. */
export function groupChain(state: FakeState, groupId: number): Group[] {
  const chain: Group[] = [];
  let current = state.groups.find((g) => g.id === groupId);
  while (current && !chain.includes(current)) {
    chain.push(current);
    const parentId = current.parentId;
    current = parentId == null ? undefined : state.groups.find((g) => g.id === parentId);
  }
  return chain;
}

/** The group and all its subgroups. */
export function groupSubtree(state: FakeState, groupId: number): Group[] {
  return state.groups.filter((g) => groupChain(state, g.id).some((a) => a.id === groupId));
}

export function projectsInSubtree(state: FakeState, groupId: number): Project[] {
  const ids = new Set(groupSubtree(state, groupId).map((g) => g.id));
  return state.projects.filter((p) => ids.has(p.namespaceId));
}

/** Highest access level over the group and its ancestors, as `/groups/:id/members/all` (gitlab.md §7). */
export function groupAccess(state: FakeState, groupId: number, userId: number): number {
  let level = 0;
  for (const group of groupChain(state, groupId)) {
    for (const m of group.members) if (m.userId === userId) level = Math.max(level, m.accessLevel);
  }
  return level;
}

/** Highest access level over the project and its namespace chain, as `/projects/:id/members/all`. */
export function projectAccess(state: FakeState, project: Project, userId: number): number {
  let level = groupAccess(state, project.namespaceId, userId);
  for (const m of project.members) if (m.userId === userId) level = Math.max(level, m.accessLevel);
  return level;
}

/**
 * gitlab.md §8 (`Ci::JobToken::Scope`): a job from project S may access T when S == T, T's inbound
 * scope is off, S is in T's project allowlist, or an ancestor group of S is in T's groups allowlist.
 */
export function jobTokenAllows(state: FakeState, sourceProjectId: number, target: Project): boolean {
  if (sourceProjectId === target.id) return true;
  if (!target.jobTokenScope.inboundEnabled) return true;
  if (target.jobTokenScope.allowlistProjectIds.includes(sourceProjectId)) return true;
  const source = state.projects.find((p) => p.id === sourceProjectId);
  if (!source) return false;
  return groupChain(state, source.namespaceId).some((g) => target.jobTokenScope.allowlistGroupIds.includes(g.id));
}

export interface ProjectAbilities {
  readProject: boolean;
  readPackage: boolean;
  createPackage: boolean;
  /** Effective role of the user behind the credential (0 for anonymous, deploy tokens, a refused job). */
  role: number;
  /** A job token whose project the target's allowlist does not admit (gitlab.md §3, §8). */
  jobTokenDenied: boolean;
}

function deployTokenCovers(state: FakeState, token: Token, project: Project): boolean {
  if (token.projectId !== undefined) return token.projectId === project.id;
  if (token.groupId === undefined) return false;
  // app/models/group_deploy_token.rb `has_access_to?`: projects of the group and of its subgroups.
  return groupChain(state, project.namespaceId).some((g) => g.id === token.groupId);
}

/**
 * What GitLab gives without any role (app/policies/packages/policies/project_policy.rb): a public project's
 * registry to anyone, an internal one's to any signed-in user, and a registry whose access level is
 * "everyone" (`packages_enabled_for_everyone`) to anyone, even inside a private project.
 */
function openAbilities(project: Project, signedIn: boolean, jobTokenDenied: boolean): ProjectAbilities {
  const readProject = project.visibility === 'public' || (signedIn && project.visibility === 'internal');
  const readPackage = registryOn(project) && (readProject || project.packageRegistryAccess === 'public');
  return { readProject, readPackage, createPackage: false, role: 0, jobTokenDenied };
}

/** `packages_disabled` prevents every package ability (app/policies/project_policy.rb). */
function registryOn(project: Project): boolean {
  return project.packageRegistryAccess !== 'disabled';
}

/** Package-registry abilities on a project (gitlab.md §5 tables; policies cited per branch). */
export function projectAbilities(
  state: FakeState,
  project: Project,
  principal: Principal,
  settings: AccessSettings,
): ProjectAbilities {
  if (principal.kind === 'anonymous') return openAbilities(project, false, false);
  if (principal.kind === 'deploy') {
    // app/policies/project_policy.rb `read_package_registry_deploy_token` / `write_package_registry_deploy_token`.
    const scopes = principal.token.scopes;
    if (!deployTokenCovers(state, principal.token, project)) return openAbilities(project, false, false);
    const canWrite = scopes.includes('write_package_registry');
    const canRead = canWrite || scopes.includes('read_package_registry');
    if (!canRead) return openAbilities(project, false, false);
    const on = registryOn(project);
    return { readProject: true, readPackage: on, createPackage: on && canWrite, role: 0, jobTokenDenied: false };
  }
  if (principal.kind === 'job' && !jobTokenAllows(state, principal.token.projectId ?? -1, project)) {
    // app/policies/project_policy.rb: a private project outside the job's scope is `prevent_all`; a public or
    // internal one loses every role (`public_or_internal & ~project_allowed_for_job_token_by_scope`) but gets
    // read_package and read_project back (`public_or_internal & job_token_package_registry`): reading works
    // without the allowlist, publishing does not.
    if (project.visibility === 'private') return openAbilities(project, false, true);
    const on = registryOn(project);
    return { readProject: true, readPackage: on, createPackage: false, role: 0, jobTokenDenied: true };
  }
  const role = projectAccess(state, project, principal.user.id);
  const pullLevel = settings.guestCanPullPackages ? AccessLevel.guest : AccessLevel.reporter;
  const open = openAbilities(project, true, false);
  const readProject = open.readProject || role >= AccessLevel.guest;
  const on = registryOn(project);
  // Packages::Policies::ProjectPolicy: Reporter (Guest with the flag), or the open cases above.
  const readPackage = on && (open.readPackage || role >= pullLevel);
  const createPackage = on && readProject && role >= AccessLevel.developer;
  return { readProject, readPackage, createPackage, role, jobTokenDenied: false };
}

/**
 * Fine-grained job-token permissions (`authorize_job_token_policies!`, lib/api/helpers.rb): an allowlist entry
 * with its own permission list must name the route's policy. Returns GitLab's 403 reason, or undefined.
 */
export function jobTokenPolicyDenial(project: Project, principal: Principal, policy: string): string | undefined {
  if (principal.kind !== 'job') return undefined;
  const source = principal.token.projectId ?? -1;
  if (source === project.id) return undefined;
  const policies = project.jobTokenScope.policies?.[source];
  if (policies === undefined || policies.includes(policy)) return undefined;
  return `Insufficient permissions to access this resource in project ${project.path}. The following token permission is required: ${policy}.`;
}

/** The package protection rule that refuses this push, if any (app/services/packages/protection/check_rule_existence_service.rb). */
export function protectingRule(
  state: FakeState,
  project: Project,
  principal: Principal,
  packageName: string,
): PackageProtectionRule | undefined {
  const rules = (project.protectionRules ?? []).filter((rule) =>
    protectionPatternMatches(rule.packageNamePattern, packageName),
  );
  if (principal.kind === 'deploy') return rules[0];
  if (principal.kind !== 'user' && principal.kind !== 'job') return undefined;
  const level = projectAccess(state, project, principal.user.id);
  return rules.find((rule) => level < PUSH_LEVEL[rule.minimumAccessLevelForPush]);
}

const PUSH_LEVEL: Record<PackageProtectionRule['minimumAccessLevelForPush'], number> = {
  maintainer: AccessLevel.maintainer,
  owner: AccessLevel.owner,
  // Nobody in the fake is an instance admin.
  admin: Number.POSITIVE_INFINITY,
};

/** app/models/packages/protection/rule.rb: `*` is the only wildcard; the rest matches literally, ignoring case. */
function protectionPatternMatches(pattern: string, name: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(name);
}

function memberOfSomethingInside(state: FakeState, group: Group, userId: number): boolean {
  const subtree = groupSubtree(state, group.id);
  if (subtree.some((g) => g.members.some((m) => m.userId === userId))) return true;
  return projectsInSubtree(state, group.id).some((p) => p.members.some((m) => m.userId === userId));
}

export interface GroupAbilities {
  readGroup: boolean;
  readPackage: boolean;
  role: number;
}

/** Group-level abilities for the group PyPI index (gitlab.md §5 "Group policy", §6 "Group index visibility"). */
export function groupAbilities(
  state: FakeState,
  group: Group,
  principal: Principal,
  settings: AccessSettings,
): GroupAbilities {
  const isPublic = group.visibility === 'public';
  if (principal.kind === 'anonymous') return { readGroup: isPublic, readPackage: isPublic, role: 0 };
  if (principal.kind === 'deploy') {
    const token = principal.token;
    // A group deploy token reads its own group's registry, not a subgroup's (GroupDeployToken#has_access_to_group?,
    // app/policies/packages/policies/group_policy.rb `read_package_registry_deploy_token`).
    const covers = token.groupId === group.id;
    const hasScope = token.scopes.some((s) => s === 'read_package_registry' || s === 'write_package_registry');
    // A project deploy token is not a group token: read_group is false (gitlab.md §5).
    if (covers && hasScope) return { readGroup: true, readPackage: true, role: 0 };
    return { readGroup: isPublic, readPackage: isPublic, role: 0 };
  }
  // Group PyPI routes say `skip_job_token_policies: true` (lib/api/pypi_packages.rb): a job token is just its
  // user there, and no allowlist is consulted.
  const userId = principal.user.id;
  const role = groupAccess(state, group.id, userId);
  const pullLevel = settings.guestCanPullPackages ? AccessLevel.guest : AccessLevel.reporter;
  // app/policies/packages/policies/group_policy.rb: `public_group` or `group.reporter` enable read_package.
  // Members of a project or subgroup inside a private group can see the group, not its packages.
  const readGroup =
    isPublic || group.visibility === 'internal' || role > 0 || memberOfSomethingInside(state, group, userId);
  const readPackage = isPublic || role >= pullLevel;
  return { readGroup, readPackage, role };
}

/**
 * Projects whose packages the group index shows (gitlab.md §6 "Group index visibility"): all projects of
 * the group and its subgroups that the caller can see with the pull role; a group deploy token sees all.
 */
export function groupIndexProjects(
  state: FakeState,
  group: Group,
  principal: Principal,
  settings: AccessSettings,
): Project[] {
  const projects = projectsInSubtree(state, group.id);
  if (principal.kind === 'deploy') {
    const token = principal.token;
    if (token.groupId !== undefined && groupChain(state, group.id).some((g) => g.id === token.groupId)) return projects;
    return projects.filter((p) => p.visibility === 'public');
  }
  // app/finders/packages/group_packages_finder.rb: projects visible to the user; the job-token scope plays no part.
  const asUser: Principal =
    principal.kind === 'job' ? { kind: 'user', user: principal.user, token: principal.token } : principal;
  return projects.filter((p) => projectAbilities(state, p, asUser, settings).readPackage);
}

/** May the caller see this project at all (`GET /projects/:id`, `find_project!`, gitlab.md §7)? */
export function canReadProject(state: FakeState, project: Project, principal: Principal): boolean {
  if (project.visibility === 'public') return true;
  if (principal.kind === 'anonymous' || principal.kind === 'deploy') return false;
  if (principal.kind === 'job' && !jobTokenAllows(state, principal.token.projectId ?? -1, project)) return false;
  if (project.visibility === 'internal') return true;
  return projectAccess(state, project, principal.user.id) >= AccessLevel.guest;
}

export function canReadGroup(state: FakeState, group: Group, principal: Principal): boolean {
  if (group.visibility === 'public') return true;
  if (principal.kind === 'anonymous' || principal.kind === 'deploy') return false;
  if (group.visibility === 'internal') return true;
  return (
    groupAccess(state, group.id, principal.user.id) > 0 || memberOfSomethingInside(state, group, principal.user.id)
  );
}

/** The effective role of the person behind a user or job credential on a project (0 otherwise). */
export function roleOn(state: FakeState, project: Project, principal: Principal): number {
  if (principal.kind !== 'user' && principal.kind !== 'job') return 0;
  if (principal.kind === 'job' && !jobTokenAllows(state, principal.token.projectId ?? -1, project)) return 0;
  return projectAccess(state, project, principal.user.id);
}

/** gitlab.md §6: forwarding is a cascading namespace setting; the nearest group that sets it wins. */
export function forwardingEnabled(state: FakeState, groupId: number, settings: AccessSettings): boolean {
  for (const group of groupChain(state, groupId)) {
    if (group.forwarding !== undefined) return group.forwarding;
  }
  return settings.forwardingDefault;
}
