/**
 * `.gitlab-ci-local-variables.yml`, the project variables file gitlab-ci-local reads
 * (https://github.com/firecow/gitlab-ci-local#readme). gitlab-ci-local defines no CI_JOB_TOKEN, so glx puts the user's own
 * token there; the file must therefore never reach git. Edits are splices, like merge.ts: the
 * user's other variables and comments stay as they were. refuseTrackedLocalFile, prepareLocal and
 * writeLocal are the `glx ci-setup --local` steps that ask git and write.
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
 * The .gitignore entry first (and git asked again that it took), then the token, mode 0600; with
 * `dryRun` nothing is written. The diffs are of .gitignore only: the token is not shown.
 */
export async function writeLocal(
  deps: Deps,
  log: Log,
  cwd: string,
  prep: LocalPrep,
  dryRun: boolean,
): Promise<{ local: LocalResult; diffs: string[] }> {
  const diffs: string[] = [];
  let gitignore: LocalResult['gitignore'] = 'already ignored';
  if (!prep.ignored) {
    const ignoreFile = path.join(prep.dir, '.gitignore');
    const ignoreRelative = path.relative(cwd, ignoreFile) || '.gitignore';
    const before = await readTextIfExists(ignoreFile);
    diffs.push(unifiedDiff(before ?? '', gitignoreWithEntry(before), ignoreRelative));
    gitignore = dryRun ? 'would add' : 'added';
    if (!dryRun) {
      await withFileLock(
        ignoreFile,
        async () => writeFileAtomic(ignoreFile, gitignoreWithEntry(await readTextIfExists(ignoreFile))),
        lockOptions(deps.env),
      );
      const after = await ignoreState(deps, prep.dir, LOCAL_VARIABLES_FILE);
      if (prep.inRepo && !after.ignored) {
        throw new GlxError(
          'SECRET_FILE_TRACKED',
          `git still does not ignore ${prep.relative} after adding ${GITIGNORE_ENTRY} to ${ignoreRelative}; the token was not written`,
          `Another ignore rule re-includes it (a "!" pattern?): \`git check-ignore -v --no-index ${LOCAL_VARIABLES_FILE}\` shows which.`,
        );
      }
      if (!prep.inRepo)
        log.warn(
          `${prep.dir} is not a git repository: ${LOCAL_VARIABLES_FILE} is listed in .gitignore for when it becomes one.`,
        );
    }
  }
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
  return { local: { file: prep.file, action: planned.action, gitignore, mode: '0600' }, diffs };
}
