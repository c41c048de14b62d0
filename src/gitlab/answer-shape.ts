/**
 * Why an answer to a JSON endpoint is not JSON, in words a user can act on. A redirect (an SSO
 * gateway, http→https, a moved instance) and an HTML page (a proxy's sign-in or error page) were
 * reported as "not JSON" or a schema error at the root (network faults). glx never
 * follows a redirect here: it would carry the token to wherever the Location points.
 */
import { displayUrl } from '../util/redact.js';
import type { GitLabResponse } from './client-types.js';

/** A description of the problem, or undefined when the answer may well be JSON. */
export function notAnApiAnswer(response: GitLabResponse): string | undefined {
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.location;
    const target = location ? displayUrl(new URL(location, response.url).toString()) : 'nowhere';
    return `a redirect (${response.status}) to ${target}, which glx does not follow with a token; is --host the GitLab instance itself?`;
  }
  const type = response.headers['content-type'] ?? '';
  if (/html/i.test(type) || /^\s*<(!doctype|html)/i.test(response.body)) {
    return 'an HTML page instead of an API answer (a proxy or a sign-in page in front of GitLab?)';
  }
  return undefined;
}
