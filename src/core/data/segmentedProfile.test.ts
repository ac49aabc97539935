// A plain CSV profiled in segments, from its bytes, on one thread or several, against the same
// table read as a stream of text (the gzipped file goes that way): the same profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { tempDir } from '../testing/tempProject.js';
import {
  profileTable,
  type ColumnProfile,
  type ProfileOptions,
  type TableProfile,
} from './profile.js';

const RUNS = Number(process.env.CAIRN_PROPERTY_RUNS ?? 1000);

const col = (p: TableProfile, name: string): ColumnProfile => {
  const c = p.columns.find((x) => x.name === name);
  assert.ok(c, `no column ${name}`);
  return c;
};

/** Profiles `text` as a plain CSV, read in segments with `options`. */
async function segmented(
  dir: string,
  text: string | Buffer,
  options: ProfileOptions,
): Promise<TableProfile> {
  const file = path.join(dir, 'plain.csv');
  fs.writeFileSync(file, text);
  return profileTable({ rel: 't.csv', abs: file }, { keepSample: true, ...options });
}

/** Profiles `text` read as a stream of text (gzipped, so never in segments). */
async function streamed(dir: string, text: string | Buffer): Promise<TableProfile> {
  const file = path.join(dir, 'stream.csv.gz');
  fs.writeFileSync(file, gzipSync(text));
  return profileTable({ rel: 't.csv', abs: file }, { keepSample: true });
}

/** Everything of a profile but how long it took. */
const timeless = (p: TableProfile): TableProfile => ({ ...p, durationMs: 0 });

/**
 * Two profiles of the same rows agree: every count, distinct count, extreme, quantile, top value
 * and note the same; mean and std to the last bits or so (their sums are split differently).
 */
function assertSameTable(actual: TableProfile, expected: TableProfile, what: string): void {
  assert.equal(actual.rows, expected.rows, `${what}: rows`);
  assert.deepEqual(actual.notes, expected.notes, `${what}: notes`);
  assert.deepEqual(
    actual.columns.map((c) => c.name),
    expected.columns.map((c) => c.name),
    `${what}: columns`,
  );
  actual.columns.forEach((a, i) => {
    const e = expected.columns[i]!;
    // Rounding errors scale with the values, not with the std (values near 1e100 a few units
    // apart have a std known to fewer digits).
    const scale = Math.max(1, Math.abs(e.mean ?? 0), Math.abs(e.min ?? 0), Math.abs(e.max ?? 0));
    const close = (x: number | undefined, y: number | undefined, field: string): void => {
      if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y))
        assert.equal(x, y, `${what}: ${a.name}.${field}`);
      else assert.ok(Math.abs(x - y) <= 1e-12 * scale, `${what}: ${a.name}.${field} ${x} vs ${y}`);
    };
    close(a.mean, e.mean, 'mean');
    close(a.std, e.std, 'std');
    // 0 and -0 are one value; which of them is the minimum depends on the order of the sums.
    const rest = (c: ColumnProfile) => ({
      ...c,
      mean: undefined,
      std: undefined,
      min: c.min === undefined ? undefined : c.min + 0,
      max: c.max === undefined ? undefined : c.max + 0,
      histogram: c.histogram && { ...c.histogram, edges: c.histogram.edges.map((x) => x + 0) },
    });
    assert.deepEqual(rest(a), rest(e), `${what}: column ${a.name}`);
  });
}

