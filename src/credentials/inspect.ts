/**
 * Ask GitLab what a token is and whether it can do what uv needs: kind, user, scopes, expiry,
 * role on each registry, and what the registry itself answers (https://docs.gitlab.com/api/personal_access_tokens/, https://docs.gitlab.com/user/permissions/).
 */
import { GlxError } from '../errors.js';
import {
  AccessLevel,
  answerMessage,
  getCurrentUser,
  getGroup,
  getJob,
  getMember,
  getProject,
  getTokenSelf,
  probeSimpleIndex,
  roleName,
} from '../gitlab/api.js';
import type { GitLabClient, GitLabResponse, TokenKind } from '../gitlab/client-types.js';
import type { RegistryRef } from '../gitlab/url.js';

export type Need = 'read' | 'publish';

export interface TokenReport {
  kind: TokenKind;
  /** The username uv must send with this token. */
  username: string;
  user?: { id: number; username: string; bot: boolean };
  name?: string;
  scopes?: string[];
  expiresAt?: string | null;
  /** Days until expiry (negative when past), when GitLab says. */
  expiresInDays?: number;
  job?: { id: number; projectId?: number };
}

export interface Problem {
  code: 'TOKEN_SCOPE' | 'TOKEN_ROLE' | 'GITLAB_AUTH' | 'GITLAB_NOT_FOUND' | 'GITLAB_ERROR' | 'REGISTRY_DISABLED';
  message: string;
  hint: string;
}

export interface RegistryCheck {
  ref: RegistryRef;
  url: string;
  role?: string;
  accessLevel?: number;
  visibility?: string;
  /** The project's `package_registry_access_level` (disabled, private, enabled, public), when GitLab said. */
  registryAccess?: string;
  /** Why the registry can be read without the usual role (a public group, a registry open to everyone). */
  note?: string;
  /** HTTP status of GET <simple URL> with these credentials, as uv would send them. */
  registryStatus?: number;
  problems: Problem[];
}

/** https://docs.gitlab.com/user/permissions/: reading needs read_api or api; publishing needs api. */
export function scopeProblem(report: TokenReport, need: Need): Problem | undefined {
  if (!report.scopes) return undefined;
  const scopes = new Set(report.scopes);
  if (need === 'publish' && !scopes.has('api')) {
    return {
      code: 'TOKEN_SCOPE',
      message: `the token's scopes (${report.scopes.join(', ') || 'none'}) cannot publish`,
      hint: 'Publishing needs scope api (read_api is read-only): create a token with api and run `glx auth --publish` again.',
    };
  }
  if (need === 'read' && !scopes.has('api') && !scopes.has('read_api')) {
    return {
      code: 'TOKEN_SCOPE',
      message: `the token's scopes (${report.scopes.join(', ') || 'none'}) cannot read package registries`,
      hint: 'Create a token with scope read_api (or api to publish too) and run `glx auth` again.',
    };
  }
  return undefined;
}

/** Warn when a token expires within this many days (auth, auth status and doctor alike). */
export const EXPIRY_WARNING_DAYS = 14;

/** "expires in 3 days (2026-11-25)" when the token expires soon, else undefined. */
export function expirySoon(report: Pick<TokenReport, 'expiresInDays' | 'expiresAt'>): string | undefined {
  const days = report.expiresInDays;
  if (days === undefined || days > EXPIRY_WARNING_DAYS) return undefined;
  return `expires in ${days} day${days === 1 ? '' : 's'} (${report.expiresAt})`;
}

/**
 * A CI job token dies with its job (https://docs.gitlab.com/security/tokens/): stored outside CI it only fails later,
 * with a 401 that looks like any other.
 */
export function jobTokenOutsideCi(
  kind: TokenKind,
  env: Record<string, string | undefined>,
  where: string,
): string | undefined {
  if (kind !== 'job' || env.GITLAB_CI === 'true') return undefined;
  return `a CI job token is stored in ${where} outside GitLab CI; it stops working when its job ends: store a personal, project or group access token instead`;
}

export function daysUntil(date: string, now: Date): number {
  // A token expires at 00:00 UTC on its expiry date (https://docs.gitlab.com/user/profile/personal_access_tokens/).
  const expiry = Date.parse(`${date}T00:00:00Z`);
  return Math.floor((expiry - now.getTime()) / 86_400_000);
}

