// A diff of a run against a baseline: params, metrics (with the change, Δ, better or worse by the
// metric's goal), code (commits and uncommitted changes) and data versions, in aligned tables.
// The code text comes from the host on request ('compare/diff/get').
import type { Goal, RunDiff } from '../../../src/protocol/compare.js';
import { formatNumber, h } from '../shared/dom.js';
import type { Column, Model, Run } from './runModel.js';
import { shortHash } from '../shared/shortHash.js';

const maxDiffLines = 4000;

export type DiffCode =
  { kind: 'loading' } | { kind: 'loaded'; diff: RunDiff } | { kind: 'error'; message: string };

function valueText(v: unknown, column: Column | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  if (typeof v === 'number') return column?.text(v) ?? formatNumber(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The column widths every sub-table shares (name, baseline, other run, Δ), so they line up. */
const columnWidths = ['28%', '24%', '24%', '24%'];

/** The change from the baseline a to b: signed, in the column's precision, with the relative change. */
function delta(
  va: unknown,
  vb: unknown,
  column: Column | undefined,
  goal: Goal | undefined,
): HTMLElement {
  const cell = h('td', { className: 'num delta' });
  if (typeof va !== 'number' || typeof vb !== 'number' || !Number.isFinite(va - vb)) return cell;
  const d = vb - va;
  if (d === 0) {
    cell.textContent = '0';
    cell.classList.add('muted');
    return cell;
  }
  const abs = column?.text(Math.abs(d)) ?? formatNumber(Math.abs(d));
  const relative = va === 0 ? '' : ` (${d > 0 ? '+' : '−'}${Math.abs((d / va) * 100).toFixed(1)}%)`;
  cell.textContent = `${d > 0 ? '+' : '−'}${abs}${relative}`;
  if (goal !== undefined) {
    const better = goal === 'max' ? d > 0 : d < 0;
    cell.classList.add(better ? 'better' : 'worse');
    cell.title = `${better ? 'Better' : 'Worse'} than the baseline (${goal === 'max' ? 'higher' : 'lower'} is better)`;
  }
  return cell;
}

function table(
  title: string,
  a: Run,
  b: Run,
  keys: string[],
  get: (r: Run, k: string) => unknown,
  column: (k: string) => Column | undefined,
  goal: (k: string) => Goal | undefined,
): HTMLElement {
  // A run's column is aligned right, as numbers are, when its values are numbers.
  const align = (r: Run): string =>
    keys.length > 0 && keys.every((k) => ['number', 'undefined'].includes(typeof get(r, k)))
      ? 'num'
      : '';
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, title),
    h('th', { scope: 'col', title: 'The baseline', className: align(a) }, a.row.name),
    h('th', { scope: 'col', className: align(b) }, b.row.name),
    h(
      'th',
      { scope: 'col', className: 'num', title: `${b.row.name} minus the baseline, ${a.row.name}` },
      'Δ',
    ),
  );
  const rows = keys.map((k) => {
    const va = get(a, k);
    const vb = get(b, k);
    const c = column(k);
    const same = valueText(va, c) === valueText(vb, c);
    const numeric = (v: unknown): string => (typeof v === 'number' ? 'num' : '');
    return h(
      'tr',
      { className: same ? 'same' : 'changed' },
      h('th', { scope: 'row' }, k),
      h('td', { className: numeric(va) }, valueText(va, c)),
      h('td', { className: numeric(vb) }, valueText(vb, c)),
      delta(va, vb, c, goal(k)),
    );
  });
  if (rows.length === 0) {
    rows.push(h('tr', {}, h('td', { colspan: 4, className: 'muted' }, 'none')));
  }
  const cols = columnWidths.map((width) => {
    const col = h('col');
    col.style.width = width;
    return col;
  });
  return h(
    'table',
    { className: 'diff-table' },
    h('colgroup', {}, ...cols),
    h('thead', {}, head),
    h('tbody', {}, ...rows),
  );
}

