// The compare webview: run table, step charts, parallel coordinates, scatter and run diff. The host
// owns the runs and pushes snapshots; this page keeps only view state (getState/setState).
import {
  isCompareHostMessage,
  type CompareHostMessage,
  type CompareState,
  type CompareWebviewMessage,
  type MetricSeries,
} from '../../../src/protocol/compare';
import { assertNever, decodeNumbers } from '../../../src/protocol/guards';
import { unpackNumbers } from '../../../src/protocol/packedNumbers';
import { frameThrottle, h } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { axisScale } from './axisScale';
import { Series } from './downsample';
import { applyFilter, parseFilter } from './filterExpr';
import { ParallelCoords } from './parallelCoords';
import { renderRunDiff, type DiffCode } from './runDiff';
import {
  bestValues,
  buildModel,
  sortRuns,
  toCsv,
  type Column,
  type Model,
  type Run,
} from './runModel';
import { RunTable } from './runTable';
import { ScatterPlot } from './scatterPlot';
import { StepCharts } from './stepCharts';
import { restoreViewState, type CompareTab, type CompareViewState } from './viewState';

const api = vscodeApi<CompareViewState>();
const post = (message: CompareWebviewMessage): void => api.postMessage(message);
const vs: CompareViewState = restoreViewState(api.getState());

let model: Model | undefined;
const series = new Map<string, Map<string, Series>>();
let view: Run[] = []; // pinned first, then the filtered and sorted rest
let filtered: Run[] = []; // after the text filter, before brushes (what the plots show)
let visibleColumns: Column[] = [];
let diffCode: DiffCode | undefined;
let diffKey = '';
let diffRequest = 0;
let scrollRestored = false;

const saveState = frameThrottle(() => api.setState(vs));

// ---- layout ----

const filterInput = h('input', {
  type: 'search',
  className: 'filter',
  placeholder: 'Filter: acc > 0.9, status = failed, task = train',
  'aria-label': 'Filter runs',
  spellcheck: 'false',
});
filterInput.value = vs.filter;
const filterError = h('span', { className: 'error-text filter-error', role: 'status' });
const differBox = h('input', { type: 'checkbox', id: 'only-differing' });
differBox.checked = vs.onlyDiffering;
const chooserButton = h(
  'button',
  { className: 'secondary', 'aria-expanded': 'false', 'aria-controls': 'chooser' },
  h('span', { className: 'codicon codicon-list-selection', 'aria-hidden': 'true' }),
  ' Columns',
);
const exportButton = h(
  'button',
  { className: 'secondary', title: 'Export the shown rows and columns as CSV' },
  h('span', { className: 'codicon codicon-export', 'aria-hidden': 'true' }),
  ' Export CSV',
);
const countText = h('span', { className: 'muted count', 'aria-live': 'polite' });
const toolbar = h(
  'div',
  { className: 'toolbar' },
  filterInput,
  filterError,
  h('label', { for: 'only-differing' }, differBox, 'Only columns that differ'),
  chooserButton,
  exportButton,
  h('span', { className: 'grow' }),
  countText,
);
const chooserSearch = h('input', {
  type: 'search',
  placeholder: 'Find a column',
  'aria-label': 'Find a column',
});
const chooserList = h('div', { className: 'chooser-list' });
const chooserReset = h('button', { className: 'secondary' }, 'Reset');
const chooser = h(
  'div',
  { className: 'chooser', id: 'chooser', hidden: true, role: 'dialog', 'aria-label': 'Columns' },
  h('div', { className: 'chooser-top' }, chooserSearch, chooserReset),
  chooserList,
);

const table = new RunTable(
  {
    sort: (key) => {
      if (vs.sort?.key !== key)
        vs.sort = { key, dir: model?.columnsByKey.get(key)?.kind === 'metric' ? -1 : 1 };
      else if (vs.sort.dir === (model?.columnsByKey.get(key)?.kind === 'metric' ? -1 : 1)) {
        vs.sort = { key, dir: vs.sort.dir === 1 ? -1 : 1 };
      } else vs.sort = null;
      refresh();
    },
    toggleSelected: (id) => toggle(vs.selected, id, true),
    togglePinned: (id) => toggle(vs.pinned, id, false),
    open: (runId) => post({ type: 'compare/run/open', runId }),
    resize: (key, width) => {
      vs.widths[key] = width;
      saveState();
    },
    viewChanged: (v) => {
      vs.activeRow = v.activeRow;
      vs.activeCol = v.activeCol;
      vs.scrollTop = v.top;
      vs.scrollLeft = v.left;
      saveState();
    },
  },
  { activeRow: vs.activeRow, activeCol: vs.activeCol },
);

