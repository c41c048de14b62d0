/** Turns any failure into `error:` + `hint:` lines on stderr and an exit code (no commander here). */
import type { Deps } from '../deps.js';
import { GlxError, isGlxError } from '../errors.js';
import { colorEnabled, styler } from '../util/color.js';
import { printable } from '../util/redact.js';

/** The error as `--json` reports it (schemas/error.schema.json): the same words as on stderr. */
export interface ErrorFields {
  error: string;
  hint: string | null;
  exitCode: number;
  code: string;
}

/** Errors whose fields were already printed inside a command's JSON result (printJsonResult). */
const inResult = new WeakSet<GlxError>();

export function errorFields(error: GlxError, deps: Deps): ErrorFields {
  return {
    error: printableLine(error.message, deps),
    hint: error.hint ? printableLine(error.hint, deps) : null,
    exitCode: error.exitCode,
    code: error.code,
  };
}

/**
 * A command's `--json` result, with the failure that follows it folded in, so that stdout holds
 * one JSON object whatever happens. The failure is still thrown, for stderr and the exit code.
 */
export function printJsonResult(deps: Deps, result: object, failure?: GlxError): void {
  if (failure) inResult.add(failure);
  deps.io.out(`${JSON.stringify(failure ? { ...result, ...errorFields(failure, deps) } : result, null, 2)}\n`);
}

export function reportError(error: unknown, deps: Deps, noColor = false, json = false): number {
  const style = styler(colorEnabled(deps.env, deps.io.stderrIsTTY, noColor));
  const glx = isGlxError(error) ? error : internalError(error);
  if (json && !inResult.has(glx)) deps.io.out(`${JSON.stringify(errorFields(glx, deps), null, 2)}\n`);
  deps.io.err(`${style.red('error:')} ${printableLine(glx.message, deps)}\n`);
  if (glx.hint) deps.io.err(`${style.dim('hint:')} ${printableLine(glx.hint, deps)}\n`);
  if (deps.env.GLX_DEBUG === '1' && error instanceof Error && error.stack) {
    deps.io.err(`${deps.secrets.redact(error.stack)}\n`);
    if (error.cause instanceof Error && error.cause.stack)
      deps.io.err(`caused by: ${deps.secrets.redact(error.cause.stack)}\n`);
  }
  return glx.exitCode;
}

function internalError(error: unknown): GlxError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new GlxError(
    'INTERNAL',
    `unexpected failure: ${message}`,
    'This is a bug in glx (files are only replaced whole, so nothing was half-written); run again with GLX_DEBUG=1 and report the stack trace.',
    { cause: error },
  );
}

/** Longest message printed whole; a 100,000-character --host is echoed in part. */
const MAX_LINE = 1_000;

/** Secrets masked first (a cut could split a token past recognition), then controls, then length. */
function printableLine(text: string, deps: Deps): string {
  const line = printable(deps.secrets.redact(oneLine(text)));
  return line.length <= MAX_LINE
    ? line
    : `${line.slice(0, MAX_LINE - 200)}…(${line.length - MAX_LINE + 1} characters left out)…${line.slice(-199)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
