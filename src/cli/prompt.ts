/** The hidden token prompt: a line read from the terminal in raw mode, never echoed. */
import { GlxError } from '../errors.js';

/** The parts of process.stdin the prompt uses (a tty.ReadStream has them all). */
export interface PromptInput {
  setRawMode?(raw: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
}

export interface PromptOutput {
  write(text: string): unknown;
}

/**
 * In raw mode the terminal sends Ctrl-C as the byte 0x03 instead of raising SIGINT, so the
 * prompt itself turns it into the contract's "interrupted" (exit 130), before anything is written
 * (it used to surface as an unexpected failure, exit 1).
 */
export function promptHidden(question: string, stdin: PromptInput, stderr: PromptOutput): Promise<string> {
  return new Promise((resolve, reject) => {
    stderr.write(question);
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
    };
    function onData(chunk: string): void {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(
            new GlxError('INTERRUPTED', 'interrupted', 'Nothing was written; run the command again to enter a token.'),
          );
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    }
    stdin.on('data', onData);
  });
}
