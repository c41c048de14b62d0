/** Entry point of the full CLI: real Deps, then run-cli. */
import { runCli } from './cli/run-cli.js';
import type { Deps } from './deps.js';
import { installProcessHandlers, setExitCode, systemDeps } from './system.js';

/** undici and zod load here, on the first GitLab call, never at start-up. */
function gitlabFactory(env: Deps['env']): Deps['gitlab'] {
  return async (options) => {
    const { createGitLabClient } = await import('./gitlab/client.js');
    return createGitLabClient(options, { env });
  };
}

export async function main(argv: string[]): Promise<void> {
  installProcessHandlers();
  setExitCode(await runCli(argv, systemDeps(gitlabFactory)));
}
