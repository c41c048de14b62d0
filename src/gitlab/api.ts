/** One function per GitLab endpoint glx calls, each with its docs page. */
import type { GitLabClient, GitLabResponse } from './client-types.js';
import { Group, Job, Member, Project, TokenSelf, User, Version } from './schemas.js';
import { encodeId, type RegistryRef, simpleUrl } from './url.js';

/** https://docs.gitlab.com/api/metadata/ (authentication required since 15.x) */
export function getVersion(client: GitLabClient): Promise<Version> {
  return client.json({ path: '/version' }, Version, 'GET /version');
}

/** https://docs.gitlab.com/api/users/#get-the-current-user */
export function getCurrentUser(client: GitLabClient): Promise<User> {
  return client.json({ path: '/user', subject: 'current user' }, User, 'GET /user');
}

/** https://docs.gitlab.com/api/personal_access_tokens/#self-inform — any scope may call it. */
export function getTokenSelf(client: GitLabClient): Promise<TokenSelf> {
  return client.json({ path: '/personal_access_tokens/self', subject: 'token' }, TokenSelf, 'GET /personal_access_tokens/self');
}

/** https://docs.gitlab.com/api/projects/#get-a-single-project — id is numeric or a full path. */
export function getProject(client: GitLabClient, id: string): Promise<Project> {
  return client.json({ path: `/projects/${encodeId(id)}`, subject: `project ${id}` }, Project, 'GET /projects/:id');
}

/** https://docs.gitlab.com/api/groups/#get-a-single-group */
export function getGroup(client: GitLabClient, id: string): Promise<Group> {
  return client.json({ path: `/groups/${encodeId(id)}`, query: { with_projects: 'false' }, subject: `group ${id}` }, Group, 'GET /groups/:id');
}

/**
 * Effective membership including ancestors and invited groups; `undefined` when not a member.
 * https://docs.gitlab.com/api/members/#get-a-member-of-a-group-or-project-including-inherited-and-invited-members
 */
export async function getMember(client: GitLabClient, ref: RegistryRef, userId: number): Promise<Member | undefined> {
  const base = ref.kind === 'project' ? 'projects' : 'groups';
  const path = `/${base}/${encodeId(ref.id)}/members/all/${userId}`;
  const response = await client.request({ path, accept: [404], subject: `${ref.kind} ${ref.id} membership` });
  if (response.status === 404) return undefined;
  return client.json({ path }, Member, `GET /${base}/:id/members/all/:user_id`);
}

/** https://docs.gitlab.com/api/jobs/#get-job-tokens-job — only a job token may call it. */
export function getJob(client: GitLabClient): Promise<Job> {
  return client.json({ path: '/job', subject: 'CI job token' }, Job, 'GET /job');
}

/**
 * GET the PyPI simple index with Basic auth, the way uv does, and return the raw answer
 * (https://docs.gitlab.com/api/packages/pypi/). Callers interpret 200/401/403/404.
 */
export function probeSimpleIndex(client: GitLabClient, ref: RegistryRef, auth: 'basic' | 'none' = 'basic'): Promise<GitLabResponse> {
  return client.request({
    path: simpleUrl(client.baseUrl, ref),
    auth,
    headers: { accept: 'text/html' },
    accept: [401, 403, 404],
    subject: `${ref.kind} registry ${ref.id}`,
  });
}

/** Access levels, https://docs.gitlab.com/api/members/#roles */
export const AccessLevel = { GUEST: 10, PLANNER: 15, REPORTER: 20, DEVELOPER: 30, MAINTAINER: 40, OWNER: 50 } as const;

export function roleName(level: number): string {
  if (level >= 50) return 'Owner';
  if (level >= 40) return 'Maintainer';
  if (level >= 30) return 'Developer';
  if (level >= 20) return 'Reporter';
  if (level >= 15) return 'Planner';
  if (level >= 10) return 'Guest';
  if (level >= 5) return 'Minimal access';
  return 'No access';
}
