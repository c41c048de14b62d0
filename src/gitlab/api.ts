/** One function per GitLab endpoint glx calls, each with its docs page. */

import { GlxError } from '../errors.js';
import { displayUrl } from '../util/redact.js';
import { parseAnswer } from './client.js';
import type { GitLabClient, GitLabResponse, RetryInfo } from './client-types.js';
import { errorBody, invalidResponse } from './errors.js';
import {
  CiLintResult,
  Group,
  Job,
  Member,
  PackageProtectionRule,
  Project,
  Release,
  ReleaseLink,
  ReleaseLinks,
  RotatedToken,
  TokenSelf,
  User,
} from './schemas.js';
import { parseSimplePage, type SimpleFile } from './simple-page.js';
import { encodeId, type RegistryRef, simpleUrl } from './url.js';

/** https://docs.gitlab.com/api/users/#get-the-current-user */
export function getCurrentUser(client: GitLabClient): Promise<User> {
  return client.json({ path: '/user', subject: 'current user' }, User, 'GET /user');
}

/** https://docs.gitlab.com/api/personal_access_tokens/#self-inform — any scope may call it. */
export function getTokenSelf(client: GitLabClient): Promise<TokenSelf> {
  return client.json(
    { path: '/personal_access_tokens/self', subject: 'token' },
    TokenSelf,
    'GET /personal_access_tokens/self',
  );
}

export type RotateResult = { rotated: RotatedToken } | { refused: number; message: string };

/**
 * Revokes the calling token and creates its successor (scope api or self_rotate; lib/api/
 * personal_access_tokens/self_rotation.rb). 400 (a date GitLab will not take, or already revoked)
 * and 405 (not a personal, project or group access token) come back to the caller. The client must
 * not retry it: a repeat with the now revoked token makes GitLab revoke the new one too.
 * https://docs.gitlab.com/api/personal_access_tokens/#self-rotate
 */
export async function rotateTokenSelf(client: GitLabClient, expiresAt?: string): Promise<RotateResult> {
  const response = await client.request({
    method: 'POST',
    path: '/personal_access_tokens/self/rotate',
    ...(expiresAt ? { json: { expires_at: expiresAt } } : {}),
    accept: [400, 405],
    subject: 'token rotation',
  });
  if (response.status === 400 || response.status === 405)
    return { refused: response.status, message: answerMessage(response) };
  return { rotated: parseAnswer(response, RotatedToken, 'POST /personal_access_tokens/self/rotate', client.redact) };
}

/**
 * https://docs.gitlab.com/api/projects/#get-a-single-project — id is numeric or a full path. The old path of a
 * renamed or moved project answers 301 to `/api/v4/projects/<id>` (lib/api/helpers.rb `find_project!`): that one
 * redirect is followed, on the same origin only; the caller sees the new path in `path_with_namespace`.
 */
export async function getProject(client: GitLabClient, id: string): Promise<Project> {
  const subject = `project ${id}`;
  const response = await client.request({ path: `/projects/${encodeId(id)}`, subject });
  if (response.status !== 301 && response.status !== 308)
    return parseAnswer(response, Project, 'GET /projects/:id', client.redact);
  const target = new URL(response.headers.location ?? '', response.url);
  const api = new URL(client.apiUrl);
  if (
    target.origin !== api.origin ||
    !/^\/projects\/\d+$/.test(target.pathname.slice(api.pathname.replace(/\/$/, '').length))
  ) {
    throw new GlxError(
      'GITLAB_ERROR',
      `${subject}: GitLab redirected to ${displayUrl(target.toString())}, which is not a project on ${api.origin}`,
      'glx follows a rename only to the same GitLab; check --host, or use the numeric project id.',
    );
  }
  return client.json({ path: target.toString(), subject }, Project, 'GET /projects/:id');
}

/** https://docs.gitlab.com/api/groups/#get-a-single-group */
export function getGroup(client: GitLabClient, id: string): Promise<Group> {
  return client.json(
    { path: `/groups/${encodeId(id)}`, query: { with_projects: 'false' }, subject: `group ${id}` },
    Group,
    'GET /groups/:id',
  );
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
  return parseAnswer(response, Member, `GET /${base}/:id/members/all/:user_id`, client.redact);
}

/** https://docs.gitlab.com/api/jobs/#get-job-tokens-job — only a job token may call it. */
export function getJob(client: GitLabClient): Promise<Job> {
  return client.json({ path: '/job', subject: 'CI job token' }, Job, 'GET /job');
}

/**
 * GET the PyPI simple index with Basic auth, the way uv does, and return the raw answer
 * (https://docs.gitlab.com/api/packages/pypi/). Callers interpret 200/401/403/404.
 */