/** A table with everything a reader can get wrong, in `rows` rows. */
function trickyTable(rows: number, lineEnd: string, bom: boolean): string {
  const lines = [`${bom ? '\uFEFF' : ''}id,price,label,note,when`];
  for (let i = 0; i < rows; i++) {
    if (i % 50 === 7) lines.push(''); // a blank line
    const price =
      i % 7 === 0
        ? ''
        : i % 11 === 0
          ? 'NA'
          : i % 13 === 0
            ? ' n/a '
            : i % 17 === 0
              ? '12345678901234567' // 17 significant digits: Number() reads it
              : i % 19 === 0
                ? '1e150' // past Clinger's fast path
                : i % 23 === 0
                  ? '.5'
                  : i % 29 === 0
                    ? '1e-7'
                    : (i * 1.25).toFixed(2);
    const label = ['cat', 'dog', '', 'Zürich', ' spaced ', 'null', 'Dog'][i % 7]!;
    // Quoted notes: commas, doubled quotes, and line breaks with lines that look like rows.
    const note =
      i % 37 === 0
        ? `"first line\n${i},9.5,fake,row,2024\nlast ""quoted"", line"`
        : i % 41 === 0
          ? `"${'long text, '.repeat(30)}\n${'more\n'.repeat(20)}end"`
          : i % 5 === 0
            ? '"plain, quoted"'
            : `note${i % 9}`;
    const when = `2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
    lines.push(
      i === Math.floor(rows / 2)
        ? `${i},${price},${label},${note},${when},extra,7` // a row wider than the header
        : `${i},${price},${label},${note},${when}`,
    );
  }
  return lines.join(lineEnd); // the last line has no line end
}

test('segments of any size, down to one byte, give the profile of the table read as a stream', async () => {
  const dir = tempDir();
  const text = trickyTable(120, '\n', false);
  const expected = await streamed(dir, text);
  assert.equal(expected.rows, 120);
  assert.match(expected.notes.join('\n'), /some rows have 7 fields/);
  assert.equal(
    col(expected, 'note').topValues!.find((v) => v.value.startsWith('first line'))!.value,
    'first line\n0,9.5,fake,row,2024\nlast "quoted", line',
  );
  const price = col(expected, 'price');
  // '', NA, ' n/a ' are missing: rows divisible by 7, by 11 (not 7), by 13 (neither)
  const missing = Array.from({ length: 120 }, (_, i) => i).filter(
    (i) => i % 7 === 0 || i % 11 === 0 || i % 13 === 0,
  ).length;
  assert.equal(price.missing, missing);
  assert.equal(price.max, 1e150);
  // '' and 'null' labels
  const labelsMissing = Array.from({ length: 120 }, (_, i) => i % 7).filter(
    (k) => k === 2 || k === 5,
  );
  assert.equal(col(expected, 'label').missing, labelsMissing.length);
  for (const segmentBytes of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 4096]) {
    const p = await segmented(dir, text, { segmentBytes, workers: 0 });
    assertSameTable(p, expected, `segments of ${segmentBytes} bytes`);
  }
});

test('one thread or several: the same profile, sample and sketches included', async () => {
  const dir = tempDir();
  // 160,000 rows: more than a sample holds (100,000), ids past the exact distinct limit, and a
  // quoted field with a line break every 997 rows, across some of the 40 segment boundaries.
  const lines = ['id,x,cat,note'];
  let seed = 7;
  for (let i = 0; i < 160_000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const note = i % 997 === 0 ? `"a\nb, ${i}"` : i % 3 === 0 ? '' : `n${i % 11}`;
    lines.push(`${i},${(seed / 2 ** 32).toFixed(6)},c${seed % 13},${note}`);
  }
  const text = lines.join('\n') + '\n';
  const options = { segmentBytes: 64 << 10 };
  const seen = new Map<string, Set<number>>();
  const watch =
    (run: string) =>
    (index: number, thread: 'this' | 'worker'): void => {
      const key = `${run} ${thread}`;
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key)!.add(index);
    };
  const one = await segmented(dir, text, { ...options, workers: 0, onSegment: watch('one') });
  const two = await segmented(dir, text, { ...options, workers: 1, onSegment: watch('two') });
  const four = await segmented(dir, text, { ...options, workers: 3, onSegment: watch('four') });
  assert.equal(seen.get('one worker'), undefined);
  assert.ok(seen.get('one this')!.size > 30, 'many segments');
  assert.ok((seen.get('two worker')?.size ?? 0) > 0, 'the worker profiled segments');
  assert.ok((seen.get('four worker')?.size ?? 0) > 0, 'the workers profiled segments');
  assert.deepEqual(timeless(two), timeless(one));
  assert.deepEqual(timeless(four), timeless(one));
  const x = col(one, 'x');
  assert.equal(x.sampled, true);
  assert.equal(x.sampleSize, 100_000);
  assert.equal(col(one, 'id').distinctExact, false);
  // The default segments (one here, the file is small) agree with the small ones on every
  // exact figure.
  const whole = await segmented(dir, text, { workers: 0 });
  assert.equal(whole.rows, 160_000);
  for (const name of ['id', 'x', 'cat', 'note']) {
    const a = col(one, name);
    const b = col(whole, name);
    for (const k of ['count', 'missing', 'min', 'max', 'distinctExact', 'type'] as const)
      assert.equal(a[k], b[k], `${name}.${k}`);
  }
  assert.deepEqual(col(one, 'cat').topValues, col(whole, 'cat').topValues);
  assert.deepEqual(col(one, 'note').topValues, col(whole, 'note').topValues);
});

test('a column past the exact distinct limit in one segment only: estimated, its top values exact', async () => {
  const dir = tempDir();
  // 'tag' takes three values, except in 16,000 rows in the middle of the file (inside the
  // second 256 KB segment) where three in four are new.
  const rows = 100_000;
  const lines = ['i,tag'];
  const counts = new Map<string, number>();
  let offset = 'i,tag\n'.length;
  let block = { from: 0, to: 0 };
  for (let i = 0; i < rows; i++) {
    const unique = i >= 40_000 && i < 56_000;
    const tag = unique && i % 4 !== 0 ? `u${i}` : ['a', 'b', 'c'][i % 3]!;
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
    lines.push(`${i},${tag}`);
    if (i === 40_000) block = { from: offset, to: 0 };
    offset += lines[lines.length - 1]!.length + 1;
    if (i === 55_999) block.to = offset;
  }
  const text = lines.join('\n') + '\n';
  const options = { segmentBytes: 256 << 10 };
  const start = 'i,tag\n'.length;
  assert.ok(block.from > start + (256 << 10) && block.to < start + (512 << 10), 'one segment');
  assert.ok(counts.size > 12_000);
  const p = await segmented(dir, text, { ...options, workers: 0 });
  const tag = col(p, 'tag');
  assert.equal(tag.distinctExact, false);
  assert.equal(tag.approximate, true);
  assert.ok(Math.abs(tag.distinct - counts.size) / counts.size < 0.05, `distinct ${tag.distinct}`);
  assert.ok(tag.distinct <= tag.count);
  assert.deepEqual(tag.topValues!.slice(0, 3), [
    { value: 'a', count: counts.get('a') },
    { value: 'b', count: counts.get('b') },
    { value: 'c', count: counts.get('c') },
  ]);
  // Every count listed is the value's count in the file.
  for (const v of tag.topValues!) assert.equal(v.count, counts.get(v.value), v.value);
  assert.deepEqual(timeless(await segmented(dir, text, { ...options, workers: 1 })), timeless(p));
  const s = col(await streamed(dir, text), 'tag');
  assert.equal(s.distinctExact, false);
  assert.deepEqual(s.topValues!.slice(0, 3), tag.topValues!.slice(0, 3));
});

test('a column that goes past the exact limit only after the first segment keeps its top values', async () => {
  const dir = tempDir();
  // 'who' takes 40 values in the first segment (of 200 KB). Every later segment first has more
  // than 10,000 new values of its own and only then, in its last fifth, the 40 again: they are
  // counted there only because the first segment counted them.
  const segment = 200 << 10;
  const header = 'i,who\n';
  const lines = [header.slice(0, -1)];
  const counts = new Map<string, number>();
  let offset = header.length;
  for (let i = 0; offset < 12 * segment; i++) {
    const inSegment = (offset - header.length) % segment;
    const first = offset - header.length < segment;
    const who = first || (inSegment > 0.8 * segment && i % 3 === 0) ? `w${i % 40}` : `x${i}`;
    counts.set(who, (counts.get(who) ?? 0) + 1);
    lines.push(`${i},${who}`);
    offset += lines[lines.length - 1]!.length + 1;
  }
  const text = lines.join('\n') + '\n';
  const options = { segmentBytes: segment };
  const p = await segmented(dir, text, { ...options, workers: 0 });
  const who = col(p, 'who');
  assert.equal(who.distinctExact, false);
  assert.ok(
    who.topValues!.every((v) => v.value.startsWith('w')),
    'the 40 frequent values fill the top 20',
  );
  for (const v of who.topValues!) assert.equal(v.count, counts.get(v.value), v.value);
  assert.deepEqual(who.topValues, col(await streamed(dir, text), 'who').topValues);
  assert.deepEqual(timeless(await segmented(dir, text, { ...options, workers: 1 })), timeless(p));
});

test('numbers past the fast path are read by Number(), bit for bit, in every segment', async () => {
  const dir = tempDir();
  const values = [
    '12345678901234567', // 17 significant digits
    '0.30000000000000004',
    '9007199254740993',
    '1e300',
    '-1e300',
    '1e-300',
    '4.9e-324',
    '-0',
    '.5',
    '-.5',
    '1e-7',
    '1E+21',
    '123456789012345678901234567890',
    '0.1',
    '2.5e-3',
    ' 42 ',
    '0b101',
    '0o17',
    '7.',
  ];
  const lines = ['x'];
  for (let r = 0; r < 50; r++) lines.push(...values);
  const text = lines.join('\r\n');
  const expected = Float64Array.from(lines.slice(1), (v) => Number(v)).sort();
  for (const segmentBytes of [16, 100, 1 << 20]) {
    const x = col(await segmented(dir, text, { segmentBytes, workers: 0 }), 'x');
    assert.equal(x.type, 'number');
    assert.equal(x.count, values.length * 50);
    const sample = Float64Array.from(x.sample!);
    assert.equal(sample.length, expected.length);
    sample.forEach((v, i) =>
      assert.ok(Object.is(v, expected[i]), `${segmentBytes}: ${v} vs ${expected[i]}`),
    );
    assert.equal(x.max, 1e300);
    assert.equal(x.min, -1e300);
    // ' 42 ' is read through its spaces
    assert.equal(x.distinct, values.length);
    const shown = new Set(values.map((v) => String(Number(v))));
    for (const v of x.topValues!) assert.ok(shown.has(v.value) && v.count === 50, v.value);
  }
});

test('CRLF line ends and a byte order mark read as LF and none', async () => {
  const dir = tempDir();
  const plain = await segmented(dir, trickyTable(300, '\n', false), {
    segmentBytes: 97,
    workers: 0,
  });
  const windows = await segmented(dir, trickyTable(300, '\r\n', true), {
    segmentBytes: 97,
    workers: 0,
  });
  assert.deepEqual(
    windows.columns.map((c) => c.name),
    ['id', 'price', 'label', 'note', 'when', 'column_6', 'column_7'],
  );
  assertSameTable({ ...windows, sizeBytes: 0 }, { ...plain, sizeBytes: 0 }, 'CRLF and BOM');
  // A carriage return inside a quoted field's line break goes, as the stream reader has it.
  assert.ok(
    col(windows, 'note').topValues!.some(
      (v) => v.value === 'first line\n0,9.5,fake,row,2024\nlast "quoted", line',
    ),
  );
});

test('any table, in segments of any size, profiles as the stream reader reads it', async () => {
  const dir = tempDir();
  const cell = fc.oneof(
    fc.constantFrom('', 'na', 'N/A', 'NaN', 'null', '?', ' ', '-0', '0', '1e50', ' 3 ', 'x y', 'é'),
    // (not so large that sums in another order overflow where these do not)
    fc.double({ noNaN: true, min: -1e100, max: 1e100 }).map(String),
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.string({ maxLength: 6 }).map((t) => t.replace(/[,"\r\n]/g, '')),
    // quoted: delimiters, doubled quotes, line breaks of either kind, or an unterminated quote
    fc
      .string({ maxLength: 8 })
      .map((t) => `"${t.replace(/"/g, '""')}"`)
      .chain((q) =>
        fc.constantFrom(q, q.replace(/^"/, '"\n'), q.replace(/"$/, '\r\n,"'), q.slice(0, -1)),
      ),
    fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const table = fc.tuple(
    fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 25 }),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 1, max: 64 }),
  );
  await fc.assert(
    fc.asyncProperty(table, async ([rows, lineEnd, bom, last, segmentBytes]) => {
      const text = Buffer.from(
        (bom ? '\uFEFF' : '') +
          ['a,b,c', ...rows.map((r) => r.join(','))].join(lineEnd) +
          (last ? lineEnd : ''),
        'latin1',
      );
      let expected: TableProfile | Error;
      try {
        expected = await streamed(dir, text);
      } catch (err) {
        expected = err as Error;
      }
      let actual: TableProfile | Error;
      try {
        actual = await segmented(dir, text, { segmentBytes, workers: 0 });
      } catch (err) {
        actual = err as Error;
      }
      if (expected instanceof Error || actual instanceof Error) {
        const said = (r: TableProfile | Error): string =>
          r instanceof Error ? r.message : 'a profile';
        assert.equal(said(actual), said(expected));
        return;
      }
      assertSameTable(actual, expected, `segments of ${segmentBytes} bytes`);
    }),
    { numRuns: Math.ceil(RUNS / 4) },
  );
});
