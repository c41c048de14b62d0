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

/** What the generated bash completion offers for `words` (the last one is being completed). */
function completeInBash(file: string, words: string[]): string[] {
  return spawnSync(
    'bash',
    [
      '-c',
      `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _glx; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  )
    .stdout.trim()
    .split('\n');
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
    const complete = (words: string[]) => completeInBash(file, words);

    expect(complete(['glx', 'do'])).toEqual(['doctor']);
    expect(complete(['glx', 'auth', 'st'])).toEqual(['status']);
    expect(complete(['glx', 'init', '--pa'])).toEqual(['--package']);
    expect(complete(['glx', 'env', '--shell', 'p'])).toEqual(['powershell']);
    expect(complete(['glx', 'auth', 'ro'])).toEqual(['rotate']);
    expect(complete(['glx', 'auth', 'rotate', '--exp'])).toEqual(['--expires-in', '--expires-at']);
    expect(complete(['glx', 'auth', 'rotate', '--if'])).toEqual(['--if-expiring-within']);
    expect(complete(['glx', 'doctor', '--che'])).toEqual(['--check-pypi']);
    expect(complete(['glx', 'ci-setup', '--base-layer', ''])).toEqual([
      'trixie-slim',
      'trixie',
      'alpine',
      'alpine3.23',
      'dhi',
    ]);
  });

  it('completes subcommands and flag values in fish', async () => {
    if (!hasPeer('fish')) return;
    const file = await script('fish');
    const complete = (line: string) =>
      spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' }).stdout;

    expect(complete('glx do')).toMatch(/^doctor\t/m);
    expect(complete('glx env --shell ')).toMatch(/^dotenv\t/m);
    expect(complete('glx env --shell ')).not.toMatch(/^src\//m);
    expect(complete('glx auth ro')).toMatch(/^rotate\t/m);
    expect(complete('glx auth rotate --')).toMatch(/^--if-expiring-within\t/m);
    expect(complete('glx auth rotate --')).toMatch(/^--print-token\t/m);
  });

  it('completes the flags of the default subcommand and the shell names in bash', async () => {
    const file = await script('bash');
    const complete = (words: string[]) => completeInBash(file, words);

    expect(complete(['glx', 'auth', '--net'])).toEqual(['--netrc']);
    expect(complete(['glx', 'auth', 'status', '--f'])).toEqual(['--file']);
    expect(complete(['glx', 'completion', 'z'])).toEqual(['zsh']);
    expect(complete(['glx', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });

  it('completes the flags of the default subcommand and the shell names in fish', async () => {
    if (!hasPeer('fish')) return;
    const file = await script('fish');
    const complete = (line: string) =>
      spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8' }).stdout;

    expect(complete('glx auth --net')).toMatch(/^--netrc\t/m);
    expect(complete('glx auth status --f')).not.toMatch(/^--fix-permissions/m);
    expect(
      complete('glx completion ')
        .split('\n')
        .map((line) => line.split('\t')[0]),
    ).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
  });

  it('completes the flags of the default subcommand and the shell names in zsh', async () => {
    if (!hasPeer('zsh')) return;
    const file = await script('zsh');
    // zsh's completion system needs a terminal; its builtins are replaced by ones that print
    // what they were given, and the real zsh runs the generated function.
    const stubs =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh parameter expansion, not a template
      'compdef() {}; _describe() { local -a items; items=("${(@P)4}"); print -l -- "${items[@]%%:*}"; }; compadd() { shift; print -l -- "$@"; }; _files() {}';
    const complete = (words: string[]) =>
      spawnSync(
        'zsh',
        [
          '-f',
          '-c',
          `${stubs}; source ${file}; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _glx`,
        ],
        { encoding: 'utf8' },
      )
        .stdout.trim()
        .split('\n');

    expect(complete(['glx', 'auth', '--net'])).toContain('--netrc');
    expect(complete(['glx', 'auth', 'status', '--f'])).not.toContain('--netrc');
    expect(complete(['glx', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(complete(['glx', 'auth', ''])).toContain('rotate');
    expect(complete(['glx', 'auth', 'rotate', '--'])).toEqual(
      expect.arrayContaining(['--expires-in', '--expires-at', '--if-expiring-within', '--print-token', '--dry-run']),
    );
  });

  it('refuses a shell it has no script for', async () => {
    const result = await glx(['completion', 'tcsh']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no completion for "tcsh"\nhint: /);
  });
});
