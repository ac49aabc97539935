// Where a CSV's header is, if it has one, decided from its first records. Real files break the
// "first line is the header" rule in three ways that silently lost columns before:
// - a first line shorter than the rows (scikit-learn's `wine_data.csv` starts `178,13,class_0,…`:
//   a preamble of counts and class names, not a header);
// - a preamble line and the real header on the second line (`boston_house_prices.csv`);
// - no header at all (a numeric matrix), whose first row of numbers made duplicate names.
// Every column of the rows is kept; whatever was assumed is said in `notes`.

/** How to read a CSV: records to skip, whether the next is the header, the column names. */
export interface TableLayout {
  /** Records before the header (or before the data when there is no header). */
  readonly skip: number;
  readonly hasHeader: boolean;
  readonly columns: string[];
  /** What was assumed, one sentence each, for the user to check. */
  readonly notes: string[];
}

const NUMBER = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const EMPTY = /^\s*$/;

function isNumber(field: string | undefined): boolean {
  return field !== undefined && NUMBER.test(field);
}

/** The most common record width among `rows` (ties go to the wider). */
function modalWidth(rows: readonly string[][]): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (const r of rows) {
    const n = (counts.get(r.length) ?? 0) + 1;
    counts.set(r.length, n);
    if (n > bestCount || (n === bestCount && r.length > best)) {
      best = r.length;
      bestCount = n;
    }
  }
  return best;
}

/** Columns whose non-empty values in `body` are (nearly) all numbers. */
function numericColumns(body: readonly string[][], width: number): boolean[] {
  return Array.from({ length: width }, (_, c) => {
    let values = 0;
    let numbers = 0;
    for (const r of body) {
      const v = r[c];
      if (v === undefined || EMPTY.test(v)) continue;
      values++;
      if (isNumber(v)) numbers++;
    }
    return values > 0 && numbers >= 0.9 * values;
  });
}

type Verdict = 'header' | 'data' | 'mixed' | 'unsure';

/**
 * Whether `record` reads as a header over rows whose `numeric` columns hold numbers: names there
 * (a header), numbers (data), or numbers first and then names (scikit-learn's `150,4,setosa,…`
 * line of counts and class names: a preamble).
 */
function judge(record: readonly string[], numeric: readonly boolean[]): Verdict {
  let names = 0;
  let numbers = 0;
  let namesFirst = false;
  numeric.forEach((isNum, c) => {
    const v = record[c];
    if (!isNum || v === undefined || EMPTY.test(v)) return;
    if (isNumber(v)) numbers++;
    else {
      if (numbers === 0) namesFirst = true;
      names++;
    }
  });
  if (names > 0 && numbers > 0) return namesFirst ? 'header' : 'mixed';
  if (names > 0) return 'header';
  if (numbers > 0) return 'data';
  return 'unsure';
}

/** Fields up to the last non-empty one (`506,13,,,,` has 2). */
function filledLength(record: readonly string[]): number {
  let n = record.length;
  while (n > 0 && EMPTY.test(record[n - 1]!)) n--;
  return n;
}

function numbered(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `column_${from + i + 1}`);
}

/** `column_3` or `column_3…column_9`, for notes. */
export function columnRange(from: number, to: number): string {
  return to - from === 1 ? `column_${from + 1}` : `column_${from + 1}…column_${to}`;
}

/** Unique, non-empty names: a blank becomes column_N, a repeat gets _2, _3… */
function uniqueNames(raw: readonly string[], notes: string[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  const names = raw.map((r, i) => {
    const base = r.trim() || `column_${i + 1}`;
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base}_${k}`;
    if (name !== base) repeated.push(base);
    seen.add(name);
    return name;
  });
  if (repeated.length > 0)
    notes.push(`the header repeats ${[...new Set(repeated)].join(', ')}: repeats got _2, _3…`);
  return names;
}

/** Decides the layout of a CSV from its first records (blank lines already left out). */
export function detectTableLayout(sample: readonly string[][]): TableLayout {
  const first = sample[0];
  if (first === undefined) return { skip: 0, hasHeader: false, columns: [], notes: [] };
  const notes: string[] = [];
  const width = sample.length > 1 ? modalWidth(sample.slice(1)) : first.length;
  const filled = filledLength(first);
  const verdict =
    sample.length > 1 ? judge(first, numericColumns(sample.slice(1), width)) : 'header';
  const firstIsPreamble = verdict === 'mixed' || (filled < width && first.some(isNumber));

  // A preamble, then the header on line 2: its width matches the rows and it names them.
  const second = sample[1];
  if ((firstIsPreamble || filled < width) && second?.length === width && sample.length > 2) {
    if (judge(second, numericColumns(sample.slice(2), width)) === 'header') {
      notes.push(
        `line 1 (${filled} ${filled === 1 ? 'field' : 'fields'}) does not name the ${width} columns of the rows: read it as a preamble and line 2 as the header`,
      );
      return { skip: 1, hasHeader: true, columns: uniqueNames(second, notes), notes };
    }
  }
  if (firstIsPreamble) {
    notes.push(
      `line 1 holds numbers before names (${filled} fields; the rows have ${width}): read it as a preamble, not a header; columns named ${columnRange(0, width)}`,
    );
    return { skip: 1, hasHeader: false, columns: numbered(0, width), notes };
  }
  if (filled < width) {
    notes.push(
      `the header names ${filled} of the ${width} columns: the others are named ${columnRange(filled, width)}`,
    );
    return {
      skip: 0,
      hasHeader: true,
      columns: uniqueNames([...first.slice(0, filled), ...numbered(filled, width)], notes),
      notes,
    };
  }
  if (verdict === 'data') {
    notes.push(
      `line 1 holds numbers where the rows do: read as data, without a header; columns named ${columnRange(0, first.length)}`,
    );
    return { skip: 0, hasHeader: false, columns: numbered(0, first.length), notes };
  }
  return { skip: 0, hasHeader: true, columns: uniqueNames(first, notes), notes };
}
