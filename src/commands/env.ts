/**
 * `glx env`: print UV_INDEX_<NAME>_USERNAME/_PASSWORD (and UV_PUBLISH_*) for every GitLab index,
 * in the syntax of the user's shell. It runs in shell start-up files, so this module and its
 * imports stay free of undici, zod and yaml; the network is touched only with --verify.
 */
import type { Context } from '../cli/context.js';
import { detectShell, type EnvVariable, parseShell, renderExports, type Shell } from '../credentials/shell.js';
import {
  credentialUsername,
  findToken,
  type ResolvedToken,
  singleSource,
  usernameOption,
} from '../credentials/token.js';
import type { Env } from '../deps.js';
import { GlxError, usageError } from '../errors.js';
import { indexEnvVars, refuseEnvCollisions } from '../pyproject/index-name.js';
import type { IndexEntry } from '../pyproject/read.js';
import { resolveBaseUrl } from '../resolve/host.js';
import { type GitLabIndex, loadGitLabIndexes } from '../resolve/indexes.js';

export interface EnvOptions {
  shell: Shell;
  indexes: string[];
  publish: boolean;
  verify: boolean;
  username?: string;
  file?: string;
}

export function parseEnvOptions(raw: Record<string, unknown>, env: Env): EnvOptions {
  const username = usernameOption(raw.username);
  return {
    shell: typeof raw.shell === 'string' ? parseShell(raw.shell) : detectShell(env),
    indexes: (raw.index as string[] | undefined) ?? [],
    publish: raw.publish === true,
    verify: raw.verify === true,
    username,
    file: typeof raw.file === 'string' ? raw.file : undefined,
  };
}

/** Checks the credentials against GitLab; passed in by env-action.ts so this module stays light. */
export type VerifyIndexes = (
  ctx: Context,
  selected: GitLabIndex[],
  tokens: Map<string, ResolvedToken>,
  options: EnvOptions,
) => Promise<void>;

