// What one smol-toml parse of the ~4,800-line pyproject.toml of bench/startup.mjs costs in a fresh
// node (cold: the first call, as in every glx run) and once V8 has optimised the parser (warm: the
// tenth call in the same process). glx parses the file once per `glx init` to check it, so the cold
// time is part of every `init` on it; glx loads smol-toml with the build's code cache, which spares
// compiling it (timed here) but not running it cold. Run by hand: `npm run bench toml-parse`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bigPyproject, fmt, median } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-toml-'));
const file = path.join(dir, 'pyproject.toml');
const lines = bigPyproject();
writeFileSync(file, lines.join('\n'));
const smol = createRequire(import.meta.url).resolve('smol-toml');

// The child times each parse with the high-resolution clock and prints the ten times as JSON.
const child = `
  const { parse } = require(${JSON.stringify(smol)});
  const text = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');
  const times = [];
  for (let i = 0; i < 10; i++) {
    const started = process.hrtime.bigint();
    parse(text);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  process.stdout.write(JSON.stringify(times));`;
const cold = [];
const warm = [];
for (let i = 0; i < RUNS; i++) {
  // A clean environment, as bench/startup.mjs: NODE_OPTIONS would change what V8 does.
  const result = spawnSync(process.execPath, ['-e', child], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the parse failed: ${result.stderr}`);
  const times = JSON.parse(result.stdout);
  cold.push(times[0]);
  warm.push(times[9]);
}
rmSync(dir, { recursive: true, force: true });
console.log(`node ${process.version}, smol-toml on ${lines.length} lines; median of ${RUNS} fresh processes`);
console.log(`first parse in the process (cold)   ${fmt(median(cold)).padStart(10)}`);
console.log(`tenth parse in the process (warm)   ${fmt(median(warm)).padStart(10)}`);
