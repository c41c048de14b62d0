import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/util/diff.js';

describe('unifiedDiff', () => {
  it('is empty when nothing changed', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'f')).toBe('');
  });

  it('shows an insertion with three lines of context', () => {
    const before = 'l1\nl2\nl3\nl4\nl5\nl6\n';
    const after = 'l1\nl2\nl3\nl4\nnew\nl5\nl6\n';

    const diff = unifiedDiff(before, after, 'pyproject.toml');

    expect(diff).toBe('--- a/pyproject.toml\n+++ b/pyproject.toml\n@@ -2,5 +2,6 @@\n l2\n l3\n l4\n+new\n l5\n l6\n');
  });

  it('marks a missing final newline', () => {
    const diff = unifiedDiff('a', 'a\nb', 'f');

    expect(diff).toContain('\\ No newline at end of file');
  });

  it('diffs a new file against /dev/null', () => {
    expect(unifiedDiff('', 'x\n', 'f')).toBe('--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n');
  });

  it('keeps separate hunks for distant changes', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const after = [...lines];
    after[2] = 'X';
    after[25] = 'Y';

    const diff = unifiedDiff(`${lines.join('\n')}\n`, `${after.join('\n')}\n`, 'f');

    expect(diff.match(/^@@/gm)).toHaveLength(2);
  });

  it('handles a 5,000-line file quickly by trimming the common ends', () => {
    const big = Array.from({ length: 5000 }, (_, i) => `key${i} = ${i}`).join('\n');

    const diff = unifiedDiff(`${big}\n`, `${big}\nnew = 1\n`, 'f');

    expect(diff).toContain('+new = 1');
  });

  it('numbers the lines of a change in the middle of a large file, with its context and nothing else', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `key${i} = ${i}`);
    const after = [...lines];
    after.splice(2500, 1, 'key2500 = "x"', 'added = 1');

    const diff = unifiedDiff(`${lines.join('\n')}\n`, `${after.join('\n')}\n`, 'f');

    expect(diff).toBe(
      '--- a/f\n+++ b/f\n@@ -2498,7 +2498,8 @@\n key2497 = 2497\n key2498 = 2498\n key2499 = 2499\n' +
        '-key2500 = 2500\n+key2500 = "x"\n+added = 1\n key2501 = 2501\n key2502 = 2502\n key2503 = 2503\n',
    );
  });

  it('keeps the last line, without a final newline, in the context of a change near the end', () => {
    const diff = unifiedDiff('a\nb\nc\nd\ne', 'a\nB\nc\nd\ne', 'f');

    expect(diff).toBe('--- a/f\n+++ b/f\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n\\ No newline at end of file\n');
  });
});
