// The compare webview: run table, step charts, parallel coordinates, scatter and run diff. The host
// owns the runs and pushes snapshots; this page keeps only view state (getState/setState).
import {
  isCompareHostMessage,
  type CompareHostMessage,
  type CompareState,
} from '../../../src/protocol/compare.js';
import { assertNever } from '../../../src/protocol/guards.js';
import { startApp } from '../shared/appShell.js';
import { codiconButton } from '../shared/codiconButton.js';
import { h, onThemeChange } from '../shared/dom.js';
import { axisScale } from './axisScale.js';
import { ChartsPane } from './chartsPane.js';
import { ColumnChooser } from './columnChooser.js';
import { isVisible } from './columnVisibility.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import { DiffPane } from './diffPane.js';
import { applyFilter, parseFilter } from './filterExpr.js';
import { ParallelCoords } from './parallelCoords.js';
import { ParallelPane } from './parallelPane.js';
import {
  bestValues,
  buildModel,
  sortRuns,
  toCsv,
  type Column,
  type Model,
  type Run,
} from './runModel.js';
import { assignRunColors, chartedRuns } from './runColors.js';
import { RunTable, type TableNote } from './runTable.js';
import { ScatterPane } from './scatterPane.js';
import { SeriesStore } from './seriesStore.js';
import { TabStrip } from './tabStrip.js';
import { timed } from './timed.js';
import { restoreViewState } from './viewState.js';