const tabs: { id: CompareTab; title: string }[] = [
  { id: 'charts', title: 'Charts' },
  { id: 'parallel', title: 'Parallel coordinates' },
  { id: 'scatter', title: 'Scatter' },
  { id: 'diff', title: 'Diff' },
];
const tabButtons = tabs.map((t) =>
  h(
    'button',
    { role: 'tab', id: `tab-${t.id}`, 'aria-controls': 'tabpanel', 'data-tab': t.id },
    t.title,
  ),
);
const tabList = h('div', { className: 'tabs', role: 'tablist' }, ...tabButtons);
const tabPanel = h('div', { className: 'tabpanel', id: 'tabpanel', role: 'tabpanel' });

// Charts tab
const smoothingInput = h('input', {
  type: 'range',
  min: 0,
  max: 0.99,
  step: 0.01,
  'aria-label': 'Smoothing',
});
smoothingInput.value = String(vs.smoothing);
const smoothingValue = h('span', { className: 'muted' });
const logBox = h('input', { type: 'checkbox', id: 'log-scale' });
logBox.checked = vs.logScale;
const resetZoom = h('button', { className: 'secondary' }, 'Reset zoom');
const charts = new StepCharts((zoom) => {
  vs.zoom = zoom;
  saveState();
  updateCharts();
});
const chartsPane = h(
  'div',
  { className: 'pane charts-pane' },
  h(
    'div',
    { className: 'toolbar' },
    h('label', {}, 'Smoothing ', smoothingInput),
    smoothingValue,
    h('label', { for: 'log-scale' }, logBox, 'Log scale'),
    resetZoom,
    h('span', { className: 'muted' }, 'Drag across a chart to zoom, double-click to reset.'),
  ),
  charts.element,
);

// Parallel coordinates tab
const pcMetric = h('select', { 'aria-label': 'Metric axis' });
const pcClear = h('button', { className: 'secondary' }, 'Clear brushes');
const parallel = new ParallelCoords((brushes) => {
  vs.brushes = brushes;
  refresh();
});
const parallelPane = h(
  'div',
  { className: 'pane parallel-pane' },
  h(
    'div',
    { className: 'toolbar' },
    h('label', {}, 'Metric ', pcMetric),
    pcClear,
    h('span', { className: 'muted' }, 'Drag along an axis to filter the table; click it to clear.'),
  ),
  parallel.element,
);

// Scatter tab
const scatterX = h('select', { 'aria-label': 'X axis' });
const scatterY = h('select', { 'aria-label': 'Y axis (metric)' });
const scatter = new ScatterPlot((id) => toggle(vs.selected, id, true));
const scatterPane = h(
  'div',
  { className: 'pane scatter-pane' },
  h(
    'div',
    { className: 'toolbar' },
    h('label', {}, 'X ', scatterX),
    h('label', {}, 'Y ', scatterY),
  ),
  scatter.element,
);

// Diff tab
const diffA = h('select', { 'aria-label': 'First run' });
const diffB = h('select', { 'aria-label': 'Second run' });
const diffOnly = h('input', { type: 'checkbox', id: 'diff-only', checked: true });
const diffBody = h('div', { className: 'diff-body' });
const diffPane = h(
  'div',
  { className: 'pane diff-pane' },
  h(
    'div',
    { className: 'toolbar' },
    diffA,
    h('span', {}, 'vs'),
    diffB,
    h('label', { for: 'diff-only' }, diffOnly, 'Only differences'),
  ),
  diffBody,
);

const tableWrap = h('div', { className: 'table-wrap' }, table.element, chooser);
document.body.append(
  h(
    'div',
    { className: 'app' },
    toolbar,
    tableWrap,
    h('div', { className: 'bottom' }, tabList, tabPanel),
  ),
);

// ---- behaviour ----

function toggle(list: string[], id: string, isSelection: boolean): void {
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
  else list.push(id);
  if (isSelection) post({ type: 'compare/selection/set', runIds: [...vs.selected] });
  refresh();
}

function defaultVisible(c: Column, m: Model): boolean {
  if (c.kind === 'run') return c.key !== 'run:commit' && c.key !== 'run:id';
  return !vs.onlyDiffering || m.differing.has(c.key);
}

function isVisible(c: Column, m: Model): boolean {
  if (c.key === 'run:name') return true;
  if (vs.shown.includes(c.key)) return true;
  if (vs.hidden.includes(c.key)) return false;
  return defaultVisible(c, m);
}

