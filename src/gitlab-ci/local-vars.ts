/**
 * `.gitlab-ci-local-variables.yml`, the project variables file gitlab-ci-local reads
 * (https://github.com/firecow/gitlab-ci-local#readme). gitlab-ci-local defines no CI_JOB_TOKEN, so glx puts the user's own
 * token there; the file must therefore never reach git. Edits are splices, like merge.ts: the
 * user's other variables and comments stay as they were.
 */
import { isMap, isNode, isScalar, parseDocument } from 'yaml';
import { at, GlxError } from '../errors.js';
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
