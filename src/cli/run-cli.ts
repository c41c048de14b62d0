/** Parse, dispatch, and turn every failure into `error:` + `hint:` lines and an exit code. */
import { CommanderError } from 'commander';
import type { Deps } from '../deps.js';
import { ExitCode } from '../errors.js';
import { configureFileLocks } from '../util/lock.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

export async function runCli(argv: string[], deps: Deps): Promise<number> {
  let exitCode: number = ExitCode.OK;
  configureFileLocks(deps.env);
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.OK;
      return ExitCode.USAGE;
    }
    return reportError(error, deps, argv.includes('--no-color'));
  }
}


