/** The secrets of a run live in its Deps (createSecrets), not in the module: one run's tokens are its own. */
import { describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/util/redact.js';

describe('createSecrets', () => {
  it('masks a registered token, plain and URL-encoded, and leaves short values alone', () => {
    const secrets = createSecrets();
    secrets.register('glpat-abc/def+ghijklmnop');
    secrets.register('short');

    const text = secrets.redact('token glpat-abc/def+ghijklmnop in glpat-abc%2Fdef%2Bghijklmnop, short word');

    expect(text).toBe('token glpat-… in glpat-…, short word');
  });

  it('keeps each set of secrets to itself', () => {
    const first = createSecrets();
    const second = createSecrets();

    first.register('glpat-first-run-token-1234');

    expect(first.redact('glpat-first-run-token-1234')).toBe('glpat-…');
    expect(second.redact('glpat-first-run-token-1234')).toBe('glpat-first-run-token-1234');
  });
});
