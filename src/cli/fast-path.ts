/**
 * What the start-up fast paths (main-env.ts, main-init.ts) share. The argument reader: the flag
 * tables program.ts gives commander, read without commander (or node:util parseArgs, whose
 * loading alone costs a shell start-up a millisecond). It answers only for the plain forms it
 * reads exactly as commander does (`--flag`, `--flag value`, `--flag=value`, `-f`, `-f value`),
 * and undefined for anything else (an unknown flag, a missing value or one that starts with "-",
 * grouped short flags, `--`, a positional argument, two flags that conflict), which the caller
 * hands to the full CLI, so that messages stay commander's. And the run: real Deps without a
 * GitLab client, the command, its errors reported as run-cli.ts does.
 */
import { GlxError } from '../errors.js';
import { installProcessHandlers, setExitCode, systemDeps } from '../system.js';
import { type Context, createContext, type GlobalOptions } from './context.js';
import { type FlagSpec, GLOBAL_FLAGS, type ParsedFlag, parseFlag } from './env-options.js';
import { reportError } from './report-error.js';

export interface FastArgs {
  globals: GlobalOptions;
  /** The command's own options, keyed as commander keys them (defaults included). */
  raw: Record<string, unknown>;
}

/** `args` (after the command name) read against the global flags and the command's `own` flags. */
export function fastArgs(args: string[], own: readonly FlagSpec[]): FastArgs | undefined {
  const flags = [...GLOBAL_FLAGS, ...own].map((spec) => ({ spec, flag: parseFlag(spec) }));
  const values = readFlags(args, flags);
  if (!values) return undefined;
  const globals: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const { spec, flag } of flags) {
    const value = values.get(flag.long);
    if (spec.conflicts !== undefined && value !== undefined && values.has(spec.conflicts)) return undefined;
    const target = GLOBAL_FLAGS.includes(spec) ? globals : raw;
    if (value !== undefined) target[flag.key] = flag.negated ? !value : value;
    else if (spec.default !== undefined) target[flag.key] = spec.default;
  }
  return { globals: globals as GlobalOptions, raw };
}

/**
 * Long flag name → true, its value, or its values (a repeatable flag), the last one winning
 * otherwise, as with commander; undefined for any argument that is not one of the plain forms
 * (`--` among them: no flag is named '').
 */
function readFlags(
  args: string[],
  flags: readonly { spec: FlagSpec; flag: ParsedFlag }[],
): Map<string, true | string | string[]> | undefined {
  const values = new Map<string, true | string | string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const long = arg.startsWith('--');
    const inline = long ? arg.indexOf('=') : -1;
    const found = long
      ? flags.find(({ flag }) => flag.long === arg.slice(2, inline > 0 ? inline : undefined))
      : /^-\w$/.test(arg)
        ? flags.find(({ flag }) => flag.short === arg[1])
        : undefined;
    if (!found) return undefined;
    const { spec, flag } = found;
    if (!flag.takesValue) {
      if (inline > 0) return undefined;
      values.set(flag.long, true);
      continue;
    }
    const value = inline > 0 ? arg.slice(inline + 1) : args[++i];
    if (value === undefined || (inline < 0 && value.startsWith('-'))) return undefined;
    const earlier = values.get(flag.long);
    values.set(flag.long, spec.repeatable ? [...(Array.isArray(earlier) ? earlier : []), value] : value);
  }
  return values;
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
