// Long number arrays (metric series) in a compact, still plain-JSON form: base64 of little-endian
// float64 or float32 bytes, or an arithmetic range for regular steps. NaN and ±Infinity survive.
// A packed array crosses postMessage as one string copy; Chromium's structured clone of a 10^5-
// element JS array of numbers costs far more, and float32 halves the bytes of chart values.
import type { Guard } from './guards.js';

export type PackedNumbers =
  | { f64: string }
  | { f32: string }
  /** start, start + stride, … (count values) */
  | { range: [start: number, stride: number, count: number] };

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function base64ToBytes(s: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native !== undefined) return native(s); // throws SyntaxError on a character outside base64
  if (!base64Pattern.test(s)) throw new SyntaxError('not base64');
  const binary = atob(s);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Packs numbers exactly (float64). */
export function packFloat64(values: ArrayLike<number>): PackedNumbers {
  const view = new DataView(new ArrayBuffer(values.length * 8));
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i]!, true);
  return { f64: bytesToBase64(new Uint8Array(view.buffer)) };
}

/** Packs numbers as float32: half the size, ~7 significant digits; enough to draw a chart. */
export function packFloat32(values: ArrayLike<number>): PackedNumbers {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { f32: bytesToBase64(new Uint8Array(view.buffer)) };
}

/** Packs steps: as a range when they are evenly spaced, else as float64. */
export function packSteps(steps: ArrayLike<number>): PackedNumbers {
  const n = steps.length;
  if (n >= 2) {
    const start = steps[0]!;
    const stride = steps[1]! - start;
    let regular = Number.isFinite(start) && Number.isFinite(stride);
    for (let i = 2; regular && i < n; i++) regular = steps[i] === start + i * stride;
    if (regular) return { range: [start, stride, n] };
  }
  return packFloat64(steps);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Unpacks what the pack functions made; throws on malformed base64. */
export function unpackNumbers(packed: PackedNumbers): Float64Array {
  if ('range' in packed) {
    const [start, stride, count] = packed.range;
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = start + i * stride;
    return out;
  }
  const f64 = 'f64' in packed;
  const size = f64 ? 8 : 4;
  let bytes = base64ToBytes(f64 ? packed.f64 : packed.f32);
  const count = Math.floor(bytes.byteLength / size);
  if (littleEndian) {
    // Typed-array views need an aligned offset; a fresh copy has offset 0.
    if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
    return f64
      ? new Float64Array(bytes.buffer, bytes.byteOffset, count).slice()
      : new Float64Array(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  if (f64) for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function base64Bytes(s: string): number {
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - padding;
}

/** How many numbers a packed array holds, without decoding it. */
export function packedLength(packed: PackedNumbers): number {
  if ('range' in packed) return packed.range[2];
  return 'f64' in packed ? base64Bytes(packed.f64) / 8 : base64Bytes(packed.f32) / 4;
}

export const isPackedNumbers: Guard<PackedNumbers> = (v): v is PackedNumbers => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as { f64?: unknown; f32?: unknown; range?: unknown };
  if (Array.isArray(o.range)) {
    const [start, stride, count] = o.range as unknown[];
    return (
      o.range.length === 3 &&
      typeof start === 'number' &&
      Number.isFinite(start) &&
      typeof stride === 'number' &&
      Number.isFinite(stride) &&
      typeof count === 'number' &&
      Number.isInteger(count) &&
      count >= 0 &&
      count <= 1e8
    );
  }
  const s = o.f64 ?? o.f32;
  // The alphabet is checked where the string is decoded (unpackNumbers throws on a bad one):
  // a regular expression over megabytes of base64 cost more than the decoding itself.
  return (
    typeof s === 'string' &&
    s.length % 4 === 0 &&
    (s.length < 4096 || base64Pattern.test(s.slice(0, 64))) &&
    (s.length >= 4096 || base64Pattern.test(s)) &&
    Number.isInteger(packedLength(v as PackedNumbers))
  );
};
