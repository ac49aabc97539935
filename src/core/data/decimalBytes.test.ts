// Numbers read from bytes against Number() of the same text, bit for bit; and a column counted
// from the bytes of its fields against the same column counted from their text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ColumnAccumulator, parseNumber } from './columnStats.js';
import { NEEDS_NUMBER, NOT_A_NUMBER, parseDecimalBytes } from './decimalBytes.js';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 1000);

/** What parseDecimalBytes says of a text, checked against parseNumber (Number()). */
function check(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  const got = parseDecimalBytes(bytes, 0, bytes.length);
  const expected = parseNumber(text);
  if (Number.isNaN(got))
    assert.ok(Number.isNaN(expected), `${text}: not a number, yet ${expected}`);
  else if (got !== NEEDS_NUMBER)
    assert.ok(Object.is(got, expected), `${JSON.stringify(text)}: ${got} vs Number() ${expected}`);
  return got;
}

test('decimals read from bytes are bit for bit what Number() reads, or left to it', () => {
  // Read from the bytes: plain decimals within the fast path.
  for (const t of ['0', '-0', '+0', '-0.0', '.5', '-.5', '5.', '1e-7', '1E+05', '-12.5', '3.14159'])
    assert.notEqual(check(t), NEEDS_NUMBER, t);
  assert.ok(Object.is(check('-0'), -0));
  assert.ok(Object.is(check('-0e10'), -0));
  // Left to Number(): too many digits, powers of ten past 22, prefixes, white space at the end.
  for (const t of [
    '12345678901234567', // 17 significant digits
    '0.12345678901234567',
    '9007199254740993',
    '1e300',
    '1e-300',
    '1e400',
    '123e-30',
    '0b101',
    '0o17',
    '0x1F',
    '1 ',
    '1\t',
    '1\u00a0',
  ])
    assert.equal(check(t), NEEDS_NUMBER, t);
  // Not numbers at all.
  for (const t of [
    '-',
    '+',
    '.',
    '1e',
    '1e+',
    '1-2',
    '1_000',
    '1.2.3',
    '12abc',
    '2023-01-05',
    '-Infinity',
  ])
    assert.ok(Number.isNaN(check(t)), t);
  assert.ok(Number.isNaN(NOT_A_NUMBER));

  // Random decimals: digits, points, exponents and signs in every mix.
  const digits = fc.stringMatching(/^[0-9]{0,20}$/);
  const decimal = fc
    .tuple(
      fc.constantFrom('', '-', '+'),
      digits,
      fc.boolean(),
      digits,
      fc.option(
        fc.tuple(
          fc.constantFrom('e', 'E'),
          fc.constantFrom('', '-', '+'),
          fc.integer({ min: 0, max: 400 }),
        ),
      ),
    )
    .map(
      ([sign, a, point, b, exp]) =>
        `${sign}${a}${point ? '.' : ''}${point ? b : ''}${exp ? `${exp[0]}${exp[1]}${exp[2]}` : ''}`,
    )
    .filter((t) => t.length > 0 && /^[-+0-9.]/.test(t));
  fc.assert(
    fc.property(decimal, (t) => {
      check(t);
    }),
    { numRuns: RUNS * 20 },
  );
  // Doubles as JavaScript prints them, and with fixed digits.
  fc.assert(
    fc.property(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 0, max: 20 }),
      (x, d) => {
        check(String(x));
        check(x.toFixed(d));
        check(x.toPrecision(Math.max(1, d)));
      },
    ),
    { numRuns: RUNS * 20 },
  );
});

/** A column counted from the bytes of its fields, and from their text: the same state. */
function sameCounts(values: readonly string[]): void {
  const fromText = new ColumnAccumulator(1000);
  const fromBytes = new ColumnAccumulator(1000);
  for (const v of values) {
    fromText.add(v);
    const bytes = Buffer.from(`,${v},`, 'utf8');
    fromBytes.addBytes(bytes, 1, bytes.length - 1);
  }
  const a = fromText.toState();
  const b = fromBytes.toState();
  assert.deepEqual(b, a, JSON.stringify(values));
  assert.deepEqual(fromBytes.topValues(), fromText.topValues());
}

test('a field counted from its bytes counts as its text does: numbers, markers, strings, white space', () => {
  sameCounts([
    '',
    'na',
    'NA',
    'n/a',
    'N/A',
    'nan',
    'NaN',
    'null',
    'NULL',
    'none',
    'None',
    '?',
    ' na ',
    '\tnull',
    'na\u00a0',
    '       ',
    ' ',
    'nano',
    'nul',
    '??',
    'n/',
    '1',
    '-0',
    '0',
    '1e300',
    '0b11',
    '0x10',
    ' 7',
    '7 ',
    'Paris',
    ' Paris ',
    'Zürich',
    'a\u00a0',
    '\u00a0a',
    'naïve',
    '12abc',
    '2023-01-05',
    'true',
    'FALSE',
    '-',
    '.',
    'Infinity',
    '-Infinity',
  ]);
  const cell = fc.oneof(
    fc.constantFrom('', 'na', 'N/A', 'NaN', 'null', 'None', '?', ' ', 'true', 'no', '0', '1'),
    fc.double({ noNaN: true }).map(String),
    fc.integer().map(String),
    fc.string({ maxLength: 8 }).map((s) => s.replace(/[,\n\r"]/g, '')),
    fc.stringMatching(/^[ \t]?[-+.0-9eExbo]{1,8}[ \t]?$/),
  );
  fc.assert(
    fc.property(fc.array(cell, { maxLength: 60 }), (values) => {
      sameCounts(values);
    }),
    { numRuns: RUNS },
  );
});
