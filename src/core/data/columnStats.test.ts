// Accumulators of consecutive parts of a column merged into the one of the whole: samples that
// stay uniform, counts that stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ColumnAccumulator,
  quantile,
  quantiles,
  Reservoir,
  sampleRankError,
  segmentSeed,
} from './columnStats.js';

/** The values from..to-1 sampled by a reservoir of `capacity` seeded for part `index`. */
function part(from: number, to: number, capacity: number, index: number): Reservoir {
  const r = new Reservoir(capacity, segmentSeed(index));
  const xs = Float64Array.from({ length: to - from }, (_, i) => from + i);
  r.addAll(xs, xs.length);
  return r;
}

test('merged samples of parts of any sizes are a uniform sample of the whole', () => {
  const capacity = 20_000;
  // Parts smaller and larger than the sample, in an uneven order.
  const bounds = [0, 3_000, 90_000, 95_000, 160_000, 161_000, 400_000];
  const merged = part(bounds[0]!, bounds[1]!, capacity, 0);
  for (let k = 1; k + 1 < bounds.length; k++)
    merged.merge(part(bounds[k]!, bounds[k + 1]!, capacity, k), segmentSeed(k));
  const n = bounds[bounds.length - 1]!;
  assert.equal(merged.seen, n);
  assert.equal(merged.size, capacity);
  const sample = merged.sorted();
  assert.equal(new Set(sample).size, capacity, 'no value twice');
  // Each part has its share of the sample: within 5 standard deviations (hypergeometric).
  for (let k = 0; k + 1 < bounds.length; k++) {
    const size = bounds[k + 1]! - bounds[k]!;
    const got = sample.filter((v) => v >= bounds[k]! && v < bounds[k + 1]!).length;
    const p = size / n;
    const expected = capacity * p;
    const sd = Math.sqrt(capacity * p * (1 - p) * ((n - capacity) / (n - 1)));
    assert.ok(Math.abs(got - expected) <= 5 * sd + 1, `part ${k}: ${got} of ${expected}`);
  }
  // Every quantile within the stated rank error (the values are their own ranks).
  const bound = sampleRankError(capacity);
  for (let q = 0.01; q < 1; q += 0.01) {
    const v = sample[Math.floor(q * (capacity - 1))]!;
    assert.ok(Math.abs(v / (n - 1) - q) <= bound, `q${q.toFixed(2)}: ${v}`);
  }
  // The same parts merged again: the same sample.
  const again = part(bounds[0]!, bounds[1]!, capacity, 0);
  for (let k = 1; k + 1 < bounds.length; k++)
    again.merge(part(bounds[k]!, bounds[k + 1]!, capacity, k), segmentSeed(k));
  assert.deepEqual(again.sorted(), sample);
});

test('samples that together fit are kept whole', () => {
  const merged = part(0, 400, 1000, 0);
  merged.merge(part(400, 1000, 1000, 1), segmentSeed(1));
  assert.equal(merged.size, 1000);
  assert.deepEqual(
    merged.sorted(),
    Float64Array.from({ length: 1000 }, (_, i) => i),
  );
});

/** An accumulator of `values`, part `index` of a column, told to count `counted` if given. */
function column(values: readonly string[], index: number, from?: ColumnAccumulator) {
  const a = new ColumnAccumulator(1000, segmentSeed(index));
  const counted = from?.countedValues();
  if (counted) a.countOnly(counted);
  for (const v of values) a.add(v);
  return a;
}

test('distinct counts stay exact across parts up to the limit; past it every count listed is exact', () => {
  // Two parts of 6,000 distinct values each, 2,000 in common: 10,000 together, exact.
  const range = (from: number, to: number): string[] =>
    Array.from({ length: to - from }, (_, i) => `v${from + i}`);
  const a = column(range(0, 6000), 0);
  a.merge(column(range(4000, 10_000), 1), segmentSeed(1));
  assert.equal(a.distinctExact, true);
  assert.equal(a.distinct(), 10_000);
  // One more value, in a third part: past the limit.
  a.merge(column(['v10000', 'v0', 'v0'], 2), segmentSeed(2));
  assert.equal(a.distinctExact, false);
  // an estimate now, never below the 10,001 values counted exactly
  assert.ok(a.distinct() >= 10_001 && a.distinct() < 11_000, `${a.distinct()}`);
  assert.deepEqual(a.topValues()[0], { value: 'v0', count: 3 });

  // A part past the limit on its own, then parts that count what the first one counted (as the
  // segments after the first do), and one that does not: counts stay exact or the value goes.
  // ('top' among the first 10,001 distinct values: counted.)
  const heavy = [...Array.from({ length: 50 }, () => 'top'), ...range(0, 12_000)];
  const first = column(heavy, 0);
  assert.equal(first.distinctExact, false);
  const merged = column(heavy, 0);
  merged.merge(column(['top', 'v5', 'new'], 1, first), segmentSeed(1));
  assert.deepEqual(merged.topValues()[0], { value: 'top', count: 51 });
  assert.equal(merged.topValues().find((v) => v.value === 'v5')?.count, 2);
  // A part that had to sketch on its own and saw 'v5' only after: 'v5' is no longer listed (its
  // count there is unknown), 'top' (counted by both) still is, exactly.
  const late = column(['top', ...range(20_000, 31_000), 'v5'], 2);
  assert.equal(late.distinctExact, false);
  merged.merge(late, segmentSeed(2));
  assert.deepEqual(merged.topValues()[0], { value: 'top', count: 52 });
  assert.equal(
    merged.topValues().find((v) => v.value === 'v5'),
    undefined,
  );
  for (const v of merged.topValues()) assert.notEqual(v.value, 'new');
});

test('state sent to another thread comes back the same accumulator', () => {
  const a = column(['1', '2', '2', 'x', '', 'NA', '3.5', '-0'], 3);
  const b = ColumnAccumulator.fromState(structuredClone(a.toState()));
  assert.deepEqual(b.toState(), a.toState());
  assert.deepEqual(b.topValues(), a.topValues());
  assert.equal(b.distinct(), a.distinct());
});

test('quantiles by selection are the quantiles of the sorted values', () => {
  const qs = [0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1];
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true })), {
        minLength: 1,
        maxLength: 300,
      }),
      (xs) => {
        const sorted = Float64Array.from(xs).sort();
        const got = quantiles(Float64Array.from(xs), qs);
        // (0 and -0 may trade places: equal values)
        qs.forEach((q, i) => assert.equal(got[i]! + 0, quantile(sorted, q) + 0, `q${q}`));
      },
    ),
    { numRuns: 2000 },
  );
  assert.deepEqual(quantiles(new Float64Array(0), [0.5]), [NaN]);
});
