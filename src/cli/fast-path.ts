/**
 * What the start-up fast paths (main-env.ts, main-init.ts) share. The argument parser: node:util
 * parseArgs over the flag tables program.ts gives commander, so that a fast path needs no
 * commander. It answers only for what it reads exactly as commander does, and undefined for
 * anything else (an unknown flag, a missing value, a positional argument, two flags that
 * conflict), which the caller hands to the full CLI, so that messages stay commander's. And the
 * run: real Deps without a GitLab client, the command, its errors reported as run-cli.ts does.
 */
import { parseArgs } from 'node:util';
import { GlxError } from '../errors.js';
import { installProcessHandlers, setExitCode, systemDeps } from '../system.js';
import { type Context, createContext, type GlobalOptions } from './context.js';
import { type FlagSpec, GLOBAL_FLAGS, parseFlag } from './env-options.js';
import { reportError } from './report-error.js';

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export interface FastArgs {
  globals: GlobalOptions;
  /** The command's own options, keyed as commander keys them (defaults included). */
  raw: Record<string, unknown>;
}

/** `args` (after the command name) read against the global flags and the command's `own` flags. */
export function fastArgs(args: string[], own: readonly FlagSpec[]): FastArgs | undefined {
  const flags = [...GLOBAL_FLAGS, ...own].map((spec) => ({ spec, flag: parseFlag(spec) }));
  const options: ParseArgsOptions = {};
  for (const { spec, flag } of flags) {
    options[flag.long] = {
      type: flag.takesValue ? 'string' : 'boolean',
      ...(flag.short ? { short: flag.short } : {}),
      ...(spec.repeatable ? { multiple: true } : {}),
    };
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch {
    return undefined;
  }
  const globals: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const { spec, flag } of flags) {
    const value = values[flag.long];
    if (spec.conflicts !== undefined && value !== undefined && values[spec.conflicts] !== undefined) return undefined;
    const target = GLOBAL_FLAGS.includes(spec) ? globals : raw;
    if (value !== undefined) target[flag.key] = flag.negated ? !value : value;
    else if (spec.default !== undefined) target[flag.key] = spec.default;
  }
  return { globals: globals as GlobalOptions, raw };
}

/**
 * Runs a command of a fast path and sets the exit code. stdout is written directly (system.ts):
 * no stream objects to build. A fast path takes only arguments that need no GitLab call.
 */
export async function runFastPath(
  name: string,
  args: FastArgs,
  command: (ctx: Context) => Promise<number>,
): Promise<void> {
  installProcessHandlers({ directStdout: true });
  const deps = systemDeps(
    () => async () => {
      throw new GlxError('INTERNAL', `the ${name} fast path has no GitLab client`, 'Report this as a glx bug.');
    },
    { directStdout: true },
  );
  try {
    setExitCode(await command(createContext(deps, args.globals)));
  } catch (error) {
    setExitCode(reportError(error, deps, args.globals.color === false, args.globals.json === true));
  }
}