/** A unified diff, its added, removed and hunk lines marked (the first 4,000 lines). */
export function diffText(text: string): HTMLElement {
  const pre = h('pre', { className: 'diff' });
  const lines = text.split('\n');
  for (const line of lines.slice(0, maxDiffLines)) {
    const cls =
      line.startsWith('+') && !line.startsWith('+++')
        ? 'add'
        : line.startsWith('-') && !line.startsWith('---')
          ? 'del'
          : line.startsWith('@@')
            ? 'hunk'
            : '';
    pre.append(h('span', { className: cls }, line), '\n');
  }
  if (lines.length > maxDiffLines) {
    pre.append(h('span', { className: 'muted' }, `… ${lines.length - maxDiffLines} more lines`));
  }
  return pre;
}

/** Renders the diff of run b against the baseline a. */
export function renderRunDiff(
  model: Model,
  a: Run,
  b: Run,
  code: DiffCode,
  onlyChanges: boolean,
): HTMLElement {
  const union = (x: Record<string, unknown>, y: Record<string, unknown>): string[] =>
    [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  const keep = (keys: string[], get: (r: Run, k: string) => unknown): string[] =>
    onlyChanges
      ? keys.filter((k) => valueText(get(a, k), undefined) !== valueText(get(b, k), undefined))
      : keys;
  const paramColumn = (k: string): Column | undefined => model.columnsByKey.get(`param:${k}`);
  const metricColumn = (k: string): Column | undefined => model.columnsByKey.get(`metric:${k}`);
  // Better or worse only where cairn.yaml says which way is better, not from a guess by name.
  const metricGoal = (k: string): Goal | undefined =>
    model.knownGoals.has(k) ? model.goals[k] : undefined;
  const none = (): undefined => undefined;
  const param = (r: Run, k: string): unknown => r.row.params[k];
  const metric = (r: Run, k: string): unknown => r.metrics[k];
  const data = (r: Run, k: string): unknown => {
    const version = r.row.dataVersions[k];
    return version === undefined ? undefined : shortHash(version);
  };
  const commit = (r: Run): string =>
    `${r.row.commit === null ? 'no commit' : shortHash(r.row.commit)}${
      r.row.dirty ? ' + uncommitted changes' : ''
    }`;
  const codeSection = h(
    'section',
    { className: 'diff-code' },
    h('h3', {}, 'Code'),
    h(
      'p',
      {},
      h('span', { className: 'muted' }, `${a.row.name}: `),
      commit(a),
      h('br'),
      h('span', { className: 'muted' }, `${b.row.name}: `),
      commit(b),
    ),
  );
  if (code.kind === 'loading') codeSection.append(h('p', { className: 'muted' }, 'Loading diff…'));
  else if (code.kind === 'error') {
    codeSection.append(h('p', { className: 'error-text' }, code.message));
  } else {
    const d = code.diff;
    if (d.commitDiff !== null && d.commitDiff !== '') {
      codeSection.append(h('h4', {}, 'Between the commits'), diffText(d.commitDiff));
    } else {
      codeSection.append(h('p', { className: 'muted' }, 'Same commit (or unknown).'));
    }
    d.uncommitted.forEach((text, i) => {
      const run = i === 0 ? a : b;
      if (text !== null && text !== '') {
        codeSection.append(h('h4', {}, `Uncommitted changes of ${run.row.name}`), diffText(text));
      }
    });
  }
  return h(
    'div',
    { className: 'run-diff' },
    table('param', a, b, keep(union(a.row.params, b.row.params), param), param, paramColumn, none),
    table(
      'metric',
      a,
      b,
      keep(union(a.metrics, b.metrics), metric),
      metric,
      metricColumn,
      metricGoal,
    ),
    table(
      'data',
      a,
      b,
      keep(union(a.row.dataVersions, b.row.dataVersions), data),
      data,
      none,
      none,
    ),
    codeSection,
  );
}
