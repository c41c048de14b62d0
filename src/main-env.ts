/**
 * The start-up fast path for `glx env` (it runs in shell start-up files): the flag table
 * commander uses, read by cli/fast-path.ts, and no commander, undici, zod or yaml. Anything it does
 * not handle itself (--help, --verify, a flag it does not know, a parse error) returns false and
 * bin/glx.js hands the arguments to the full CLI, so messages and help stay identical.
 */
import { ENV_FLAGS } from './cli/env-options.js';
import { type FastArgs, fastArgs, runFastPath } from './cli/fast-path.js';
import { env, parseEnvOptions } from './commands/env.js';

export function fastEnvArgs(argv: string[]): FastArgs | undefined {
  if (argv[0] !== 'env') return undefined;
  const parsed = fastArgs(argv.slice(1), ENV_FLAGS);
  return parsed?.raw.verify ? undefined : parsed;
}

/** Runs `glx env` and returns true, or returns false when the full CLI must handle the arguments. */
export async function main(argv: string[]): Promise<boolean> {
  const parsed = fastEnvArgs(argv);
  if (!parsed) return false;
  await runFastPath('env', parsed, async (ctx) => {
    ctx.deps.io.out(await env(parseEnvOptions(parsed.raw, ctx.deps.env), ctx));
    return 0;
  });
  return true;
}
