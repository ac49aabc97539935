// Streaming statistics for one column: exact counts, moments (merged per chunk of values), a
// bounded reservoir sample for quantiles, histograms and two-sample tests, and a bounded distinct
// count. Accumulators of consecutive parts of a table merge into the one of the whole.

import { NEEDS_NUMBER, parseDecimalBytes } from './decimalBytes.js';
import { NumberCounts, StringCounts, type TableState } from './valueCounts.js';

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);
const BOOLEAN = new Set(['true', 'false', 'yes', 'no', 't', 'f', '0', '1']);
const DISTINCT_EXACT_MAX = 10_000;
const TOP_VALUES = 20;
/** Bits (2^17) marking the hashes of the values counted exactly, once a sketch takes over. */
const COUNTED_MASK = (1 << 17) - 1;

export function isMissing(v: string | undefined): boolean {
  if (v === undefined || v.length === 0) return true;
  // Only short values can be a missing marker, and none starts with a digit, a sign or a dot
  // (numbers, the common case): skip the allocations for those.
  if (v.length > 6) return false;
  const c = v.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) return false;
  return MISSING.has(v.trim().toLowerCase());
}

/** Parses a decimal number ('1e3', ' 2.5 ', '-0'), or NaN; not hex, not 'Infinity'. */
export function parseNumber(v: string): number {
  const c = v.charCodeAt(0);
  const d = v.charCodeAt(v.length - 1);
  // first and last characters: a digit, a sign or a dot (or space, trimmed by Number)
  const ok = (x: number): boolean =>
    (x >= 48 && x <= 57) || x === 45 || x === 43 || x === 46 || x === 32;
  if (!ok(c) || (!(d >= 48 && d <= 57) && d !== 46 && d !== 32)) return NaN;
  if (v.length > 1 && (v.charCodeAt(1) === 120 || v.charCodeAt(1) === 88)) return NaN; // 0x…
  return Number(v);
}

