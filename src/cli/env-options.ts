/**
 * The flags of `glx` (global) and `glx env`, as data: program.ts declares them with commander,
 * and the start-up fast paths (main-env.ts, main-init.ts) read the same tables without commander
 * (fast-path.ts).
 */
export interface FlagSpec {
  /** Commander syntax: `-C, --cwd <dir>`, `--verify`, `--index <name>`. */
  flags: string;
  description: string;
  repeatable?: boolean;
  /** The value when the flag is absent (commander's default, shown in --help). */
  default?: string;
  /** The long name of a flag this one cannot be used with. */
  conflicts?: string;
}

export const GLOBAL_FLAGS: FlagSpec[] = [
  { flags: '-C, --cwd <dir>', description: 'run as if glx was started in <dir>' },
  {
    flags: '--host <url>',
    description:
      'GitLab instance, e.g. https://gitlab.example.com (default: from GITLAB_HOST, CI, pyproject.toml, git remote, glab)',
  },
  { flags: '--token-stdin', description: 'read the GitLab token from standard input' },
  { flags: '--json', description: 'print the result, or the error, as one JSON object on stdout (schemas/)' },
  { flags: '-v, --verbose', description: 'log requests and decisions to stderr (tokens masked)' },
  { flags: '--no-color', description: 'disable colour (also NO_COLOR=1)' },
];

export const ENV_FLAGS: FlagSpec[] = [
  {
    flags: '--shell <shell>',
    description:
      'bash, zsh, sh, fish, powershell or dotenv (default: from $SHELL); dotenv is for tools that load .env files: uv run --env-file does not feed uv its own credentials (uv >= 0.11.17)',
  },
  { flags: '--index <name>', description: 'only this index (repeatable)', repeatable: true },
  {
    flags: '--publish',
    description:
      'also print UV_PUBLISH_INDEX (the index with a publish-url), UV_PUBLISH_USERNAME and UV_PUBLISH_PASSWORD',
  },
  { flags: '--username <name>', description: "the token's username (needed for deploy tokens)" },
  { flags: '--verify', description: 'check the credentials against GitLab before printing them' },
  { flags: '--file <path>', description: 'the pyproject.toml to read (default: nearest one upward from --cwd)' },
];

export interface ParsedFlag {
  long: string;
  short?: string;
  /** camelCase key, as commander names it (`--token-stdin` → tokenStdin, `--no-color` → color). */
  key: string;
  takesValue: boolean;
  negated: boolean;
}

export function parseFlag(spec: FlagSpec): ParsedFlag {
  const match = /^(?:-(?<short>\w), )?--(?<long>[\w-]+)(?: <[^>]+>)?$/.exec(spec.flags);
  if (!match?.groups) throw new Error(`bad flag spec ${spec.flags}`);
  const long = match.groups.long!;
  const negated = long.startsWith('no-');
  const base = negated ? long.slice(3) : long;
  return {
    long,
    short: match.groups.short,
    key: base.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()),
    takesValue: spec.flags.includes('<'),
    negated,
  };
}