/** Recomputes the rows and columns from the model and view state, and redraws. */
function refresh(): void {
  saveState();
  const m = model;
  if (m === undefined) return;
  visibleColumns = [...m.runColumns, ...m.paramColumns, ...m.metricColumns].filter((c) =>
    isVisible(c, m),
  );
  const parsed = parseFilter(m, vs.filter);
  filterInput.classList.toggle('invalid', !parsed.ok);
  filterError.textContent = parsed.ok ? '' : parsed.error;
  filtered = parsed.ok ? applyFilter(m.runs, parsed.clauses) : m.runs;
  let brushed = filtered;
  const brushKeys = Object.keys(vs.brushes).filter((k) => m.columnsByKey.has(k));
  if (brushKeys.length > 0) {
    const scales = brushKeys.map((k) => axisScale(m.columnsByKey.get(k)!, filtered));
    brushed = filtered.filter((r) => ParallelCoords.inBrushes(r, scales, vs.brushes));
  }
  const sortColumn = vs.sort === null ? undefined : m.columnsByKey.get(vs.sort.key);
  const sorted = sortRuns(brushed, sortColumn, vs.sort?.dir ?? 1);
  const pinned = new Set(vs.pinned);
  const pinnedRuns = vs.pinned.map((id) => m.byId.get(id)).filter((r): r is Run => r !== undefined);
  view = [...pinnedRuns, ...sorted.filter((r) => !pinned.has(r.row.id))];
  timed('table', () =>
    table.setData({
      runs: view,
      columns: visibleColumns,
      best: bestValues(m, brushed),
      selected: new Set(vs.selected),
      pinned,
      sort: vs.sort,
      widths: vs.widths,
    }),
  );
  if (!scrollRestored) {
    scrollRestored = true;
    table.restoreScroll(vs.scrollTop, vs.scrollLeft);
  }
  const hiddenCount =
    m.paramColumns.length +
    m.metricColumns.length -
    visibleColumns.filter((c) => c.kind !== 'run').length;
  countText.textContent = `${brushed.length} of ${m.runs.length} runs · ${vs.selected.length} selected${
    hiddenCount > 0 ? ` · ${hiddenCount} columns hidden` : ''
  }`;
  if (!chooser.hidden) renderChooser();
  timed('tab', renderTab);
}

function renderChooser(): void {
  const m = model;
  if (m === undefined) return;
  const q = chooserSearch.value.toLowerCase();
  const groups: [string, Column[]][] = [
    ['Run', m.runColumns.filter((c) => c.key !== 'run:name')],
    ['Params', m.paramColumns],
    ['Metrics', m.metricColumns],
  ];
  const parts: HTMLElement[] = [];
  for (const [title, cols] of groups) {
    const items = cols.filter((c) => q === '' || c.name.toLowerCase().includes(q));
    if (items.length === 0) continue;
    parts.push(h('h4', {}, title));
    for (const c of items) {
      const box = h('input', { type: 'checkbox', 'data-key': c.key });
      box.checked = isVisible(c, m);
      const same = c.kind !== 'run' && !m.differing.has(c.key);
      parts.push(
        h(
          'label',
          { className: 'chooser-item' },
          box,
          c.name,
          same ? h('span', { className: 'muted' }, ' (same in all)') : null,
        ),
      );
    }
  }
  chooserList.replaceChildren(...parts);
}

function chartRuns(): Run[] {
  const m = model!;
  const ids = vs.selected.length > 0 ? vs.selected : vs.pinned;
  const runs = ids.map((id) => m.byId.get(id)).filter((r): r is Run => r !== undefined);
  return runs.length > 0 ? runs : view.slice(0, 5);
}

function updateCharts(): void {
  if (model === undefined || vs.tab !== 'charts') return;
  smoothingValue.textContent = vs.smoothing.toFixed(2);
  resetZoom.disabled = vs.zoom === null;
  charts.update({
    metrics: model.metricColumns.map((c) => c.name),
    runs: chartRuns().map((r, i) => ({ id: r.row.id, name: r.row.name, colorIndex: i })),
    series,
    smoothing: vs.smoothing,
    logScale: vs.logScale,
    zoom: vs.zoom,
  });
}
const scheduleCharts = frameThrottle(updateCharts);

