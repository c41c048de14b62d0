/**
 * Splices glx's blocks into the text of .gitlab-ci.yml. The yaml Document tells where each
 * top-level entry starts and ends; everything outside glx's own blocks is copied byte for byte,
 * because re-serialising the whole document would reflow the user's lines, quotes and indentation.
 */
import { isNode, type Pair } from 'yaml';
import { GlxError } from '../errors.js';
import { MARKER, PUBLISH_JOB, type RenderedJob, TEMPLATE_JOB } from './build.js';
import {
  anchorsUsedElsewhere,
  type CiFile,
  findPairs,
  jobValue,
  linePos,
  parseCiFile,
  topLevelKeys,
} from './document.js';

export type BlockAction = 'added' | 'updated' | 'unchanged' | 'removed';

export interface MergeInput {
  template: RenderedJob;
  /** The publish job to write, `remove` to take it out, undefined to leave the file without one. */
  publish?: RenderedJob | 'remove';
  /** A first visible job, added once. */
  starter?: RenderedJob;
}

export interface MergeResult {
  text: string;
  template: BlockAction;
  publish?: BlockAction;
  starter?: BlockAction;
}

interface Region {
  start: number;
  end: number;
}

interface Edit extends Region {
  text: string;
}

export function mergeGlxPart(ci: CiFile, input: MergeInput): MergeResult {
  const { text, eol } = ci;
  const template = managedRegion(ci, TEMPLATE_JOB);
  const publish = managedRegion(ci, PUBLISH_JOB);
  const edits: Edit[] = [];
  const result: MergeResult = { text, template: 'added' };

  // New blocks follow the template, so that glx's part stays together.
  const added: string[] = [];
  if (input.starter) {
    added.push(input.starter.text);
    result.starter = 'added';
  }
  const newPublish = input.publish !== undefined && input.publish !== 'remove' ? input.publish : undefined;
  if (newPublish && !publish) {
    added.push(newPublish.text);
    result.publish = 'added';
  }

  if (template) {
    const old = text.slice(template.start, template.end);
    result.template = old === input.template.text ? 'unchanged' : 'updated';
    edits.push({ ...template, text: input.template.text + added.map((block) => eol + block).join('') });
  } else {
    edits.push(appendAtEnd(ci, [input.template.text, ...added]));
  }

  if (publish && newPublish) {
    result.publish = text.slice(publish.start, publish.end) === newPublish.text ? 'unchanged' : 'updated';
    edits.push({ ...publish, text: newPublish.text });
  } else if (publish && input.publish === 'remove') {
    // Take the blank line that separated it along, the reverse of what adding puts in.
    const start =
      text.slice(publish.start - 2 * eol.length, publish.start) === eol + eol
        ? publish.start - eol.length
        : publish.start;
    edits.push({ start, end: publish.end, text: '' });
    result.publish = 'removed';
  }

  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const edit of edits) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  result.text = out;
  verify(ci, result, input);
  return result;
}

/** Marker lines, key and value of a glx block already in the file; undefined when absent. */
function managedRegion(ci: CiFile, key: string): Region | undefined {
  const pairs = findPairs(ci, key);
  if (pairs.length === 0) return undefined;
  const { text } = ci;
  if (pairs.length > 1) {
    const pos = linePos(text, rangeOf(pairs[1]!).start);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${ci.file}:${pos.line}:${pos.column}: ${key} appears twice; glx cannot tell which one to update`,
      `Delete one of them (glx writes it again). Nothing was changed.`,
    );
  }
  const pair = pairs[0]!;
  const used = anchorsUsedElsewhere(ci, pair);
  if (used.length > 0) {
    const pos = linePos(text, rangeOf(pair).start);
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${ci.file}:${pos.line}:${pos.column}: ${key} defines the anchor ${used.map((a) => `&${a}`).join(', ')}, which other jobs use; glx rewrites ${key} and would drop it`,
      `Use \`extends: ${TEMPLATE_JOB}\` (or !reference) in those jobs instead of the anchor, then run glx ci-setup again. Nothing was changed.`,
    );
  }
  const range = rangeOf(pair);
  let start = lineStart(text, range.start);
  // Marker comments directly above the key belong to the block.
  for (;;) {
    if (start === 0) break;
    const previous = lineStart(text, start - 1);
    if (!text.slice(previous, start).startsWith(MARKER)) break;
    start = previous;
  }
  return { start, end: lineEnd(text, range.end) };
}

function rangeOf(pair: Pair): Region {
  const key = isNode(pair.key) ? pair.key.range : undefined;
  const value = isNode(pair.value) ? pair.value.range : undefined;
  const start = key?.[0] ?? value?.[0] ?? 0;
  // valueEnd (range[1]) stops before comments and blank lines that follow the value.
  const end = Math.max(key?.[1] ?? start, value?.[1] ?? start);
  return { start, end };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset after the line ending of the line `offset` is on (or just after it ends). */
function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Blocks appended after the last line, each after a blank line. */
function appendAtEnd(ci: CiFile, blocks: string[]): Edit {
  const { text, eol } = ci;
  const end = text.length;
  if (/^\.\.\.[ \t]*$/m.test(text)) {
    throw new GlxError(
      'GITLAB_CI_INVALID',
      `${ci.file}: the file ends its YAML document with "..."; glx appends its jobs at the end and cannot`,
      'Remove the "..." document end marker, then run glx ci-setup again. Nothing was changed.',
    );
  }
  if (text.trim() === '') return { start: 0, end, text: blocks.join(eol) };
  const lead = text.endsWith('\n') ? eol : eol + eol;
  return { start: end, end, text: lead + blocks.join(eol) };
}

/** The result must parse, keep every other top-level entry, and hold exactly the jobs planned. */
function verify(before: CiFile, result: MergeResult, input: MergeInput): void {
  let after: CiFile;
  try {
    after = parseCiFile(result.text, before.file);
  } catch (error) {
    throw new GlxError(
      'INTERNAL',
      `glx produced a .gitlab-ci.yml it cannot read back (${(error as Error).message})`,
      'Nothing was written; please report this as a glx bug with the file.',
    );
  }
  const keys = new Set(topLevelKeys(after));
  const lost = topLevelKeys(before).filter(
    (key) => !keys.has(key) && !(key === PUBLISH_JOB && input.publish === 'remove'),
  );
  const planned = [input.template, input.starter, input.publish === 'remove' ? undefined : input.publish];
  const wrong = planned.filter(
    (job): job is RenderedJob =>
      job !== undefined && JSON.stringify(jobValue(after, job.key)) !== JSON.stringify(job.value),
  );
  if (lost.length > 0 || wrong.length > 0) {
    const what =
      lost.length > 0 ? `lost ${lost.join(', ')}` : `wrote ${wrong.map((job) => job.key).join(', ')} wrongly`;
    throw new GlxError(
      'INTERNAL',
      `glx's merge of ${before.file} ${what}`,
      'Nothing was written; please report this as a glx bug with the file.',
    );
  }
}
