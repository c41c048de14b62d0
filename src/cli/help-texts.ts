/**
 * `--version` and every `<command path> --help` as text, produced by the real CLI at build time
 * (scripts/build.mjs writes them to dist/help.json). bin/glx.js prints them without loading the
 * CLI bundle or commander: half the start-up of those two calls was module loading.
 * Help is laid out at a fixed width (program.ts), so the text does not depend on the terminal.
 */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { createSecrets } from '../util/redact.js';
import { buildProgram } from './program.js';
import { runCli } from './run-cli.js';

export interface HelpTexts {
  version: string;
  /** Keyed by the command path joined with spaces ('' is `glx --help`, 'auth login' …). */
  help: Record<string, string>;
}

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

function captureDeps(sink: { out: string }): Deps {
  const refuse = () => Promise.reject(new Error('help text generation touches nothing'));
  return {
    io: {
      out: (text) => void (sink.out += text),
      err: () => {},
      readStdin: refuse,
      promptHidden: refuse,
      stdinIsTTY: false,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      columns: 80,
    },
    env: {},
    cwd: '/',
    homeDir: '/',
    platform: 'linux',
    now: () => new Date(0),
    secrets: createSecrets(),
    exec: refuse,
    gitlab: refuse,
  };
}

/** What `glx <argv>` prints on stdout; it must exit 0 and print something. */
async function stdoutOf(argv: string[]): Promise<string> {
  const sink = { out: '' };
  const code = await runCli(argv, captureDeps(sink));
  if (code !== 0 || sink.out === '') throw new Error(`glx ${argv.join(' ')} exited ${code} with no output`);
  return sink.out;
}

export async function helpTexts(): Promise<HelpTexts> {
  const paths = [[], ...commandPaths(buildProgram(captureDeps({ out: '' }), () => {}))];
  const help: Record<string, string> = {};
  for (const path of paths) help[path.join(' ')] = await stdoutOf([...path, '--help']);
  return { version: await stdoutOf(['--version']), help };
}
