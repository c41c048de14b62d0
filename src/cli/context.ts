/** What every command gets besides its own options: the global flags, resolved once. */
import path from 'node:path';
import type { Deps, Log } from '../deps.js';
import type { GitLabClient } from '../gitlab/client-types.js';
import { type OpenOptions, openGitLab } from '../gitlab/open.js';
import { colorEnabled, type Styler, styler } from '../util/color.js';

export interface GlobalOptions {
  cwd?: string;
  host?: string;
  tokenStdin?: boolean;
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** Commands hand domain modules `deps` and plain values from here, never the whole context. */
export interface Context extends Log {
  deps: Deps;
  cwd: string;
  host?: string;
  tokenStdin: boolean;
  json: boolean;
  verbose: boolean;
  color: boolean;
  style: Styler;
  /** A GitLab client that logs its requests with --verbose (gitlab/open.ts). */
  gitlab(options: OpenOptions): Promise<GitLabClient>;
}

export function createContext(deps: Deps, globals: GlobalOptions): Context {
  // Decided when first needed: asking whether stderr is a terminal loads node:tty, which a
  // `glx env` that only prints its exports never needs.
  let color: boolean | undefined;
  const isColor = () => (color ??= colorEnabled(deps.env, deps.io.stderrIsTTY, globals.color === false));
  const style = styler(isColor);
  const verbose = globals.verbose === true;
  const context: Context = {
    deps,
    cwd: globals.cwd ? path.resolve(deps.cwd, globals.cwd) : deps.cwd,
    host: globals.host,
    tokenStdin: globals.tokenStdin === true,
    json: globals.json === true,
    verbose,
    get color() {
      return isColor();
    },
    style,
    warn: (message) => deps.io.err(`${style.yellow('warning:')} ${deps.secrets.redact(message)}\n`),
    info: (message) => deps.io.err(`${deps.secrets.redact(message)}\n`),
    debug: (message) => {
      if (verbose) deps.io.err(`${style.dim(`[glx] ${deps.secrets.redact(message)}`)}\n`);
    },
    gitlab: (options) => openGitLab(deps, context, options),
  };
  return context;
}
