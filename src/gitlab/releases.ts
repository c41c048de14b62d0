/**
 * The release half of `glx publish --release`: create the release when asked, then link each file
 * the registry holds to it as a `package` link (https://docs.gitlab.com/api/releases/links/). The
 * endpoints are in api.ts; which links to add is decided in dist/plan.ts.
 */
import type { Deps, Log } from '../deps.js';
import { decideLink, type LinkableFile, type LinkReport, linkReport, planLinks } from '../dist/plan.js';
import { GlxError, isGlxError } from '../errors.js';
import { createRelease, createReleaseLink, listReleaseLinks } from './api.js';
import type { GitLabClient } from './client-types.js';

/** --release-create: before any upload, so a tag that does not exist stops the run early. True when it was created. */
export async function ensureRelease(
  deps: Deps,
  log: Log,
  client: GitLabClient,
  projectId: string,
  tag: string,
): Promise<boolean> {
  const { env } = deps;
  // In a tag pipeline the tag exists; elsewhere CI_COMMIT_SHA lets GitLab create it (https://docs.gitlab.com/api/releases/links/: ref is needed when the tag is missing).
  const ref = env.GITLAB_CI === 'true' && env.CI_COMMIT_SHA ? env.CI_COMMIT_SHA : undefined;
  const result = await createRelease(client, projectId, { tag, ...(ref ? { ref } : {}) });
  if ('refused' in result) {
    // app/services/releases/create_service.rb: only "Ref is not specified" means a missing tag; a CI/CD Catalog
    // project's validation answers 422 too, with its own messages.
    const hint = /ref is not specified/i.test(result.refused)
      ? `The tag ${tag} does not exist yet: push it first (git push origin ${tag}), then publish again.`
      : 'GitLab gave the reason above; fix it in the project (e.g. a CI/CD Catalog project needs a description and a README), then publish again.';
    throw new GlxError('GITLAB_ERROR', `cannot create release ${tag}: ${result.refused}; nothing was uploaded`, hint);
  }
  if ('created' in result) log.debug(`created release ${tag}`);
  return 'created' in result;
}

/** The links a dry run would add, and those already there; a release that does not exist yet has none. */
export async function wouldLink(
  client: GitLabClient,
  projectId: string,
  tag: string,
  releaseExists: boolean,
  files: readonly LinkableFile[],
): Promise<LinkReport[]> {
  const existing = releaseExists ? await listReleaseLinks(client, projectId, tag) : [];
  return planLinks(files, existing).map(({ link, decision }) => linkReport(link, decision, true));
}

/** One `package` link per file on the registry; an identical link is fine, a clashing one is reported. */
export async function linkFiles(
  client: GitLabClient,
  projectId: string,
  tag: string,
  files: readonly LinkableFile[],
): Promise<LinkReport[]> {
  const existing = await listReleaseLinks(client, projectId, tag);
  const reports: LinkReport[] = [];
  for (const { link, decision } of planLinks(files, existing)) {
    if (decision.action !== 'create') {
      reports.push(linkReport(link, decision, false));
      continue;
    }
    try {
      const result = await createReleaseLink(client, projectId, tag, { ...link, linkType: 'package' });
      if ('created' in result) {
        reports.push({ ...link, status: 'created' });
        continue;
      }
      // Another run may have added it in the meantime: look again before calling it a clash.
      const again = decideLink(link, await listReleaseLinks(client, projectId, tag));
      reports.push(
        again.action === 'create'
          ? { ...link, status: 'failed', message: result.refused }
          : linkReport(link, again, false),
      );
    } catch (error) {
      if (!isGlxError(error)) throw error;
      reports.push({ ...link, status: 'failed', message: error.message });
    }
  }
  return reports;
}
