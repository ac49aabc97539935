// The Scatter tab: a metric against a param (or another number) per run; clicking a point
// selects its run.
import { h } from '../shared/dom.js';
import { fillColumnSelect } from './columnSelect.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import { ScatterPlot } from './scatterPlot.js';

export class ScatterPane implements ComparePane {
  readonly element: HTMLElement;
  private readonly x = h('select', { 'aria-label': 'X axis' });
  private readonly y = h('select', { 'aria-label': 'Y axis (metric)' });
  private readonly plot: ScatterPlot;

  /** toggleSelected: a point was clicked; refresh: an axis changed. */
  constructor(
    private readonly shell: CompareShell,
    toggleSelected: (runId: string) => void,
    refresh: () => void,
  ) {
    const vs = shell.view;
    this.plot = new ScatterPlot(toggleSelected);
    this.x.addEventListener('change', () => {
      vs.scatterX = this.x.value;
      refresh();
    });
    this.y.addEventListener('change', () => {
      vs.scatterY = this.y.value;
      refresh();
    });
    this.element = h(
      'div',
      { className: 'pane scatter-pane' },
      h(
        'div',
        { className: 'toolbar' },
        h('label', {}, 'X ', this.x),
        h('label', {}, 'Y ', this.y),
      ),
      this.plot.element,
    );
  }

  update(rows: CompareRows): void {
    const vs = this.shell.view;
    const m = rows.model;
    const numericish = [
      ...m.paramColumns,
      ...m.metricColumns,
      ...m.runColumns.filter((c) => c.numeric),
    ];
    vs.scatterX = fillColumnSelect(
      this.x,
      numericish,
      vs.scatterX ?? m.paramColumns[0]?.key ?? null,
    );
    vs.scatterY = fillColumnSelect(this.y, m.metricColumns, vs.scatterY);
    this.plot.update({
      x: vs.scatterX === null ? undefined : m.columnsByKey.get(vs.scatterX),
      y: vs.scatterY === null ? undefined : m.columnsByKey.get(vs.scatterY),
      runs: rows.view,
      selected: new Set(vs.selected),
    });
  }
}
