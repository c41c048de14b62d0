import { describe, expect, it } from 'vitest';
import { allowlistCall, curlCommand, interpretAnswer, uiPath } from '../../src/gitlab-ci/allowlist.js';

function answer(status: number, body: unknown) {
  return {
    status,
    headers: {},
    body: JSON.stringify(body),
    url: 'https://gitlab.example.com/api/v4/projects/7/job_token_scope/allowlist',
  };
}

describe('allowlist wording', () => {
  it('prints the call a maintainer can paste, with a placeholder for the token', () => {
    const call = allowlistCall('https://gitlab.example.com/api/v4', '7', '9');

    expect(curlCommand(call)).toBe(
      `curl --request POST --header "PRIVATE-TOKEN: <your token>" --header "Content-Type: application/json" --data '{"target_project_id":9}' "https://gitlab.example.com/api/v4/projects/7/job_token_scope/allowlist"`,
    );
    expect(uiPath('acme/tools', 'beta/app')).toBe(
      'acme/tools: Settings > CI/CD > Job token permissions > Add > Add group or project > beta/app',
    );
  });

  // The answers of https://docs.gitlab.com/api/project_job_token_scopes/#add-a-project-to-a-cicd-job-token-inbound-allowlist
  it.each([
    [201, { source_project_id: 7, target_project_id: 9 }, 'added'],
    [400, { message: '400 Bad request - Target project is already in the job token scope' }, 'present'],
    [403, { message: '403 Forbidden' }, 'not-permitted'],
    [404, { message: '404 Project Not Found' }, 'not-permitted'],
    [400, { error: 'id is invalid' }, 'failed'],
  ])('reads %i %j as %s', (status, body, expected) => {
    expect(interpretAnswer(answer(status, body)).status).toBe(expected);
  });
});