export function probeSimpleIndex(
  client: GitLabClient,
  ref: RegistryRef,
  auth: 'basic' | 'none' = 'basic',
): Promise<GitLabResponse> {
  return client.request({
    path: simpleUrl(client.baseUrl, ref),
    auth,
    headers: { accept: 'text/html' },
    accept: [401, 403, 404],
    subject: `${ref.kind} registry ${ref.id}`,
  });
}

/**
 * Lets the CI/CD job token of `allowedProjectId` into `registryProjectId` (the allowlist lives on the
 * project being accessed). Both ids must be numeric: a path answers 400 "id is invalid" (https://docs.gitlab.com/api/project_job_token_scopes/).
 * The raw answer goes back: 201 added, 400 already there, 403 needs Maintainer, 404 cannot see it.
 * https://docs.gitlab.com/api/project_job_token_scopes/#add-a-project-to-a-cicd-job-token-inbound-allowlist
 */
export function addToJobTokenAllowlist(
  client: GitLabClient,
  registryProjectId: string,
  allowedProjectId: string,
): Promise<GitLabResponse> {
  return client.request({
    method: 'POST',
    path: `/projects/${encodeId(registryProjectId)}/job_token_scope/allowlist`,
    json: { target_project_id: Number(allowedProjectId) },
    accept: [400, 403, 404],
    subject: `job-token allowlist of project ${registryProjectId}`,
  });
}

/**
 * The project's package protection rules, or undefined when this token may not list them (Maintainer+).
 * https://docs.gitlab.com/api/project_packages_protection_rules/#list-package-protection-rules
 */
export async function listPackageProtectionRules(
  client: GitLabClient,
  projectId: string,
): Promise<PackageProtectionRule[] | undefined> {
  const response = await client.request({
    path: `/projects/${encodeId(projectId)}/packages/protection/rules`,
    query: { per_page: 100 },
    accept: [401, 403, 404],
    subject: `package protection rules of project ${projectId}`,
  });
  if (response.status !== 200) return undefined;
  return parseWith(
    response,
    PackageProtectionRule.array(),
    'GET /projects/:id/packages/protection/rules',
    client.redact,
  );
}

/** GitLab's own check of a CI configuration, in the context of a project. https://docs.gitlab.com/api/lint/ */
export function lintCiConfig(client: GitLabClient, projectId: string, content: string): Promise<CiLintResult> {
  return client.json(
    { method: 'POST', path: `/projects/${encodeId(projectId)}/ci/lint`, json: { content }, subject: 'CI lint' },
    CiLintResult,
    'POST /projects/:id/ci/lint',
  );
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

function parseWith<T>(
  response: GitLabResponse,
  schema: { parse(value: unknown): T },
  endpoint: string,
  redact: (text: string) => string,
): T {
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    throw invalidResponse(endpoint, response, 'not JSON', redact);
  }
  try {
    return schema.parse(value);
  } catch (error) {
    const issue = (error as { issues?: Array<{ path: PropertyKey[]; message: string }> }).issues?.[0];
    throw invalidResponse(
      endpoint,
      response,
      issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : String(error),
      redact,
    );
  }
}

export type SimpleVersions =
  | { found: true; files: SimpleFile[] }
  | { found: false; reason: 'forwarded' | 'not-found'; location?: string };

/**
 * The project's versions page for one package (PEP 503 normalised name), with Basic auth as uv
 * sends it and redirects not followed: a package GitLab does not hold is answered with a 302 to
 * pypi.org when forwarding is on (https://docs.gitlab.com/api/packages/pypi/), which means "not here", never "look there".
 * https://docs.gitlab.com/api/packages/pypi/#download-a-package-file-ie-project-level-versions-page
 */
export async function getSimpleVersions(
  client: GitLabClient,
  projectId: string,
  normalizedName: string,
): Promise<SimpleVersions> {
  const response = await client.request({
    path: `/projects/${encodeId(projectId)}/packages/pypi/simple/${encodeURIComponent(normalizedName)}`,
    auth: 'basic',
    headers: { accept: 'text/html' },
    accept: [404],
    subject: `package ${normalizedName} in project ${projectId}`,
  });
  if (response.status === 404) return { found: false, reason: 'not-found' };
  if (response.status >= 300 && response.status < 400)
    return {
      found: false,
      reason: 'forwarded',
      ...(response.headers.location ? { location: response.headers.location } : {}),
    };
  if (response.status !== 200)
    throw invalidResponse(
      'GET /projects/:id/packages/pypi/simple/:package_name',
      response,
      `status ${response.status}`,
      client.redact,
    );
  return { found: true, files: parseSimplePage(response.body, response.url) };
}

export interface PypiUpload {
  body: () => AsyncIterable<Uint8Array>;
  contentType: string;
  length: number;
  subject: string;
  onRetry?: (retry: RetryInfo) => void;
}

