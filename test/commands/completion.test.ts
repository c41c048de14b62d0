import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasPeer } from '../support/peers.js';
import { glx, tempDir } from '../support/test-deps.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);


async function script(shell: string): Promise<string> {
  const result = await glx(['completion', shell]);
  expect(result.code).toBe(0);
  const file = path.join(dir, `glx.${shell}`);
  writeFileSync(file, result.stdout);
  return file;
}

describe('glx completion', () => {
  it.each([
    ['bash', ['-n']],
    ['zsh', ['-n']],
    ['fish', ['--no-execute']],
  ])('prints a %s script the shell itself accepts', async (shell, check) => {
    if (!hasPeer(shell)) return;
    const file = await script(shell);

    const result = spawnSync(shell, [...check, file], { encoding: 'utf8' });

    expect(result.status, result.stderr).toBe(0);
  });

  it('completes commands, subcommands, flags and flag values in bash', async () => {
    const file = await script('bash');
    const complete = (words: string[]) =>
      spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _glx; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim().split('\n');

    expect(complete(['glx', 'do'])).toEqual(['doctor']);
    expect(complete(['glx', 'auth', 'st'])).toEqual(['status']);
    expect(complete(['glx', 'init', '--pa'])).toEqual(['--package']);
    expect(complete(['glx', 'env', '--shell', 'p'])).toEqual(['powershell']);
    expect(complete(['glx', 'doctor', '--che'])).toEqual(['--check-pypi']);
  });

  it('completes subcommands and flag values in fish', async () => {
    if (!hasPeer('fish')) return;
    const file = await script('fish');
    const complete = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' }).stdout;

    expect(complete('glx do')).toMatch(/^doctor\t/m);
    expect(complete('glx env --shell ')).toMatch(/^dotenv\t/m);
    expect(complete('glx env --shell ')).not.toMatch(/^src\//m);
  });

  it('refuses a shell it has no script for', async () => {
    const result = await glx(['completion', 'tcsh']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no completion for "tcsh"\nhint: /);
  });
});
