// Streaming statistics for one column: exact counts, moments (merged per batch), a bounded
// reservoir sample for quantiles, histograms and two-sample tests, and a bounded distinct count.

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

/** Running mean and sum of squared deviations, merged batch by batch (Chan et al.). */
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
  return {
    n,
    mean: a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** A float64 sum with Neumaier's compensation: exact to the last bit or so, in any order. */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;
  add(v: number): void {
    const t = this.sum + v;
    this.compensation += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }
  value(): number {
    return this.sum + this.compensation;
  }
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

/** A uniform sample of at most `capacity` values (Algorithm R, seeded for reproducible output). */
export class Reservoir {
  readonly values: Float64Array;
  size = 0;
  seen = 0;
  private seed = 0x9e3779b9;
  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity);
  }
  add(v: number): void {
    this.seen++;
    if (this.size < this.capacity) {
      this.values[this.size++] = v;
      return;
    }
    const j = Math.floor(this.random() * this.seen);
    if (j < this.capacity) this.values[j] = v;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.size).sort();
  }
  private random(): number {
    // xorshift32
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 2 ** 32;
  }
}

/** A HyperLogLog sketch (2^12 registers, about 1.6% error) for distinct counts past the exact limit. */
export class HyperLogLog {
  private readonly registers = new Uint8Array(4096);
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);
  addString(v: string): void {
    this.addHash(hash32(v));
  }
  addNumber(x: number): void {
    this.addHash(this.hashNumber(x));
  }
  hashString(v: string): number {
    return hash32(v);
  }
  hashNumber(x: number): number {
    this.f64[0] = x;
    return mix32(this.u32[0]! ^ Math.imul(this.u32[1]!, 0x9e3779b1));
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
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Everything gathered about one column while streaming. */
export class ColumnAccumulator {
  missing = 0;
  present = 0;
  numeric = 0;
  readonly reservoir: Reservoir;
  /** Exact value counts while there are at most 10,000 distinct values; then a sketch counts. */
  private readonly numberCounts = new ValueCounts<number>();
  private readonly stringCounts = new ValueCounts<string>();
  private sketch: HyperLogLog | undefined;
  private readonly counted = new Int32Array((COUNTED_MASK + 1) / 32);
  /** Numbers of the current batch, folded into the moments once the batch is read. */
  pending: number[] = [];
  constructor(
    readonly name: string,
    reservoirCapacity: number,
  ) {
    this.reservoir = new Reservoir(reservoirCapacity);
  }
  add(raw: string | undefined): void {
    if (raw === undefined || isMissing(raw)) {
      this.missing++;
      return;
    }
    this.present++;
    const x = parseNumber(raw);
    if (Number.isNaN(x)) {
      const v = raw.trim();
      if (this.sketch) {
        const h = this.sketch.hashString(v);
        this.sketch.addHash(h);
        if (this.mayBeCounted(h)) this.stringCounts.increment(v);
      } else this.count(this.stringCounts, v);
      return;
    }
    this.numeric++;
    if (this.sketch) {
      const h = this.sketch.hashNumber(x);
      this.sketch.addHash(h);
      if (this.mayBeCounted(h)) this.numberCounts.increment(x);
    } else this.count(this.numberCounts, x);
    this.pending.push(x);
    this.reservoir.add(x);
  }
  /**
   * How many values read as booleans (true/false, yes/no, t/f, 0/1): from the exact counts, once
   * per distinct value rather than per value; past the exact limit a column is no boolean.
   */
  get booleanLike(): number {
    if (this.sketch) return 0;
    let n = 0;
    for (const [k, c] of this.stringCounts.entries())
      if (k.length <= 5 && BOOLEAN.has(k.toLowerCase())) n += c;
    for (const [k, c] of this.numberCounts.entries()) if (k === 0 || k === 1) n += c;
    return n;
  }
  get distinctExact(): boolean {
    return this.sketch === undefined;
  }
  distinct(): number {
    if (!this.sketch) return this.numberCounts.size + this.stringCounts.size;
    // An estimate can overshoot; there are never more distinct values than values, and never
    // fewer than were counted exactly before the sketch took over.
    const counted = this.numberCounts.size + this.stringCounts.size;
    return Math.min(Math.max(this.sketch.count(), counted), this.present);
  }
  topValues(): { value: string; count: number }[] {
    return [
      ...this.numberCounts.entries().map(([k, c]) => [String(k), c] as const),
      ...this.stringCounts.entries(),
    ]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_VALUES)
      .map(([value, count]) => ({ value, count }));
  }
  private count<K>(counts: ValueCounts<K>, key: K): void {
    if (counts.increment(key)) return;
    counts.insert(key);
    if (this.numberCounts.size + this.stringCounts.size > DISTINCT_EXACT_MAX) {
      const sketch = new HyperLogLog();
      const mark = (h: number): void => {
        sketch.addHash(h);
        this.counted[(h & COUNTED_MASK) >>> 5]! |= 1 << (h & 31);
      };
      for (const k of this.numberCounts.keys()) mark(sketch.hashNumber(k));
      for (const k of this.stringCounts.keys()) mark(sketch.hashString(k));
      this.sketch = sketch;
    }
  }
  /**
   * Past the exact limit only the values already counted keep being counted (for the top
   * values); a bit per hash says which those may be, which spares the lookup of most new values.
   */
  private mayBeCounted(h: number): boolean {
    return (this.counted[(h & COUNTED_MASK) >>> 5]! & (1 << (h & 31))) !== 0;
  }
}

/** Counts per value: one map lookup per value seen again (the count lives in an array). */
class ValueCounts<K> {
  private readonly index = new Map<K, number>();
  private readonly counts: number[] = [];
  get size(): number {
    return this.counts.length;
  }
  /** Counts the value if it is known; false if it is not (then `insert` it, or not). */
  increment(key: K): boolean {
    const i = this.index.get(key);
    if (i === undefined) return false;
    this.counts[i]!++;
    return true;
  }
  insert(key: K): void {
    this.index.set(key, this.counts.length);
    this.counts.push(1);
  }
  keys(): IterableIterator<K> {
    return this.index.keys();
  }
  entries(): [K, number][] {
    return [...this.index].map(([k, i]) => [k, this.counts[i]!]);
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