/**
 * Workhorse stores the file before Rails answers; for a large file that can take longer than an
 * API call usually does, so the wait for the answer after the last byte is generous.
 */
const UPLOAD_ANSWER_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * The legacy upload form, streamed. 400 comes back to the caller: "File name has already been
 * taken" is how GitLab reports a file it already holds (https://docs.gitlab.com/api/packages/pypi/).
 * https://docs.gitlab.com/api/packages/pypi/#upload-a-package
 */
export function uploadPypiFile(client: GitLabClient, projectId: string, upload: PypiUpload): Promise<GitLabResponse> {
  return client.request({
    method: 'POST',
    path: `/projects/${encodeId(projectId)}/packages/pypi`,
    auth: 'basic',
    headers: { 'content-type': upload.contentType, 'content-length': String(upload.length) },
    body: upload.body,
    accept: [400],
    retryServerErrors: true,
    timeoutMs: UPLOAD_ANSWER_TIMEOUT_MS,
    subject: upload.subject,
    ...(upload.onRetry ? { onRetry: upload.onRetry } : {}),
  });
}

/** The message of a GitLab error answer (`message`, `error`), for the caller to match on. */
export function answerMessage(response: GitLabResponse): string {
  const body = errorBody(response);
  return body.message ?? body.error ?? response.body.trim().slice(0, 200);
}

/** https://docs.gitlab.com/api/releases/#get-a-release-by-a-tag-name — undefined when there is none. */
export async function getRelease(client: GitLabClient, projectId: string, tag: string): Promise<Release | undefined> {
  const response = await client.request({
    path: `/projects/${encodeId(projectId)}/releases/${encodeURIComponent(tag)}`,
    accept: [404],
    subject: `release ${tag}`,
  });
  if (response.status === 404) return undefined;
  return parseWith(response, Release, 'GET /projects/:id/releases/:tag_name', client.redact);
}

export type CreateReleaseResult = { created: Release } | { exists: true } | { refused: string };

/**
 * https://docs.gitlab.com/api/releases/#create-a-release. 409 means another run created it first;
 * 422 "Ref is not specified" means the tag does not exist and no ref was given (https://docs.gitlab.com/api/releases/links/).
 */
export async function createRelease(
  client: GitLabClient,
  projectId: string,
  release: { tag: string; ref?: string },
): Promise<CreateReleaseResult> {
  const response = await client.request({
    method: 'POST',
    path: `/projects/${encodeId(projectId)}/releases`,
    json: { tag_name: release.tag, name: release.tag, ...(release.ref ? { ref: release.ref } : {}) },
    accept: [409, 422],
    subject: `release ${release.tag}`,
  });
  if (response.status === 409) return { exists: true };
  if (response.status === 422) return { refused: answerMessage(response) };
  return { created: parseWith(response, Release, 'POST /projects/:id/releases', client.redact) };
}

/** Every asset link of a release, following pagination. https://docs.gitlab.com/api/releases/links/#list-links-of-a-release */
export async function listReleaseLinks(client: GitLabClient, projectId: string, tag: string): Promise<ReleaseLink[]> {
  const links: ReleaseLink[] = [];
  for (let page = 1; page <= 100; page++) {
    const response = await client.request({
      path: `/projects/${encodeId(projectId)}/releases/${encodeURIComponent(tag)}/assets/links`,
      query: { per_page: 100, page },
      subject: `links of release ${tag}`,
    });
    links.push(
      ...parseWith(response, ReleaseLinks, 'GET /projects/:id/releases/:tag_name/assets/links', client.redact),
    );
    const next = response.headers['x-next-page'];
    if (!next || Number(next) <= page) break;
  }
  return links;
}

export type CreateLinkResult = { created: ReleaseLink } | { refused: string };

/**
 * https://docs.gitlab.com/api/releases/links/#create-a-release-link. A name or URL already used in
 * the release answers 400 with the validation messages (https://docs.gitlab.com/api/releases/links/).
 */
export async function createReleaseLink(
  client: GitLabClient,
  projectId: string,
  tag: string,
  link: { name: string; url: string; linkType: 'package' | 'other' },
): Promise<CreateLinkResult> {
  const response = await client.request({
    method: 'POST',
    path: `/projects/${encodeId(projectId)}/releases/${encodeURIComponent(tag)}/assets/links`,
    json: { name: link.name, url: link.url, link_type: link.linkType },
    accept: [400],
    subject: `link ${link.name} of release ${tag}`,
  });
  if (response.status === 400) return { refused: answerMessage(response) };
  return {
    created: parseWith(response, ReleaseLink, 'POST /projects/:id/releases/:tag_name/assets/links', client.redact),
  };
}