function fillSelect(
  select: HTMLSelectElement,
  columns: Column[],
  value: string | null,
): string | null {
  const options = columns.map((c) => {
    const o = h('option', { value: c.key }, `${c.kind === 'run' ? '' : `${c.kind}: `}${c.name}`);
    return o;
  });
  select.replaceChildren(...options);
  const chosen = columns.some((c) => c.key === value) ? value : (columns[0]?.key ?? null);
  if (chosen !== null) select.value = chosen;
  return chosen;
}

function renderTab(): void {
  const m = model;
  for (const b of tabButtons) {
    const selected = b.getAttribute('data-tab') === vs.tab;
    b.setAttribute('aria-selected', String(selected));
    b.tabIndex = selected ? 0 : -1;
  }
  tabPanel.setAttribute('aria-labelledby', `tab-${vs.tab}`);
  const pane = { charts: chartsPane, parallel: parallelPane, scatter: scatterPane, diff: diffPane }[
    vs.tab
  ];
  if (tabPanel.firstChild !== pane) tabPanel.replaceChildren(pane);
  if (m === undefined) return;
  const selected = new Set(vs.selected);
  switch (vs.tab) {
    case 'charts':
      updateCharts();
      break;
    case 'parallel': {
      vs.parallelMetric = fillSelect(pcMetric, m.metricColumns, vs.parallelMetric);
      const params = visibleColumns.filter((c) => c.kind === 'param').slice(0, 24);
      const metric = vs.parallelMetric === null ? undefined : m.columnsByKey.get(vs.parallelMetric);
      parallel.update({
        columns: metric === undefined ? params : [...params, metric],
        runs: filtered,
        selected,
        brushes: vs.brushes,
      });
      break;
    }
    case 'scatter': {
      const numericish = [
        ...m.paramColumns,
        ...m.metricColumns,
        ...m.runColumns.filter((c) => c.numeric),
      ];
      vs.scatterX = fillSelect(scatterX, numericish, vs.scatterX ?? m.paramColumns[0]?.key ?? null);
      vs.scatterY = fillSelect(scatterY, m.metricColumns, vs.scatterY);
      scatter.update({
        x: vs.scatterX === null ? undefined : m.columnsByKey.get(vs.scatterX),
        y: vs.scatterY === null ? undefined : m.columnsByKey.get(vs.scatterY),
        runs: view,
        selected,
      });
      break;
    }
    case 'diff':
      renderDiff(m);
      break;
    default:
      assertNever(vs.tab, 'tab');
  }
}

function renderDiff(m: Model): void {
  const candidates = [...vs.selected, ...vs.pinned, ...view.slice(0, 50).map((r) => r.row.id)]
    .filter((id, i, all) => all.indexOf(id) === i)
    .map((id) => m.byId.get(id))
    .filter((r): r is Run => r !== undefined);
  const options = (sel: HTMLSelectElement, fallback: number): Run | undefined => {
    const prev = sel.value;
    sel.replaceChildren(...candidates.map((r) => h('option', { value: r.row.id }, r.row.name)));
    const keep = candidates.find((r) => r.row.id === prev) ?? candidates[fallback];
    if (keep !== undefined) sel.value = keep.row.id;
    return keep;
  };
  const a = options(diffA, 0);
  const b = options(diffB, 1);
  if (a === undefined || b === undefined || a === b) {
    diffBody.replaceChildren(h('p', { className: 'muted' }, 'Select two runs to compare them.'));
    return;
  }
  const key = `${a.row.id}\n${b.row.id}`;
  if (key !== diffKey) {
    diffKey = key;
    diffCode = { kind: 'loading' };
    post({ type: 'compare/diff/get', requestId: ++diffRequest, runIds: [a.row.id, b.row.id] });
  }
  diffBody.replaceChildren(renderRunDiff(a, b, diffCode ?? { kind: 'loading' }, diffOnly.checked));
}

function setState(state: CompareState): void {
  model = timed('model', () => buildModel(state));
  series.clear();
  timed('series', () => applySeries(state.series, false));
  const ids = new Set(state.runs.map((r) => r.id));
  vs.selected = vs.selected.filter((id) => ids.has(id));
  vs.pinned = vs.pinned.filter((id) => ids.has(id));
  refresh();
}

function applySeries(list: MetricSeries[], append: boolean): void {
  for (const s of list) {
    let byMetric = series.get(s.runId);
    if (byMetric === undefined) series.set(s.runId, (byMetric = new Map<string, Series>()));
    let steps: ArrayLike<number>;
    let values: Float64Array;
    try {
      steps = Array.isArray(s.steps) ? s.steps : unpackNumbers(s.steps);
      values = Array.isArray(s.values) ? decodeNumbers(s.values) : unpackNumbers(s.values);
    } catch {
      continue; // malformed packed data: the guard checks its shape, decoding its content
    }
    const existing = byMetric.get(s.metric);
    if (append && existing !== undefined) existing.append(steps, values);
    else byMetric.set(s.metric, Series.from(steps, values));
  }
}

