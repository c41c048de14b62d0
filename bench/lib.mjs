// Shared helpers for the benchmarks (run by hand: `npm run bench`; never part of `npm test`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Median wall time (ms) of each command, interleaved run by run so drift hits all of them alike. */
export function pairedMedians(commands, { runs = 30, warmup = 3 } = {}) {
  return Object.fromEntries(Object.entries(pairedRuns(commands, { runs, warmup })).map(([k, v]) => [k, v.wall]));
}

const CPU_PRELOAD = fileURLToPath(new URL('./cpu.cjs', import.meta.url));

/**
 * Median wall time and median CPU time (user + system, ms) of each command, interleaved run by
 * run. CPU time needs node commands (`cmd` is a node binary): they run with bench/cpu.cjs
 * preloaded, which reports it at exit.
 */
export function pairedRuns(commands, { runs = 30, warmup = 3, cpu = false } = {}) {
  const times = Object.fromEntries(Object.keys(commands).map((k) => [k, { wall: [], cpu: [] }]));
  for (let i = 0; i < warmup + runs; i++) {
    for (const [name, { cmd, args, options }] of Object.entries(commands)) {
      const started = process.hrtime.bigint();
      const result = spawnSync(cmd, cpu ? ['-r', CPU_PRELOAD, ...args] : args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        ...options,
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (result.status !== 0) throw new Error(`${name} exited ${result.status}: ${result.stderr}`);
      if (i < warmup) continue;
      times[name].wall.push(ms);
      const reported = /__bench_cpu_us__ (\d+)/.exec(String(result.stderr))?.[1];
      if (cpu && reported) times[name].cpu.push(Number(reported) / 1000);
    }
  }
  return Object.fromEntries(
    Object.entries(times).map(([k, v]) => [
      k,
      { wall: median(v.wall), cpu: v.cpu.length ? median(v.cpu) : Number.NaN },
    ]),
  );
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmt(ms) {
  return `${ms.toFixed(1)} ms`;
}

/** The lines of a ~4,800-line pyproject.toml: 2,400 dependencies, then many small tables. */
export function bigPyproject() {
  const lines = ['[project]', 'name = "big"', 'version = "1.0.0"', 'dependencies = ['];
  for (let i = 0; i < 2400; i++) lines.push(`  "package-${i}>=1.${i}",`);
  lines.push(']', '');
  for (let i = 0; lines.length < 4790; i++)
    lines.push(`[tool.bench.section${i}]`, `# comment ${i}`, `key = "value ${i}"`, `number = ${i}`, '');
  lines.push('[tool.uv]', 'package = true', '');
  return lines;
}
