import { CairnError } from '../errors.js';

/** Whether text has the shape of a run id: one safe path segment (letters, digits, _ . -). */
export function isRunId(text: unknown): text is string {
  return typeof text === 'string' && /^[\w.-]{1,128}$/.test(text) && !text.startsWith('.');
}

/** Returns the id when it has a run id's shape, else a usage error. */
export function assertRunId(id: string): string {
  if (!isRunId(id)) throw new CairnError('usage', `'${id}' is not a run id`);
  return id;
}