/**
 * Introspects a token. Dead tokens (unknown, expired, revoked) throw the mapped GlxError.
 * `username` is required for deploy tokens (they have no introspection endpoint).
 */
export async function introspectToken(client: GitLabClient, now: Date, username?: string): Promise<TokenReport> {
  const kind = client.kind;
  if (kind === 'job') {
    const job = await getJob(client);
    return {
      kind: 'job',
      username: 'gitlab-ci-token',
      job: { id: job.id, projectId: job.pipeline?.project_id },
      ...(job.user?.id !== undefined && job.user.username
        ? { user: { id: job.user.id, username: job.user.username, bot: false } }
        : {}),
    };
  }
  if (kind === 'deploy') {
    if (!username)
      throw new GlxError(
        'USAGE',
        'a deploy token needs its username',
        'Pass --username <deploy-token-username> (shown when the deploy token was created, e.g. gitlab+deploy-token-12).',
      );
    return { kind: 'deploy', username };
  }
  const self = await getTokenSelf(client);
  if (self.revoked)
    throw new GlxError(
      'TOKEN_REVOKED',
      `the token "${self.name}" was revoked`,
      'Create a new token in GitLab and run `glx auth` again.',
    );
  const expiresInDays = self.expires_at ? daysUntil(self.expires_at, now) : undefined;
  if (self.expired === true || !self.active || (expiresInDays !== undefined && expiresInDays < 0)) {
    throw new GlxError(
      'TOKEN_EXPIRED',
      `the token "${self.name}" is no longer active${self.expires_at ? ` (expired ${self.expires_at})` : ''}`,
      'Create a new token in GitLab and run `glx auth` again.',
    );
  }
  let user: TokenReport['user'];
  try {
    const me = await getCurrentUser(client);
    user = { id: me.id, username: me.username, bot: me.bot === true };
  } catch (error) {
    // A token with only registry scopes may not read /user; the self endpoint still told us who.
    if (!(error instanceof GlxError && (error.code === 'TOKEN_SCOPE' || error.code === 'GITLAB_AUTH'))) throw error;
    user = { id: self.user_id, username: `user ${self.user_id}`, bot: false };
  }
  // https://docs.gitlab.com/security/tokens/: project/group access tokens are PATs of bot users named project_<id>_bot_<hex> / group_<id>_bot_<hex>.
  const refined: TokenKind = /^project_\d+_bot/.test(user.username)
    ? 'project'
    : /^group_\d+_bot/.test(user.username)
      ? 'group'
      : 'personal';
  return {
    kind: refined,
    username: username ?? '__token__',
    user,
    name: self.name,
    scopes: self.scopes,
    expiresAt: self.expires_at ?? null,
    ...(expiresInDays !== undefined ? { expiresInDays } : {}),
  };
}

/**
 * The error a command stops with for a registry problem: GitLab's "not found" and its other
 * failures mean these credentials cannot use the registry, so they exit as a credentials error.
 */
export function problemError(problem: Problem, message: string): GlxError {
  return new GlxError(
    problem.code === 'GITLAB_ERROR' || problem.code === 'GITLAB_NOT_FOUND' ? 'GITLAB_AUTH' : problem.code,
    message,
    problem.hint,
  );
}

