/**
 * Progress of several transfers at once on stderr. On a terminal: one bar per file, redrawn in
 * place (cursor up, erase down) at most every 100 ms, with finished files printed above the bars.
 * Anywhere else (CI logs, pipes): plain lines when a file starts, retries and finishes.
 */
import type { Styler } from '../util/color.js';

export interface ProgressOptions {
  write(text: string): void;
  tty: boolean;
  columns: number;
  style: Styler;
  /** Colour on: bars drawn with ━ in two shades; off: # and -. */
  color: boolean;
  now?: () => number;
}

export interface Progress {
  start(id: string, label: string, total: number): void;
  update(id: string, done: number): void;
  /** A passing remark on one transfer (a retry); shown on its bar, or as a line. */
  note(id: string, text: string): void;
  /** Removes the bar and prints the final line for that transfer. */
  finish(id: string, line: string): void;
  /** A line above the bars. */
  log(line: string): void;
  stop(): void;
}

interface Bar {
  label: string;
  total: number;
  done: number;
  startedAt: number;
  note?: string;
}

const REDRAW_MS = 100;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** One bar line, at most `columns - 1` visible characters. Pure, for tests. */
export function renderBar(bar: Bar, columns: number, style: Styler, color: boolean, now: number): string {
  const fraction = bar.total > 0 ? Math.min(1, bar.done / bar.total) : 1;
  const seconds = Math.max(0.001, (now - bar.startedAt) / 1000);
  const rate = bar.done / seconds;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const amounts = `${formatBytes(bar.done)}/${formatBytes(bar.total)}`;
  const right = `${percent} ${amounts} ${formatBytes(rate)}/s${bar.note ? ` ${bar.note}` : ''}`;
  const labelWidth = Math.min(bar.label.length, Math.max(12, Math.floor(columns * 0.5)));
  const label = bar.label.length > labelWidth ? `${bar.label.slice(0, labelWidth - 1)}…` : bar.label;
  const width = Math.max(10, columns - 1 - label.length - right.length - 2);
  const filled = Math.round(fraction * width);
  const graphic = color
    ? style.green('━'.repeat(filled)) + style.dim('━'.repeat(width - filled))
    : '#'.repeat(filled) + '-'.repeat(width - filled);
  return `${label} ${graphic} ${right}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => Date.now());
  const bars = new Map<string, Bar>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let pending: string[] = [];

  function draw(): void {
    timer = undefined;
    let out = drawn > 0 ? `\u001b[${drawn}F\u001b[J` : '';
    for (const line of pending) out += `${line}\n`;
    pending = [];
    const at = now();
    for (const bar of bars.values()) out += `${renderBar(bar, options.columns, options.style, options.color, at)}\n`;
    drawn = bars.size;
    if (out !== '') options.write(out);
  }

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(draw, REDRAW_MS);
    timer.unref?.();
  }

  function flushNow(): void {
    if (timer) clearTimeout(timer);
    draw();
  }

  if (!options.tty) {
    const labels = new Map<string, string>();
    return {
      start: (id, label, total) => {
        labels.set(id, label);
        options.write(`uploading ${label} (${formatBytes(total)})\n`);
      },
      update: () => {},
      note: (id, text) => options.write(`${labels.get(id) ?? id}: ${text}\n`),
      finish: (_id, line) => options.write(`${line}\n`),
      log: (line) => options.write(`${line}\n`),
      stop: () => {},
    };
  }
  return {
    start(id, label, total) {
      bars.set(id, { label, total, done: 0, startedAt: now() });
      flushNow();
    },
    update(id, done) {
      const bar = bars.get(id);
      if (!bar) return;
      bar.done = done;
      schedule();
    },
    note(id, text) {
      const bar = bars.get(id);
      if (!bar) return;
      bar.note = text;
      schedule();
    },
    finish(id, line) {
      bars.delete(id);
      pending.push(line);
      flushNow();
    },
    log(line) {
      pending.push(line);
      flushNow();
    },
    stop() {
      bars.clear();
      flushNow();
    },
  };
}
