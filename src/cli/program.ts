/**
 * Every command-line declaration in one place: the table of contents of glx. Actions load their
 * command module only when they run, so `glx env` never pays for undici, zod or yaml.
 */
import { Command, type Help, Option } from 'commander';
import type { Deps } from '../deps.js';
import { GlxError } from '../errors.js';
import { BASE_LAYERS, DEFAULT_BASE_LAYER, DEFAULT_UV_VERSION } from '../gitlab-ci/uv-image.js';
import { VERSION } from '../version.js';
import { type Context, createContext, type GlobalOptions } from './context.js';
import { ENV_FLAGS, type FlagSpec, GLOBAL_FLAGS } from './env-options.js';
import { INIT_FLAGS } from './init-options.js';
import { suggest } from './suggest.js';

/** `root` is the whole program, for the one command that describes it (completion). */
export type Action = (
  raw: Record<string, unknown>,
  ctx: Context,
  args: string[],
  root: Command,
) => Promise<number | undefined>;

/**
 * Help text is written as paragraphs (`paragraphs(...)`, no line breaks inside one) and commander
 * wraps it; lists and examples are rows, one item per line.
 */
function paragraphs(...texts: string[]): string {
  return texts.join('\n\n');
}

/** A term alone, or a term and its description (an example and its comment, an option and what it does). */
type Row = string | [term: string, description: string];

/**
 * A section after a command's help, laid out by commander's own Help at the width it lays out the
 * help itself: the title wraps like a description, and rows align and wrap like the Options above.
 */
function section(title: string, rows: (help: Help) => Row[]) {
  return ({ command, error }: { command: Command; error: boolean }) => {
    const help = command.createHelp();
    const output = command.configureOutput();
    help.prepareContext({ helpWidth: error ? output.getErrHelpWidth?.() : output.getOutHelpWidth?.() });
    const items = rows(help).map((row): [string, string] => (typeof row === 'string' ? [row, ''] : row));
    const width = Math.max(0, ...items.filter(([, text]) => text !== '').map(([term]) => help.displayWidth(term)));
    const lines = items.map(([term, text]) => help.formatItem(term, width, text, help));
    return `\n${help.formatItemList(help.boxWrap(title, help.helpWidth ?? 80), lines, help).join('\n')}`;
  };
}

/** Examples, one command line each, its comment beside it (short enough to stay there: test/cli/help-layout.test.ts). */
function examples(...rows: Row[]) {
  return section('Examples:', () => rows.map((row) => (typeof row === 'string' ? row : [row[0], `# ${row[1]}`])));
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Declares a flag of a table (env-options.ts, init-options.ts) the fast paths parse too. */
function addFlag(command: Command, flag: FlagSpec): void {
  const option = new Option(flag.flags, flag.description);
  if (flag.repeatable) option.argParser(collect);
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.conflicts !== undefined) option.conflicts(flag.conflicts);
  command.addOption(option);
}

