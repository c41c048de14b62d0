/** Shared checks for the pyproject editor tests. */
import { type IndexSpec, type SourcePin, upsertIndex, upsertSources } from '../../src/pyproject/edit.js';

/** Splits into lines, each keeping its terminator, so CRLF and a missing final newline count. */
export function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * How many lines of `before` are missing from `after` (longest common subsequence of lines):
 * 0 means every original line survives, in order, and the edit only added lines.
 */
export function lostLines(before: string, after: string): number {
  const a = linesOf(before);
  const b = linesOf(after);
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (const line of a) {
    for (let j = 1; j <= b.length; j++) {
      row[j] = line === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    [prev, row] = [row, prev];
  }
  return a.length - prev[b.length]!;
}

export interface Steps {
  spec?: IndexSpec;
  pins?: SourcePin[];
}

export interface Applied {
  text: string;
  index?: ReturnType<typeof upsertIndex>;
  sources?: ReturnType<typeof upsertSources>;
}

/** What `glx init` does: the index first, then pins to the name actually used. */
export function applySteps(text: string, steps: Steps, file = 'pyproject.toml'): Applied {
  const index = steps.spec ? upsertIndex(text, steps.spec, file) : undefined;
  const afterIndex = index?.text ?? text;
  const pins = steps.pins?.map((pin) => ({
    ...pin,
    index: index && pin.index === steps.spec?.name ? index.name : pin.index,
  }));
  const sources = pins ? upsertSources(afterIndex, pins, file) : undefined;
  return { text: sources?.text ?? afterIndex, index, sources };
}
