/**
 * The CI/CD job-token allowlist entries a pipeline needs (https://docs.gitlab.com/api/project_job_token_scopes/): for each registry
 * project the pipeline reads, an entry on *that* project naming this one. Deciding and wording are
 * pure; ci-setup.ts makes the calls.
 */

import type { GitLabResponse } from '../gitlab/client-types.js';
import { errorBody, type GitLabErrorBody } from '../gitlab/errors.js';

export type AllowlistStatus = 'added' | 'present' | 'not-permitted' | 'failed' | 'planned';

export interface AllowlistCall {
  method: 'POST';
  url: string;
  body: { target_project_id: number };
}

export interface AllowlistEntry {
  /** The registry project whose allowlist gets the entry. */
  project: { id: string; path?: string };
  /** The pyproject.toml indexes that read it (a group index reaches each of its projects). */
  indexes: string[];
  status: AllowlistStatus;
  /** Why, for not-permitted and failed entries. */
  detail?: string;
  call: AllowlistCall;
}

/** POST /projects/:registry/job_token_scope/allowlist with {"target_project_id": this project}. */
export function allowlistCall(apiUrl: string, registryProjectId: string, allowedProjectId: string): AllowlistCall {
  return {
    method: 'POST',
    url: `${apiUrl}/projects/${registryProjectId}/job_token_scope/allowlist`,
    body: { target_project_id: Number(allowedProjectId) },
  };
}

/** The call as a maintainer can paste it, with a placeholder where their token goes. */
export function curlCommand(call: AllowlistCall): string {
  return `curl --request POST --header "PRIVATE-TOKEN: <your token>" --header "Content-Type: application/json" --data '${JSON.stringify(call.body)}' "${call.url}"`;
}

/** The same change in GitLab's UI (https://docs.gitlab.com/ci/jobs/ci_job_token/#add-a-group-or-project-to-the-job-token-allowlist). */
export function uiPath(registryProject: string, allowedProject: string): string {
  return `${registryProject}: Settings > CI/CD > Job token permissions > Add > Add group or project > ${allowedProject}`;
}

/** What an answer to the POST means (https://docs.gitlab.com/api/project_job_token_scopes/ lists the bodies). */
export function interpretAnswer(response: GitLabResponse): { status: AllowlistStatus; detail?: string } {
  const body: GitLabErrorBody = errorBody(response);
  const message = body.message ?? body.error ?? '';
  if (response.status === 201) return { status: 'added' };
  if (response.status === 400 && /already in the job token scope/i.test(message)) return { status: 'present' };
  if (response.status === 403)
    return { status: 'not-permitted', detail: 'changing the allowlist needs the Maintainer role on that project' };
  if (response.status === 404)
    return { status: 'not-permitted', detail: 'not found, or this token cannot see that project' };
  return { status: 'failed', detail: `HTTP ${response.status}: ${message || response.body.slice(0, 120)}` };
}
