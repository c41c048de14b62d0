/**
 * Where the GitLab token comes from, the first found winning: --token-stdin > GITLAB_TOKEN /
 * GITLAB_ACCESS_TOKEN > CI_JOB_TOKEN in GitLab CI > the netrc entry for the host > glab's stored
 * token > a hidden prompt on a TTY. Which username goes with it follows from its kind.
 */
import type { Deps, Env } from '../deps.js';
import { GlxError, usageError } from '../errors.js';
import { defaultUsername, type TokenKind } from '../gitlab/client-types.js';
import { findUvNetrc, lookup, netrcPath } from '../netrc/lookup.js';
import { parseNetrc } from '../netrc/parse.js';
import { readTextIfExists } from '../util/fs-atomic.js';
import { readGlabConfig } from './glab.js';

export type TokenSource =
  | '--token-stdin'
  | 'GITLAB_TOKEN'
  | 'GITLAB_ACCESS_TOKEN'
  | 'CI_JOB_TOKEN'
  | 'netrc'
  | 'glab'
  | 'prompt';

export interface ResolvedToken {
  token: string;
  source: TokenSource;
  /** From the prefix and the source; GitLab's answer may refine personal → project/group. */
  kind: TokenKind;
  /** The username that goes with it, when the source says (netrc login, gitlab-ci-token). */
  username?: string;
  /** The file it came from (netrc, glab config). */
  file?: string;
}

export interface TokenQuery {
  host: string;
  /** Ask on the terminal when nothing else has a token (only when stdin is a TTY). */
  prompt?: boolean;
  /**
   * The one host that a single-value source (--token-stdin, GITLAB_TOKEN, GITLAB_ACCESS_TOKEN,
   * CI_JOB_TOKEN) belongs to: the resolved GitLab host. For any other `host` those sources are
   * skipped, so a token the user meant for one GitLab never reaches another. Only the
   * host's own netrc and glab entries remain. Unset: `host` is the resolved host.
   */
  tokenHost?: string;
  promptUrl?: string;
  /** --token-stdin was given: standard input holds the token. */
  tokenStdin: boolean;
}

/** https://docs.gitlab.com/security/tokens/: the prefix is a hint, GitLab's answer decides. */
export function kindFromPrefix(token: string): TokenKind {
  if (token.startsWith('glpat-')) return 'personal';
  if (token.startsWith('gldt-')) return 'deploy';
  if (token.startsWith('glcbt-')) return 'job';
  return 'unknown';
}

/**
 * `--username`: HTTP Basic cannot carry a colon in the user-id (RFC 7617 §2,
 * https://www.rfc-editor.org/rfc/rfc7617#section-2), and a blank would not survive the shell
 * exports and netrc lines the name goes into. Throws a usage error; does no I/O.
 */
export function usernameOption(raw: unknown): string | undefined {
  const username = typeof raw === 'string' ? raw : undefined;
  if (username !== undefined && !/^[^\s:]+$/.test(username))
    throw usageError(
      `--username ${JSON.stringify(username)} is not a valid username`,
      'A username has no spaces or colons.',
    );
  return username;
}

/**
 * The kind of a credential as uv would send it: the source's word first (CI_JOB_TOKEN is a job
 * token), then the prefix, then the username — a deploy token from before the gldt- prefix is
 * recognisable only by a username that is neither __token__ nor gitlab-ci-token.
 */
export function credentialKind(token: string, username?: string, known: TokenKind = 'unknown'): TokenKind {
  if (username === 'gitlab-ci-token') return 'job';
  if (known !== 'unknown') return known;
  const prefixed = kindFromPrefix(token);
  if (prefixed !== 'unknown') return prefixed;
  return username && username !== '__token__' ? 'deploy' : 'unknown';
}

export function credentialUsername(token: ResolvedToken, explicit?: string): string {
  const kind = token.kind === 'unknown' ? kindFromPrefix(token.token) : token.kind;
  const username = (explicit ?? token.username) || defaultUsername(kind);
  if (!username) {
    throw new GlxError(
      'NO_TOKEN',
      `the token from ${token.source} is a deploy token, and its username is unknown`,
      'Pass --username <deploy-token-username>, or store it with `glx auth --netrc --username <name>`.',
    );
  }
  return username;
}

/**
 * The netrc glx reads and writes: the one uv reads (its first candidate that exists), else
 * $NETRC or ~/.netrc. A $NETRC that names a missing file is not created while uv falls back to
 * ~/.netrc: creating it would hide every entry of ~/.netrc from uv (https://github.com/astral-sh/uv/blob/main/crates/uv-netrc/src/lib.rs).
 */
export async function netrcFile(deps: Deps): Promise<{ file: string; note?: string }> {
  const { env, homeDir, platform } = deps;
  const wanted = netrcPath(env, homeDir);
  const read = findUvNetrc(env, homeDir, platform);
  if (!read || read === wanted) return { file: wanted };
  return {
    file: read,
    note: `NETRC=${env.NETRC} does not exist, so uv reads ${read}: glx uses that file (creating ${wanted} would hide ${read} from uv)`,
  };
}

function resolved(deps: Deps, token: string, source: TokenSource, extra: Partial<ResolvedToken> = {}): ResolvedToken {
  deps.secrets.register(token);
  // Every command, `glx env` included, refuses the same tokens with the same words.
  checkTokenText(token, source, extra.file);
  return { token, source, kind: extra.kind ?? kindFromPrefix(token), ...extra };
}

