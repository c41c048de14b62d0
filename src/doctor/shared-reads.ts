/**
 * One answer per page for a doctor run. Two checks can read the same page with the same
 * credentials: in a CI job uv's credentials are often the job token itself, and then the access
 * check and the CI check both read the index page as gitlab-ci-token. The clients opened through
 * `sharedReads` ask GitLab once for each GET of the same URL, headers and credentials, and hand
 * every asker that answer (or that failure). Only plain GETs are shared (no body, no retry
 * callback); doctor writes nothing, and a run is one snapshot.
 */
import { parseAnswer } from '../gitlab/client.js';
import type { GitLabClient, GitLabRequest, GitLabResponse } from '../gitlab/client-types.js';
import type { OpenOptions } from '../gitlab/open.js';

export type Opener = (options: OpenOptions) => Promise<GitLabClient>;

export function sharedReads(open: Opener): Opener {
  const answers = new Map<string, Promise<GitLabResponse>>();
  return async (options) => {
    const client = await open(options);
    const request = (req: GitLabRequest): Promise<GitLabResponse> => {
      if ((req.method ?? 'GET') !== 'GET' || req.body || req.json !== undefined || req.onRetry)
        return client.request(req);
      // Everything that shapes the request or what counts as an answer; not `subject`, which only
      // names the request in an error message. The key stays in this process, as the token does.
      const key = JSON.stringify([
        client.apiUrl,
        client.kind,
        client.username ?? null,
        client.token ?? null,
        req.path,
        req.query ?? {},
        req.auth ?? 'api',
        req.headers ?? {},
        req.accept ?? [],
        req.followRedirects === true,
        req.timeoutMs ?? null,
      ]);
      let answer = answers.get(key);
      if (!answer) {
        answer = client.request(req);
        answers.set(key, answer);
      }
      return answer;
    };
    return {
      ...client,
      request,
      json: async (req, schema, endpoint) => parseAnswer(await request(req), schema, endpoint, client.redact),
    };
  };
}
