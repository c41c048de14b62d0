/** Parse, dispatch, and turn every failure into `error:` + `hint:` lines and an exit code. */
import { CommanderError } from 'commander';
import type { Deps } from '../deps.js';
import { ExitCode, usageError } from '../errors.js';
import { GLOBAL_FLAGS, parseFlag } from './env-options.js';
import { buildProgram } from './program.js';
import { errorFields, reportError } from './report-error.js';
import { suggest } from './suggest.js';

export async function runCli(argv: string[], deps: Deps): Promise<number> {
  let exitCode: number = ExitCode.OK;
  const program = buildProgram(deps, (code) => {
    exitCode = code;
  });
  try {
    const commands = program.commands.flatMap((command) => [command.name(), ...command.aliases()]);
    await program.parseAsync(helpAsFlag(argv, commands), { from: 'user' });
    return exitCode;
  } catch (error) {
    const json = argv.includes('--json');
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
        return ExitCode.OK;
      // commander wrote its message to stderr already; a script asking for JSON gets it as JSON too.
      if (json)
        deps.io.out(
          `${JSON.stringify(errorFields(usageError(error.message.replace(/^error: /, ''), 'Run the command with --help for usage and examples.'), deps), null, 2)}\n`,
        );
      return ExitCode.USAGE;
    }
    return reportError(error, deps, argv.includes('--no-color'), json);
  }
}

/**
 * `glx help auth status` as `glx auth status --help`: commander's help command takes one command
 * name, so it showed the help of `auth` instead. Global flags may come first.
 */
export function helpAsFlag(argv: string[], commands: readonly string[]): string[] {
  const valued = new Set(
    GLOBAL_FLAGS.map(parseFlag)
      .filter((flag) => flag.takesValue)
      .flatMap((flag) => [`--${flag.long}`, ...(flag.short ? [`-${flag.short}`] : [])]),
  );
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (valued.has(word)) {
      i++;
      continue;
    }
    if (word.startsWith('-')) continue;
    if (word !== 'help' || i + 1 >= argv.length) return argv;
    const topic = argv[i + 1]!;
    if (!commands.includes(topic)) {
      const near = suggest(topic, commands);
      throw usageError(
        `unknown command '${topic}'${near ? ` (did you mean ${near}?)` : ''}`,
        `Run \`glx --help\` for the list of commands${near ? `, or \`glx help ${near}\`` : ''}.`,
      );
    }
    return [...argv.slice(0, i), ...argv.slice(i + 1), '--help'];
  }
  return argv;
}
