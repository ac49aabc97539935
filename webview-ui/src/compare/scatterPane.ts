// The Scatter tab: a metric against a param (or another number) per run; clicking a point
// selects its run.
import { h } from '../shared/dom.js';
import { fillColumnSelect } from './columnSelect.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import type { Column } from './runModel.js';
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
    // Until the user picks, the axes are columns that vary: a constant one plots a vertical line.
    const varies = (c: Column): boolean => m.differing.has(c.key);
    const params = m.paramColumns;
    const x = params.find((c) => c.numeric && varies(c)) ?? params.find(varies) ?? params[0];
    vs.scatterX = fillColumnSelect(this.x, numericish, vs.scatterX ?? x?.key ?? null);
    const y = m.metricColumns.find((c) => varies(c) && c.key !== vs.scatterX);
    vs.scatterY = fillColumnSelect(this.y, m.metricColumns, vs.scatterY ?? y?.key ?? null);
    this.plot.update({
      x: vs.scatterX === null ? undefined : m.columnsByKey.get(vs.scatterX),
      y: vs.scatterY === null ? undefined : m.columnsByKey.get(vs.scatterY),
      runs: rows.view,
      selected: new Set(vs.selected),
      colors: rows.colors,
    });
  }
}
