/**
 * Checks that ask GitLab (and pypi.org): what the credentials are, whether they can read each
 * registry, whether GitLab forwards misses to pypi.org, and in CI whether the job token is allowed.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import {
  checkRegistry,
  expirySoon,
  JOB_TOKEN_PERMISSION,
  kindLabel,
  type Need,
  type TokenReport,
} from '../credentials/inspect.js';
import type { Deps, Log } from '../deps.js';
import type { GlxError } from '../errors.js';
import { answerMessage } from '../gitlab/api.js';
import { dispatcherFor } from '../gitlab/client.js';
import type { GitLabClient } from '../gitlab/client-types.js';
import type { GitLabIndex } from '../resolve/indexes.js';
import { withoutUserinfo } from '../util/redact.js';
import { type Check, check } from './check.js';

export function tokenCheck(index: GitLabIndex, report: TokenReport): Check {
  const id = `index.${index.entry.name}.token`;
  const title = `index ${index.entry.name}: token`;
  const who = report.user ? ` of ${report.user.username}` : '';
  const scopes = report.scopes ? `, scopes ${report.scopes.join(', ')}` : '';
  const summary = `${kindLabel(report.kind)}${who}${scopes}, username ${report.username}`;
  const soon = expirySoon(report);
  if (soon)
    return check(
      id,
      'warn',
      title,
      `${summary}; ${soon}`,
      'glx auth rotate   (GitLab renews it in place; needs scope api or self_rotate; or create a new token and run glx auth --netrc)',
    );
  return check(id, 'ok', title, `${summary}${report.expiresAt ? `, expires ${report.expiresAt}` : ''}`);
}

export function tokenErrorCheck(index: GitLabIndex, error: GlxError): Check {
  return check(
    `index.${index.entry.name}.token`,
    'fail',
    `index ${index.entry.name}: token`,
    error.message,
    error.hint ?? 'glx auth --netrc',
  );
}

export async function accessCheck(client: GitLabClient, index: GitLabIndex, report: TokenReport): Promise<Check> {
  const need: Need = 'read';
  const result = await checkRegistry(client, report, index.registry, index.entry.url, need);
  const title = `index ${index.entry.name}: access`;
  const id = `index.${index.entry.name}.access`;
  const problem = result.problems[0];
  if (problem) return check(id, 'fail', title, problem.message, problem.hint);
  const role = result.role ? `${result.role}; ` : '';
  return check(
    id,
    'ok',
    title,
    `${role}the registry answered ${result.registryStatus} to these credentials${result.note ? ` (${result.note})` : ''}`,
  );
}

/**
 * GitLab answers a miss with a 302 to pypi.org when "Forward PyPI package requests" is on
 * (https://docs.gitlab.com/api/packages/pypi/): probe a name that cannot exist, without following redirects.
 */
export async function forwardingCheck(client: GitLabClient, index: GitLabIndex): Promise<Check> {
  const name = `glx-doctor-probe-${randomUUID().slice(0, 8)}`;
  const response = await client.request({
    path: `${withoutUserinfo(index.entry.url.replace(/\/$/, ''))}/${name}/`,
    auth: 'basic',
    headers: { accept: 'text/html' },
    accept: [302, 401, 403, 404],
  });
  const title = `index ${index.entry.name}: forwarding`;
  const id = `index.${index.entry.name}.forwarding`;
  if (response.status === 302 || response.status === 301) {
    const explicit = index.entry.explicit === true;
    return check(
      id,
      explicit ? 'ok' : 'warn',
      title,
      explicit
        ? 'GitLab forwards misses to pypi.org, but the index is explicit: only pinned packages use it'
        : 'GitLab forwards any package it does not hold to pypi.org: a public package can stand in for an internal one (dependency confusion)',
      explicit
        ? undefined
        : `Set explicit = true and pin internal packages (glx init --${index.registry.kind} ${index.registry.id} --name ${index.entry.name} --package <name>), and ask a group Owner to turn off Settings > Packages and registries > Forward PyPI package requests.`,
    );
  }
  if (response.status === 404) return check(id, 'ok', title, 'GitLab does not forward misses to pypi.org');
  return check(id, 'skip', title, `could not tell (the registry answered ${response.status})`);
}

/** A package pinned to a GitLab index that GitLab would forward, or that exists on pypi.org too. */
export async function confusionCheck(
  deps: Deps,
  log: Log,
  client: GitLabClient,
  index: GitLabIndex,
  pkg: string,
  checkPypi: boolean,
): Promise<Check> {
  const normalized = pkg.toLowerCase().replace(/[-_.]+/g, '-');
  const id = `package.${normalized}.confusion`;
  const title = `package ${pkg}`;
  const response = await client.request({
    path: `${withoutUserinfo(index.entry.url.replace(/\/$/, ''))}/${normalized}/`,
    auth: 'basic',
    headers: { accept: 'text/html' },
    accept: [302, 401, 403, 404],
  });
  if (response.status === 302 || response.status === 301) {
    return check(
      id,
      'warn',
      title,
      `pinned to "${index.entry.name}", but that registry does not hold it and GitLab forwards the request to pypi.org: uv would install whatever pypi.org has under that name`,
      'Publish the package to the registry, and ask a group Owner to turn off Settings > Packages and registries > Forward PyPI package requests.',
    );
  }
  if (!checkPypi) {
    // Asking pypi.org would tell it the names of internal packages: only on request.
    return check(
      id,
      'ok',
      title,
      `pinned to "${index.entry.name}"; the registry answered ${response.status}; pypi.org not asked (glx doctor --check-pypi compares the name with pypi.org)`,
    );
  }
  const onPypi = await existsOnPypi(deps, log, normalized);
  if (onPypi === true) {
    return check(
      id,
      'warn',
      title,
      `pinned to "${index.entry.name}", and a package of the same name exists on pypi.org: if the pin is ever lost, uv may install the public one`,
      `Keep explicit = true on "${index.entry.name}" and the pin in [tool.uv.sources]; consider a scoped name (e.g. acme-${normalized}).`,
    );
  }
  const pypiNote =
    onPypi === undefined ? ' (pypi.org not reachable to compare)' : ', and pypi.org has no package of that name';
  return check(id, 'ok', title, `pinned to "${index.entry.name}"; the registry answered ${response.status}${pypiNote}`);
}