/** Running mean and sum of squared deviations, merged chunk by chunk (Chan et al.). */
export interface Moments {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

export function emptyMoments(): Moments {
  return { n: 0, mean: 0, m2: 0, min: Infinity, max: -Infinity };
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (b.n === 0) return a;
  if (a.n === 0) return { ...b };
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  // Weights first: delta² · nA · nB / n would overflow for deltas past 1e154.
  return {
    n,
    mean: a.mean + delta * (b.n / n),
    m2: a.m2 + b.m2 + delta * (delta * ((a.n / n) * b.n)),
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** Confidence of the stated rank error of quantiles taken from a uniform sample. */
export const RANK_ERROR_CONFIDENCE = 0.99;

/**
 * The rank error of quantiles read off a uniform sample of `size` values: by the
 * Dvoretzky–Kiefer–Wolfowitz inequality (Massart's constant), the sample's distribution is within
 * ε of the column's at every point, with probability 1 − α, for ε = √(ln(2/α) / 2·size).
 */
export function sampleRankError(size: number): number {
  if (size <= 0) return 1;
  return Math.sqrt(Math.log(2 / (1 - RANK_ERROR_CONFIDENCE)) / (2 * size));
}

/** Algorithm R's seed for the first (or only) part of a table; other parts get segmentSeed(k). */
export const RESERVOIR_SEED = 0x9e3779b9;

/** A seed of its own for part `index` of a table (its reservoir, and merging it into the rest). */
export function segmentSeed(index: number): number {
  return index === 0 ? RESERVOIR_SEED : mix32(RESERVOIR_SEED ^ Math.imul(index, 0x85ebca6b)) || 1;
}

const RESERVOIR_BUDGET = 4_000_000; // values across all columns (32 MB)

/** The sample size of each column of a table of `columns` columns. */
export function reservoirCapacity(columns: number): number {
  return Math.max(1000, Math.min(100_000, Math.floor(RESERVOIR_BUDGET / Math.max(1, columns))));
}

/**
 * A uniform sample of at most `capacity` values (Algorithm R, seeded for reproducible output).
 * Samples of disjoint parts merge into a uniform sample of the whole (`merge`).
 */
export class Reservoir {
  private values: Float64Array;
  size = 0;
  seen = 0;
  private seed: number;
  constructor(
    readonly capacity: number,
    seed = RESERVOIR_SEED,
  ) {
    this.values = new Float64Array(Math.min(capacity, 1024));
    this.seed = seed >>> 0 || 1;
  }
  /** A reservoir holding `values` as the sample of `seen` values. */
  static of(capacity: number, values: Float64Array, seen: number): Reservoir {
    const r = new Reservoir(capacity);
    r.values = values;
    r.size = values.length;
    r.seen = seen;
    return r;
  }
  /**
   * Samples the first `n` values of `xs`, one after another: the first `capacity` values are
   * kept; after that the k-th value replaces a random one with probability capacity / k.
   */
  addAll(xs: Float64Array, n: number): void {
    let i = 0;
    if (this.size < this.capacity) {
      i = Math.min(n, this.capacity - this.size);
      this.grow(this.size + i);
      this.values.set(xs.subarray(0, i), this.size);
      this.size += i;
      this.seen += i;
    }
    const values = this.values;
    const capacity = this.capacity;
    let seen = this.seen;
    let x = this.seed;
    for (; i < n; i++) {
      seen++;
      // xorshift32
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      const j = Math.floor((x / 2 ** 32) * seen);
      if (j < capacity) values[j] = xs[i]!;
    }
    this.seen = seen;
    this.seed = x;
  }
  /** The sample, in no particular order (a copy). */
  sample(): Float64Array {
    return this.values.slice(0, this.size);
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
  /**
   * Takes in the sample of values that followed this one's (of the same capacity): afterwards this
   * is a uniform sample of all of them. How many of its values come from either part is drawn as a
   * uniform sample of the whole would draw them; that many are then picked at random from each
   * part's sample. All choices follow `seed`.
   */
  merge(other: Reservoir, seed: number): void {
    const total = this.seen + other.seen;
    const capacity = this.capacity;
    if (total <= capacity) {
      this.grow(this.size + other.size);
      this.values.set(other.values.subarray(0, other.size), this.size);
      this.size += other.size;
      this.seen = total;
      return;
    }
    // How many of the merged sample's values come from the other part: as many as a uniform
    // draw of `capacity` from all `total` values takes from it (hypergeometric). Drawn one by one,
    // or, when the other part saw fewer values than that, by going through its values and taking
    // each with probability (left to take) / (left to go through) (Knuth's Algorithm S). Both
    // loops are branch-free (the draws go either way at random) with xorshift32 inline.
    let x = seed | 0 || 1;
    let fromThere = 0;
    if (other.seen < capacity) {
      let toTake = capacity;
      for (let i = 0; i < other.seen; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const taken = +((x >>> 0) * 2 ** -32 * (total - i) < toTake);
        fromThere += taken;
        toTake -= taken;
      }
    } else {
      let leftThere = other.seen;
      for (let i = 0; i < capacity; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        leftThere -= +((x >>> 0) * 2 ** -32 * (total - i) < leftThere);
      }
      fromThere = other.seen - leftThere;
    }
    const fromHere = capacity - fromThere;
    // Which values: this sample drops as many as it must, at random (swapped to its end), and
    // the other's picked ones (swapped to its front, a partial Fisher–Yates shuffle) take their
    // places. A uniform sample less values dropped at random is a uniform sample.
    this.grow(capacity);
    const here = this.values;
    for (let i = 0, size = this.size; i < size - fromHere; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = Math.floor((x >>> 0) * 2 ** -32 * (size - i));
      const v = here[j]!;
      here[j] = here[size - 1 - i]!;
      here[size - 1 - i] = v;
    }
    const there = other.values;
    for (let i = 0; i < fromThere; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      const j = i + Math.floor((x >>> 0) * 2 ** -32 * (other.size - i));
      const v = there[j]!;
      there[j] = there[i]!;
      there[i] = v;
    }
    here.set(there.subarray(0, fromThere), fromHere);
    this.size = capacity;
    this.seen = total;
  }
  private grow(size: number): void {
    if (size <= this.values.length) return;
    const bigger = new Float64Array(
      Math.min(this.capacity, Math.max(size, this.values.length * 2)),
    );
    bigger.set(this.values.subarray(0, this.size));
    this.values = bigger;
  }
}

/** A HyperLogLog sketch (2^12 registers, about 1.6% error) for distinct counts past the exact limit. */
export class HyperLogLog {
  readonly registers: Uint8Array;
  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(4096);
  }
  addString(v: string): void {
    this.addHash(hash32(v));
  }
  addNumber(x: number): void {
    this.addHash(hashNumber(x));
  }
  count(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const estimate = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    return Math.round(estimate <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : estimate);
  }
  addHash(h: number): void {
    const idx = h >>> 20;
    const rank = Math.clz32((h << 12) | 0x800) + 1;
    if (rank > this.registers[idx]!) this.registers[idx] = rank;
  }
  /** Takes in another sketch: afterwards this counts the values of both. */
  merge(other: HyperLogLog): void {
    const r = this.registers;
    const o = other.registers;
    for (let i = 0; i < r.length; i++) if (o[i]! > r[i]!) r[i] = o[i]!;
  }
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer over an FNV-1a pass: well spread, fast, no dependency. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);

/** A hash of a number's float64 bits. */
export function hashNumber(x: number): number {
  float[0] = x;
  return mix32(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1));
}

/** Values of a numeric column folded into its moments at a time. */
const MOMENTS_CHUNK = 8192;

/**
 * Count, mean, M2, min and max of the first `n` values, in float64: a two-pass mean and M2, each
 * a compensated (Neumaier) sum. With Chan's merge across chunks the figures match pandas'
 * describe() to ~1e-15 relative.
 */
function momentsOf(xs: Float64Array, n: number): Moments {
  let sum = 0;
  let compensation = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const mean = (sum + compensation) / n;
  sum = 0;
  compensation = 0;
  for (let i = 0; i < n; i++) {
    const v = (xs[i]! - mean) * (xs[i]! - mean);
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return { n, mean, m2: sum + compensation, min: lo, max: hi };
}

/** The text of bytes `start` to `end` of `buf`. */
function textOf(buf: Uint8Array, start: number, end: number, encoding: 'utf8' | 'latin1'): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString(encoding);
}

/** Whether the ASCII bytes of a field (no white space at either end) are a missing marker. */
function isMissingMarker(buf: Uint8Array, at: number, length: number): boolean {
  // 'N' | 0x20 is 'n' and so on: only the letter in either case gives the lower-case letter.
  const lower = (i: number): number => buf[at + i]! | 0x20;
  switch (length) {
    case 1:
      return buf[at] === 63; // ?
    case 2:
      return lower(0) === 0x6e && lower(1) === 0x61; // na
    case 3:
      return (
        lower(0) === 0x6e &&
        ((buf[at + 1] === 0x2f && lower(2) === 0x61) || (lower(1) === 0x61 && lower(2) === 0x6e))
      ); // n/a, nan
    case 4:
      return (
        lower(0) === 0x6e &&
        ((lower(1) === 0x75 && lower(2) === 0x6c && lower(3) === 0x6c) ||
          (lower(1) === 0x6f && lower(2) === 0x6e && lower(3) === 0x65))
      ); // null, none
    default:
      return false;
  }
}

/** Whether two tables' first `n` and `m` keys are the same, in the same order. */
function sameKeys<K>(a: ArrayLike<K>, b: ArrayLike<K>, n: number, m: number): boolean {
  if (n !== m) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Everything gathered about one column, in plain data: what a worker thread sends back. */
export interface ColumnState {
  readonly missing: number;
  readonly present: number;
  readonly numeric: number;
  readonly numbers: TableState<Float64Array>;
  readonly strings: TableState<string[]>;
  /** The sketch's registers, once past the exact limit. */
  readonly sketch?: Uint8Array;
  readonly sampleCapacity: number;
  readonly sample: Float64Array;
  readonly sampleSeen: number;
  readonly moments: Moments;
}

/** The values a column counts exactly (ColumnAccumulator.countedValues). */
export interface CountedValues {
  readonly numbers: Float64Array;
  readonly strings: string[];
  /** Whether the column is past the exact distinct limit (else these are all its values). */
  readonly past: boolean;
}

/** The buffers of a state, to transfer rather than copy to another thread. */
export function stateBuffers(s: ColumnState): ArrayBuffer[] {
  const { numbers, strings } = s;
  const arrays = [
    ...[numbers.keys, numbers.counts, numbers.hashes, numbers.slots],
    ...[strings.counts, strings.hashes, strings.slots],
    ...[s.sample, s.sketch],
  ];
  return arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
}

/**
 * Everything gathered about one column while reading: missing, present and numeric counts, exact
 * value counts (up to 10,000 distinct values, then a sketch), the moments of its numbers and a
 * uniform sample of them. Values come as strings (`add`) or as the bytes of a CSV field
 * (`addBytes`), with the same result; the accumulators of consecutive parts of a table merge
 * (`merge`).
 */
export class ColumnAccumulator {
  missing = 0;
  present = 0;
  numeric = 0;
  readonly reservoir: Reservoir;
  /** Exact value counts while there are at most 10,000 distinct values; then a sketch counts. */
  private numbers = new NumberCounts();
  private strings = new StringCounts();
  private sketch: HyperLogLog | undefined = undefined;
  /** Bits marking the hashes of the values still counted exactly, once a sketch took over. */
  private counted: Int32Array | undefined = undefined;
  private moments: Moments = emptyMoments();
  /** Values an earlier part counted, to count on here too past the limit (countOnly). */
  private pinned: CountedValues | undefined = undefined;
  /** Numbers not yet folded into the moments. */
  private chunk: Float64Array | undefined = undefined;
  private chunkLength = 0;

  /** A sample of `reservoir` values (seeded by `seed`), or the given sample. */
  constructor(reservoir: number | Reservoir, seed = RESERVOIR_SEED) {
    this.reservoir = typeof reservoir === 'number' ? new Reservoir(reservoir, seed) : reservoir;
  }

  /** Counts one value given as text (undefined: the row has no such field). */
  add(raw: string | undefined): void {
    if (raw === undefined || isMissing(raw)) {
      this.missing++;
      return;
    }
    this.present++;
    const x = parseNumber(raw);
    if (Number.isNaN(x)) this.countString(raw.trim());
    else this.addNumber(x);
  }

  /**
   * Counts the field in `buf` from `start` to `end` exactly as `add` counts its UTF-8 text, mostly
   * without making that text: plain decimals are read from the bytes, missing markers recognised
   * and ASCII strings counted from them. Anything else (white space at either end, bytes past
   * ASCII at either end, numbers past the fast path) goes through `add`.
   */
  addBytes(buf: Uint8Array, start: number, end: number): void {
    if (start === end) {
      this.missing++;
      return;
    }
    const first = buf[start]!;
    if ((first >= 48 && first <= 57) || first === 45 || first === 43 || first === 46) {
      // Never a missing marker (isMissing).
      const x = parseDecimalBytes(buf, start, end);
      if (x === NEEDS_NUMBER) {
        this.add(textOf(buf, start, end, 'utf8'));
        return;
      }
      this.present++;
      if (Number.isNaN(x)) this.countStringBytes(buf, start, end);
      else this.addNumber(x);
      return;
    }
    const last = buf[end - 1]!;
    if (first <= 32 || last <= 32 || first >= 0x80 || last >= 0x80) {
      this.add(textOf(buf, start, end, 'utf8'));
      return;
    }
    // Nothing to trim: a marker is one of the words exactly, in any case.
    if (end - start <= 4 && isMissingMarker(buf, start, end - start)) {
      this.missing++;
      return;
    }
    // Not a number either: parseNumber wants a digit, sign, dot or space first.
    this.present++;
    this.countStringBytes(buf, start, end);
  }

  /** Numbers wait in a chunk; a full chunk is counted, sampled and folded into the moments. */
  private addNumber(x: number): void {
    this.numeric++;
    let chunk = this.chunk;
    if (chunk === undefined) chunk = this.chunk = new Float64Array(MOMENTS_CHUNK);
    chunk[this.chunkLength++] = x;
    if (this.chunkLength === MOMENTS_CHUNK) this.flushNumbers();
  }

  /**
   * Takes in the numbers waiting in the chunk, in the order they came (as if one at a time): one
   * tight loop each for the moments, the sample and the value counts.
   */
  private flushNumbers(): void {
    const n = this.chunkLength;
    if (n === 0) return;
    const xs = this.chunk!;
    this.chunkLength = 0;
    this.moments = mergeMoments(this.moments, momentsOf(xs, n));
    this.reservoir.addAll(xs, n);
    let i = 0;
    for (; i < n && !this.sketch; i++) {
      const x = xs[i]!;
      const key = x === 0 ? 0 : x; // -0 counts as 0, as in a Map
      const h = hashNumber(key);
      if (this.numbers.increment(key, h)) continue;
      this.numbers.insert(key, h);
      this.afterInsert();
    }
    if (i === n) return;
    // Past the exact limit: the sketch, and the counts of the values still counted.
    const registers = this.sketch!.registers;
    const counted = this.countedBits();
    const numbers = this.numbers;
    for (; i < n; i++) {
      const x = xs[i]!;
      const key = x === 0 ? 0 : x;
      const h = hashNumber(key);
      const rank = Math.clz32((h << 12) | 0x800) + 1;
      if (rank > registers[h >>> 20]!) registers[h >>> 20] = rank;
      if ((counted[(h & COUNTED_MASK) >>> 5]! & (1 << (h & 31))) !== 0) numbers.increment(key, h);
    }
  }

  private countString(v: string): void {
    // In a column of numbers and strings the exact counts must see values in their order.
    if (this.chunkLength > 0 && !this.sketch) this.flushNumbers();
    const h = hash32(v);
    const strings = this.strings;
    if (this.sketch) {
      this.sketch.addHash(h);
      if (this.mayBeCounted(h)) {
        const e = strings.indexOf(v, h);
        if (e >= 0) strings.counts[e]!++;
      }
      return;
    }
    const e = strings.indexOf(v, h);
    if (e >= 0) {
      strings.counts[e]!++;
      return;
    }
    strings.insert(v, h);
    this.afterInsert();
  }

  /** countString of the field's text, hashed from its bytes (hash32 of ASCII text is the same). */
  private countStringBytes(buf: Uint8Array, start: number, end: number): void {
    let h = 0x811c9dc5;
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (high >= 0x80) {
      // Not ASCII, but with ASCII at both ends that is not white space: nothing to trim.
      this.countString(textOf(buf, start, end, 'utf8'));
      return;
    }
    h = mix32(h);
    if (this.chunkLength > 0 && !this.sketch) this.flushNumbers();
    const strings = this.strings;
    if (this.sketch) {
      this.sketch.addHash(h);
      if (this.mayBeCounted(h)) {
        const e = strings.indexOfBytes(buf, start, end, h);
        if (e >= 0) strings.counts[e]!++;
      }
      return;
    }
    const e = strings.indexOfBytes(buf, start, end, h);
    if (e >= 0) {
      strings.counts[e]!++;
      return;
    }
    strings.insert(textOf(buf, start, end, 'latin1'), h);
    this.afterInsert();
  }

  private afterInsert(): void {
    if (this.numbers.size + this.strings.size > DISTINCT_EXACT_MAX) this.startSketch();
  }

  /** Past the exact limit: a sketch counts distinct values; the values counted so far stay counted. */
  private startSketch(): void {
    this.sketch = this.keySketch();
    this.counted = undefined;
    const pinned = this.pinned;
    if (!pinned) return;
    for (const k of pinned.numbers) {
      const h = hashNumber(k);
      if (this.numbers.indexOf(k, h) < 0) this.numbers.insert(k, h, 0);
    }
    for (const k of pinned.strings) {
      const h = hash32(k);
      if (this.strings.indexOf(k, h) < 0) this.strings.insert(k, h, 0);
    }
  }

  /**
   * Past the exact limit only the values already counted keep being counted (for the top
   * values); a bit per hash says which those may be, which spares the lookup of most new values.
   */
  private mayBeCounted(h: number): boolean {
    return (this.countedBits()[(h & COUNTED_MASK) >>> 5]! & (1 << (h & 31))) !== 0;
  }

  private countedBits(): Int32Array {
    let counted = this.counted;
    if (counted === undefined) {
      counted = this.counted = new Int32Array((COUNTED_MASK + 1) / 32);
      const mark = (k: number): void => {
        counted![(k & COUNTED_MASK) >>> 5]! |= 1 << (k & 31);
      };
      for (let e = 0; e < this.numbers.size; e++) mark(this.numbers.hashes[e]!);
      for (let e = 0; e < this.strings.size; e++) mark(this.strings.hashes[e]!);
    }
    return counted;
  }

  /** Count, mean, M2, min and max of the numbers so far. */
  finalMoments(): Moments {
    this.flushNumbers();
    return this.moments;
  }

  /**
   * How many values read as booleans (true/false, yes/no, t/f, 0/1): from the exact counts, once
   * per distinct value rather than per value; past the exact limit a column is no boolean.
   */
  get booleanLike(): number {
    this.flushNumbers();
    if (this.sketch) return 0;
    let n = 0;
    const { keys, counts } = this.strings;
    for (let e = 0; e < keys.length; e++) {
      const k = keys[e]!;
      if (k.length <= 5 && BOOLEAN.has(k.toLowerCase())) n += counts[e]!;
    }
    for (let e = 0; e < this.numbers.size; e++) {
      const k = this.numbers.keys[e]!;
      if (k === 0 || k === 1) n += this.numbers.counts[e]!;
    }
    return n;
  }
  get distinctExact(): boolean {
    this.flushNumbers();
    return this.sketch === undefined;
  }
  distinct(): number {
    this.flushNumbers();
    const counted = this.numbers.size + this.strings.size;
    if (!this.sketch) return counted;
    // An estimate can overshoot; there are never more distinct values than values, and never
    // fewer than were counted exactly.
    return Math.min(Math.max(this.sketch.count(), counted), this.present);
  }
  topValues(): { value: string; count: number }[] {
    this.flushNumbers();
    const all: [string, number][] = [];
    for (let e = 0; e < this.numbers.size; e++)
      if (this.numbers.counts[e]! > 0)
        all.push([String(this.numbers.keys[e]), this.numbers.counts[e]!]);
    for (let e = 0; e < this.strings.size; e++)
      if (this.strings.counts[e]! > 0) all.push([this.strings.keys[e]!, this.strings.counts[e]!]);
    return all
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_VALUES)
      .map(([value, count]) => ({ value, count }));
  }

  /**
   * Takes in the accumulator of the rows that follow this one's (same reservoir capacity):
   * counts and moments add up exactly, the samples merge into a uniform sample of both (by
   * `seed`), distinct counts stay exact while both parts together have at most 10,000 values.
   * Past that, a value stays counted (for the top values) only where its count is known in both
   * parts: a part still exact knows every value's count; one past its limit knows only the
   * values it counted. Every count kept is exact.
   */
  merge(other: ColumnAccumulator, seed: number): void {
    this.missing += other.missing;
    this.present += other.present;
    this.numeric += other.numeric;
    this.moments = mergeMoments(this.finalMoments(), other.finalMoments());
    this.reservoir.merge(other.reservoir, seed);
    const on = other.numbers;
    const os = other.strings;
    if (!this.sketch && !other.sketch) {
      for (let e = 0; e < on.size; e++) this.numbers.add(on.keys[e]!, on.hashes[e]!, on.counts[e]!);
      for (let e = 0; e < os.size; e++) this.strings.add(os.keys[e]!, os.hashes[e]!, os.counts[e]!);
      this.afterInsert();
      return;
    }
    const sketch = this.sketch ?? this.keySketch();
    sketch.merge(other.sketch ?? other.keySketch());
    if (this.sketch && this.addCountsOf(other)) return;
    const numbers = new NumberCounts();
    const strings = new StringCounts();
    for (const [a, b] of [
      [this, other],
      [other, this],
    ] as const) {
      // A value of one part is counted on if the other part is exact or counted it too (each
      // value once: the second pass takes only what the first part did not have).
      const second = a === other;
      mergeCountsInto(numbers, a.numbers, b.numbers, !b.sketch, second);
      mergeCountsInto(strings, a.strings, b.strings, !b.sketch, second);
    }
    this.numbers = numbers;
    this.strings = strings;
    this.sketch = sketch;
    this.counted = undefined;
  }

  /**
   * Adds the other part's counts of this part's values, in place, if it knows every one of them
   * (it is exact, or counted them all, as a part told to count them does): true; false, with
   * nothing changed, if not.
   */
  private addCountsOf(other: ColumnAccumulator): boolean {
    const mine = this.numbers;
    const theirs = other.numbers;
    if (sameKeys(mine.keys, theirs.keys, mine.size, theirs.size)) {
      if (sameKeys(this.strings.keys, other.strings.keys, this.strings.size, other.strings.size)) {
        // A part told to count this part's values has them in the same order.
        for (let e = 0; e < mine.size; e++) mine.counts[e]! += theirs.counts[e]!;
        const counts = this.strings.counts;
        for (let e = 0; e < this.strings.size; e++) counts[e]! += other.strings.counts[e]!;
        return true;
      }
    }
    const numberAt = new Int32Array(mine.size);
    for (let e = 0; e < mine.size; e++) {
      numberAt[e] = theirs.indexOf(mine.keys[e]!, mine.hashes[e]!);
      if (numberAt[e]! < 0 && other.sketch) return false;
    }
    const stringAt = new Int32Array(this.strings.size);
    for (let e = 0; e < this.strings.size; e++) {
      stringAt[e] = other.strings.indexOf(this.strings.keys[e]!, this.strings.hashes[e]!);
      if (stringAt[e]! < 0 && other.sketch) return false;
    }
    numberAt.forEach((i, e) => {
      if (i >= 0) mine.counts[e]! += theirs.counts[i]!;
    });
    stringAt.forEach((i, e) => {
      if (i >= 0) this.strings.counts[e]! += other.strings.counts[i]!;
    });
    return true;
  }

  /** A sketch of the values counted exactly. */
  private keySketch(): HyperLogLog {
    const sketch = new HyperLogLog();
    for (let e = 0; e < this.numbers.size; e++) sketch.addHash(this.numbers.hashes[e]!);
    for (let e = 0; e < this.strings.size; e++) sketch.addHash(this.strings.hashes[e]!);
    return sketch;
  }

  /**
   * The values counted exactly (all of them, if still under the limit), for the parts of the
   * table after this one's to count too (`countOnly`); none if there are none.
   */
  countedValues(): CountedValues | undefined {
    this.flushNumbers();
    if (this.numbers.size + this.strings.size === 0) return undefined;
    return {
      numbers: this.numbers.keys.slice(0, this.numbers.size),
      strings: this.strings.keys.slice(),
      past: this.sketch !== undefined,
    };
  }

  /**
   * Counts `values` (those an earlier part of the table counted) wherever this part counts: so
   * that, merged after that part, every one of them stays counted exactly. Values past the
   * limit there: from this part's first value, and nothing else (a sketch counts the distinct
   * values). Values under it: all counted while this part is exact anyway, and counted on with
   * this part's own first ones should it go past the limit.
   */
  countOnly(values: CountedValues): void {
    if (!values.past) {
      this.pinned = values;
      return;
    }
    this.sketch = new HyperLogLog();
    this.numbers = new NumberCounts(values.numbers.length);
    this.strings = new StringCounts(values.strings.length);
    for (const k of values.numbers) this.numbers.insert(k, hashNumber(k), 0);
    for (const k of values.strings) this.strings.insert(k, hash32(k), 0);
    this.counted = undefined;
  }

  /** This accumulator as plain data (for another thread). */
  toState(): ColumnState {
    const m = this.finalMoments();
    return {
      missing: this.missing,
      present: this.present,
      numeric: this.numeric,
      numbers: this.numbers.state(),
      strings: this.strings.state(),
      ...(this.sketch ? { sketch: this.sketch.registers.slice() } : {}),
      sampleCapacity: this.reservoir.capacity,
      sample: this.reservoir.sample(),
      sampleSeen: this.reservoir.seen,
      moments: { ...m },
    };
  }

  /** The accumulator a state was made from. */
  static fromState(s: ColumnState): ColumnAccumulator {
    const a = new ColumnAccumulator(Reservoir.of(s.sampleCapacity, s.sample, s.sampleSeen));
    a.missing = s.missing;
    a.present = s.present;
    a.numeric = s.numeric;
    a.numbers = NumberCounts.of(s.numbers);
    a.strings = StringCounts.of(s.strings);
    if (s.sketch) a.sketch = new HyperLogLog(s.sketch);
    a.moments = { ...s.moments };
    return a;
  }
}

/**
 * The q-quantiles (0..1) of `values`, as `quantile` gives them from the values sorted, found by
 * selection (quickselect) rather than a sort; `values` is reordered.
 */
export function quantiles(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  const ranks = [...new Set(qs.flatMap((q) => [Math.floor((n - 1) * q), Math.ceil((n - 1) * q)]))];
  ranks.sort((a, b) => a - b);
  const at = new Map<number, number>();
  let from = 0;
  for (const r of ranks) {
    select(values, from, n - 1, r);
    at.set(r, values[r]!);
    from = r;
  }
  return qs.map((q) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    const a = at.get(lo)!;
    const b = at.get(Math.ceil(pos))!;
    return a + (b - a) * (pos - lo);
  });
}

/**
 * Reorders `xs[lo..hi]` so that `xs[k]` holds the value a sort would put there, smaller or equal
 * ones before it, larger or equal ones after it (Hoare's partition, the median of three as pivot).
 */
function select(xs: Float64Array, lo: number, hi: number, k: number): void {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const a = xs[lo]!;
    const b = xs[mid]!;
    const c = xs[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/** The q-quantile (0..1) of sorted values, with linear interpolation (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}

/** What NumberCounts and StringCounts share, for merging either kind of table. */
interface CountTable<K> {
  readonly size: number;
  readonly keys: ArrayLike<K>;
  readonly hashes: Int32Array;
  readonly counts: Float64Array;
  indexOf(key: K, h: number): number;
  insert(key: K, h: number, count: number): void;
}

/**
 * Puts into `out` the values of `a` that stay counted after a merge with `b`: with b's count
 * added when b has the value, dropped when b neither has it nor counts exactly. On the `second`
 * pass (a and b swapped) a value both have was already put in.
 */
function mergeCountsInto<K>(
  out: CountTable<K>,
  a: CountTable<K>,
  b: CountTable<K>,
  bExact: boolean,
  second: boolean,
): void {
  for (let e = 0; e < a.size; e++) {
    const k = a.keys[e]!;
    const h = a.hashes[e]!;
    const i = b.indexOf(k, h);
    if (second && i >= 0) continue;
    if (i < 0 && !bExact) continue;
    out.insert(k, h, a.counts[e]! + (i >= 0 ? b.counts[i]! : 0));
  }
}
