/**
 * `POST /projects/:id/ci/lint` (`gl:lib/api/lint.rb`: `authorize! :create_pipeline` → Developer+).
 * The fake does not parse YAML; it catches the mistakes a generator makes: empty content, tabs in
 * indentation, unbalanced flow brackets, a top level that is not a mapping, no visible job.
 */
import { roleOn } from '../access.js';
import type { RouteContext, RouteDefinition } from '../context.js';
import { forbidden, jsonReply, type Reply } from '../reply.js';
import { AccessLevel } from '../state.js';
import { findProjectOrReply, isReply, missingParams, stringParam } from './common.js';

/** Top-level keywords that are not jobs (GitLab CI YAML reference). */
const GLOBAL_KEYWORDS = new Set([
  'default',
  'include',
  'stages',
  'variables',
  'workflow',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
  'types',
]);

/** Blanks out quoted strings and comments, so brackets and colons inside them are not counted. */
function stripStringsAndComments(line: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ' ';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      out += ' ';
    } else if (ch === '#' && (i === 0 || /\s/.test(line.charAt(i - 1)))) {
      break;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Problems in Psych's words where there is a matching message; "Invalid configuration format" otherwise. */
export function lintCiYaml(content: string): string[] {
  if (content.trim() === '') return ['Please provide content of .gitlab-ci.yml'];
  const lines = content.split(/\r?\n/);
  let inBlockScalar = false;
  let blockIndent = 0;
  let depth = 0;
  const topKeys: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const indent = /^ */.exec(line)?.[0].length ?? 0;
    if (inBlockScalar) {
      if (line.trim() === '' || indent > blockIndent) continue;
      inBlockScalar = false;
    }
    const tab = /^[ ]*\t/.exec(line);
    if (tab && line.trim() !== '') {
      return [
        `(<unknown>): found character that cannot start any token while scanning for the next token at line ${i + 1} column ${tab[0].length}`,
      ];
    }
    const code = stripStringsAndComments(line);
    if (code.trim() === '' || code.trim() === '---') continue;
    for (const ch of code) {
      if (ch === '[' || ch === '{') depth++;
      if (ch === ']' || ch === '}') depth--;
      if (depth < 0) {
        return [`(<unknown>): did not find expected node content while parsing a block node at line ${i + 1}`];
      }
    }
    if (/[|>][-+0-9]*\s*$/.test(code)) {
      inBlockScalar = true;
      blockIndent = indent;
    }
    if (indent === 0 && depth === 0) {
      const key = /^([^\s:][^:]*?|"[^"]*"|'[^']*'):(\s|$)/.exec(line);
      if (!key) return ['Invalid configuration format'];
      topKeys.push((key[1] ?? '').replace(/^["']|["']$/g, ''));
    }
  }
  if (depth !== 0) return ["(<unknown>): did not find expected ',' or ']' while parsing a flow sequence"];
  const jobs = topKeys.filter((k) => !GLOBAL_KEYWORDS.has(k) && !k.startsWith('.'));
  if (jobs.length === 0 && !topKeys.includes('include')) return ['jobs config should contain at least one visible job'];
  return [];
}

function ciLint(ctx: RouteContext): Reply {
  const missing = missingParams(ctx.input, ['content']);
  if (missing) return missing;
  const project = findProjectOrReply(ctx, ctx.params.id ?? '');
  if (isReply(project)) return project;
  if (roleOn(ctx.state, project, ctx.principal) < AccessLevel.developer) return forbidden();
  const content = stringParam(ctx.input, 'content') ?? '';
  const errors = lintCiYaml(content);
  const valid = errors.length === 0;
  return jsonReply(200, { valid, errors, warnings: [], merged_yaml: valid ? content : null, includes: [] });
}

export const ciLintRoutes: RouteDefinition[] = [
  { method: 'POST', path: '/projects/:id/ci/lint', auth: 'rest', handler: ciLint },
];
