/**
 * Errors are values: every failure glx reports is a GlxError with a stable code, a one-line
 * message and a hint. run-cli turns it into `error: ...` / `hint: ...` and an exit code.
 */

/** Exit codes of the contract (README.md, Usage): 0 ok, 1 failed, 2 usage/invalid input, 4 credentials, 130 interrupted. */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  CREDENTIALS: 4,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const CODES = {
  USAGE: ExitCode.USAGE,
  INVALID_NAME: ExitCode.USAGE,
  INDEX_NAME_COLLISION: ExitCode.USAGE,
  PYPROJECT_NOT_FOUND: ExitCode.USAGE,
  PYPROJECT_INVALID: ExitCode.USAGE,
  PYPROJECT_UNSUPPORTED: ExitCode.USAGE,
  NETRC_INVALID: ExitCode.USAGE,
  NETRC_UNSAFE_PERMISSIONS: ExitCode.USAGE,
  GITLAB_CI_INVALID: ExitCode.USAGE,
  SECRET_FILE_TRACKED: ExitCode.USAGE,
  FILE_UNREADABLE: ExitCode.USAGE,
  DIST_INVALID: ExitCode.USAGE,
  NO_GIT_REMOTE: ExitCode.USAGE,
  LOCK_TIMEOUT: ExitCode.FAILED,
  WRITE_FAILED: ExitCode.FAILED,
  GITLAB_NOT_FOUND: ExitCode.FAILED,
  GITLAB_ERROR: ExitCode.FAILED,
  GITLAB_UNREACHABLE: ExitCode.FAILED,
  GITLAB_RESPONSE_INVALID: ExitCode.FAILED,
  GITLAB_CONFLICT: ExitCode.FAILED,
  REGISTRY_DISABLED: ExitCode.FAILED,
  PUBLISH_INCOMPLETE: ExitCode.FAILED,
  TOOL_MISSING: ExitCode.FAILED,
  CHECK_FAILED: ExitCode.FAILED,
  INTERNAL: ExitCode.FAILED,
  NO_TOKEN: ExitCode.CREDENTIALS,
  GITLAB_AUTH: ExitCode.CREDENTIALS,
  TOKEN_INVALID: ExitCode.CREDENTIALS,
  TOKEN_EXPIRED: ExitCode.CREDENTIALS,
  TOKEN_REVOKED: ExitCode.CREDENTIALS,
  TOKEN_SCOPE: ExitCode.CREDENTIALS,
  TOKEN_ROLE: ExitCode.CREDENTIALS,
  TOKEN_KIND: ExitCode.CREDENTIALS,
  PACKAGE_PROTECTED: ExitCode.CREDENTIALS,
  INTERRUPTED: ExitCode.INTERRUPTED,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof CODES;

export class GlxError extends Error {
  override readonly name = 'GlxError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): ExitCode {
    return CODES[this.code];
  }
}

export function exitCodeFor(code: ErrorCode): ExitCode {
  return CODES[code];
}

export function isGlxError(value: unknown): value is GlxError {
  return value instanceof GlxError;
}

export function usageError(message: string, hint?: string): GlxError {
  return new GlxError('USAGE', message, hint);
}

/** file:line:col prefix used by every parse error, so editors and terminals can jump there. */
export function at(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}
