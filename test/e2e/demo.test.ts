import { describe, expect, it } from 'vitest';
import { execReal } from '../support/test-deps.js';

describe('npm run demo', () => {
  it('walks the whole flow against the stand-in and cleans up', async () => {
    const result = await execReal(process.execPath, ['scripts/demo.mjs'], { env: { NO_COLOR: '1' } });

    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toContain('Demo complete');
    expect(result.stdout).toMatch(
      /\$ glx init --group acme --name acme\n {2}Added index "acme" → group acme \(id 42\)/,
    );
    expect(result.stdout).toMatch(/✓ project 7: Developer, registry answered 200/);
    const tmp = /\/tmp\/glx-demo-[^/\s]+/.exec(result.stdout)?.[0];
    expect(tmp).toBeDefined();
    expect((await execReal('test', ['-e', tmp!])).code).toBe(1);
  });
});
