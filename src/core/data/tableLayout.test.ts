// CSV layouts as real files have them (the first lines of the CSVs scikit-learn ships), read
// through the streaming reader and the profile, which must keep every column and say what it
// assumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI, tempDir } from '../testing/tempProject.js';
import { profilePath, type TableProfile } from './profile.js';
import { openTabular } from './tabularReader.js';

function write(name: string, text: string | Buffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

async function profile(file: string): Promise<TableProfile> {
  return (await profilePath(file, path.basename(file))) as TableProfile;
}

/** Rows of numbers, `width` wide, the last column an integer class, as in wine_data.csv. */
function numericRows(rows: number, width: number): string[] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: width }, (_, c) =>
      c === width - 1 ? String(r % 3) : (r * 0.37 + c * 1.5).toFixed(2),
    ).join(','),
  );
}

test('a first line shorter than the rows (wine_data.csv) is a preamble: all 14 columns are kept', async () => {
  const file = write(
    'wine_data.csv',
    ['178,13,class_0,class_1,class_2', ...numericRows(30, 14)].join('\n') + '\n',
  );
  const p = await profile(file);
  assert.equal(p.columns.length, 14);
  assert.equal(p.rows, 30, 'the preamble is not a row');
  assert.deepEqual(
    p.columns.map((c) => c.name),
    Array.from({ length: 14 }, (_, i) => `column_${i + 1}`),
  );
  assert.ok(p.columns.every((c) => c.type === 'number' && c.count === 30));
  assert.match(
    p.notes.join('\n'),
    /line 1 holds numbers before names \(5 fields; the rows have 14\): read it as a preamble/,
  );
});

test('the target column of breast_cancer.csv (31 wide under a 4-field first line) is profiled', async () => {
  const file = write(
    'breast_cancer.csv',
    ['569,30,malignant,benign', ...numericRows(20, 31)].join('\n'),
  );
  const p = await profile(file);
  assert.equal(p.columns.length, 31);
  const target = p.columns[30]!;
  assert.equal(target.name, 'column_31');
  assert.equal(target.distinct, 3);
});

test('a preamble line with the real header on line 2 (boston_house_prices.csv)', async () => {
  const header =
    '"CRIM","ZN","INDUS","CHAS","NOX","RM","AGE","DIS","RAD","TAX","PTRATIO","B","LSTAT","MEDV"';
  // As the file has it: the first line padded with empty fields to the width of the rows.
  const file = write(
    'boston.csv',
    ['506,13,,,,,,,,,,,,', header, ...numericRows(25, 14)].join('\n') + '\n',
  );
  const p = await profile(file);
  assert.equal(p.rows, 25, 'the header line is not counted as data');
  assert.equal(p.columns.length, 14);
  assert.equal(p.columns[0]!.name, 'CRIM');
  assert.equal(p.columns[13]!.name, 'MEDV');
  assert.ok(
    p.columns.every((c) => c.type === 'number'),
    'no column turned to strings by a header row',
  );
  assert.match(
    p.notes.join('\n'),
    /line 1 \(2 fields\) does not name the 14 columns .* line 2 as the header/,
  );
});

test('a first line as wide as the rows with counts before class names (iris.csv) is a preamble', async () => {
  const file = write(
    'iris.csv',
    ['150,4,setosa,versicolor,virginica', ...numericRows(12, 5)].join('\n'),
  );
  const p = await profile(file);
  assert.equal(p.rows, 12);
  assert.deepEqual(
    p.columns.map((c) => c.name),
    ['column_1', 'column_2', 'column_3', 'column_4', 'column_5'],
  );
  // A header that names a column by a number still is a header.
  const years = write('years.csv', ['id,2019,2020', '1,1,2', '2,3,4'].join('\n'));
  assert.deepEqual(
    (await profile(years)).columns.map((c) => c.name),
    ['id', '2019', '2020'],
  );
});

test('a space- or semicolon-separated file (diabetes_data_raw.csv.gz) is split on its delimiter', async () => {
  const rows = Array.from(
    { length: 10 },
    (_, i) => `${50 + i} ${(i % 2) + 1} 32.1 101.0 ${150 + i}`,
  );
  const file = write('diabetes.csv.gz', gzipSync(rows.join('\n') + '\n'));
  const p = await profile(file);
  assert.equal(p.columns.length, 5);
  assert.equal(p.rows, 10);
  assert.equal(p.columns[0]!.min, 50);
  assert.match(p.notes.join('\n'), /fields are separated by spaces/);
  const semi = write('eu.csv', ['a;b', '1,5;2', '3,5;4'].join('\n'));
  assert.deepEqual(
    (await profile(semi)).columns.map((c) => c.name),
    ['a', 'b'],
  );
});