/** Role, visibility and the registry's own answer for one GitLab index. */
export async function checkRegistry(
  client: GitLabClient,
  report: TokenReport,
  ref: RegistryRef,
  url: string,
  need: Need,
): Promise<RegistryCheck> {
  const check: RegistryCheck = { ref, url, problems: [] };
  const scope = report.kind !== 'deploy' && report.kind !== 'job' ? scopeProblem(report, need) : undefined;
  if (scope) check.problems.push(scope);
  // Without the scope the membership API answers 403 too; the scope is the thing to fix first.
  const roleKnowable =
    !scope &&
    report.user &&
    report.kind !== 'job' &&
    report.kind !== 'deploy' &&
    !/^user \d+$/.test(report.user.username);
  // The role lookups and the registry's own answer are independent: one round trip, not three.
  const [, probe] = await Promise.all([
    roleKnowable ? checkRole(client, report, ref, need, check) : undefined,
    probeSimpleIndex(client, ref, 'basic'),
  ]);
  check.registryStatus = probe.status;
  // The registry's own 200 to these credentials is the answer for reading: a public group, an internal project
  // or a registry open to everyone needs no role (app/policies/packages/policies/{group,project}_policy.rb).
  if (need === 'read' && probe.status === 200) {
    const guessed = check.problems.filter(
      (problem) => problem.code === 'TOKEN_ROLE' || problem.code === 'GITLAB_NOT_FOUND',
    );
    check.problems = check.problems.filter((problem) => !guessed.includes(problem));
    if (guessed.length > 0 || (check.role !== undefined && (check.accessLevel ?? 0) < AccessLevel.REPORTER))
      check.note = openReason(ref, check);
  }
  if (probe.status !== 200 && check.problems.length === 0) check.problems.push(registryProblem(probe, report, ref));
  if (need === 'publish' && ref.kind === 'group') {
    check.problems.push({
      code: 'GITLAB_ERROR',
      message: `group ${ref.id} has no upload endpoint`,
      hint: 'Publish to a project registry: glx init --project <id|path> --publish.',
    });
  }
  return check;
}

function openReason(ref: RegistryRef, check: RegistryCheck): string {
  if (check.registryAccess === 'public') return 'its package registry is open to everyone';
  if (check.visibility === 'public' || check.visibility === 'internal')
    return `a ${check.visibility} ${ref.kind}'s registry needs no role to read`;
  return 'GitLab lets these credentials read it without a role';
}

/** What a role is needed for, given who may read without one (https://gitlab.com/gitlab-org/gitlab/-/blob/master/app/policies/packages/policies/group_policy.rb). */
function requiredLevel(
  need: Need,
  ref: RegistryRef,
  visibility: string | undefined,
  registryAccess: string | undefined,
): number {
  if (need === 'publish') return AccessLevel.DEVELOPER;
  if (visibility === 'public' || (ref.kind === 'project' && (visibility === 'internal' || registryAccess === 'public')))
    return 0;
  return AccessLevel.REPORTER;
}

async function checkRole(
  client: GitLabClient,
  report: TokenReport,
  ref: RegistryRef,
  need: Need,
  check: RegistryCheck,
): Promise<void> {
  const user = report.user!;
  const [found, membership] = await Promise.allSettled([
    ref.kind === 'project' ? getProject(client, ref.id) : getGroup(client, ref.id),
    getMember(client, ref, user.id),
  ]);
  if (found.status === 'rejected') {
    const error = found.reason;
    if (error instanceof GlxError && error.code === 'GITLAB_NOT_FOUND') {
      const hint =
        ref.kind === 'project'
          ? 'Check the project id, or ask a Maintainer to add this user (Reporter to install, Developer to publish).'
          : 'Check the group id, or ask a group Owner to add this user (Reporter or higher).';
      check.problems.push({
        code: 'GITLAB_NOT_FOUND',
        message: `${ref.kind} ${ref.id} is not visible to ${user.username}`,
        hint,
      });
      return;
    }
    throw error;
  }
  const entity = found.value;
  check.visibility = entity.visibility;
  const project = 'path_with_namespace' in entity ? entity : undefined;
  const registryAccess = project?.package_registry_access_level;
  if (registryAccess !== undefined) check.registryAccess = registryAccess;
  if (membership.status === 'rejected') throw membership.reason;
  const member = membership.value;
  check.accessLevel = member?.access_level;
  check.role = member ? roleName(member.access_level) : 'not a member';
  if (project && (registryAccess === 'disabled' || project.packages_enabled === false)) {
    // `packages_disabled` prevents every package ability whatever the role (app/policies/project_policy.rb).
    check.problems.push({
      code: 'REGISTRY_DISABLED',
      message: `the package registry of project ${ref.id} is turned off`,
      hint: `A Maintainer turns it on in ${project.path_with_namespace}: Settings > General > Visibility, project features, permissions > Package registry.`,
    });
    return;
  }
  const required = requiredLevel(need, ref, check.visibility, registryAccess);
  if ((member?.access_level ?? 0) >= required) return;
  const what = ref.kind === 'group' ? `group ${ref.id}` : `project ${ref.id}`;
  const wanted = need === 'publish' ? 'Developer' : 'Reporter';
  const hint =
    ref.kind === 'group' && report.kind === 'project'
      ? 'A project access token is a member of its project only; a private group registry needs group membership: use a group access token or a personal token.'
      : ref.kind === 'group'
        ? `A private group registry needs membership of the group itself (Reporter or higher); ask a group Owner to add ${user.username}, or use a project registry.`
        : `Ask a Maintainer of ${what} to give ${user.username} the ${wanted} role (Manage > Members).`;
  check.problems.push({
    code: 'TOKEN_ROLE',
    message: `${user.username} is ${member ? roleName(member.access_level) : 'not a member'} on ${what}; ${need === 'publish' ? 'publishing' : 'installing'} needs ${wanted}`,
    hint,
  });
}

