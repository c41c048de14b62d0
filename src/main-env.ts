/**
 * The start-up fast path for `glx env` (it runs in shell start-up files): node:util parseArgs
 * over the same flag table commander uses, no commander, undici, zod or yaml. Anything it does
 * not handle itself (--help, --verify, a flag it does not know, a parse error) returns false and
 * bin/glx.js hands the arguments to the full CLI, so messages and help stay identical.
 */
import { parseArgs } from 'node:util';
import { createContext, type GlobalOptions } from './cli/context.js';
import { ENV_FLAGS, GLOBAL_FLAGS, parseFlag } from './cli/env-options.js';
import { reportError } from './cli/report-error.js';
import { env, parseEnvOptions } from './commands/env.js';
import { GlxError } from './errors.js';
import { installProcessHandlers, setExitCode, systemDeps } from './system.js';

type ParseArgsOptions = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

export function fastEnvArgs(argv: string[]): { globals: GlobalOptions; raw: Record<string, unknown> } | undefined {
  if (argv[0] !== 'env') return undefined;
  const flags = [...GLOBAL_FLAGS, ...ENV_FLAGS].map((spec) => ({ spec, flag: parseFlag(spec) }));
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
    const parsed = parseArgs({ args: argv.slice(1), options, strict: true, allowPositionals: false });
    values = parsed.values;
  } catch {
    return undefined;
  }
  if (values.verify || values.help) return undefined;
  const globals: Record<string, unknown> = {};
  const raw: Record<string, unknown> = {};
  for (const { spec, flag } of flags) {
    const value = values[flag.long];
    if (value === undefined) continue;
    const target = GLOBAL_FLAGS.includes(spec) ? globals : raw;
    target[flag.key] = flag.negated ? !value : value;
  }
  return { globals: globals as GlobalOptions, raw };
}

/** Runs `glx env` and returns true, or returns false when the full CLI must handle the arguments. */
export async function main(argv: string[]): Promise<boolean> {
  const parsed = fastEnvArgs(argv);
  if (!parsed) return false;
  installProcessHandlers({ directStdout: true });
  const deps = systemDeps(
    () => async () => {
      throw new GlxError('INTERNAL', 'the env fast path has no GitLab client', 'Report this as a glx bug.');
    },
    { directStdout: true },
  );
  try {
    const ctx = createContext(deps, parsed.globals);
    const text = await env(parseEnvOptions(parsed.raw, deps.env), ctx);
    deps.io.out(text);
    setExitCode(0);
  } catch (error) {
    setExitCode(reportError(error, deps, parsed.globals.color === false, parsed.globals.json === true));
  }
  return true;
}