test('a headerless numeric file: the first row is data and the names are unique', async () => {
  const file = write('matrix.csv', ['1,0,1,5.5', '2,1,0,6.5', '3,1,1,7.5', '4,0,0,8.5'].join('\n'));
  const p = await profile(file);
  assert.equal(p.rows, 4);
  assert.deepEqual(
    p.columns.map((c) => c.name),
    ['column_1', 'column_2', 'column_3', 'column_4'],
  );
  assert.equal(p.columns[3]!.min, 5.5, 'the first row is counted');
  assert.match(p.notes.join('\n'), /read as data, without a header/);
});

test('an ordinary header is taken as it is, with nothing assumed', async () => {
  const file = write('t.csv', ['x,y,label', '1,2,a', '3,4,b'].join('\n'));
  const p = await profile(file);
  assert.deepEqual(
    p.columns.map((c) => c.name),
    ['x', 'y', 'label'],
  );
  assert.deepEqual(p.notes, []);
  assert.equal(p.rows, 2);
});

test('repeated and short headers, and rows wider than the header, keep every column', async () => {
  const file = write('t.csv', ['a,a,b', '1,2,3,4', '5,6,7,8'].join('\n'));
  const table = await openTabular(file, 't.csv');
  const rows: (string | undefined)[][] = [];
  for await (const batch of table.rows()) rows.push(...batch);
  assert.deepEqual(table.columns, ['a', 'a_2', 'b', 'column_4']);
  assert.equal(rows.length, 2);
  const notes = table.notes.join('\n');
  assert.match(notes, /repeats a/);
  assert.match(notes, /names 3 of the 4 columns/);
});

test('gzipped tables are read (.csv.gz), and a broken gzip file is named', async () => {
  const file = write('t.csv.gz', gzipSync(['x,y', '1,2', '3,4', '5,6'].join('\n') + '\n'));
  const p = await profile(file);
  assert.equal(p.rows, 3);
  assert.equal(p.columns[1]!.max, 6);
  const broken = write('bad.csv.gz', Buffer.from('not gzip at all'));
  await assert.rejects(profile(broken), /bad\.csv\.gz: not a readable gzip file/);
});

test('moments are float64: mean and std of large values match an exact computation', async () => {
  // Values near 1e6 with small differences: float32 loses the digits that matter here.
  const xs = Array.from({ length: 20_000 }, (_, i) => 1_000_000 + ((i * 7919) % 1000) / 1000);
  const file = write('big.csv', ['v', ...xs.map(String)].join('\n'));
  const p = await profile(file);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  const v = p.columns[0]!;
  assert.ok(Math.abs(v.mean! - mean) / mean < 1e-12, `mean ${v.mean} vs ${mean}`);
  assert.ok(Math.abs(v.std! - std) / std < 1e-9, `std ${v.std} vs ${std}`);
});

test('an estimated distinct count never exceeds the number of values', async () => {
  // All values distinct and past the exact limit: the sketch's estimate may overshoot.
  const n = 12_000;
  const file = write(
    'ids.csv',
    ['id', ...Array.from({ length: n }, (_, i) => `id-${i * 13}`)].join('\n'),
  );
  const c = (await profile(file)).columns[0]!;
  assert.equal(c.distinctExact, false);
  assert.ok(c.distinct <= n, `distinct ${c.distinct} > ${n} values`);
});

test('the CLI says what it assumed and which quantiles come from a sample', () => {
  const rows = Array.from({ length: 120_000 }, (_, i) => `${i % 977},${(i * 31) % 1013}`);
  const file = write('wide.csv', ['500,2', ...rows].join('\n'));
  const r = spawnSync(process.execPath, [CLI, 'profile', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /assumed: line 1 holds numbers where the rows do: read as data/);
  assert.match(
    r.stdout,
    /≈ medians, quantiles and histograms of the 2 columns marked are approximate: from a uniform sample \(\d+ values each\) of the 120001 rows, each quantile within ±0\.\d\d% of its rank \(99% confidence\)/,
  );
});
