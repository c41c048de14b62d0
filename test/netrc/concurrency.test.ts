import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookup } from '../../src/netrc/lookup.js';
import { parseNetrc } from '../../src/netrc/parse.js';

const WRITERS = 30;
let dir: string;
let child: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'glx-netrc-race-'));
  child = path.join(dir, 'child.mjs');
  // A plain node child (no tsx): bundle the real store module with a two-line main.
  await build({
    stdin: {
      contents: [
        "import { writeNetrcEntry } from './src/netrc/store.ts';",
        'const [file, host] = process.argv.slice(2);',
        "await writeNetrcEntry(file, { host, login: '__token__', password: 'glpat-' + host });",
      ].join('\n'),
      resolveDir: fileURLToPath(new URL('../../', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: child,
    logLevel: 'error',
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runChild(file: string, host: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, file, host], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('concurrent writers', () => {
  it(`keeps all ${WRITERS} entries when ${WRITERS} processes write one netrc at once`, async () => {
    const file = path.join(dir, '.netrc');
    const hosts = Array.from({ length: WRITERS }, (_, i) => `host${i}.example.com`);

    const results = await Promise.all(hosts.map((host) => runChild(file, host)));

    expect(results.filter((r) => r.code !== 0)).toEqual([]);
    const doc = parseNetrc(readFileSync(file, 'utf8'), file);
    expect(doc.entries).toHaveLength(WRITERS);
    for (const host of hosts) expect(lookup(doc, host)?.password).toBe(`glpat-${host}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['.netrc', 'child.mjs']);
  });
});