export async function env(options: EnvOptions, ctx: Context, verify?: VerifyIndexes): Promise<string> {
  const { relative, all, gitlab, legacy } = await loadGitLabIndexes(ctx.deps, ctx, {
    cwd: ctx.cwd,
    file: options.file,
  });
  const selected = selectIndexes(gitlab, options.indexes, relative, legacy.length > 0);
  checkCollisions(all, relative);

  // A single token source (GITLAB_TOKEN, --token-stdin, CI_JOB_TOKEN) is for the resolved GitLab
  // host only; an index elsewhere gets its own host's netrc or glab entry, or nothing.
  const tokenHost = (
    await resolveBaseUrl(
      ctx.deps,
      ctx,
      gitlab.map((index) => index.entry.url),
    )
  ).host;
  const tokens = new Map<string, ResolvedToken>();
  const withheld: GitLabIndex[] = [];
  for (const index of selected) {
    const host = index.registry.host;
    if (tokens.has(host)) continue;
    const token = await findToken(ctx.deps, { tokenStdin: ctx.tokenStdin, host, tokenHost });
    if (token) tokens.set(host, token);
    else if (host !== tokenHost && singleSource(ctx.deps.env, ctx.tokenStdin)) withheld.push(index);
    else
      throw new GlxError(
        'NO_TOKEN',
        `no GitLab token for ${host} (index "${index.entry.name}")`,
        'Run `glx auth --netrc` once, or set GITLAB_TOKEN; in CI, CI_JOB_TOKEN is used automatically.',
      );
  }
  const served = selected.filter((index) => tokens.has(index.registry.host));
  for (const index of selected.filter((index) => !tokens.has(index.registry.host))) {
    ctx.warn(
      `index "${index.entry.name}" is on ${index.registry.host}, but ${singleSource(ctx.deps.env, ctx.tokenStdin)} is for ${tokenHost}: no credentials printed for it; store a token for ${index.registry.host} with \`glx auth --netrc --host ${index.registry.baseUrl}\``,
    );
  }
  if (served.length === 0) {
    const first = withheld[0]!;
    throw new GlxError(
      'NO_TOKEN',
      `no GitLab token for ${first.registry.host} (index "${first.entry.name}"): ${singleSource(ctx.deps.env, ctx.tokenStdin)} is for ${tokenHost}`,
      `Store a token for ${first.registry.host} with \`glx auth --netrc --host ${first.registry.baseUrl}\`, or set GITLAB_HOST=${first.registry.baseUrl} if the token is for that host.`,
    );
  }

  const vars: EnvVariable[] = [];
  for (const index of served) {
    const token = tokens.get(index.registry.host)!;
    const username = credentialUsername(token, options.username);
    const names = indexEnvVars(index.entry.name);
    vars.push({ name: names.username, value: username }, { name: names.password, value: token.token });
  }
  if (options.publish) {
    const target = publishTarget(selected, relative);
    const token = tokens.get(target.registry.host);
    if (!token)
      throw new GlxError(
        'NO_TOKEN',
        `no GitLab token for ${target.registry.host}, where index "${target.entry.name}" publishes`,
        `Store a token for ${target.registry.host} with \`glx auth --netrc --host ${target.registry.baseUrl}\`.`,
      );
    // UV_PUBLISH_INDEX, not UV_PUBLISH_URL: uv then takes the index's publish-url and uses its url as
    // the check URL (files already there are skipped), and `uv publish --index NAME` still works,
    // where UV_PUBLISH_URL makes uv refuse --index ("cannot be used with '--publish-url'").
    vars.push(
      { name: 'UV_PUBLISH_INDEX', value: target.entry.name },
      { name: 'UV_PUBLISH_USERNAME', value: credentialUsername(token, options.username) },
      { name: 'UV_PUBLISH_PASSWORD', value: token.token },
    );
  }

  if (options.verify) {
    if (!verify)
      throw new GlxError('INTERNAL', '--verify is not available on this code path', 'Report this as a glx bug.');
    await verify(ctx, served, tokens, options);
  }
  for (const [host, token] of tokens)
    ctx.debug(
      `${host}: token from ${token.source}${token.file ? ` (${token.file})` : ''}, user ${credentialUsername(token, options.username)}`,
    );

  // --json: the same variables as data (schemas/env.schema.json), for tools rather than shells.
  if (ctx.json)
    return `${JSON.stringify({ variables: Object.fromEntries(vars.map((variable) => [variable.name, variable.value])) }, null, 2)}\n`;
  return renderExports(vars, options.shell);
}

function selectIndexes(gitlab: GitLabIndex[], wanted: string[], relative: string, legacy = false): GitLabIndex[] {
  if (wanted.length === 0) {
    if (gitlab.length === 0) {
      throw new GlxError(
        'USAGE',
        `${relative} has no GitLab index${legacy ? ' with a name (see the warning above)' : ''}`,
        legacy
          ? 'Migrate it: `glx init --migrate` (--dry-run shows the diff); then glx env exports its credentials.'
          : 'Add one with `glx init --group <id|path>` or `glx init --project <id|path>`.',
      );
    }
    return gitlab;
  }
  return wanted.map((name) => {
    const found = gitlab.find((index) => index.entry.name === name);
    if (!found) {
      const names = gitlab.map((index) => index.entry.name).join(', ') || 'none';
      throw usageError(`no GitLab index named "${name}" in ${relative}`, `GitLab indexes there: ${names}.`);
    }
    return found;
  });
}

function checkCollisions(all: IndexEntry[], relative: string): void {
  refuseEnvCollisions(
    all,
    relative,
    'Rename one of them in pyproject.toml; uv cannot tell them apart in the environment.',
  );
}

function publishTarget(selected: GitLabIndex[], relative: string): GitLabIndex {
  const publishable = selected.filter((index) => index.entry.publishUrl);
  if (publishable.length === 1) return publishable[0]!;
  if (publishable.length === 0) {
    throw new GlxError(
      'USAGE',
      `no GitLab index in ${relative} has a publish-url`,
      'Add one with `glx init --project <id|path> --publish`.',
    );
  }
  throw usageError(
    `several GitLab indexes have a publish-url: ${publishable.map((i) => i.entry.name).join(', ')}`,
    'Pick one with --index <name>.',
  );
}
