/**
 * The number of line feeds in `text` from `start` to `end`: counted in place, without the array of
 * lines that `split('\n')` builds (thousands of strings on a large file, for the collector to clear).
 */
export function lineBreaks(text: string, start = 0, end = text.length): number {
  let count = 0;
  for (let at = text.indexOf('\n', start); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
