// Series arithmetic for the step charts: growable storage for live appends, smoothing, and
// min/max down-sampling that keeps every peak and trough while drawing ~2 points per pixel.

/** A metric series of one run; append() grows it in place as live points arrive. */
export class Series {
  steps: Float64Array;
  values: Float64Array;
  length = 0;
  /** Whether some step is not a whole number (fractional epochs): the x axis then has fractions. */
  fractionalSteps = false;

  constructor(capacity = 16) {
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  static from(steps: ArrayLike<number>, values: Float64Array): Series {
    const s = new Series(0);
    // Adopt freshly decoded arrays instead of copying them (10^5-point series are common).
    s.steps = steps instanceof Float64Array ? steps : Float64Array.from(steps);
    s.values = values;
    s.length = Math.min(s.steps.length, values.length);
    s.fractionalSteps = hasFraction(s.steps, 0, s.length);
    return s;
  }

  append(steps: ArrayLike<number>, values: Float64Array): void {
    const need = this.length + steps.length;
    if (need > this.steps.length) {
      const cap = Math.max(need, this.steps.length * 2, 16);
      const s = new Float64Array(cap);
      const v = new Float64Array(cap);
      s.set(this.steps.subarray(0, this.length));
      v.set(this.values.subarray(0, this.length));
      this.steps = s;
      this.values = v;
    }
    this.steps.set(steps, this.length);
    this.values.set(values, this.length);
    this.fractionalSteps ||= hasFraction(this.steps, this.length, need);
    this.length = need;
  }
}

function hasFraction(steps: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!Number.isInteger(steps[i])) return true;
  return false;
}

/**
 * Exponential moving average as TensorBoard draws it (debiased, so the start is not pulled to
 * zero); non-finite values are passed through without entering the average.
 */
export function smooth(values: Float64Array, length: number, weight: number): Float64Array {
  if (weight <= 0) return values.subarray(0, length);
  const out = new Float64Array(length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = last / (1 - Math.pow(weight, n));
  }
  return out;
}

/** First index whose step is >= x (steps ascending). */
export function lowerBound(steps: Float64Array, length: number, x: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Down-samples [x0, x1] of a series into at most 2 points per bucket: the minimum and the
 * maximum, in step order, so spikes survive. The points just outside the range are kept too,
 * so lines run to the edges of a zoomed chart. Series shorter than 2 × buckets pass unchanged.
 */
export function minMaxDownsample(
  steps: Float64Array,
  values: Float64Array,
  length: number,
  x0: number,
  x1: number,
  buckets: number,
): { xs: number[]; ys: (number | null)[] } {
  const start = Math.max(0, lowerBound(steps, length, x0) - 1);
  const end = Math.min(length, lowerBound(steps, length, x1) + 1); // exclusive
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  const push = (i: number): void => {
    const v = values[i]!;
    xs.push(steps[i]!);
    ys.push(Number.isFinite(v) ? v : null);
  };
  if (end - start <= buckets * 2) {
    for (let i = start; i < end; i++) push(i);
    return { xs, ys };
  }
  const span = x1 - x0 || 1;
  let i = start;
  if (steps[i]! < x0) push(i++);
  let bucketEnd = x0;
  for (let b = 0; b < buckets && i < end; b++) {
    bucketEnd = b === buckets - 1 ? Infinity : x0 + ((b + 1) * span) / buckets;
    let minI = -1;
    let maxI = -1;
    let firstI = -1;
    for (; i < end && steps[i]! < bucketEnd && steps[i]! <= x1; i++) {
      if (firstI < 0) firstI = i;
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      if (minI < 0 || v < values[minI]!) minI = i;
      if (maxI < 0 || v > values[maxI]!) maxI = i;
    }
    if (firstI < 0) continue;
    if (minI < 0) push(firstI);
    else if (minI === maxI) push(minI);
    else if (minI < maxI) {
      push(minI);
      push(maxI);
    } else {
      push(maxI);
      push(minI);
    }
  }
  if (i < end) push(end - 1);
  return { xs, ys };
}
