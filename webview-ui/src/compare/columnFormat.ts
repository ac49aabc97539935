// One number format per table column, chosen from the column's values: every cell of a column has
// the same number of decimals, so right-aligned tabular digits line up on the decimal point
// (0.80 above 0.83, not 0.8 above 0.83), as in MLflow's and W&B's run tables.

/** Significant digits the widest value of a column shows (more is float noise: 0.30000000000000004). */
const significant = 6;
/** More decimals than this is unreadable as a fixed-point number: the column goes exponential. */
const maxDecimals = 8;

/** Decimals x needs in fixed notation at six significant digits (0.83 → 2, 1234.5 → 1, 100 → 0). */
function decimalsOf(x: number): number {
  const a = Math.abs(x);
  if (a === 0) return 0;
  // Arithmetic, not toPrecision: a column of 10,000 runs is formatted when it first scrolls in.
  let k = significant - 1 - Math.floor(Math.log10(a));
  if (k <= 0) return 0;
  let digits = Math.round(a * 10 ** k);
  while (k > 0 && digits % 10 === 0) {
    digits /= 10;
    k--;
  }
  return k;
}

/** Decimals of x's mantissa in exponential notation at six significant digits (2.5e-5 → 1). */
function mantissaDecimalsOf(x: number): number {
  const a = Math.abs(x);
  return a === 0 ? 0 : Math.max(0, decimalsOf(a) + Math.floor(Math.log10(a)));
}

/** Text of a number that is not finite, as the table always showed it. */
function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * The format of a column holding these numbers: integers as they are; otherwise the decimals the
 * most precise value needs (at six significant digits), capped so the largest value shows no more
 * than six significant digits; exponential with one mantissa precision when fixed decimals would
 * be too many or would show a value that is not zero as 0.
 */
export function columnFormat(values: Iterable<number>): (v: number) => string {
  const distinct = new Set<number>();
  let maxAbs = 0;
  let minAbs = Infinity;
  let integers = true;
  for (const v of values) {
    if (!Number.isFinite(v) || distinct.has(v)) continue;
    distinct.add(v);
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a !== 0 && a < minAbs) minAbs = a;
    if (!Number.isInteger(v)) integers = false;
  }
  if (integers && maxAbs < 1e15) {
    return (v) => (Number.isFinite(v) ? String(v) : nonFinite(v));
  }
  // No more decimals than the largest value may show at six significant digits.
  const cap =
    maxAbs >= 1 ? Math.max(0, significant - Math.floor(Math.log10(maxAbs)) - 1) : Infinity;
  // The smallest value needs the most decimals; past maxDecimals the column is exponential anyway.
  const most = Math.min(
    cap,
    maxDecimals + 1,
    minAbs === Infinity ? 0 : significant - 1 - Math.floor(Math.log10(minAbs)),
  );
  let decimals = 0;
  for (const v of distinct) {
    decimals = Math.max(decimals, decimalsOf(v));
    if (decimals >= most) break;
  }
  decimals = Math.min(decimals, cap);
  const hidesSmall = minAbs !== Infinity && minAbs < 0.5 * 10 ** -decimals;
  if (decimals > maxDecimals || hidesSmall || maxAbs >= 1e15) {
    let mantissa = 0;
    for (const v of distinct) {
      mantissa = Math.max(mantissa, mantissaDecimalsOf(v));
      if (mantissa >= significant - 1) break;
    }
    const digits = Math.min(significant - 1, mantissa);
    return (v) => (Number.isFinite(v) ? v.toExponential(digits) : nonFinite(v));
  }
  return (v) => (Number.isFinite(v) ? v.toFixed(decimals) : nonFinite(v));
}