/**
 * GitLab tokens are printable ASCII (letters, digits, `-`, `_`, `.`). A control character (a CR
 * from a CRLF .env file, an escape sequence pasted from a terminal) or a non-ASCII one cannot go
 * into an HTTP header (undici refuses it, which surfaced as "cannot reach" the host), would be
 * written into the netrc as is, and could reach the terminal in the masked prefix. Refused here,
 * once for every source, naming the position, never the character.
 */
function checkTokenText(token: string, source: TokenSource, file: string | undefined): void {
  const bad = token.search(/[^\x20-\x7e]/);
  if (bad < 0) return;
  const code = token.charCodeAt(bad);
  const what =
    code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)
      ? 'a control character'
      : 'a character that is not ASCII';
  const where = file ? `${source} (${file})` : source;
  throw new GlxError(
    'TOKEN_INVALID',
    `the token from ${where} contains ${what} at position ${bad + 1}`,
    'GitLab tokens are printable ASCII; copy the token again without line breaks or escape sequences (a CRLF .env file adds a CR).',
  );
}

/** The first token source that has one, or undefined. Only --token-stdin may fail loudly. */
export async function findToken(deps: Deps, query: TokenQuery): Promise<ResolvedToken | undefined> {
  const { io } = deps;
  if (query.tokenHost === undefined || query.tokenHost === query.host) {
    const single = await singleSourceToken(deps, query.tokenStdin);
    if (single) return single;
  }

  const fromNetrc = await tokenFromNetrc(deps, query.host);
  if (fromNetrc) return fromNetrc;

  const glab = await readGlabConfig(deps);
  const glabToken = glab?.hosts[query.host]?.token;
  if (glab && glabToken) return resolved(deps, glabToken, 'glab', { file: glab.file });

  if (query.prompt && io.stdinIsTTY) {
    const where = query.promptUrl ? ` (create one at ${query.promptUrl})` : '';
    const token = (await io.promptHidden(`GitLab token for ${query.host}${where}: `)).trim();
    if (token) return resolved(deps, token, 'prompt', {});
  }
  return undefined;
}

/** The source that names one token for one host, if the user set one (without reading stdin). */
export function singleSource(env: Env, tokenStdin: boolean): TokenSource | undefined {
  if (tokenStdin) return '--token-stdin';
  if (env.GITLAB_TOKEN) return 'GITLAB_TOKEN';
  if (env.GITLAB_ACCESS_TOKEN) return 'GITLAB_ACCESS_TOKEN';
  if (env.GITLAB_CI === 'true' && env.CI_JOB_TOKEN) return 'CI_JOB_TOKEN';
  return undefined;
}

async function singleSourceToken(deps: Deps, tokenStdin: boolean): Promise<ResolvedToken | undefined> {
  const { env, io } = deps;
  if (tokenStdin) {
    const token = (await io.readStdin()).replace(/\r?\n$/, '');
    if (token.trim() === '')
      throw new GlxError(
        'NO_TOKEN',
        '--token-stdin was given but standard input was empty',
        'Pipe the token in: echo "$TOKEN" | glx ... --token-stdin',
      );
    if (/[\r\n]/.test(token))
      throw new GlxError(
        'NO_TOKEN',
        'the token read from standard input has more than one line',
        'Pipe exactly one token, on one line.',
      );
    return resolved(deps, token, '--token-stdin', {});
  }
  if (env.GITLAB_TOKEN) return resolved(deps, env.GITLAB_TOKEN, 'GITLAB_TOKEN', {});
  if (env.GITLAB_ACCESS_TOKEN) return resolved(deps, env.GITLAB_ACCESS_TOKEN, 'GITLAB_ACCESS_TOKEN', {});
  if (env.GITLAB_CI === 'true' && env.CI_JOB_TOKEN)
    return resolved(deps, env.CI_JOB_TOKEN, 'CI_JOB_TOKEN', { kind: 'job', username: 'gitlab-ci-token' });
  return undefined;
}

export async function requireToken(deps: Deps, query: TokenQuery): Promise<ResolvedToken> {
  const found = await findToken(deps, query);
  if (found) return found;
  throw new GlxError(
    'NO_TOKEN',
    `no GitLab token found for ${query.host}`,
    'Set GITLAB_TOKEN, pipe one with --token-stdin, or run `glx auth --netrc` on a terminal.',
  );
}

async function tokenFromNetrc(deps: Deps, host: string): Promise<ResolvedToken | undefined> {
  const { file } = await netrcFile(deps);
  // uv reads a netrc with from_utf8_lossy (https://github.com/astral-sh/uv/tree/main/crates/uv-netrc); so does glx, which never writes it back here.
  const text = await readTextIfExists(file, { lossy: true });
  if (text === undefined) return undefined;
  const entry = lookup(parseNetrc(text, file), host);
  // Only the host's own entry: a `default` entry is a catch-all, not a GitLab token.
  if (!entry?.password || entry.source !== 'machine') return undefined;
  const prefixKind = kindFromPrefix(entry.password);
  const kind: TokenKind = entry.login === 'gitlab-ci-token' ? 'job' : prefixKind;
  return resolved(deps, entry.password, 'netrc', { kind, username: entry.login, file });
}
