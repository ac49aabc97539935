// Decimal numbers read straight from the bytes of a CSV field, with exactly the value `Number()`
// gives for the same text, when that can be had cheaply; otherwise the caller makes the string and
// asks Number().

/** The field is not a number (Number() of its text is NaN, or parseNumber says so). */
export const NOT_A_NUMBER = NaN;
/** The field needs `Number()` of its text: no value read from the bytes here is infinite. */
export const NEEDS_NUMBER = Infinity;

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));
/** Integers below this are exact in float64, and so is every step that built them digit by digit. */
const EXACT_LIMIT = 2 ** 53;

/**
 * The number in `buf` from `start` to `end` (a field starting with a digit, a sign or a dot), as
 * parseNumber (columnStats.ts) reads its text: the value when the field is a plain decimal
 * (`-12.5`, `.5`, `1e-7`, `-0`) whose digits make an integer below 2^53 and whose power of ten is
 * at most 22 either way, exact by Clinger's fast path (one correctly rounded product or quotient of
 * two exact float64s, the very value Number() returns); NOT_A_NUMBER when the text cannot be a
 * number; NEEDS_NUMBER for everything else (more digits, larger exponents, white space or bytes
 * past ASCII at the end, 0b/0o/0x prefixes).
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let c = buf[i]!;
  const negative = c === 45;
  if (c === 45 || c === 43) c = buf[++i]!;
  // 0b101 and 0o17 are numbers to Number(), 0x1F is not to parseNumber: leave them to those.
  if (c === 48 && i + 1 < end) {
    const x = buf[i + 1]! | 0x20;
    if (x === 0x62 || x === 0x6f || x === 0x78) return NEEDS_NUMBER;
  }
  // The digits, as one integer (exact while below 2^53: each step is then exact too).
  let mantissa = 0;
  let exponent = 0;
  const first = i;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  let digits = i - first;
  if (i < end && buf[i] === 46) {
    const point = ++i;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      mantissa = mantissa * 10 + d;
    }
    exponent = point - i;
    digits += i - point;
  }
  if (digits === 0) return notDecimal(buf, end);
  if (i < end && (buf[i]! | 0x20) === 0x65) {
    i++;
    const sign = i < end && buf[i] === 45 ? -1 : 1;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) i++;
    const from = i;
    let e = 0;
    for (; i < end; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      if (e < 100_000) e = e * 10 + d;
    }
    if (i === from) return notDecimal(buf, end);
    exponent += sign * e;
  }
  if (i !== end) return notDecimal(buf, end);
  if (!(mantissa < EXACT_LIMIT)) return NEEDS_NUMBER;
  let v: number;
  if (mantissa === 0) v = 0;
  else if (exponent === 0) v = mantissa;
  else if (exponent > 0 && exponent <= 22) v = mantissa * POWERS_OF_TEN[exponent]!;
  else if (exponent < 0 && exponent >= -22) v = mantissa / POWERS_OF_TEN[-exponent]!;
  else return NEEDS_NUMBER;
  return negative ? -v : v;
}

/**
 * For a field that is no plain decimal: white space or bytes past ASCII at its end may still
 * leave a number to Number() (it trims them); nothing else does.
 */
function notDecimal(buf: Uint8Array, end: number): number {
  const last = buf[end - 1]!;
  return last <= 32 || last >= 0x80 ? NEEDS_NUMBER : NOT_A_NUMBER;
}
