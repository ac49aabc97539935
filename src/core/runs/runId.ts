/** Whether text has the shape of a run id: one safe path segment (letters, digits, _ . -). */
export function isRunId(text: unknown): text is string {
  return typeof text === 'string' && /^[\w.-]{1,128}$/.test(text) && !text.startsWith('.');
}
