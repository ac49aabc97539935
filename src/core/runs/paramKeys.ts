import { CairnError } from '../errors.js';

// Keys that reach Object.prototype (or a constructor) through a plain object's properties.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a dotted key has a segment that could reach an object's prototype. */
export function isForbiddenKey(key: string): boolean {
  // Metric parsing asks for every key it sees: rule the common case out without splitting.
  if (!key.includes('proto') && !key.includes('constructor')) return false;
  return key.split('.').some((part) => FORBIDDEN.has(part));
}

/** Refuses a parameter key with a `__proto__`, `constructor` or `prototype` segment. */
export function assertParamKey(key: string, where: string): void {
  if (isForbiddenKey(key))
    throw new CairnError(
      'usage',
      `${where}: '${key}' cannot be a parameter name (__proto__, constructor and prototype are reserved); rename it`,
    );
}

/** Splits the mark of a new param (`-p +key=value`) from the rest of a `-p` item. */
export function splitNewParamMark(item: string): {
  readonly added: boolean;
  readonly text: string;
} {
  return item.startsWith('+') ? { added: true, text: item.slice(1) } : { added: false, text: item };
}