/** `GLX_PYPI_URL` points at a PyPI mirror (or a test server); default https://pypi.org/simple. */
async function existsOnPypi(deps: Deps, log: Log, normalized: string): Promise<boolean | undefined> {
  const base = (deps.env.GLX_PYPI_URL ?? 'https://pypi.org/simple').replace(/\/$/, '');
  const url = `${base}/${normalized}/`;
  log.debug(`GET ${url} (--check-pypi)`);
  try {
    const response = await request(url, {
      method: 'GET',
      dispatcher: dispatcherFor({ env: deps.env, timeoutMs: 3_000 }),
      headers: { accept: 'text/html' },
    });
    await response.body.dump();
    if (response.statusCode === 200) return true;
    if (response.statusCode === 404) return false;
    return undefined;
  } catch {
    return undefined;
  }
}

/**
 * In CI: can the job token read the registry, and if not, why (https://docs.gitlab.com/ci/jobs/ci_job_token/). The allowlist closes
 * private projects only, and group registries skip job-token policies altogether: there the user who started
 * the pipeline must be able to read the group. `client` carries the job token as gitlab-ci-token.
 */
export async function ciCheck(deps: Deps, client: GitLabClient, index: GitLabIndex): Promise<Check> {
  const id = `ci.${index.entry.name}.job-token`;
  const title = `CI: index ${index.entry.name}`;
  const response = await client.request({
    path: withoutUserinfo(index.entry.url),
    auth: 'basic',
    headers: { accept: 'text/html' },
    accept: [401, 403, 404],
  });
  const { env } = deps;
  const self = index.registry.kind === 'project' && index.registry.id === env.CI_PROJECT_ID;
  const jobUser = env.GITLAB_USER_LOGIN
    ? `${env.GITLAB_USER_LOGIN} (who started this pipeline)`
    : 'the user who started this pipeline';
  if (response.status === 200) return check(id, 'ok', title, 'the job token can read this registry');
  if (response.status === 401)
    return check(
      id,
      'fail',
      title,
      'the job token was refused (401): it works only while its job runs, sent as gitlab-ci-token with Basic auth',
      'Use UV_INDEX_<NAME>_USERNAME=gitlab-ci-token and _PASSWORD=$CI_JOB_TOKEN (glx ci-setup writes them).',
    );
  if (index.registry.kind === 'group' && (response.status === 403 || response.status === 404)) {
    // lib/api/pypi_packages.rb: group routes say `skip_job_token_policies: true`; no allowlist entry changes this.
    return check(
      id,
      'fail',
      title,
      `the job token gets ${response.status}: group ${index.registry.id} is read with the rights of ${jobUser}, who cannot ${response.status === 404 ? 'see the group' : "read the group's packages"} (group registries ignore the job-token allowlist)`,
      `Give ${env.GITLAB_USER_LOGIN ?? 'that user'} the Reporter role in group ${index.registry.id}, or read through a project registry, or use a group deploy token for CI.`,
    );
  }
  const detail = answerMessage(response);
  if (response.status === 403 && JOB_TOKEN_PERMISSION.test(detail)) {
    return check(
      id,
      'fail',
      title,
      `the job token gets 403: ${detail.replace(/^403 Forbidden - /, '')}`,
      `The allowlist entry for ${env.CI_PROJECT_PATH ?? 'this project'} on project ${index.registry.id} lacks the read packages permission: a Maintainer adds it (Settings > CI/CD > Job token permissions), or re-adds the entry with glx ci-setup --allowlist.`,
    );
  }
  if (response.status === 404 && !self) {
    // Only a private project answers a job token from outside its allowlist with 404; public and internal
    // projects give read_package back to any job token (app/policies/project_policy.rb).
    return check(
      id,
      'fail',
      title,
      `the job token gets 404: project ${index.registry.id} is private and does not allow jobs of ${env.CI_PROJECT_PATH ?? 'this project'} (job-token allowlist), or ${jobUser} cannot see it`,
      `A Maintainer of the registry project runs: glx ci-setup --allowlist   (or Settings > CI/CD > Job token permissions > Add project ${env.CI_PROJECT_PATH ?? ''})`.trim(),
    );
  }
  if (response.status === 403)
    return check(
      id,
      'fail',
      title,
      `the job token is allowed in but may not read packages (403): ${jobUser} lacks the Reporter role on project ${index.registry.id}, or its package registry is turned off`,
      `Give that user Reporter on project ${index.registry.id}, or check Settings > General > Visibility > Package registry there.`,
    );
  return check(
    id,
    'fail',
    title,
    `the registry answered ${response.status} to the job token`,
    'Run with --verbose to see the request.',
  );
}