function onMessage(message: CompareHostMessage): void {
  switch (message.type) {
    case 'compare/state/didChange':
      setState(message.state);
      break;
    case 'compare/series/didChange':
      applySeries(message.series, false);
      scheduleCharts();
      break;
    case 'compare/series/didAppend':
      applySeries(message.points, true);
      scheduleCharts();
      break;
    case 'compare/diff/get/response':
      if (message.requestId !== diffRequest) break;
      diffCode =
        message.diff !== null
          ? { kind: 'loaded', diff: message.diff }
          : { kind: 'error', message: message.error ?? 'The host could not diff these runs.' };
      if (vs.tab === 'diff' && model !== undefined) renderDiff(model);
      break;
    default:
      assertNever(message);
  }
}

/** Measures a phase with the User Timing API (visible in DevTools and to the benchmark). */
function timed<T>(name: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(`cairn:${name}`, { start, end: performance.now() });
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (timed('guard', () => isCompareHostMessage(e.data))) {
    const message = e.data as CompareHostMessage;
    timed(message.type, () => onMessage(message));
  }
});

filterInput.addEventListener('input', () => {
  vs.filter = filterInput.value;
  refresh();
});
differBox.addEventListener('change', () => {
  vs.onlyDiffering = differBox.checked;
  vs.shown = [];
  vs.hidden = [];
  refresh();
});
chooserButton.addEventListener('click', () => {
  chooser.hidden = !chooser.hidden;
  chooserButton.setAttribute('aria-expanded', String(!chooser.hidden));
  if (!chooser.hidden) {
    renderChooser();
    chooserSearch.focus();
  }
});
chooser.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') {
    chooser.hidden = true;
    chooserButton.setAttribute('aria-expanded', 'false');
    chooserButton.focus();
  }
});
chooserSearch.addEventListener('input', renderChooser);
chooserReset.addEventListener('click', () => {
  vs.shown = [];
  vs.hidden = [];
  refresh();
});
chooserList.addEventListener('change', (e) => {
  const box = e.target as HTMLInputElement;
  const key = box.getAttribute('data-key');
  if (key === null || model === undefined) return;
  const col = model.columnsByKey.get(key);
  if (col === undefined) return;
  vs.shown = vs.shown.filter((k) => k !== key);
  vs.hidden = vs.hidden.filter((k) => k !== key);
  if (box.checked !== defaultVisible(col, model)) (box.checked ? vs.shown : vs.hidden).push(key);
  refresh();
});
exportButton.addEventListener('click', () => {
  if (model === undefined) return;
  post({ type: 'compare/csv/export', fileName: 'runs.csv', csv: toCsv(visibleColumns, view) });
});
tabList.addEventListener('click', (e) => {
  const tab = (e.target as Element).closest('[role="tab"]')?.getAttribute('data-tab');
  if (tab === null || tab === undefined) return;
  vs.tab = tab as CompareTab;
  refresh();
});
tabList.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
  const i = tabs.findIndex((t) => t.id === vs.tab);
  const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
  vs.tab = next.id;
  refresh();
  tabButtons[tabs.indexOf(next)]!.focus();
});
smoothingInput.addEventListener('input', () => {
  vs.smoothing = Number(smoothingInput.value);
  saveState();
  scheduleCharts();
});
logBox.addEventListener('change', () => {
  vs.logScale = logBox.checked;
  saveState();
  updateCharts();
});
resetZoom.addEventListener('click', () => {
  vs.zoom = null;
  saveState();
  updateCharts();
});
pcMetric.addEventListener('change', () => {
  vs.parallelMetric = pcMetric.value;
  refresh();
});
pcClear.addEventListener('click', () => {
  vs.brushes = {};
  refresh();
});
scatterX.addEventListener('change', () => {
  vs.scatterX = scatterX.value;
  refresh();
});
scatterY.addEventListener('change', () => {
  vs.scatterY = scatterY.value;
  refresh();
});
for (const sel of [diffA, diffB]) sel.addEventListener('change', () => model && renderDiff(model));
diffOnly.addEventListener('change', () => model && renderDiff(model));

renderTab();
post({ type: 'webview/ready' });
