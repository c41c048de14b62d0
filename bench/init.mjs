// `glx init` on a 5,000-line pyproject.toml next to the `node -e 0` floor (issue: foundation).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fmt, pairedMedians } from './lib.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'glx-bench-init-'));
const lines = ['[project]', 'name = "big"', 'version = "1.0.0"', 'dependencies = ['];
for (let i = 0; i < 2400; i++) lines.push(`  "package-${i}>=1.${i}",`);
lines.push(']', '');
for (let i = 0; lines.length < 4990; i++) lines.push(`[tool.bench.section${i}]`, `# comment ${i}`, `key = "value ${i}"`, `number = ${i}`, '');
lines.push('[tool.uv]', 'package = true', '');
writeFileSync(path.join(dir, 'pyproject.toml'), lines.join('\n'));
const bin = path.resolve('bin/glx.js');
const env = { ...process.env, GITLAB_HOST: 'https://gitlab.example.com' };

const result = pairedMedians({
  'node -e 0': { cmd: process.execPath, args: ['-e', '0'] },
  'glx --version': { cmd: process.execPath, args: [bin, '--version'] },
  // --dry-run so that every run does the same full work (parse, locate, splice, verify, diff).
  'glx init --group 42 --dry-run (5,000 lines)': { cmd: process.execPath, args: [bin, 'init', '--group', '42', '--dry-run', '--cwd', dir], options: { env } },
});
const floor = result['node -e 0'];
console.log(`pyproject.toml: ${lines.length} lines`);
for (const [name, ms] of Object.entries(result)) console.log(`${name.padEnd(48)} ${fmt(ms).padStart(10)}  ${(ms / floor).toFixed(2)}x`);
rmSync(dir, { recursive: true, force: true });
