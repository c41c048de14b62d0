/**
 * Renders environment variable assignments in the syntax of the user's shell, for
 * `eval "$(glx env)"` in start-up files. Every value is treated as hostile: whatever its bytes,
 * it must reach the variable unchanged and execute nothing. Pure string work, and on the
 * start-up path of `glx env`, so it imports nothing but the tiny errors module.
 */
import { GlxError } from '../errors.js';

export type Shell = 'bash' | 'zsh' | 'sh' | 'fish' | 'powershell' | 'dotenv';

/** Every accepted `--shell` value, in the order help and hints list them. */
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'sh', 'fish', 'powershell', 'dotenv'];

export interface EnvVariable {
  name: string;
  value: string;
}

/** Login shells whose names we know, by the basename of `$SHELL` (version suffix removed). */
const SHELL_BY_BASENAME: Readonly<Record<string, Shell>> = {
  bash: 'bash',
  zsh: 'zsh',
  fish: 'fish',
  sh: 'sh',
  dash: 'sh',
  ash: 'sh',
  ksh: 'sh',
  mksh: 'sh',
  pdksh: 'sh',
  yash: 'sh',
  posh: 'sh',
  pwsh: 'powershell',
  powershell: 'powershell',
};

/**
 * The shell to render for when `--shell` is not given. Unknown or absent `$SHELL` gives `sh`:
 * POSIX syntax is also what bash and zsh read.
 */
export function detectShell(env: { readonly SHELL?: string | undefined }): Shell {
  const path = env.SHELL?.trim() ?? '';
  // `$SHELL` is a path (/usr/local/bin/zsh, C:\...\pwsh.exe); some installs carry a version
  // (ksh93, bash-5.2), which says nothing about the syntax.
  const basename = (path.split(/[\\/]/).pop() ?? '')
    .toLowerCase()
    .replace(/\.exe$/, '')
    .replace(/^-/, '')
    .replace(/[-_.]?\d[\d.]*$/, '');
  // hasOwn: `$SHELL=/x/constructor` must not find Object.prototype's members.
  return Object.hasOwn(SHELL_BY_BASENAME, basename) ? SHELL_BY_BASENAME[basename]! : 'sh';
}

/** Validates a `--shell` value (case-insensitive; `pwsh` is accepted for `powershell`). */
export function parseShell(value: string): Shell {
  const wanted = value.trim().toLowerCase();
  if (wanted === 'pwsh') return 'powershell';
  const shell = SHELLS.find((candidate) => candidate === wanted);
  if (shell === undefined) {
    throw new GlxError(
      'USAGE',
      `unknown shell ${JSON.stringify(value)}`,
      `use --shell with one of: ${SHELLS.join(', ')}`,
    );
  }
  return shell;
}

/** One assignment per variable, each ending with a newline; '' for no variables. */
export function renderExports(vars: readonly EnvVariable[], shell: Shell): string {
  let out = '';
  for (const { name, value } of vars) {
    checkName(name);
    checkValue(name, value);
    out += `${renderExport(name, value, shell)}\n`;
  }
  return out;
}

function renderExport(name: string, value: string, shell: Shell): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
    case 'sh':
      return `export ${name}=${posixQuote(value)}`;
    case 'fish':
      return `set -gx ${name} ${fishQuote(value)};`;
    case 'powershell':
      return `$env:${name} = ${powershellQuote(value)}`;
    case 'dotenv':
      return `${name}=${dotenvValue(name, value)}`;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(name: string): void {
  // The name is pasted into code unquoted: anything outside this set could run something.
  if (!NAME.test(name)) {
    throw new GlxError(
      'USAGE',
      `invalid environment variable name ${JSON.stringify(name)}`,
      'a name is ASCII letters, digits and underscores, and does not start with a digit',
    );
  }
}

function checkValue(name: string, value: string): void {
  // Messages name the variable, never the value: it is usually a token.
  if (value.includes('\0')) {
    throw new GlxError(
      'USAGE',
      `the value of ${name} contains a NUL character`,
      'environment variables are C strings and cannot hold NUL; check where the value came from',
    );
  }
  // A lone UTF-16 surrogate has no UTF-8 form: writing it would silently turn it into U+FFFD.
  if (!value.isWellFormed()) {
    throw new GlxError(
      'USAGE',
      `the value of ${name} is not valid Unicode (lone surrogate)`,
      'check where the value came from',
    );
  }
}