export function buildProgram(deps: Deps, setExit: (code: number) => void): Command {
  const program = new Command('glx')
    .description('Wire Python uv projects to GitLab package registries.')
    .version(VERSION, '-V, --version')
    // Before any subcommand exists: commander copies these settings into each one it creates.
    .exitOverride()
    // A fixed width, not the terminal's: help is then the same text everywhere, which lets
    // bin/glx.js print it from dist/help.json (built from this program) without loading commander.
    .configureHelp({ helpWidth: 80 })
    .configureOutput({
      writeOut: (text) => deps.io.out(text),
      writeErr: (text) => deps.io.err(text),
    });
  for (const flag of GLOBAL_FLAGS) addFlag(program, flag);
  program
    .showHelpAfterError('hint: run the command with --help for usage and examples')
    .addHelpText(
      'after',
      examples(
        ['glx init --group 42', 'add a GitLab group registry to pyproject.toml'],
        'glx init --project acme/tools --package acme-utils',
        ['glx init --dry-run', 'show the change as a diff, write nothing'],
      ),
    );

  const run = (load: () => Promise<Action>) =>
    async function (this: Command, ...params: unknown[]) {
      const command = params[params.length - 1] as Command;
      const globals = command.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const args = command.args;
      const ctx = createContext(deps, globals);
      const action = await load();
      const code = await action(command.opts(), ctx, args, program);
      setExit(code ?? 0);
    };

  const initCommand = program
    .command('init')
    .alias('init-index')
    .summary('point pyproject.toml at a GitLab PyPI registry')
    .description(
      paragraphs(
        'Add or update one [[tool.uv.index]] entry for a GitLab project or group registry, with ' +
          'authenticate = "always" (GitLab forwards unauthenticated misses to pypi.org), and pin packages to it.',
        'The file is edited as text: every other byte stays as it was.',
      ),
    );
  for (const flag of INIT_FLAGS) addFlag(initCommand, flag);
  initCommand
    .addHelpText(
      'after',
      examples(
        'glx init --group 42',
        'glx init --group acme/platform --name acme',
        'glx init --project acme/tools --package acme-utils --package acme-cli',
        ['glx init', 'project from the git remote origin'],
        ['glx init --publish', 'also set publish-url, for uv publish'],
        'glx init --group 42 --dry-run --json',
        ['glx init --migrate --dry-run', '[tool.uv] index-url → [[tool.uv.index]]'],
      ),
    )
    .action(run(async () => (await import('../commands/init.js')).initAction));

  const auth = program
    .command('auth')
    .summary('check a GitLab token and store it where uv looks')
    .description('Validate a GitLab token against every GitLab index in pyproject.toml and store it for uv.');
  const login = auth
    .command('login', { isDefault: true })
    .summary('validate a token and store it (the default)')
    .description(
      'Find a token (--token-stdin, GITLAB_TOKEN, CI_JOB_TOKEN in CI, netrc, glab, or a hidden prompt), ' +
        'ask GitLab what it is (kind, user, scopes, expiry, role on each registry), refuse one that ' +
        'cannot read the registries (or publish, with --publish), then store it.',
    )
    .option('--netrc', 'store in $NETRC or ~/.netrc (machine <host> login <user> password <token>, mode 0600)')
    .option('--uv-store', "store in uv's credentials store through `uv auth login` (password on stdin)")
    .option('--username <name>', "the token's username (required for deploy tokens)")
    .option('--publish', 'also require the right to publish (scope api, Developer role)')
    .option('--no-verify', 'skip the checks against GitLab')
    .option('--fix-permissions', 'make an existing group/world-readable netrc 0600 instead of refusing')
    .option('--file <path>', 'the pyproject.toml to read (default: nearest one upward from --cwd)')
    .option('--dry-run', 'show the netrc change (passwords masked) and write nothing')
    .addHelpText(
      'after',
      examples(
        ['glx auth --netrc', 'prompt (hidden) for a token, check, store'],
        'echo "$TOKEN" | glx auth --netrc --token-stdin',
        ['glx auth --netrc --username bot', 'a deploy token (gldt-...)'],
        ['glx auth --uv-store', 'hand the token to `uv auth login` instead'],
        ['glx auth --publish --netrc', 'also require the right to publish'],
      ),
    )
    // `glx auth stauts` would otherwise reach login as a stray argument ("too many arguments").
    .allowExcessArguments()
    .hook('preAction', (command) => {
      const word = command.args[0];
      if (word === undefined) return;
      const names = auth.commands.map((c) => c.name()).filter((name) => name !== 'help');
      const near = suggest(word, names);
      throw new GlxError(
        'USAGE',
        `unknown command '${word}' for glx auth${near ? ` (did you mean ${near}?)` : ''}`,
        `${near ? `Run \`glx auth ${near}\`; the` : 'The'} commands of glx auth are ${names.join(', ')} (login is the default).`,
      );
    })
    .action(run(async () => (await import('../commands/auth.js')).authLoginAction));
  // `glx auth --netrc` runs login: its flags belong in `glx auth --help`.
  auth.addHelpText(
    'after',
    section('Options of `glx auth login` (the default, so `glx auth --netrc` runs it):', (help) =>
      help
        .visibleOptions(login)
        .filter((option) => option.long !== '--help')
        .map((option) => [help.optionTerm(option), help.optionDescription(option)]),
    ),
  );
  auth
    .command('status')
    .summary('which credentials uv will send to each GitLab index, and do they work')
    .option('--file <path>', 'the pyproject.toml to read')
    .addHelpText('after', examples('glx auth status', 'glx auth status --json'))
    .action(run(async () => (await import('../commands/auth-status.js')).authStatusAction));
  auth
    .command('rotate')
    .summary('renew the token in place: GitLab revokes it and glx stores the new one everywhere')
    .description(
      paragraphs(
        'Rotate the token uv uses for this GitLab host (found as `auth status` finds it) with ' +
          'POST /personal_access_tokens/self/rotate (scope api or self_rotate; personal, project and group access tokens).',
        "The old token is revoked at once, so the new one replaces it in every netrc entry, uv's credentials store entry " +
          'and glab config that held it; if one cannot be written, it goes to a 0600 recovery file. The new token is ' +
          'checked against the registry before exit 0.',
        'It lives as long as the old one did (at most 365 days) unless --expires-in or --expires-at says otherwise.',
      ),
    )
    .addOption(
      new Option('--expires-in <days>', 'the new token expires this many days from today (90d, 12w)').conflicts(
        'expiresAt',
      ),
    )
    .option('--expires-at <date>', 'the new token expires on this date (YYYY-MM-DD)')
    .option(
      '--if-expiring-within <days>',
      'rotate only when the token expires within this many days; else exit 0, nothing done',
    )
    .option('--print-token', 'also print the new token on stdout (required when only GITLAB_TOKEN holds it)')
    .option('--file <path>', 'the pyproject.toml to read (default: nearest one upward from --cwd)')
    .option('--dry-run', 'show which token, where it is stored and what would change; rotate nothing')
    .addHelpText(
      'after',
      examples(
        ['glx auth rotate', 'the token uv uses'],
        ['glx auth rotate --expires-in 90d', 'or --expires-at 2027-03-01'],
        ['glx auth rotate --if-expiring-within 14d', 'from cron or a schedule'],
        'glx auth rotate --dry-run --json',
        ['GITLAB_TOKEN=... glx auth rotate --print-token', 'a token from a secret store'],
      ),
    )
    .action(run(async () => (await import('../commands/auth-rotate.js')).authRotateAction));
  auth
    .command('logout')
    .summary("remove the host's netrc entry (or uv store entry)")
    .option('--netrc', 'remove the netrc entry for the host (the default)')
    .option('--uv-store', "remove the entries from uv's credentials store through `uv auth logout`")
    .option('--file <path>', 'the pyproject.toml to read')
    .option('--dry-run', 'show the change and write nothing')
    .addHelpText('after', examples('glx auth logout', 'glx auth logout --host https://gitlab.example.com'))
    .action(run(async () => (await import('../commands/auth.js')).authLogoutAction));

  const envCommand = program
    .command('env')
    .summary('print UV_INDEX_* credentials for this shell')
    .description(
      paragraphs(
        'Print UV_INDEX_<NAME>_USERNAME and _PASSWORD for every GitLab index in pyproject.toml, with the ' +
          'token from the usual sources (--token-stdin, GITLAB_TOKEN, CI_JOB_TOKEN in CI, netrc, glab). ' +
          'No network unless --verify.',
        'stdout carries only the assignments; anything wrong exits non-zero with nothing to eval.',
      ),
    );
  for (const flag of ENV_FLAGS) addFlag(envCommand, flag);
  envCommand
    .addHelpText(
      'after',
      examples(
        ['eval "$(glx env)"', 'bash, zsh, sh'],
        'glx env --shell fish | source',
        'glx env --shell powershell | Out-String | Invoke-Expression',
        ['glx env --shell dotenv > .env.local', 'for docker compose or direnv'],
        ['glx env --publish', 'adds UV_PUBLISH_* for uv publish'],
      ),
    )
    .action(run(async () => (await import('../commands/env-action.js')).envAction));

  program
    .command('publish')
    .summary('upload wheels and sdists to a GitLab project registry')
    .description(
      paragraphs(
        'Upload wheels (.whl) and sdists (.tar.gz, .zip) to a GitLab project registry, streaming from disk, ' +
          'several at a time. Name, version and the rest of the metadata come from the files. A file the ' +
          'registry holds with the same sha256 is skipped; the same name with other bytes is a conflict.',
        'Target: --project, else the GitLab index with a publish-url in pyproject.toml, else in GitLab CI ' +
          'the running project (with the job token).',
        'Without files: dist/* of the uv workspace root (where uv build writes, also from a member), else of --cwd.',
      ),
    )
    .argument('[files...]', 'distribution files or globs (default: the wheels and sdists in dist/, as uv publish)')
    .option('--project <id|path>', 'the project registry to publish to')
    .option('--index <name>', 'the GitLab index in pyproject.toml to publish to (its publish-url)')
    .option('--file <path>', 'the pyproject.toml to read (default: nearest one upward from --cwd)')
    .option('--username <name>', "the token's username (required for deploy tokens)")
    .option('--concurrency <n>', 'files uploaded at once (default: 4)')
    .option('--release <tag>', 'link every file to this GitLab release')
    .option('--release-create', 'create the release when it does not exist')
    .option('--dry-run', 'show what would be uploaded, skipped or in conflict, and upload nothing')
    .addHelpText(
      'after',
      examples(
        ['glx publish', 'dist/* to the publish-url index'],
        ['glx publish dist/* --project acme/tools', 'or a project (id or path)'],
        ['glx publish dist/* --release v1.4.0', 'and link the files to that release'],
        'glx publish dist/* --release "$CI_COMMIT_TAG" --release-create',
        "glx publish 'dist/*.whl' --concurrency 8",
        'glx publish dist/* --dry-run --json',
      ),
    )
    .action(run(async () => (await import('../commands/publish.js')).publishAction));

  program
    .command('doctor')
    .summary('every check at once, with the fix for each failure')
    .description(
      paragraphs(
        'Answer "why does uv get a 401?": checks pyproject.toml and its GitLab indexes, the UV_INDEX_* ' +
          'variable names, the netrc as uv reads it, where uv takes credentials from (env, URL, netrc, uv ' +
          "store, keyring) and what GitLab says about them (kind, scopes, expiry, role, the registry's " +
          'answer), forwarding to pypi.org, tokens committed to git, and in CI the job-token allowlist.',
        'Pinned package names go to pypi.org only with --check-pypi. Network checks run concurrently. ' +
          'Exit 0 when nothing failed, 1 otherwise.',
      ),
    )
    .option('--ci', 'also check that CI_JOB_TOKEN can read every registry (automatic when GITLAB_CI=true)')
    .option('--offline', 'only the checks that need no network')
    .option(
      '--check-pypi',
      'also ask pypi.org (GLX_PYPI_URL names a mirror) whether each pinned package name exists there; off by default: it sends the names',
    )
    .option('--file <path>', 'the pyproject.toml to check (default: nearest one upward from --cwd)')
    .addHelpText(
      'after',
      examples(
        'glx doctor',
        ['glx doctor --json', 'one object per check: id, status, fix, …'],
        ['glx doctor --ci', 'inside a GitLab CI job'],
        ['glx doctor --check-pypi -v', 'pinned names on pypi.org; -v logs the URLs'],
      ),
    )
    .action(run(async () => (await import('../commands/doctor.js')).doctorAction));

  program
    .command('completion')
    .summary('print a shell completion script (bash, zsh, fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      examples(
        'glx completion bash > ~/.local/share/bash-completion/completions/glx',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh syntax the user types, not a template
        'glx completion zsh > "${fpath[1]}/_glx"',
        'glx completion fish > ~/.config/fish/completions/glx.fish',
      ),
    )
    .action(run(async () => (await import('../commands/completion.js')).completionAction));

  program
    .command('ci-setup')
    .summary('write .gitlab-ci.yml for uv with GitLab registries (job-token credentials, publish job)')
    .description(
      paragraphs(
        'Write .gitlab-ci.yml, or merge into it (your jobs, anchors, include:, !reference and comments ' +
          'stay byte for byte): a hidden job .glx-uv with the uv image pinned by UV_VERSION, PYTHON_VERSION ' +
          'and BASE_LAYER, UV_LINK_MODE=copy, a cache keyed on uv.lock, and job-token credentials for every ' +
          'GitLab index in pyproject.toml. Your jobs use it with `extends: .glx-uv`.',
        'glx rewrites its own blocks on every run; a second run changes nothing.',
      ),
    )
    .option(
      '--publish',
      "add the tag-only job glx-publish: uv build, uv publish to this project's registry, release links",
    )
    .option('--no-publish', 'remove the glx-publish job')
    .option(
      '--allowlist',
      'add this project to the job-token allowlist of every private project registry it reads (needs Maintainer there)',
    )
    .option(
      '--local',
      'write .gitlab-ci-local-variables.yml (CI_JOB_TOKEN = your token, mode 0600) for gitlab-ci-local, git-ignored',
    )
    .option('--lint', "check the result with GitLab's CI lint API before writing (needs a token)")
    .option('--uv-version <x.y[.z]>', `uv image version (default: kept from the file, else ${DEFAULT_UV_VERSION})`)
    .option(
      '--python <x.y>',
      'Python of the image (default: kept, else .python-version, else the lower bound of requires-python)',
    )
    .option(
      '--base-layer <name>',
      `image base: ${BASE_LAYERS.join(', ')} (default ${DEFAULT_BASE_LAYER}; no bookworm since uv 0.10)`,
    )
    .option('--project <id|path>', 'this project (default: CI_PROJECT_ID in CI, else the git remote origin)')
    .option('--ci-file <path>', 'the .gitlab-ci.yml to write (default: at the top of the git checkout)')
    .option('--file <path>', 'the pyproject.toml to read (default: nearest one upward from --cwd)')
    .option('--dry-run', 'print the change as a unified diff (and the allowlist calls) and write nothing')
    .addHelpText(
      'after',
      examples(
        ['glx ci-setup', 'uv job template and job-token credentials'],
        ['glx ci-setup --publish', 'plus a tag-only build/publish/release job'],
        ['glx ci-setup --allowlist', "let this project's jobs read the registries"],
        ['glx ci-setup --local', '.gitlab-ci-local-variables.yml for gitlab-ci-local'],
        'glx ci-setup --python 3.12 --uv-version 0.13.9 --lint',
        'glx ci-setup --publish --dry-run',
      ),
    )
    .action(run(async () => (await import('../commands/ci-setup.js')).ciSetupAction));

  return program;
}
