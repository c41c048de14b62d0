import { describe, expect, it } from 'vitest';
import { glx } from '../support/test-deps.js';

describe('help and mistyped commands', () => {
  it('shows the flags of auth login, the default, in glx auth --help', async () => {
    const result = await glx(['auth', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Options of `glx auth login` \(the default, so `glx auth --netrc` runs it\):\n {2}--netrc {2,}store in \$NETRC/,
    );
    for (const flag of [
      '--uv-store',
      '--username <name>',
      '--publish',
      '--no-verify',
      '--fix-permissions',
      '--dry-run',
    ])
      expect(result.stdout).toContain(`  ${flag} `);
  });

  it('shows the help of auth status for glx help auth status, global flags first or not', async () => {
    const direct = await glx(['auth', 'status', '--help']);
    const viaHelp = await glx(['help', 'auth', 'status']);
    const withGlobals = await glx(['--cwd', '/tmp', 'help', 'auth', 'status']);

    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: glx auth status \[options\]/);
    expect(viaHelp.stdout).toBe(direct.stdout);
    expect(withGlobals.stdout).toBe(direct.stdout);
  });

  it('says "unknown command … did you mean" for a mistyped subcommand of auth', async () => {
    const result = await glx(['auth', 'stauts']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown command 'stauts' for glx auth (did you mean status?)\nhint: Run `glx auth status`; the commands of glx auth are login, status, rotate, logout (login is the default).\n",
    );
  });

  it('says "unknown command … did you mean" for glx help with a mistyped command', async () => {
    const result = await glx(['help', 'doctr']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: unknown command 'doctr' \(did you mean doctor\?\)\nhint: /);
  });
});
