/**
 * What the code cites, a reader of this repository can open: upstream docs and source (a URL, or
 * `owner/repo#number`), or a file in the repository. Not the notes glx was planned from, which live
 * outside it, and not this project's issue numbers, which say nothing to someone with the code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOTS = ['src', 'test', 'bench', 'scripts', 'bin', '.ci', 'README.md', '.gitlab-ci.yml', 'package.json'];
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|md|json|ya?ml|toml|sh)$|^run$/;
const SELF = path.join('test', 'docs', 'citations.test.ts');

function files(at: string): string[] {
  const entries = (() => {
    try {
      return readdirSync(at, { withFileTypes: true });
    } catch {
      return undefined; // a file, not a directory
    }
  })();
  if (!entries) return [at];
  return entries.flatMap((entry) => {
    const file = path.join(at, entry.name);
    if (entry.isDirectory()) return files(file);
    return TEXT.test(entry.name) ? [file] : [];
  });
}

/** Every line of every file scanned, read once: where it is, and its text. */
const LINES = ROOTS.flatMap(files).flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ file, where: `${file}:${i + 1}`, text })),
);

const RULES: Array<[string, RegExp]> = [
  ["this project's issue numbers", /\bissues? #?\d+/i],
  ['the planning notes outside the repository', /\bresearch\/|\b(DESIGN|STYLE)\.md\b|\bseeds\//],
  ['a bare #number, which names no repository (write owner/repo#number or the URL)', /(?<![\w&/])#\d{3,}\b/],
];

/** What a line cites that a reader cannot open, by rule. */
const caught = (line: string) => RULES.filter(([, rule]) => rule.test(line)).map(([what]) => what);

describe('citations', () => {
  it('name only what a reader of the repository can open', () => {
    const scanned = LINES.filter((line) => line.file !== SELF);
    const found = scanned.flatMap(({ where, text }) => caught(text).map((what) => `${where}: ${what}: ${text.trim()}`));

    expect(scanned.map((line) => line.file)).toContain(path.join('src', 'main.ts'));
    expect(found).toEqual([]);
  });

  it('names files of the repository that exist', () => {
    // A path of this repository (not one inside a URL, which names another repository's file).
    const cited = /(?<![\w/.-])(?:src|test|bench|scripts|schemas)\/[\w./-]+\.(?:ts|md|mjs|cjs|json)\b/g;
    const missing = LINES.flatMap(({ where, text }) =>
      [...text.matchAll(cited)].flatMap(([name]) => (existsSync(name) ? [] : [`${where}: ${name}`])),
    );

    expect(missing).toEqual([]);
  });

  it('catches each kind', () => {
    expect(caught('// Errors name the line (issue 7).')).toEqual(["this project's issue numbers"]);
    expect(caught("describe('issues 5 and 10', () => {")).toEqual(["this project's issue numbers"]);
    expect(caught(' * behaves as research/gitlab.md says (STYLE.md habit 4)')).toHaveLength(1);
    expect(caught('// uv dropped that rule in 0.11.17 (#19494).')).toHaveLength(1);
    expect(caught('// uv dropped that rule in 0.11.17 (astral-sh/uv#19494).')).toEqual([]);
    expect(caught("expect(unescapeHtml('&#62;')).toBe('>');")).toEqual([]);
    expect(caught('  #1 GET /api/v4/user → 401')).toEqual([]);
  });
});