function mountCompare(shell: CompareShell): (message: CompareHostMessage) => void {
  const vs = shell.view;
  let model: Model | undefined;
  let rows: CompareRows | undefined;
  let scrollRestored = false;
  const series = new SeriesStore();

  const filterInput = h('input', {
    type: 'search',
    className: 'filter',
    placeholder: 'Filter: acc > 0.9, status = failed, task = train',
    'aria-label': 'Filter runs',
    spellcheck: 'false',
  });
  filterInput.value = vs.filter;
  filterInput.addEventListener('input', () => {
    vs.filter = filterInput.value;
    refresh();
  });
  const filterError = h('span', { className: 'error-text filter-error', role: 'status' });
  const differBox = h('input', { type: 'checkbox', id: 'only-differing' });
  differBox.checked = vs.onlyDiffering;
  differBox.addEventListener('change', () => {
    vs.onlyDiffering = differBox.checked;
    vs.shown = [];
    vs.hidden = [];
    refresh();
  });
  const chooser = new ColumnChooser(shell, () => refresh());
  const exportButton = codiconButton('export', 'Export CSV', {
    title: 'Export the shown rows and columns as CSV',
  });
  exportButton.addEventListener('click', () => {
    if (rows === undefined) return;
    shell.post({
      type: 'compare/csv/export',
      fileName: 'runs.csv',
      csv: toCsv(rows.visibleColumns, rows.view),
    });
  });
  const countText = h('span', { className: 'muted count', 'aria-live': 'polite' });

  const table = new RunTable(
    {
      sort: (key) => {
        // A metric sorts best first (descending), anything else ascending; a third click unsorts.
        const first = model?.columnsByKey.get(key)?.kind === 'metric' ? -1 : 1;
        if (vs.sort?.key !== key) vs.sort = { key, dir: first };
        else if (vs.sort.dir === first) vs.sort = { key, dir: vs.sort.dir === 1 ? -1 : 1 };
        else vs.sort = null;
        refresh();
      },
      toggleSelected: (id) => toggle(vs.selected, id, true),
      togglePinned: (id) => toggle(vs.pinned, id, false),
      open: (runId) => shell.post({ type: 'compare/run/open', runId }),
      resize: (key, width) => {
        vs.widths[key] = width;
        shell.save();
      },
      viewChanged: (v) => {
        vs.activeRow = v.activeRow;
        vs.activeCol = v.activeCol;
        vs.scrollTop = v.top;
        vs.scrollLeft = v.left;
        shell.save();
      },
    },
    { activeRow: vs.activeRow, activeCol: vs.activeCol },
  );

  const charts = new ChartsPane(shell, series);
  const diff = new DiffPane(shell);
  const tabs = new TabStrip<ComparePane>(
    [
      { id: 'charts', title: 'Charts', pane: charts },
      { id: 'parallel', title: 'Parallel coordinates', pane: new ParallelPane(shell, refresh) },
      {
        id: 'scatter',
        title: 'Scatter',
        pane: new ScatterPane(shell, (id) => toggle(vs.selected, id, true), refresh),
      },
      { id: 'diff', title: 'Diff', pane: diff },
    ],
    () => vs.tab,
    (tab) => {
      vs.tab = tab;
      refresh();
    },
  );

  document.body.append(
    h(
      'div',
      { className: 'app' },
      h(
        'div',
        { className: 'toolbar' },
        filterInput,
        filterError,
        h('label', { for: 'only-differing' }, differBox, 'Only columns that differ'),
        chooser.button,
        exportButton,
        h('span', { className: 'grow' }),
        countText,
      ),
      h('div', { className: 'table-wrap' }, table.element, chooser.element),
      tabs.element,
    ),
  );

  function toggle(list: string[], id: string, isSelection: boolean): void {
    const i = list.indexOf(id);
    if (i >= 0) list.splice(i, 1);
    else list.push(id);
    if (isSelection) shell.post({ type: 'compare/selection/set', runIds: [...vs.selected] });
    refresh();
  }

  /** Recomputes the rows and columns from the model and view state, and redraws. */
  function refresh(): void {
    shell.save();
    const m = model;
    if (m === undefined) {
      tabs.show(vs.tab);
      return;
    }
    const visibleColumns = [...m.runColumns, ...m.paramColumns, ...m.metricColumns].filter((c) =>
      isVisible(c, m, vs),
    );
    const parsed = parseFilter(m, vs.filter);
    filterInput.classList.toggle('invalid', !parsed.ok);
    filterError.textContent = parsed.ok ? '' : parsed.error;
    const filtered = parsed.ok ? applyFilter(m.runs, parsed.clauses) : m.runs;
    let brushed = filtered;
    const brushKeys = Object.keys(vs.brushes).filter((k) => m.columnsByKey.has(k));
    if (brushKeys.length > 0) {
      const scales = brushKeys.map((k) => axisScale(m.columnsByKey.get(k)!, filtered));
      brushed = filtered.filter((r) => ParallelCoords.inBrushes(r, scales, vs.brushes));
    }
    const sortColumn = vs.sort === null ? undefined : m.columnsByKey.get(vs.sort.key);
    const sorted = sortRuns(brushed, sortColumn, vs.sort?.dir ?? 1);
    const pinned = new Set(vs.pinned);
    const pinnedRuns = vs.pinned
      .map((id) => m.byId.get(id))
      .filter((r): r is Run => r !== undefined);
    const view = [...pinnedRuns, ...sorted.filter((r) => !pinned.has(r.row.id))];
    const charted = chartedRuns(m.byId, view, vs);
    vs.colors = assignRunColors(
      vs.colors,
      charted.map((r) => r.row.id),
    );
    const colors = new Map(Object.entries(vs.colors));
    const current: CompareRows = { model: m, view, filtered, visibleColumns, charted, colors };
    rows = current;
    timed('table', () =>
      table.setData({
        runs: view,
        columns: visibleColumns,
        best: bestValues(m, brushed),
        selected: new Set(vs.selected),
        pinned,
        colors,
        sort: vs.sort,
        widths: vs.widths,
        notes: equalNotes(m, visibleColumns),
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
      hiddenCount > 0 ? ` · ${hiddenCount} ${hiddenCount === 1 ? 'column' : 'columns'} hidden` : ''
    }`;
    chooser.update(m);
    timed('tab', () => tabs.show(vs.tab).update(current));
  }

  /** For params or metrics that "Only columns that differ" hides all of: that they are equal. */
  function equalNotes(m: Model, visible: Column[]): TableNote[] {
    if (!vs.onlyDiffering || m.runs.length < 2) return [];
    const notes: TableNote[] = [];
    for (const [kind, columns] of [
      ['param', m.paramColumns],
      ['metric', m.metricColumns],
    ] as const) {
      if (visible.some((c) => c.kind === kind)) continue;
      const equal = columns.filter((c) => !m.differing.has(c.key) && !vs.hidden.includes(c.key));
      if (equal.length === 0) continue;
      const noun = `${kind}${equal.length === 1 ? '' : 's'}`;
      const count =
        equal.length === 1
          ? `The ${noun} ${equal[0]!.name} is`
          : `${equal.length === columns.length ? 'All ' : ''}${equal.length} ${noun} are`;
      const values = equal.map((c) => `${c.name} ${c.text(c.get(m.runs[0]!))}`).join(', ');
      notes.push({ kind, text: `${count} equal across these runs: ${values}` });
    }
    return notes;
  }

  function setState(state: CompareState): void {
    model = timed('model', () => buildModel(state));
    series.clear();
    timed('series', () => series.apply(state.series, false));
    const ids = new Set(state.runs.map((r) => r.id));
    vs.selected = vs.selected.filter((id) => ids.has(id));
    vs.pinned = vs.pinned.filter((id) => ids.has(id));
    refresh();
  }

  tabs.show(vs.tab);
  // The scatter, the parallel coordinates and their legend read theme colours when they draw.
  onThemeChange(refresh);
  const onMessage = (message: CompareHostMessage): void => {
    switch (message.type) {
      case 'compare/state/didChange':
        setState(message.state);
        break;
      case 'compare/series/didChange':
        series.apply(message.series, false);
        charts.schedule();
        break;
      case 'compare/series/didAppend':
        series.apply(message.points, true);
        charts.schedule();
        break;
      case 'compare/diff/get/response':
        diff.answer(message);
        break;
      default:
        assertNever(message);
    }
  };
  return (message) => timed(message.type, () => onMessage(message));
}

startApp({
  restore: restoreViewState,
  isMessage: (data): data is CompareHostMessage => timed('guard', () => isCompareHostMessage(data)),
  mount: mountCompare,
});
