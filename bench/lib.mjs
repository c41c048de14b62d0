// Shared helpers for the benchmarks (run by hand: `npm run bench`; never part of `npm test`).
import { spawnSync } from 'node:child_process';

/** Median wall time (ms) of each command, interleaved run by run so drift hits all of them alike. */
export function pairedMedians(commands, { runs = 30, warmup = 3 } = {}) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, { cmd, args, options }] of Object.entries(commands)) {
      const started = process.hrtime.bigint();
      const result = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
      if (i >= warmup) times[name].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}
