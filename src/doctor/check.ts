/** One doctor check: a stable id, a status, what was found, and the fix when something is wrong. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  /** Stable and documented (schemas/doctor.schema.json): `pyproject`, `index.<name>.auth-policy`, ... */
  id: string;
  status: CheckStatus;
  /** What was checked, in a few words: "pyproject.toml", "index tools: credentials". */
  title: string;
  message: string;
  /** A command to run, a setting or a UI path; present whenever status is warn or fail. */
  fix?: string;
}

export function check(id: string, status: CheckStatus, title: string, message: string, fix?: string): Check {
  return { id, status, title, message, ...(fix ? { fix } : {}) };
}
