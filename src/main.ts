/** Entry point of the full CLI: real Deps, then run-cli. */
import { runCli } from './cli/run-cli.js';
import type { Deps } from './deps.js';
import { installProcessHandlers, setExitCode, systemDeps } from './system.js';

/** The GitLab client, undici with it, is imported on the first GitLab call: a command that makes none never loads it. */
function gitlabFactory(env: Deps['env'], secrets: Deps['secrets']): Deps['gitlab'] {
  const timeoutMs = httpTimeout(env.GLX_HTTP_TIMEOUT_MS);
  return async (options) => {
    const { createGitLabClient } = await import('./gitlab/client.js');
    return createGitLabClient(
      timeoutMs === undefined || options.timeoutMs !== undefined ? options : { ...options, timeoutMs },
      { env, secrets },
    );
  };
}

/**
 * `GLX_HTTP_TIMEOUT_MS` (milliseconds): the per-request timeout of the GitLab client, 30 s by
 * default. For a slow proxy, or for tests that drive a stalled server without waiting.
 */
function httpTimeout(raw: string | undefined): number | undefined {
  const value = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

export async function main(argv: string[]): Promise<void> {
  installProcessHandlers();
  setExitCode(await runCli(argv, systemDeps(gitlabFactory)));
}
