/**
 * The start-up fast path for `glx init` with a numeric --group or --project, which needs no
 * GitLab call: the flag table commander uses, read by cli/fast-path.ts, and no commander, undici
 * or zod. It returns false for anything else (--help, a path to look up, a
 * target from the git remote or the legacy settings, a flag it does not know, a parse error),
 * and bin/glx.js hands the arguments to the full CLI, so that messages and help stay the same.
 */
import { type FastArgs, fastArgs, runFastPath } from './cli/fast-path.js';
import { INIT_FLAGS } from './cli/init-options.js';
import { initAction } from './commands/init.js';

/** The arguments of an `init` that the fast path runs, else undefined. */
export function fastInitArgs(argv: string[]): FastArgs | undefined {
  if (argv[0] !== 'init') return undefined;
  const parsed = fastArgs(argv.slice(1), INIT_FLAGS);
  const target = parsed?.raw.group ?? parsed?.raw.project;
  // A numeric id is used as it is (resolve/registry.ts resolveNumericId); a path is looked up.
  return typeof target === 'string' && /^\d+$/.test(target) ? parsed : undefined;
}

/** Runs `glx init` and returns true, or returns false when the full CLI must handle the arguments. */
export async function main(argv: string[]): Promise<boolean> {
  const parsed = fastInitArgs(argv);
  if (!parsed) return false;
  await runFastPath('init', parsed, (ctx) => initAction(parsed.raw, ctx));
  return true;
}
