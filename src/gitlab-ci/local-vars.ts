/**
 * `.gitlab-ci-local-variables.yml`, the project variables file gitlab-ci-local reads
 * (https://github.com/firecow/gitlab-ci-local#readme). gitlab-ci-local defines no CI_JOB_TOKEN, so glx puts the user's own
 * token there; the file must therefore never reach git. Edits are splices, like merge.ts: the
 * user's other variables and comments stay as they were. refuseTrackedLocalFile, prepareLocal,
 * ignoreLocal and writeLocal are the `glx ci-setup --local` steps that ask git and write.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isNode, isScalar, parseDocument } from 'yaml';
import type { ResolvedToken } from '../credentials/token.js';
import type { Deps, Log } from '../deps.js';
import { at, GlxError, usageError } from '../errors.js';
import { ignoreState, isTracked } from '../git/repo.js';
import { unifiedDiff } from '../util/diff.js';
import { readTextIfExists, writeFileAtomic } from '../util/fs-atomic.js';
import { lockOptions, withFileLock } from '../util/lock.js';
import { keyOf, linePos } from './document.js';

export const LOCAL_VARIABLES_FILE = '.gitlab-ci-local-variables.yml';
/** Anchored: the file next to this .gitignore, not one of the same name deeper down. */
export const GITIGNORE_ENTRY = `/${LOCAL_VARIABLES_FILE}`;

const HEADER = [
  '# Variables for gitlab-ci-local (https://github.com/firecow/gitlab-ci-local), from `glx ci-setup --local`.',
  '# CI_JOB_TOKEN is your own GitLab token, standing in for the job token: never commit this file.',
];

export type LocalAction = 'created' | 'updated' | 'unchanged';

/** The file with CI_JOB_TOKEN set to `token`; `before` undefined when it does not exist. */
export function upsertLocalToken(
  before: string | undefined,
  token: string,
  file: string,
): { text: string; action: LocalAction } {
  const eol = before?.includes('\r\n') ? '\r\n' : '\n';
  const line = `CI_JOB_TOKEN: ${yamlString(token)}`;
  if (before === undefined || before.trim() === '')
    return { text: [...HEADER, line].join(eol) + eol, action: before === undefined ? 'created' : 'updated' };
  const doc = parseDocument(before, { uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${at(file, pos?.line, pos?.col)}: ${error.message.split('\n', 1)[0]}`,
      `Fix ${file} (or move it away) and run glx ci-setup --local again.`,
    );
  }
  const contents = doc.contents;
  if (contents !== null && !(isMap(contents) && !contents.flow)) {
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${file}: not a block mapping of variables; glx edits only the YAML form of this file`,
      `Write it as YAML (NAME: value, one per line), or move it away and run glx ci-setup --local again.`,
    );
  }
  const pair = isMap(contents) ? contents.items.filter((item) => keyOf(item) === 'CI_JOB_TOKEN').at(-1) : undefined;
  if (pair) {
    if (isScalar(pair.value) && pair.value.value === token) return { text: before, action: 'unchanged' };
    if (!isNode(pair.value) || !pair.value.range || !isScalar(pair.value)) {
      const pos = linePos(before, isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0);
      throw new GlxError(
        'GITLAB_CI_INVALID',
        `${file}:${pos.line}:${pos.column}: CI_JOB_TOKEN is not a plain value`,
        'Give it a single value (or delete the line) and run glx ci-setup --local again.',
      );
    }
    const [start, end] = pair.value.range;
    return { text: before.slice(0, start) + yamlString(token) + before.slice(end), action: 'updated' };
  }
  const lead = before.endsWith('\n') ? '' : eol;
  return { text: `${before}${lead}${line}${eol}`, action: 'updated' };
}

/** A token as a YAML scalar: plain when it is letters, digits and `._-`, double-quoted otherwise. */
function yamlString(value: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9._]+(e[-+]?\d+)?)$/i.test(value)
    ? value
    : JSON.stringify(value);
}

/** .gitignore with the variables file appended (and a comment saying why). */
export function gitignoreWithEntry(before: string | undefined): string {
  const text = before ?? '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lead = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${lead}# gitlab-ci-local variables hold a GitLab token (glx ci-setup --local)${eol}${GITIGNORE_ENTRY}${eol}`;
}

/** What prepareLocal found out before anything is written. */
export interface LocalPrep {
  file: string;
  relative: string;
  dir: string;
  token: ResolvedToken;
  ignored: boolean;
  inRepo: boolean;
}

export interface LocalResult {
  file: string;
  action: LocalAction;
  gitignore: 'already ignored' | 'added' | 'would add';
  mode: '0600';
}

