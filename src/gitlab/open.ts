/**
 * The one place a GitLab client is wired to the run: its request log goes to the --verbose lines
 * of `log`, and nowhere without --verbose. Callers pass only what differs: the instance, the
 * token with its kind and username, the attempts.
 */
import type { Deps, Log } from '../deps.js';
import type { GitLabClient, GitLabClientOptions } from './client-types.js';

export type OpenOptions = Omit<GitLabClientOptions, 'log'>;

export function openGitLab(deps: Deps, log: Log, options: OpenOptions): Promise<GitLabClient> {
  return deps.gitlab({ ...options, log: log.verbose ? log.debug : undefined });
}
