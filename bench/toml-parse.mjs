// What one parse of the ~4,800-line pyproject.toml of bench/startup.mjs costs in a fresh node:
// cold (the first call, as in every glx run) and once V8 has optimised the code (warm: the tenth
// call in the same process), for smol-toml and for glx's plain-TOML reader
// (src/pyproject/plain-toml.ts), which reads this file and hands smol-toml whatever is not plain.
// Both are compiled from source here; glx loads them with the build's code cache, which spares the
// compile but not running them cold. Run by hand: `npm run bench toml-parse`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { bigPyproject, fmt, median } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-toml-'));
const file = path.join(dir, 'pyproject.toml');
const lines = bigPyproject();
writeFileSync(file, lines.join('\n'));
const plain = path.join(dir, 'plain-toml.cjs');
buildSync({
  entryPoints: ['src/pyproject/plain-toml.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: plain,
});
const readers = {
  'smol-toml parse': [createRequire(import.meta.url).resolve('smol-toml'), 'parse'],
  'plain-TOML reader': [plain, 'plainToml'],
};

/** The first and the tenth call's time (ms), in a fresh node with a clean environment. */
function times(module, name) {
  const child = `
    const read = require(${JSON.stringify(module)})[${JSON.stringify(name)}];
    const text = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');
    const times = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      if (!read(text)) throw new Error('no document');
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    process.stdout.write(JSON.stringify([times[0], times[9]]));`;
  // A clean environment, as bench/startup.mjs: NODE_OPTIONS would change what V8 does.
  const result = spawnSync(process.execPath, ['-e', child], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const results = Object.fromEntries(Object.keys(readers).map((name) => [name, { cold: [], warm: [] }]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, [module, exported]] of Object.entries(readers)) {
    const [cold, warm] = times(module, exported);
    results[name].cold.push(cold);
    results[name].warm.push(warm);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `node ${process.version}, ${lines.length} lines; median of ${RUNS} fresh processes each: first call (cold), tenth (warm)`,
);
for (const [name, { cold, warm }] of Object.entries(results))
  console.log(`${name.padEnd(20)} cold ${fmt(median(cold)).padStart(9)}   warm ${fmt(median(warm)).padStart(9)}`);