/** A token must never go into a file git already tracks: refuse before anything is written. */
export async function refuseTrackedLocalFile(deps: Deps, cwd: string, dir: string): Promise<void> {
  if (await isTracked(deps, dir, LOCAL_VARIABLES_FILE)) {
    throw new GlxError(
      'SECRET_FILE_TRACKED',
      `${path.relative(cwd, path.join(dir, LOCAL_VARIABLES_FILE)) || LOCAL_VARIABLES_FILE} is tracked by git; glx will not write a token into a file that gets committed`,
      `Untrack it (git rm --cached ${LOCAL_VARIABLES_FILE}; if a token was ever committed, revoke it), then run glx ci-setup --local again.`,
    );
  }
}

/** The variables file next to the CI file in `dir`, and whether git ignores it yet. */
export async function prepareLocal(deps: Deps, cwd: string, dir: string, token: ResolvedToken): Promise<LocalPrep> {
  const file = path.join(dir, LOCAL_VARIABLES_FILE);
  const relative = path.relative(cwd, file) || LOCAL_VARIABLES_FILE;
  if (token.kind === 'job') {
    throw usageError(
      '--local prepares gitlab-ci-local on your machine; in a CI job, CI_JOB_TOKEN is already set',
      'Run glx ci-setup --local outside CI, with your own token.',
    );
  }
  return { file, relative, dir, token, ...(await ignoreState(deps, dir, LOCAL_VARIABLES_FILE)) };
}

/**
 * The first `--local` write: the variables file's line in the .gitignore beside it, then git is
 * asked whether it now ignores the file. If git still does not (it skips a .gitignore that is a
 * symlink), the .gitignore gets its old bytes back and nothing else is written: the caller runs
 * this before it touches .gitlab-ci.yml.
 */
export async function ignoreLocal(
  deps: Deps,
  log: Log,
  cwd: string,
  prep: LocalPrep,
  dryRun: boolean,
): Promise<{ gitignore: LocalResult['gitignore']; diff?: string }> {
  if (prep.ignored) return { gitignore: 'already ignored' };
  const ignoreFile = path.join(prep.dir, '.gitignore');
  const ignoreRelative = path.relative(cwd, ignoreFile) || '.gitignore';
  const before = await readTextIfExists(ignoreFile);
  const diff = unifiedDiff(before ?? '', gitignoreWithEntry(before), ignoreRelative);
  if (dryRun) return { gitignore: 'would add', diff };
  await withFileLock(
    ignoreFile,
    async () => {
      const current = await readTextIfExists(ignoreFile);
      await writeFileAtomic(ignoreFile, gitignoreWithEntry(current));
      const after = await ignoreState(deps, prep.dir, LOCAL_VARIABLES_FILE);
      if (!prep.inRepo || after.ignored) return;
      if (current === undefined) await fs.rm(ignoreFile, { force: true });
      else await writeFileAtomic(ignoreFile, current);
      throw new GlxError(
        'SECRET_FILE_TRACKED',
        `git still does not ignore ${prep.relative} after adding ${GITIGNORE_ENTRY} to ${ignoreRelative}; nothing was written`,
        `git skipped the rule (it does not read a .gitignore that is a symlink: make it a plain file); \`git check-ignore -v --no-index ${LOCAL_VARIABLES_FILE}\` shows what git reads.`,
      );
    },
    lockOptions(deps.env),
  );
  if (!prep.inRepo)
    log.warn(
      `${prep.dir} is not a git repository: ${LOCAL_VARIABLES_FILE} is listed in .gitignore for when it becomes one.`,
    );
  return { gitignore: 'added', diff };
}

/** The second `--local` write, after ignoreLocal: CI_JOB_TOKEN in the variables file, mode 0600. */
export async function writeLocal(
  prep: LocalPrep,
  gitignore: LocalResult['gitignore'],
  deps: Deps,
  dryRun: boolean,
): Promise<LocalResult> {
  const before = await readTextIfExists(prep.file);
  const planned = upsertLocalToken(before, prep.token.token, prep.relative);
  if (!dryRun) {
    if (planned.action !== 'unchanged') {
      await withFileLock(
        prep.file,
        async () => {
          const again = upsertLocalToken(await readTextIfExists(prep.file), prep.token.token, prep.relative);
          await writeFileAtomic(prep.file, again.text, { mode: 0o600, keepMode: false });
        },
        lockOptions(deps.env),
      );
    } else if (((await fs.stat(prep.file)).mode & 0o777) !== 0o600) {
      await fs.chmod(prep.file, 0o600);
    }
  }
  return { file: prep.file, action: planned.action, gitignore, mode: '0600' };
}