/** 403 from fine-grained job-token permissions (lib/api/helpers.rb `authorize_job_token_policies!`). */
export const JOB_TOKEN_PERMISSION = /token permission is required/i;

function registryProblem(probe: GitLabResponse, report: TokenReport, ref: RegistryRef): Problem {
  const status = probe.status;
  const what = `${ref.kind} registry ${ref.id}`;
  if (status === 401) {
    const hint =
      report.kind === 'job'
        ? 'uv must send the job token as username gitlab-ci-token (Basic auth), and only while its job runs.'
        : report.kind === 'deploy'
          ? // lib/gitlab/auth/auth_finders.rb looks deploy tokens up by the password alone: the username is never the cause.
            'GitLab did not find an active deploy token with this value: it is mistyped, revoked or expired (GitLab checks only the token, not the username).'
          : 'GitLab did not accept the token on the package API; check that it is active and has read_api.';
    return { code: 'GITLAB_AUTH', message: `${what} answered 401 to these credentials`, hint };
  }
  if (status === 403) {
    const detail = answerMessage(probe);
    if (report.kind === 'job' && JOB_TOKEN_PERMISSION.test(detail)) {
      return {
        code: 'GITLAB_AUTH',
        message: `${what} answered 403: ${detail.replace(/^403 Forbidden - /, '')}`,
        hint: `The job-token allowlist entry of this project on the registry project lacks the read packages permission: a Maintainer edits it (Settings > CI/CD > Job token permissions), or re-adds it with \`glx ci-setup --allowlist\`.`,
      };
    }
    const hint =
      ref.kind === 'group'
        ? 'A private group registry needs group membership (Reporter+) or a deploy token of that group; project tokens and project-only members get 403.'
        : report.kind === 'deploy'
          ? 'A deploy token reads only with scope read_package_registry (or write_package_registry), and only its own project or group.'
          : 'The credentials are valid but may not read this registry: a private project registry needs Reporter.';
    return {
      code: 'GITLAB_AUTH',
      message: `${what} answered 403: the credentials are valid but not allowed to read it`,
      hint,
    };
  }
  if (status === 404) {
    const jobHint =
      ref.kind === 'group'
        ? // Group PyPI routes skip job-token policies (lib/api/pypi_packages.rb `skip_job_token_policies: true`).
          'Group registries ignore the job-token allowlist: GitLab checks the user who started the pipeline, who must be able to read the group (Reporter in it, or a public group).'
        : "The job-token allowlist closes private projects only: add this project to the registry project's allowlist (`glx ci-setup --allowlist`).";
    return {
      code: 'GITLAB_NOT_FOUND',
      message: `${what} answered 404: it does not exist, or these credentials cannot see it`,
      hint:
        report.kind === 'job'
          ? jobHint
          : report.kind === 'deploy' && ref.kind === 'group'
            ? // app/policies/packages/policies/group_policy.rb: a group deploy token reads its own group's registry only.
              "A group deploy token reads only its own group's registry (not a subgroup's or a parent's): use the registry of the group it belongs to, or a deploy token of this group."
            : 'Check the id in pyproject.toml and that the token can see the project or group.',
    };
  }
  return {
    code: 'GITLAB_ERROR',
    message: `${what} answered ${status}`,
    hint: 'Run with --verbose to see the request.',
  };
}

export function kindLabel(kind: TokenKind): string {
  return {
    personal: 'Personal access token',
    project: 'Project access token',
    group: 'Group access token',
    deploy: 'Deploy token',
    job: 'CI job token',
    unknown: 'Token',
  }[kind];
}
