import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promptHidden } from '../../src/cli/prompt.js';
import { runCli } from '../../src/cli/run-cli.js';
import { tempDir, testDeps } from '../support/test-deps.js';

/** A terminal stand-in: what the user types is already waiting; raw mode is recorded. */
function terminal(typed: string) {
  const stdin = Object.assign(new PassThrough(), { raw: [] as boolean[] });
  const input = Object.assign(stdin, {
    setRawMode(raw: boolean) {
      stdin.raw.push(raw);
      return stdin;
    },
  });
  input.write(typed);
  let shown = '';
  return { input, stderr: { write: (text: string) => (shown += text) }, shown: () => shown };
}

let dir: string;
let cleanup: () => void;

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "demo"\nversion = "0.1.0"\n');
});

afterEach(() => cleanup());

describe('the hidden token prompt', () => {
  it('returns the typed line without echoing it, and leaves raw mode', async () => {
    const tty = terminal('glpat-abc\u007fd\r');

    const token = await promptHidden('Token: ', tty.input, tty.stderr);

    expect(token).toBe('glpat-abd');
    expect(tty.shown()).toBe('Token: \n');
    expect(tty.input.raw).toEqual([true, false]);
  });

  it('turns Ctrl-C into exit 130 "interrupted", with nothing written', async () => {
    const tty = terminal('glpat-half\u0003');
    const { deps, io } = testDeps({ env: { NETRC: path.join(dir, 'netrc') }, homeDir: dir, stdinIsTTY: true });
    deps.io.promptHidden = (question) => promptHidden(question, tty.input, tty.stderr);

    const code = await runCli(['--cwd', dir, 'auth', '--netrc', '--host', 'https://gitlab.example.com'], deps);

    expect(code).toBe(130);
    expect(io.stderr).toMatch(/^error: interrupted\nhint: Nothing was written/m);
    expect(io.stderr).not.toMatch(/bug/);
    expect(tty.input.raw).toEqual([true, false]);
    expect(existsSync(path.join(dir, 'netrc'))).toBe(false);
  });
});
