/**
 * What to do with each file and each release link, decided from what the registry already holds
 * (pure: the plan is what --dry-run prints). Same file name and sha256: skip. Same name, other
 * bytes: a conflict, since GitLab keeps one file per name and version (https://docs.gitlab.com/api/packages/pypi/).
 */
import type { SimpleFile } from '../gitlab/simple-page.js';

export type FileDecision =
  | { action: 'upload' }
  | { action: 'skip'; remote: SimpleFile }
  | { action: 'conflict'; remote: SimpleFile; reason: string };

export function decideFile(localSha256: string, remote: SimpleFile | undefined): FileDecision {
  if (!remote) return { action: 'upload' };
  if (!remote.sha256)
    return {
      action: 'conflict',
      remote,
      reason: 'the registry lists a file with this name but no sha256, so glx cannot tell whether it is the same file',
    };
  if (remote.sha256 === localSha256.toLowerCase()) return { action: 'skip', remote };
  return {
    action: 'conflict',
    remote,
    reason: `the registry holds a different file with this name (sha256 ${remote.sha256.slice(0, 12)}… there, ${localSha256.slice(0, 12)}… here)`,
  };
}

export interface WantedLink {
  name: string;
  url: string;
}

export interface ExistingLink {
  name: string;
  url: string;
}

export type LinkDecision = { action: 'create' } | { action: 'exists' } | { action: 'clash'; reason: string };

/** Link names and URLs are each unique within a release (https://docs.gitlab.com/api/releases/links/). */
export function decideLink(wanted: WantedLink, existing: readonly ExistingLink[]): LinkDecision {
  const byName = existing.find((link) => link.name === wanted.name);
  if (byName) {
    if (byName.url === wanted.url) return { action: 'exists' };
    return {
      action: 'clash',
      reason: `the release already has a link named ${wanted.name} to another URL (${byName.url})`,
    };
  }
  const byUrl = existing.find((link) => link.url === wanted.url);
  if (byUrl)
    return { action: 'clash', reason: `the release already links this file under another name (${byUrl.name})` };
  return { action: 'create' };
}

/** What became of a file in a publish run (or would, in a dry run). */
export type FileStatus = 'uploaded' | 'skipped' | 'conflict' | 'failed' | 'would-upload';

export type LinkStatus = 'created' | 'exists' | 'clash' | 'failed' | 'would-create';

export interface LinkReport {
  name: string;
  url: string;
  status: LinkStatus;
  message?: string;
}

/** A file of the run, as far as its release link goes: its registry URL once it is there. */
export interface LinkableFile {
  fileName: string;
  url: string | null;
  status: FileStatus;
}

export interface PlannedLink {
  link: WantedLink;
  decision: LinkDecision;
}

/** A link for each file that is (or, in a dry run, would be) on the registry. */
export function planLinks(files: readonly LinkableFile[], existing: readonly ExistingLink[]): PlannedLink[] {
  const wanted: PlannedLink[] = [];
  for (const file of files) {
    if (!file.url || (file.status !== 'uploaded' && file.status !== 'skipped' && file.status !== 'would-upload'))
      continue;
    const link = { name: file.fileName, url: file.url };
    wanted.push({ link, decision: decideLink(link, existing) });
  }
  return wanted;
}

export function linkReport(link: WantedLink, decision: LinkDecision, dryRun: boolean): LinkReport {
  if (decision.action === 'exists') return { ...link, status: 'exists' };
  if (decision.action === 'clash') return { ...link, status: 'clash', message: decision.reason };
  return { ...link, status: dryRun ? 'would-create' : 'created' };
}
