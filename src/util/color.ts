/** Colour decisions (NO_COLOR, FORCE_COLOR, --no-color, TTY) and the few styles run-cli needs, without chalk. */
import type { Env } from '../deps.js';

export function colorEnabled(env: Env, isTTY: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  // https://no-color.org: any non-empty NO_COLOR disables colour.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

export interface Styler {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** `enabled` may be a question asked at the first styled text (it looks at the terminal). */
export function styler(enabled: boolean | (() => boolean)): Styler {
  const on = typeof enabled === 'function' ? enabled : () => enabled;
  const wrap = (open: number, close: number) => (text: string) =>
    on() ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
