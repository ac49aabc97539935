import type { CairnError, CairnErrorCode } from '../../core/errors.js';

/** Whether `err` is a CairnError (from either bundle), optionally with the given code. */
export function isCairnError(err: unknown, code?: CairnErrorCode): err is CairnError {
  return (
    err instanceof Error &&
    err.name === 'CairnError' &&
    (code === undefined || (err as CairnError).code === code)
  );
}
