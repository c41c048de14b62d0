import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execReal } from '../support/test-deps.js';

describe('README.md', () => {
  it('has the command reference of the built CLI, generated from --help', async () => {
    const result = await execReal(process.execPath, ['scripts/readme-reference.mjs', '--check']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('shows the two set-up commands and the ones .ci/run calls', () => {
    const readme = readFileSync('README.md', 'utf8');
    const ci = readFileSync('.ci/run', 'utf8');

    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });
});
