// The profile's figures against real numbers: pandas' describe() on the same file (when pandas is
// installed for /usr/bin/python3), and values computed exactly in the test (BigInt arithmetic,
// sorting every value).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir } from '../testing/tempProject.js';
import { HyperLogLog, quantile, sampleRankError } from './columnStats.js';
import { profilePath, type ColumnProfile, type TableProfile } from './profile.js';

const PYTHON = '/usr/bin/python3';

interface PandasColumn {
  count: number;
  mean: number;
  std: number;
  min: number;
  '25%': number;
  '50%': number;
  '75%': number;
  max: number;
}

/** pandas' describe() of a CSV's numeric columns, or undefined (with the reason printed). */
function pandasDescribe(t: TestContext, file: string): Record<string, PandasColumn> | undefined {
  const script = [
    'import sys, json, pandas',
    'd = pandas.read_csv(sys.argv[1]).describe()',
    'print(json.dumps({c: {k: float(v) for k, v in d[c].items()} for c in d.columns}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) {
    t.diagnostic(
      `skipped the comparison with pandas: ${PYTHON} cannot run pandas (${r.error?.message ?? r.stderr.trim().split('\n').pop()}); apt-get install python3-pandas to run it`,
    );
    return undefined;
  }
  return JSON.parse(r.stdout) as Record<string, PandasColumn>;
}

const col = (p: TableProfile, name: string): ColumnProfile => {
  const c = p.columns.find((x) => x.name === name);
  assert.ok(c, `no column ${name}`);
  return c;
};

function assertClose(actual: number | undefined, expected: number, rel: number, what: string) {
  assert.ok(actual !== undefined, `${what}: missing`);
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(err <= rel, `${what}: ${actual} vs ${expected} (relative error ${err} > ${rel})`);
}

