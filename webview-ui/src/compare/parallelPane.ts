// The Parallel coordinates tab: an axis per shown param and one metric; brushing an axis filters
// the table.
import { h } from '../shared/dom.js';
import { fillColumnSelect } from './columnSelect.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import { ParallelCoords } from './parallelCoords.js';

export class ParallelPane implements ComparePane {
  readonly element: HTMLElement;
  private readonly metric = h('select', { 'aria-label': 'Metric axis' });
  private readonly plot: ParallelCoords;

  /** refresh: the brushes or the metric changed, so the rows must be computed again. */
  constructor(
    private readonly shell: CompareShell,
    refresh: () => void,
  ) {
    const vs = shell.view;
    const clear = h('button', { className: 'secondary' }, 'Clear brushes');
    this.plot = new ParallelCoords((brushes) => {
      vs.brushes = brushes;
      refresh();
    });
    this.metric.addEventListener('change', () => {
      vs.parallelMetric = this.metric.value;
      refresh();
    });
    clear.addEventListener('click', () => {
      vs.brushes = {};
      refresh();
    });
    this.element = h(
      'div',
      { className: 'pane parallel-pane' },
      h(
        'div',
        { className: 'toolbar' },
        h('label', {}, 'Metric ', this.metric),
        clear,
        h(
          'span',
          { className: 'muted' },
          'Drag along an axis to filter the table; click it to clear.',
        ),
      ),
      this.plot.element,
    );
  }

  update(rows: CompareRows): void {
    const vs = this.shell.view;
    const m = rows.model;
    vs.parallelMetric = fillColumnSelect(this.metric, m.metricColumns, vs.parallelMetric);
    const params = rows.visibleColumns.filter((c) => c.kind === 'param').slice(0, 24);
    const metric = vs.parallelMetric === null ? undefined : m.columnsByKey.get(vs.parallelMetric);
    this.plot.update({
      columns: metric === undefined ? params : [...params, metric],
      runs: rows.filtered,
      selected: new Set(vs.selected),
      colors: rows.colors,
      brushes: vs.brushes,
    });
  }
}
