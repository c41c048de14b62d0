/** The full-CLI action of `glx env`, with --verify (which needs the GitLab client). */
import type { Context } from '../cli/context.js';
import { env, parseEnvOptions } from './env.js';

export async function envAction(raw: Record<string, unknown>, ctx: Context): Promise<number> {
  const options = parseEnvOptions(raw, ctx.deps.env);
  const verify = options.verify ? (await import('./env-verify.js')).verifyIndexes : undefined;
  const text = await env(options, ctx, verify);
  // One write, only after everything succeeded: `eval` never sees half an answer.
  ctx.deps.io.out(text);
  return 0;
}