/** A seeded generator of uniform integers in [0, n). */
function integers(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

/** The exact mean and sample standard deviation of values k/1000, from the integers k. */
function exactMoments(ks: readonly bigint[]): { mean: number; std: number } {
  const n = BigInt(ks.length);
  let sum = 0n;
  let sumSq = 0n;
  for (const k of ks) {
    sum += k;
    sumSq += k * k;
  }
  const scale = 10n ** 30n;
  // mean = sum / (1000 n); variance = (n Σk² − (Σk)²) / (n (n − 1) 10^6)
  const mean = Number((sum * scale) / (1000n * n)) / 1e30;
  const variance = Number(((n * sumSq - sum * sum) * scale) / (n * (n - 1n) * 1_000_000n)) / 1e30;
  return { mean, std: Math.sqrt(variance) };
}

test('mean, std, min and max match pandas describe() and exact arithmetic to 1e-9', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'moments.csv');
  const next = integers(7);
  const rows = 250_000; // many read blocks, so the per-block moments are merged
  // offset: 1e9 plus three decimals (a naive sum of squares loses every digit of the variance);
  // spread: values over six orders of magnitude; negative: all below zero.
  const cols = { offset: [] as bigint[], spread: [] as bigint[], negative: [] as bigint[] };
  const lines = ['offset,spread,negative,label'];
  const decimal = (k: bigint): string => {
    const neg = k < 0n;
    const a = neg ? -k : k;
    return `${neg ? '-' : ''}${a / 1000n}.${String(a % 1000n).padStart(3, '0')}`;
  };
  for (let i = 0; i < rows; i++) {
    const offset = 1_000_000_000_000n + BigInt(next(1_000_000));
    const spread = BigInt(next(1000)) * 10n ** BigInt(next(7));
    const negative = -1_000_000n - BigInt(next(50_000_000));
    cols.offset.push(offset);
    cols.spread.push(spread);
    cols.negative.push(negative);
    lines.push(`${decimal(offset)},${decimal(spread)},${decimal(negative)},g${i % 4}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const p = (await profilePath(file, 'moments.csv')) as TableProfile;
  assert.equal(p.rows, rows);
  const pandas = pandasDescribe(t, file);
  for (const [name, ks] of Object.entries(cols)) {
    const c = col(p, name);
    const exact = exactMoments(ks);
    const sorted = [...ks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.equal(c.count, rows);
    assertClose(c.mean, exact.mean, 1e-9, `${name} mean (exact)`);
    assertClose(c.std, exact.std, 1e-9, `${name} std (exact)`);
    assert.equal(c.min, Number(decimal(sorted[0]!)), `${name} min`);
    assert.equal(c.max, Number(decimal(sorted[sorted.length - 1]!)), `${name} max`);
    if (pandas) {
      const d = pandas[name]!;
      assert.equal(d.count, c.count);
      assertClose(c.mean, d.mean, 1e-9, `${name} mean (pandas)`);
      assertClose(c.std, d.std, 1e-9, `${name} std (pandas)`);
      assertClose(c.min, d.min, 1e-9, `${name} min (pandas)`);
      assertClose(c.max, d.max, 1e-9, `${name} max (pandas)`);
    }
  }
});

test('quantiles of a column of up to 100,000 values are exact, as pandas computes them', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'q.csv');
  const next = integers(11);
  // 5,000 distinct values, so the distinct count is exact too and nothing is approximate
  const xs = Array.from({ length: 100_000 }, () => next(5_000) / 7);
  fs.writeFileSync(file, ['x', ...xs.map(String)].join('\n') + '\n');
  const c = col((await profilePath(file, 'q.csv')) as TableProfile, 'x');
  assert.equal(c.approximate, false);
  assert.equal(c.sampled, false);
  assert.equal(c.quantileRankError, 0);
  const sorted = [...xs].sort((a, b) => a - b);
  const expected = {
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
  };
  assert.equal(c.quantiles!.p25, expected.p25);
  assert.equal(c.quantiles!.p50, expected.p50);
  assert.equal(c.quantiles!.p75, expected.p75);
  const d = pandasDescribe(t, file)?.['x'];
  if (d) {
    assertClose(c.quantiles!.p25, d['25%'], 1e-12, 'p25 (pandas)');
    assertClose(c.quantiles!.p50, d['50%'], 1e-12, 'p50 (pandas)');
    assertClose(c.quantiles!.p75, d['75%'], 1e-12, 'p75 (pandas)');
  }
});

test('quantiles past the exact limit are marked approximate, within their stated rank error', (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'perm.csv');
  // A shuffled permutation of 0..n-1: the true rank of a value v is v / (n − 1).
  const n = 300_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const next = integers(3);
  for (let i = n - 1; i > 0; i--) {
    const j = next(i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  fs.writeFileSync(file, ['v', ...xs.map(String)].join('\n') + '\n');
  const r = spawnSync(process.execPath, [CLI, 'profile', file, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  const c = col(JSON.parse(r.stdout) as TableProfile, 'v');
  assert.equal(c.approximate, true);
  assert.equal(c.sampled, true);
  assert.equal(c.quantileRankError, sampleRankError(c.sampleSize!));
  assert.ok(c.quantileRankError > 0 && c.quantileRankError < 0.01, `${c.quantileRankError}`);
  const pandas = pandasDescribe(t, file)?.['v'];
  for (const [key, p, pandasKey] of [
    ['p25', 0.25, '25%'],
    ['p50', 0.5, '50%'],
    ['p75', 0.75, '75%'],
  ] as const) {
    const got = c.quantiles![key];
    const rankOff = Math.abs(got / (n - 1) - p);
    assert.ok(rankOff <= c.quantileRankError, `${key} ${got}: rank off by ${rankOff}`);
    if (pandas) {
      const off = Math.abs(got - pandas[pandasKey]) / (n - 1);
      assert.ok(off <= c.quantileRankError, `${key} ${got} vs pandas ${pandas[pandasKey]}`);
    }
  }
  // The text output marks the approximate figures and says how approximate.
  const text = spawnSync(process.execPath, [CLI, 'profile', file], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  const row = text.stdout.split('\n').find((l) => l.startsWith('v '))!;
  // The median, marked: about 1.5e+5, printed as an integer when the two middle values of the
  // (even-sized) sample average to one.
  assert.match(row, /\s≈(1\.\d+e\+5|1\d{5})\s/, row);
  assert.match(
    text.stdout,
    new RegExp(
      `≈ medians, quantiles and histograms of the 1 column marked are approximate: .* within ±${(c.quantileRankError * 100).toFixed(2)}% of its rank \\(99% confidence\\)`,
    ),
  );
});

test('distinct counts are exact up to 10,000 values, then an estimate clamped to the count', async () => {
  const dir = tempDir();
  const exactFile = path.join(dir, 'exact.csv');
  fs.writeFileSync(
    exactFile,
    ['id', ...Array.from({ length: 20_000 }, (_, i) => `u${i % 10_000}`)].join('\n'),
  );
  const exact = col((await profilePath(exactFile, 'exact.csv')) as TableProfile, 'id');
  assert.equal(exact.distinctExact, true);
  assert.equal(exact.distinct, 10_000);

  // 12,000 distinct values that the sketch alone overestimates.
  const n = 12_000;
  const values = Array.from({ length: n }, (_, i) => `u${i}`);
  const sketch = new HyperLogLog();
  for (const v of values) sketch.addString(v);
  assert.ok(sketch.count() > n, `the sketch alone says ${sketch.count()}`);
  const file = path.join(dir, 'ids.csv');
  fs.writeFileSync(file, ['id', ...values].join('\n'));
  const c = col((await profilePath(file, 'ids.csv')) as TableProfile, 'id');
  assert.equal(c.distinctExact, false);
  assert.equal(c.approximate, true);
  assert.equal(c.distinct, n);
});
