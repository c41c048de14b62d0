/**
 * Unified diffs for --dry-run. glx's edits are local, so the common prefix and suffix are cut
 * first and only the middle is compared line by line (LCS), which keeps large files cheap.
 */
import { lineBreaks } from './text.js';

type Op = { kind: ' ' | '-' | '+'; line: string };

export function unifiedDiff(before: string, after: string, file: string, context = 3): string {
  if (before === after) return '';
  const { skipped, a, b } = sharedEnds(before, after, context);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [
    ...a.slice(0, start).map((line) => ({ kind: ' ' as const, line })),
    ...middle(a.slice(start, endA), b.slice(start, endB)),
    ...a.slice(endA).map((line) => ({ kind: ' ' as const, line })),
  ];
  // git's a/ and b/ prefixes belong to paths inside the repository; an absolute path (the netrc)
  // stays as it is, not `b//home/…`.
  const [aLabel, bLabel] =
    file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? [file, file] : [`a/${file}`, `b/${file}`];
  return `--- ${before === '' ? '/dev/null' : aLabel}\n+++ ${bLabel}\n${hunks(ops, context, skipped).join('')}`;
}

/**
 * The lines of both texts without the whole lines they share at the start and at the end, but
 * `context` of those on each side: on a large file only the few lines around the edit are split
 * and compared. `skipped` is the number of lines left out at the start.
 */
function sharedEnds(before: string, after: string, context: number): { skipped: number; a: string[]; b: string[] } {
  const shortest = Math.min(before.length, after.length);
  // Binary searches over native string comparisons: a loop over the characters in JavaScript
  // would cost more than the rest of the diff on a cold start.
  const same = longest(shortest, (n) => before.slice(0, n) === after.slice(0, n));
  const tail = longest(shortest - same, (n) => before.slice(before.length - n) === after.slice(after.length - n));
  // The start of the line the first difference is in, then `context` lines further up.
  const lineStart = (pos: number) => (pos <= 0 ? 0 : before.lastIndexOf('\n', pos - 1) + 1);
  let head = lineStart(same);
  for (let i = 0; i < context && head > 0; i++) head = lineStart(head - 1);
  // The first line break inside the shared end ends the last line that differs; `context` lines
  // after it, the rest is the same in both.
  let at = before.indexOf('\n', before.length - tail);
  for (let i = 0; i < context && at >= 0; i++) at = before.indexOf('\n', at + 1);
  const cut = at < 0 ? 0 : before.length - (at + 1);
  return {
    skipped: lineBreaks(before, 0, head),
    a: splitLines(before.slice(head, before.length - cut)),
    b: splitLines(after.slice(head, after.length - cut)),
  };
}

/** The largest n in 0..max for which `holds(n)`, given that it holds for every smaller n. */
function longest(max: number, holds: (n: number) => boolean): number {
  let low = 0;
  let high = max;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (holds(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Lines with their terminators made visible only where it matters: a missing final newline. */
function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  // Keep a CR visible as part of the line so CRLF changes show up, but print it invisibly.
  return lines;
}

function middle(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    // Too large to align: show it as a replacement rather than spend seconds.
    return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ kind: '-', line: a[i++]! });
    else ops.push({ kind: '+', line: b[j++]! });
  }
  while (i < n) ops.push({ kind: '-', line: a[i++]! });
  while (j < m) ops.push({ kind: '+', line: b[j++]! });
  return ops;
}

/** `offset`: lines before the first op, for the line numbers. */
function hunks(ops: Op[], context: number, offset: number): string[] {
  const out: string[] = [];
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && ops[index]!.kind === ' ') index++;
    if (index >= ops.length) break;
    const start = Math.max(0, index - context);
    let end = index;
    // Extend while changes are within 2*context lines of each other.
    for (let k = index; k < ops.length; k++) {
      if (ops[k]!.kind !== ' ') end = k;
      else if (k - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const slice = ops.slice(start, stop);
    const aStart = offset + ops.slice(0, start).filter((op) => op.kind !== '+').length;
    const bStart = offset + ops.slice(0, start).filter((op) => op.kind !== '-').length;
    const aLen = slice.filter((op) => op.kind !== '+').length;
    const bLen = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@\n`);
    for (const op of slice) out.push(`${op.kind}${op.line.replace(/\r$/, '')}\n`);
    index = stop;
  }
  return out;
}

function range(start: number, length: number): string {
  const first = length === 0 ? start : start + 1;
  return length === 1 ? `${first}` : `${first},${length}`;
}
