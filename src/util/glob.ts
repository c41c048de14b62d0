/**
 * A small glob for file arguments that reach glx unexpanded (`glx publish 'dist/*'`, or from a
 * shell that passes a pattern through when nothing matches). `*`, `?` and `[...]` within one path
 * segment, as sh does; dotfiles only match a pattern that starts with a dot.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** One path segment's pattern as an anchored regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const found = bracketClass(segment, i, ['!', '^']);
      source += found.source;
      i = found.end;
    } else source += ch.replace(/[.+^${}()|\\]/g, (c) => `\\${c}`);
  }
  return new RegExp(`^${source}$`);
}

/**
 * The `[...]` class that opens at `start` as regular-expression source, and the index of its `]`
 * (`start` itself, with a literal `[`, when it never closes). `negations` are the leading
 * characters that negate the class (`!` and `^` for sh, `!` for Rust's glob crate).
 */
export function bracketClass(
  pattern: string,
  start: number,
  negations: readonly string[],
): { source: string; end: number } {
  const close = pattern.indexOf(']', start + 2);
  if (close < 0) return { source: '\\[', end: start };
  let body = pattern.slice(start + 1, close);
  const negate = negations.some((mark) => body.startsWith(mark));
  if (negate) body = body.slice(1);
  return { source: `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`, end: close };
}

/** Paths matching `pattern` (relative to `cwd` unless absolute), sorted; [] when nothing matches. */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, pattern);
  const { root } = path.parse(absolute);
  const segments = absolute
    .slice(root.length)
    .split(path.sep)
    .filter((segment) => segment !== '');
  let current = [root];
  for (const segment of segments) {
    const next: string[] = [];
    if (!hasGlob(segment)) {
      for (const dir of current) next.push(path.join(dir, segment));
    } else {
      const regexp = segmentRegExp(segment);
      for (const dir of current) {
        let names: string[];
        try {
          names = await fs.readdir(dir);
        } catch {
          continue;
        }
        for (const name of names) {
          if (name.startsWith('.') && !segment.startsWith('.')) continue;
          if (regexp.test(name)) next.push(path.join(dir, name));
        }
      }
    }
    current = next;
  }
  const existing: string[] = [];
  for (const candidate of current) {
    try {
      await fs.lstat(candidate);
      existing.push(candidate);
    } catch {
      // a literal segment after a glob that does not exist under this match
    }
  }
  return existing.sort();
}
