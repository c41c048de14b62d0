/** `glx env --verify`: the network half of env, loaded only when asked for. */
import type { Context } from '../cli/context.js';
import { checkRegistry, introspectToken, type Problem, problemError } from '../credentials/inspect.js';
import { credentialUsername, type ResolvedToken } from '../credentials/token.js';
import type { GitLabIndex } from '../resolve/indexes.js';

export async function verifyIndexes(
  ctx: Context,
  selected: GitLabIndex[],
  tokens: Map<string, ResolvedToken>,
  options: { publish: boolean; username?: string },
): Promise<void> {
  const problems: Array<Problem & { index: string }> = [];
  await Promise.all(
    [...tokens].map(async ([host, token]) => {
      const indexes = selected.filter((index) => index.registry.host === host);
      const username = credentialUsername(token, options.username);
      const client = await ctx.gitlab({
        baseUrl: indexes[0]!.registry.baseUrl,
        token: token.token,
        kind: token.kind,
        username,
      });
      const report = await introspectToken(client, ctx.deps.now(), username);
      await Promise.all(
        indexes.map(async (index) => {
          const need = options.publish && index.entry.publishUrl ? 'publish' : 'read';
          const check = await checkRegistry(client, report, index.registry, index.entry.url, need);
          for (const problem of check.problems) problems.push({ ...problem, index: index.entry.name });
        }),
      );
    }),
  );
  for (const problem of problems.slice(1)) ctx.warn(`index "${problem.index}": ${problem.message}`);
  const first = problems[0];
  if (first) throw problemError(first, `index "${first.index}": ${first.message}`);
}
