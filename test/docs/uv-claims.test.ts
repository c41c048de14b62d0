/** What the README and --help say about uv must match uv. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { glx } from '../support/test-deps.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('claims about uv', () => {
  it('does not present a dotenv file as a way to give uv credentials (uv run --env-file stopped feeding them in 0.11.17)', async () => {
    const help = (await glx(['env', '--help'])).stdout;

    for (const text of [help, readme]) {
      // Help text wraps at 80 columns: compare with the line breaks folded into spaces.
      expect(text.replace(/\s+/g, ' ')).toMatch(
        /uv run --env-file does not feed uv its own credentials|`uv run --env-file` sets the variables for the command it runs, not for uv's own index lookups/,
      );
      for (const line of text.split('\n').filter((l) => l.includes('--shell dotenv >')))
        expect(line).toMatch(/docker compose|direnv/);
    }
  });

  it('says authenticate = "auto" retries with credentials and that the risk is the anonymous 200', () => {
    expect(readme).not.toMatch(/uv would never send credentials/);
    expect(readme).toMatch(/retries with credentials after a 401, 403 or 404; the risk is the anonymous 200/);
  });
});
