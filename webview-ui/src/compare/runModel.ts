// The compare view's model of the host's state: decoded numbers, columns, sorting, best values
// and "columns that differ". No DOM here, so it is cheap to test and to run over 10,000 runs.
import { decodeNumber } from '../../../src/protocol/guards.js';
import type { CompareState, Goal, ParamValue, RunRow } from '../../../src/protocol/compare.js';
import { shortHash } from '../shared/shortHash.js';
import { columnFormat } from './columnFormat.js';

export type CellValue = number | string | boolean | null;
export type ColumnKind = 'run' | 'param' | 'metric';

export interface Column {
  /** Unique across kinds: `run:name`, `param:lr`, `metric:acc`. */
  key: string;
  kind: ColumnKind;
  name: string;
  numeric: boolean;
  get(run: Run): CellValue;
  /** A cell's text in the table: numbers of a param or metric with the column's one precision. */
  text(value: CellValue): string;
}

export interface Run {
  row: RunRow;
  /** Metrics decoded: NaN and ±Infinity are numbers again. */
  metrics: Record<string, number | null>;
}

export interface Model {
  runs: Run[];
  byId: Map<string, Run>;
  runColumns: Column[];
  paramColumns: Column[];
  metricColumns: Column[];
  columnsByKey: Map<string, Column>;
  /** Keys of param and metric columns whose values are not all equal. */
  differing: Set<string>;
  goals: Record<string, Goal>;
  /** Metrics whose goal the host gave (cairn.yaml's goal:), not guessed from the name. */
  knownGoals: Set<string>;
}

function runColumn(name: string, numeric: boolean, get: (run: Run) => CellValue): Column {
  const column: Column = {
    key: `run:${name}`,
    kind: 'run',
    name,
    numeric,
    get,
    text: (value) => cellText(column, value),
  };
  return column;
}

/** A param or metric column, its number format chosen from all runs' values when first needed. */
function valueColumn(
  kind: 'param' | 'metric',
  name: string,
  numeric: boolean,
  get: (run: Run) => CellValue,
  runs: Run[],
): Column {
  let format: ((v: number) => string) | undefined;
  const column: Column = {
    key: `${kind}:${name}`,
    kind,
    name,
    numeric,
    get,
    text: (value) => {
      if (typeof value !== 'number') return cellText(column, value);
      format ??= columnFormat(runs.map(get).filter((v): v is number => typeof v === 'number'));
      return format(value);
    },
  };
  return column;
}

export const runColumns: Column[] = [
  runColumn('name', false, (r) => r.row.name),
  runColumn('status', false, (r) => r.row.status),
  runColumn('task', false, (r) => r.row.task),
  runColumn('started', true, (r) => r.row.startedMs),
  runColumn('duration', true, (r) => r.row.durationMs),
  runColumn('commit', false, (r) => (r.row.commit === null ? null : shortHash(r.row.commit))),
  runColumn('id', false, (r) => r.row.id),
];

/** A guess for metrics the host gave no goal for. */
export function guessGoal(metric: string): Goal {
  return /loss|err|mse|mae|rmse|perplexity|time|latency|wer|cer/i.test(metric) ? 'min' : 'max';
}

/** Builds the model from a state that passed the protocol guard. */
export function buildModel(state: CompareState): Model {
  const runs: Run[] = new Array<Run>(state.runs.length);
  const paramNames = new Map<string, boolean>(); // name → all values numeric so far
  const metricNames = new Set<string>();
  for (let i = 0; i < state.runs.length; i++) {
    const row = state.runs[i]!;
    const metrics: Record<string, number | null> = {};
    for (const key in row.metrics) {
      metrics[key] = decodeNumber(row.metrics[key]!);
      metricNames.add(key);
    }
    for (const key in row.params) {
      const v = row.params[key];
      const numeric = typeof v === 'number' || v === null;
      const prev = paramNames.get(key);
      paramNames.set(key, prev === undefined ? numeric : prev && numeric);
    }
    runs[i] = { row, metrics };
  }
  const collator = new Intl.Collator(undefined, { numeric: true });
  const paramColumns = [...paramNames.keys()].sort(collator.compare).map((name) =>
    valueColumn(
      'param',
      name,
      paramNames.get(name)!,
      (r: Run): CellValue => {
        const v: ParamValue | undefined = r.row.params[name];
        return v === undefined ? null : v;
      },
      runs,
    ),
  );
  const metricColumns = [...metricNames]
    .sort(collator.compare)
    .map((name) =>
      valueColumn('metric', name, true, (r: Run): CellValue => r.metrics[name] ?? null, runs),
    );
  const columnsByKey = new Map<string, Column>();
  for (const c of [...runColumns, ...paramColumns, ...metricColumns]) columnsByKey.set(c.key, c);
  const differing = new Set<string>();
  for (const c of [...paramColumns, ...metricColumns]) {
    if (runs.length <= 1) {
      differing.add(c.key);
      continue;
    }
    const first = c.get(runs[0]!);
    for (let i = 1; i < runs.length; i++) {
      if (!sameValue(first, c.get(runs[i]!))) {
        differing.add(c.key);
        break;
      }
    }
  }
  const goals: Record<string, Goal> = {};
  for (const name of metricNames) goals[name] = state.goals[name] ?? guessGoal(name);
  return {
    runs,
    byId: new Map(runs.map((r) => [r.row.id, r])),
    runColumns,
    paramColumns,
    metricColumns,
    columnsByKey,
    differing,
    goals,
    knownGoals: new Set(Object.keys(state.goals).filter((name) => metricNames.has(name))),
  };
}

