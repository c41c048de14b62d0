/**
 * The CI/CD job-token allowlist entries a pipeline needs (https://docs.gitlab.com/api/project_job_token_scopes/): for each registry
 * project the pipeline reads, an entry on *that* project naming this one. Deciding and wording are
 * pure; fixAllowlist makes the calls, and `glx ci-setup --allowlist` prints allowlistLines.
 */

import type { Deps, Log } from '../deps.js';
import { addToJobTokenAllowlist, getGroup, getProject } from '../gitlab/api.js';
import type { GitLabClient, GitLabResponse } from '../gitlab/client-types.js';
import { errorBody, type GitLabErrorBody } from '../gitlab/errors.js';
import type { GitLabIndex } from '../resolve/indexes.js';
import { type LookupOptions, type RegistryTarget, resolveNumericId } from '../resolve/registry.js';

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

export interface AllowlistReport {
  project: { id: string; path?: string };
  entries: AllowlistEntry[];
  notes: string[];
}

export interface AllowlistOptions {
  /** This project, as --project, CI_PROJECT_ID or the git remote name it (a path is looked up). */
  self: RegistryTarget;
  /** The GitLab indexes on the pipeline's instance. */
  indexes: GitLabIndex[];
  /** How a path becomes a numeric id. */
  lookup: LookupOptions;
  /** Plan the entries, make no call that changes anything. */
  dryRun: boolean;
}

/** Adds this project to the allowlist of every private registry project the indexes read. */
export async function fixAllowlist(
  deps: Deps,
  log: Log,
  client: GitLabClient,
  options: AllowlistOptions,
): Promise<AllowlistReport> {
  // https://docs.gitlab.com/api/project_job_token_scopes/: the POST takes numeric ids only, on both sides.
  const self = await withPath(client, await resolveNumericId(deps, log, options.self, options.lookup));
  const notes: string[] = [];
  const targets = new Map<string, { id: string; path?: string; indexes: string[] }>();
  const add = (id: string, projectPath: string | undefined, index: string) => {
    if (id === self.id) {
      notes.push(`index "${index}" is this project's own registry: its jobs always have access.`);
      return;
    }
    const known = targets.get(id);
    if (known) known.indexes.push(index);
    else targets.set(id, { id, ...(projectPath ? { path: projectPath } : {}), indexes: [index] });
  };
  for (const index of options.indexes) {
    const name = index.entry.name;
    const { kind, id } = index.registry;
    if (kind === 'group') {
      // lib/api/pypi_packages.rb: group routes say `skip_job_token_policies: true`; no allowlist is consulted.
      notes.push(
        `index "${name}" reads group ${id}'s registry: group registries do not check job-token allowlists (a job reads them with the rights of the user who started the pipeline), so none is changed.`,
      );
      continue;
    }
    const target = await withPath(client, await resolveNumericId(deps, log, { kind, id }, options.lookup));
    if (target.id !== self.id && (target.visibility === 'public' || target.visibility === 'internal')) {
      // app/policies/project_policy.rb `public_or_internal & job_token_package_registry`: read_package without the allowlist.
      notes.push(
        `index "${name}" reads ${target.visibility} project ${target.path ?? target.id}: job tokens of any project may read its registry without the allowlist, so no entry is added (publishing there would need one).`,
      );
      continue;
    }
    add(target.id, target.path, name);
  }
  const entries: AllowlistEntry[] = [];
  for (const target of targets.values()) {
    const call = allowlistCall(client.apiUrl, target.id, self.id);
    const project = { id: target.id, ...(target.path ? { path: target.path } : {}) };
    if (options.dryRun) {
      entries.push({ project, indexes: target.indexes, status: 'planned', call });
      continue;
    }
    const answer = interpretAnswer(await addToJobTokenAllowlist(client, target.id, self.id));
    entries.push({ project, indexes: target.indexes, ...answer, call });
  }
  return { project: { id: self.id, ...(self.path ? { path: self.path } : {}) }, entries, notes };
}

/** The report and the UI path read better with the full path, and the allowlist matters only for private projects. */
async function withPath(client: GitLabClient, target: RegistryTarget): Promise<RegistryTarget> {
  if (target.path && (target.kind === 'group' || target.visibility)) return target;
  try {
    if (target.kind === 'group') return { ...target, path: (await getGroup(client, target.id)).full_path };
    const project = await getProject(client, target.id);
    return {
      ...target,
      path: project.path_with_namespace,
      ...(project.visibility ? { visibility: project.visibility } : {}),
    };
  } catch {
    // Not visible to this token: the POST will say so; the id alone names it.
    return target;
  }
}

const STATUS_WORDS: Record<AllowlistStatus, string> = {
  added: 'added',
  present: 'already there',
  'not-permitted': 'not permitted',
  failed: 'failed',
  planned: 'would add',
};

/** The report as status lines: each entry, the call or UI path a maintainer can use where it failed, the notes. */
export function allowlistLines(report: AllowlistReport, dryRun: boolean): string[] {
  const lines: string[] = [];
  const self = report.project.path ?? `project ${report.project.id}`;
  lines.push(
    `Job-token allowlist entries for ${self} (id ${report.project.id})${dryRun ? ' — dry run, no call made' : ''}:`,
  );
  if (report.entries.length === 0) lines.push('  none needed.');
  for (const entry of report.entries) {
    const where = `${entry.project.path ?? `project ${entry.project.id}`} (id ${entry.project.id}), read through index ${entry.indexes.map((name) => `"${name}"`).join(', ')}`;
    const word = STATUS_WORDS[entry.status].padEnd(14);
    if (entry.status === 'planned') {
      lines.push(`  ${word}${where}`);
      lines.push(`                ${entry.call.method} ${entry.call.url} ${JSON.stringify(entry.call.body)}`);
      continue;
    }
    lines.push(`  ${word}${where}${entry.detail ? `: ${entry.detail}` : ''}`);
    if (entry.status === 'not-permitted' || entry.status === 'failed') {
      lines.push(`                A maintainer of ${entry.project.path ?? `project ${entry.project.id}`} can run:`);
      lines.push(`                  ${curlCommand(entry.call)}`);
      lines.push(`                or in GitLab: ${uiPath(entry.project.path ?? `project ${entry.project.id}`, self)}`);
    }
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  return lines;
}
