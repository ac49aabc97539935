// Runtime guards for messages that cross postMessage, and the JSON encoding of non-finite numbers.
// Both sides validate what arrives: the host never trusts a webview, the webview never trusts a
// message it did not expect.

export type Guard<T> = (value: unknown) => value is T;

/** A number as it crosses JSON: NaN and ±Infinity become strings, a missing value is null. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity' | null;

/** Encodes a number so that NaN and ±Infinity survive JSON.stringify. */
export function encodeNumber(value: number | null | undefined): JsonNumber {
  if (value === null || value === undefined) return null;
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? 'Infinity' : '-Infinity';
}

/** Decodes a JsonNumber back to a number (null stays null). */
export function decodeNumber(value: JsonNumber): number | null {
  if (typeof value === 'number' || value === null) return value;
  if (value === 'NaN') return NaN;
  return value === 'Infinity' ? Infinity : -Infinity;
}

/** Encodes a whole series; faster than mapping encodeNumber for the common all-finite case. */
export function encodeNumbers(values: readonly number[]): JsonNumber[] {
  const out: JsonNumber[] = new Array<JsonNumber>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = Number.isFinite(v) ? v : encodeNumber(v);
  }
  return out;
}

/** Decodes a whole series into a Float64Array (null becomes NaN, a gap in the chart). */
export function decodeNumbers(values: readonly JsonNumber[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'number' ? v : v === null || v === undefined ? NaN : decodeNumber(v)!;
  }
  return out;
}

export const isString: Guard<string> = (v): v is string => typeof v === 'string';
export const isNumber: Guard<number> = (v): v is number => typeof v === 'number';
export const isFiniteNumber: Guard<number> = (v): v is number =>
  typeof v === 'number' && Number.isFinite(v);
export const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
export const isNull: Guard<null> = (v): v is null => v === null;

export const isJsonNumber: Guard<JsonNumber> = (v): v is JsonNumber =>
  v === null ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  v === 'NaN' ||
  v === 'Infinity' ||
  v === '-Infinity';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isOneOf<const T extends readonly string[]>(values: T): Guard<T[number]> {
  const set = new Set<string>(values);
  return (v): v is T[number] => typeof v === 'string' && set.has(v);
}

export function isOptional<T>(guard: Guard<T>): Guard<T | undefined> {
  return (v): v is T | undefined => v === undefined || guard(v);
}

export function isNullable<T>(guard: Guard<T>): Guard<T | null> {
  return (v): v is T | null => v === null || guard(v);
}

export function isEither<A, B>(a: Guard<A>, b: Guard<B>): Guard<A | B> {
  return (v): v is A | B => a(v) || b(v);
}

export function isArrayOf<T>(guard: Guard<T>): Guard<T[]> {
  return (v): v is T[] => {
    if (!Array.isArray(v)) return false;
    for (const item of v) if (!guard(item)) return false;
    return true;
  };
}

export function isRecordOf<T>(guard: Guard<T>): Guard<Record<string, T>> {
  return (v): v is Record<string, T> => {
    if (!isObject(v)) return false;
    for (const key in v) if (!guard(v[key])) return false;
    return true;
  };
}

export function isTuple2<A, B>(a: Guard<A>, b: Guard<B>): Guard<[A, B]> {
  return (v): v is [A, B] => Array.isArray(v) && v.length === 2 && a(v[0]) && b(v[1]);
}

/** An object whose listed fields pass their guards (extra fields are allowed and ignored). */
export function isShape<T>(shape: { [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  const entries = Object.entries<Guard<unknown>>(shape);
  return (v): v is T => {
    if (!isObject(v)) return false;
    for (const [key, guard] of entries) if (!guard(v[key])) return false;
    return true;
  };
}

/**
 * A guard for a discriminated union on `type`: picks the variant's guard by its tag, so checking
 * a message costs one lookup plus the variant's own fields.
 */
export function isTagged<T extends { type: string }>(variants: {
  [K in T['type']]: Guard<Extract<T, { type: K }>>;
}): Guard<T> {
  const table = variants as Record<string, Guard<unknown> | undefined>;
  return (v): v is T => {
    if (!isObject(v) || typeof v.type !== 'string') return false;
    const guard = Object.prototype.hasOwnProperty.call(table, v.type) ? table[v.type] : undefined;
    return guard !== undefined && guard(v);
  };
}

export function literal<const T extends string>(value: T): Guard<T> {
  return (v): v is T => v === value;
}

/** Every webview posts this once its script has started and its listener is attached. */
export interface WebviewReady {
  type: 'webview/ready';
}

export const isWebviewReady: Guard<WebviewReady> = isShape<WebviewReady>({
  type: literal('webview/ready'),
});

/** The default branch of an exhaustive switch: a compile error when a variant is not handled. */
export function assertNever(value: never, what = 'message'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
