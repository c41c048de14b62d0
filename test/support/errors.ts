import { GlxError } from '../../src/errors.js';

/** The GlxError a call throws; fails the test if it throws anything else or nothing. */
export function errorOf(fn: () => unknown): GlxError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GlxError) return error;
    throw error;
  }
  throw new Error('expected a GlxError');
}

/** The GlxError a promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<GlxError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GlxError) return error;
    throw error;
  }
  throw new Error('expected a GlxError');
}
