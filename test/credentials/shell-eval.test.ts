/**
 * Round trips through the real shells: render hostile values, let the shell read the rendering
 * the way users do (`eval "$(glx env)"`, `.`/`source`, `glx env | source`), then a child node
 * prints what arrived in its environment. A missing shell fails under CI and skips outside (test/support/peers.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { type EnvVariable, renderExports, type Shell } from '../../src/credentials/shell.js';
import { hasPeer, hasPythonModule, which } from '../support/peers.js';

const work = mkdtempSync(join(tmpdir(), 'glx-shell-'));
// Every hostile value that tries to run something touches a file in here; it must stay empty.
const canary = join(work, 'canary');
const home = join(work, 'home');
mkdirSync(home);

afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeEach(() => {
  rmSync(canary, { recursive: true, force: true });
  mkdirSync(canary);
});

function assertNothingRan(): void {
  expect(readdirSync(canary)).toEqual([]);
}

/** Values chosen to break out of each shell's quoting, or to be mangled by it. */
const HOSTILE: ReadonlyArray<readonly [label: string, value: string]> = [
  ['single quote', "'"],
  ['double quote', '"'],
  ['quote break-out', `'; touch ${canary}/quote; '`],
  ['fish quote break-out', `\\'; touch ${canary}/fish-quote; echo \\'`],
  ['dollar variable', '$HOME'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile value
  ['dollar braces', '${HOME}'],
  ['command substitution', `$(touch ${canary}/cmdsubst)`],
  ['backticks', `\`touch ${canary}/backtick\``],
  ['backticks id', '`id`'],
  ['fish command substitution', `(touch ${canary}/fish-cmdsubst)`],
  ['powershell subexpression', `$(New-Item ${canary}/ps)`],
  ['backslash', '\\'],
  ['backslashes', 'a\\\\b\\'],
  ['backslash quote', "\\'"],
  ['backslash escapes', '\\n\\t\\x41\\u0041\\0'],
  ['newline', '\n'],
  ['lines', 'line1\nline2\n'],
  ['carriage return', '\r'],
  ['crlf', 'a\r\nb'],
  ['tab', '\t'],
  ['history expansion', '!!'],
  ['history expansion mixed', 'a!b!-1!$!#'],
  ['printf format', '%s%d%n%%'],
  ['unicode', 'héllo wörld ✓ 日本語 🔑'],
  ['unicode separators', '\u0085\u2028\u00a0'],
  ['private use and noncharacters', '\uf600\uf6ff\ufdd0\uffff'],
  ['control characters', '\x01\x02\x1b[31m\x7f'],
  ['c1 controls', '\u0083\u0084\u009b'],
  ['long', 'a\'b"c$d`e\\f\ng!h '.repeat(1024).slice(0, 10 * 1024)],
  ['empty', ''],
  ['leading dash', '-e'],
  ['leading double dash', '--help'],
  ['glob', '*'],
  ['path glob', '/*/*'],
  ['tilde', '~'],
  ['braces', '{a,b}'],
  ['operators', 'a;b&&c|d>e<f'],
  ['hash', '# not a comment'],
  ['spaces', '  leading and trailing  '],
  ['equals', '=x=y'],
];

function hostileVariables(): EnvVariable[] {
  return HOSTILE.map(([, value], i) => ({ name: `GLX_T${i}`, value }));
}

function expected(vars: readonly EnvVariable[]): Record<string, string> {
  return Object.fromEntries(vars.map(({ name, value }) => [name, value]));
}

// Run by a child node from inside the shell: what it prints is what was really exported.
const DUMP = `process.stdout.write(JSON.stringify(Object.fromEntries(Object.entries(process.env).filter((e) => e[0].startsWith('GLX_T')))))`;

interface ShellRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { input?: string; locale?: string } = {}): ShellRun {
  const result = spawnSync(command, [...args], {
    cwd: work,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LC_ALL: options.locale ?? 'C.UTF-8',
      NODE: process.execPath,
      DUMP,
    },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeExports(vars: readonly EnvVariable[], shell: Shell): string {
  const file = join(work, `exports.${shell}`);
  writeFileSync(file, renderExports(vars, shell));
  return file;
}

function dumped(result: ShellRun): Record<string, string> {
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, string>;
}

interface PosixShell {
  command: string;
  args: string[];
  rendering: Shell;
}

const POSIX_SHELLS: PosixShell[] = [
  { command: 'bash', args: ['--norc', '--noprofile', '-c'], rendering: 'bash' },
  { command: 'zsh', args: ['-f', '-c'], rendering: 'zsh' },
  { command: 'dash', args: ['-c'], rendering: 'sh' },
];

// How users load the output: eval of a command substitution (the README line) and sourcing.
const POSIX_LOADERS = {
  'eval "$(glx env)"': 'eval "$(cat "$1")"',
  '. file': '. "$1"',
} as const;

for (const { command, args, rendering } of POSIX_SHELLS) {
  describe.skipIf(!hasPeer(command))(`${command} reading --shell ${rendering}`, () => {
    for (const [how, loader] of Object.entries(POSIX_LOADERS)) {
      for (const locale of ['C.UTF-8', 'C']) {
        it(`exports every hostile value byte for byte and runs nothing, via ${how} in the ${locale} locale`, () => {
          const vars = hostileVariables();
          const file = writeExports(vars, rendering);

          const result = run(command, [...args, `${loader}\n"$NODE" -e "$DUMP"`, command, file], { locale });

          expect(dumped(result)).toEqual(expected(vars));
          assertNothingRan();
        });
      }
    }
  });
}

/**
 * History expansion (`!!`) happens in interactive shells, on the lines the user types, which
 * is where `eval "$(glx env)"` runs. An interactive shell reading commands from stdin still
 * expands them; the control line proves it did, and the values must not be touched.
 */
const INTERACTIVE_SHELLS = [
  { command: 'bash', args: ['--norc', '--noprofile', '-i'], rendering: 'bash' },
  { command: 'zsh', args: ['-f', '-i'], rendering: 'zsh' },
] as const;

for (const { command, args, rendering } of INTERACTIVE_SHELLS) {
  describe.skipIf(!hasPeer(command))(`interactive ${command} with history expansion on`, () => {
    it('leaves ! in eval-ed and sourced values alone', () => {
      const vars = [
        { name: 'GLX_T_BANG', value: '!!' },
        { name: 'GLX_T_MIXED', value: 'a!b!-1!$!#!?x' },
      ];
      const file = writeExports(vars, rendering);
      const control = join(work, 'control');
      const evalOut = join(work, 'eval.json');
      const sourceOut = join(work, 'source.json');
      const typed = [
        'true',
        `printf %s "x!!" > ${control}`,
        `eval "$(cat ${file})"`,
        `"$NODE" -e "$DUMP" > ${evalOut}`,
        `unset GLX_T_BANG GLX_T_MIXED`,
        `. ${file}`,
        `"$NODE" -e "$DUMP" > ${sourceOut}`,
        'exit',
        '',
      ].join('\n');

      run(command, args, { input: typed });

      expect(readFileSync(control, 'utf8')).toBe('xtrue');
      expect(JSON.parse(readFileSync(evalOut, 'utf8'))).toEqual(expected(vars));
      expect(JSON.parse(readFileSync(sourceOut, 'utf8'))).toEqual(expected(vars));
    });
  });
}

function fishSupportsDollarParens(): boolean {
  // `"$(cmd)"` (one unsplit word) arrived in fish 3.4.
  if (!which('fish')) return false;
  const version = /(\d+)\.(\d+)/.exec(run('fish', ['--version']).stdout);
  return version !== null && (Number(version[1]) > 3 || (Number(version[1]) === 3 && Number(version[2]) >= 4));
}

const FISH_LOADERS: Record<string, string> = {
  'glx env | source': 'cat $argv[1] | source',
  'source file': 'source $argv[1]',
  // Splits the output into one argument per line and joins them with spaces: every assignment
  // has to be a single line ending in `;` for this to work.
  'eval (glx env)': 'eval (cat $argv[1])',
  ...(fishSupportsDollarParens() ? { 'eval "$(glx env)"': 'eval "$(cat $argv[1])"' } : {}),
};

describe.skipIf(!hasPeer('fish'))('fish reading --shell fish', () => {
  for (const [how, loader] of Object.entries(FISH_LOADERS)) {
    for (const locale of ['C.UTF-8', 'C']) {
      it(`exports every hostile value byte for byte and runs nothing, via ${how} in the ${locale} locale`, () => {
        const vars = hostileVariables();
        const file = writeExports(vars, 'fish');

        const result = run('fish', ['--no-config', '-c', `${loader}\n$NODE -e $DUMP`, file], { locale });

        expect(dumped(result)).toEqual(expected(vars));
        assertNothingRan();
      });
    }
  }
});

/** The hostile values that the dotenv rendering accepts (the rest are refused, see shell.test.ts). */
function representableInDotenv(): EnvVariable[] {
  return hostileVariables().filter((variable) => {
    try {
      renderExports([variable], 'dotenv');
      return true;
    } catch {
      return false;
    }
  });
}

describe('dotenv read back by Node', () => {
  it('has most hostile values to read back', () => {
    // Guards the filter above from silently testing nothing.
    expect(representableInDotenv().length).toBeGreaterThan(HOSTILE.length / 2);
  });

  it('util.parseEnv reads back every value it accepts exactly', () => {
    const vars = representableInDotenv();

    const parsed = parseEnv(renderExports(vars, 'dotenv'));

    expect(parsed).toEqual(expected(vars));
  });

  it('node --env-file loads every value it accepts exactly', () => {
    const vars = representableInDotenv();
    const file = join(work, '.env');
    writeFileSync(file, renderExports(vars, 'dotenv'));

    const result = run(process.execPath, [`--env-file=${file}`, '-e', DUMP]);

    expect(dumped(result)).toEqual(expected(vars));
  });
});

const PYTHON_DOTENV = `
import json, sys
from dotenv import dotenv_values
values = dotenv_values(sys.argv[1])
sys.stdout.write(json.dumps({k: v for k, v in values.items() if k.startswith("GLX_T")}))
`;

describe.skipIf(!hasPythonModule('dotenv', 'python-dotenv reading --shell dotenv'))(
  'dotenv read back by python-dotenv',
  () => {
    it('dotenv_values, interpolation on as by default, reads back every value it accepts exactly', () => {
      const vars = representableInDotenv();
      const file = join(work, '.env');
      writeFileSync(file, renderExports(vars, 'dotenv'));

      const result = run('python3', ['-c', PYTHON_DOTENV, file]);

      expect(dumped(result)).toEqual(expected(vars));
    });
  },
);