function sameValue(a: CellValue, b: CellValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && isNaN(a) && isNaN(b));
}

/** Compares cells for sorting: numbers before strings, missing values and NaN always last. */
export function compareCells(a: CellValue, b: CellValue, collator: Intl.Collator): number {
  const am = a === null || (typeof a === 'number' && isNaN(a));
  const bm = b === null || (typeof b === 'number' && isNaN(b));
  if (am || bm) return am === bm ? 0 : am ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return collator.compare(String(a), String(b));
}

/** Sorts runs by a column; missing values go last in both directions. Stable. */
export function sortRuns(runs: Run[], column: Column | undefined, dir: 1 | -1): Run[] {
  if (column === undefined) return runs;
  const collator = new Intl.Collator(undefined, { numeric: true });
  const keyed = runs.map((run, i) => ({ run, i, v: column.get(run) }));
  keyed.sort((x, y) => {
    const xm = x.v === null || (typeof x.v === 'number' && isNaN(x.v));
    const ym = y.v === null || (typeof y.v === 'number' && isNaN(y.v));
    if (xm || ym) return xm === ym ? x.i - y.i : xm ? 1 : -1;
    return compareCells(x.v, y.v, collator) * dir || x.i - y.i;
  });
  return keyed.map((k) => k.run);
}

/** The best value of each metric column over the given runs (by its goal), NaN ignored. */
export function bestValues(model: Model, runs: Run[]): Map<string, number> {
  const best = new Map<string, number>();
  for (const c of model.metricColumns) {
    const goal = model.goals[c.name] ?? 'max';
    let b: number | undefined;
    for (const r of runs) {
      const v = r.metrics[c.name];
      if (v === null || v === undefined || isNaN(v)) continue;
      if (b === undefined || (goal === 'max' ? v > b : v < b)) b = v;
    }
    if (b !== undefined) best.set(c.key, b);
  }
  return best;
}

/** Formats a cell for CSV, and the run facts for the table (Column.text formats the rest). */
export function cellText(column: Column, value: CellValue): string {
  if (value === null) return '';
  if (column.key === 'run:started' && typeof value === 'number') {
    return new Date(value).toISOString().replace('T', ' ').slice(0, 16);
  }
  if (column.key === 'run:duration' && typeof value === 'number') return formatDuration(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    // Six significant digits hide float noise (0.39999999) in the table; CSV keeps full precision.
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  }
  return String(value);
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/**
 * CSV of the given columns and runs (RFC 4180 quoting). Text cells that a spreadsheet would
 * read as a formula get a leading apostrophe, since run names and params are user-controlled.
 */
export function toCsv(columns: Column[], runs: Run[]): string {
  const quote = (s: string): string => {
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [columns.map((c) => quote(c.kind === 'run' ? c.name : `${c.kind}:${c.name}`))];
  for (const r of runs) {
    lines.push(
      columns.map((c) => {
        const v = c.get(r);
        if (typeof v === 'number' && c.key !== 'run:started' && c.key !== 'run:duration') {
          return Number.isFinite(v) ? String(v) : cellText(c, v);
        }
        if (c.key === 'run:started' && typeof v === 'number') return new Date(v).toISOString();
        return quote(cellText(c, v));
      }),
    );
  }
  return lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}
