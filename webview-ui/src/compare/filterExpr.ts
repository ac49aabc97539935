// Filter expressions for the run table: `acc > 0.9`, `status = failed`, `task = train and lr <= 1e-3`,
// `name ~ bert`. Clauses are joined by `and`, `&&` or `,`; a clause without an operator searches
// name, id and task. Field names resolve to a run field, then a metric, then a param
// (`metric:x` / `param:x` force one).
import type { CellValue, Column, Model, Run } from './runModel.js';

export type Operator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export interface Clause {
  column: Column | null; // null: free text over name, id and task
  op: Operator;
  value: string;
}

export type ParsedFilter = { ok: true; clauses: Clause[] } | { ok: false; error: string };

const clausePattern =
  /^\s*("(?:[^"\\]|\\.)*"|[^\s=!<>~"]+)\s*(==|=|!=|>=|<=|>|<|!~|~)\s*("(?:[^"\\]|\\.)*"|.*?)\s*$/;

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') && s.length >= 2
    ? s.slice(1, -1).replace(/\\(.)/g, '$1')
    : s;
}

/** Finds the column a filter names. */
export function resolveColumn(model: Model, name: string): Column | undefined {
  const direct = model.columnsByKey.get(name);
  if (direct !== undefined) return direct;
  const m = /^(params?|p|metrics?|m)[.:](.+)$/.exec(name);
  if (m !== null) {
    const kind = m[1]!.startsWith('p') ? 'param' : 'metric';
    return model.columnsByKey.get(`${kind}:${m[2]!}`);
  }
  return (
    model.columnsByKey.get(`run:${name}`) ??
    model.columnsByKey.get(`metric:${name}`) ??
    model.columnsByKey.get(`param:${name}`)
  );
}

/** Parses a filter; an empty text keeps every run. */
export function parseFilter(model: Model, text: string): ParsedFilter {
  const clauses: Clause[] = [];
  const parts = text
    .split(/\s+and\s+|\s*&&\s*|\s*,\s*/i)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const part of parts) {
    const m = clausePattern.exec(part);
    if (m === null) {
      if (/[=<>~]/.test(part)) return { ok: false, error: `Cannot read "${part}".` };
      clauses.push({ column: null, op: '~', value: unquote(part) });
      continue;
    }
    const name = unquote(m[1]!);
    const column = resolveColumn(model, name);
    if (column === undefined) return { ok: false, error: `No column named "${name}".` };
    const op = (m[2] === '==' ? '=' : m[2]) as Operator;
    const value = unquote(m[3]!);
    if (value === '') return { ok: false, error: `"${part}" needs a value.` };
    clauses.push({ column, op, value });
  }
  return { ok: true, clauses };
}

function parseNumber(s: string): number | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function matches(value: CellValue, op: Operator, text: string): boolean {
  if (op === '~' || op === '!~') {
    const has = value !== null && String(value).toLowerCase().includes(text.toLowerCase());
    return op === '~' ? has : !has;
  }
  const n = parseNumber(text);
  if (typeof value === 'number' && n !== undefined) {
    if (isNaN(n)) return (op === '=') === isNaN(value);
    switch (op) {
      case '=':
        return value === n;
      case '!=':
        return value !== n;
      case '>':
        return value > n;
      case '>=':
        return value >= n;
      case '<':
        return value < n;
      case '<=':
        return value <= n;
    }
  }
  if (value === null) return op === '!=' ? text !== 'null' : op === '=' && text === 'null';
  const s = String(value).toLowerCase();
  const t = text.toLowerCase();
  switch (op) {
    case '=':
      return s === t;
    case '!=':
      return s !== t;
    case '>':
      return s > t;
    case '>=':
      return s >= t;
    case '<':
      return s < t;
    case '<=':
      return s <= t;
  }
}

/** Keeps the runs that satisfy every clause. */
export function applyFilter(runs: Run[], clauses: Clause[]): Run[] {
  if (clauses.length === 0) return runs;
  return runs.filter((run) =>
    clauses.every((c) => {
      if (c.column !== null) return matches(c.column.get(run), c.op, c.value);
      const t = c.value.toLowerCase();
      return (
        run.row.name.toLowerCase().includes(t) ||
        run.row.id.toLowerCase().includes(t) ||
        (run.row.task ?? '').toLowerCase().includes(t)
      );
    }),
  );
}