/**
 * POSIX single quotes keep every byte literally, newlines included; only `'` itself cannot
 * appear, so it is closed, escaped and reopened: `'\''`. History expansion (`!`) is done on
 * typed lines only, never on text run by eval or `.`, so `!` needs nothing.
 */
function posixQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * fish single quotes are not POSIX ones: `\'` and `\\` are escapes inside them, so both are
 * escaped and every other character is literal. Line breaks are written as the bare escapes
 * `\n`/`\r` between quoted pieces ('a'\n'b' is one word) because `eval (glx env)` splits the
 * output on newlines and joins the lines with spaces; this way every assignment is one line.
 */
function fishQuote(value: string): string {
  const inner = value.replace(/[\\']/g, '\\$&').replaceAll('\n', "'\\n'").replaceAll('\r', "'\\r'");
  return `'${inner}'`;
}

/**
 * PowerShell treats the typographic quotes ‘ ’ ‚ ‛ as `'` too, so each of the four is doubled
 * like `'` (PowerShell's own CodeGeneration.EscapeSingleQuotedStringContent does the same).
 * Line breaks are concatenated in as "`n"/"`r" so that each assignment stays on one line:
 * `glx env | Invoke-Expression` runs every line on its own.
 */
function powershellQuote(value: string): string {
  const pieces = value.split(/(\r|\n)/);
  const parts: string[] = [];
  for (const piece of pieces) {
    if (piece === '\n') parts.push('"`n"');
    else if (piece === '\r') parts.push('"`r"');
    else if (piece !== '' || parts.length === 0) {
      parts.push(`'${piece.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`);
    }
  }
  return parts.join(' + ');
}

// Unquoted, these characters mean themselves to every dotenv reader, docker's included.
const DOTENV_PLAIN = /^[A-Za-z0-9_.:/+=@%,~^-]*$/;

/**
 * dotenv has no standard. The readers that matter disagree on everything but the simplest
 * forms: Node's `--env-file`/util.parseEnv has no escapes but `\n` in double quotes and drops
 * every CR; python-dotenv decodes `\\` and `\'` even in single quotes and, by default,
 * expands `${X}` in every kind of value, single-quoted ones included (seen in 1.2.2); uv's
 * `--env-file` (the dotenvy crate) and docker compose expand `$X` in double quotes;
 * `docker run --env-file` takes the rest of the line as is, quotes included.
 * So a value is written in the first form all of them read back exactly:
 *   1. unquoted, when it only has plain characters (every real token and URL): all readers;
 *   2. in single quotes, when it has no `'`, no CR, no `${`, and no `\` before a `\` or at the
 *      end (python-dotenv would read those as escapes);
 *   3. in double quotes, when it has a `'` but no `"`, `\`, `$` or CR;
 * and anything else is refused rather than written in a form some reader would change.
 * Forms 2 and 3 may span lines; docker's `--env-file` reads only form 1.
 */
function dotenvValue(name: string, value: string): string {
  if (DOTENV_PLAIN.test(value)) return value;
  if (!/['\r]|\$\{|\\(?:\\|$)/.test(value)) return `'${value}'`;
  if (!/["\\$\r]/.test(value)) return `"${value}"`;
  throw new GlxError(
    'USAGE',
    `the value of ${name} cannot be written as a dotenv line that every dotenv reader reads back the same`,
    `${dotenvObstacle(value)}; use --shell bash, zsh, sh, fish or powershell instead`,
  );
}

function dotenvObstacle(value: string): string {
  if (value.includes('\r')) return 'it holds a carriage return, which Node drops';
  if (value.includes('${')) return 'it holds `${`, which python-dotenv expands even in single quotes';
  if (value.includes("'")) return 'it holds a single quote together with a double quote, a backslash or a `$`';
  return 'it holds a backslash that python-dotenv would read as an escape (`\\\\` or a trailing `\\`)';
}
