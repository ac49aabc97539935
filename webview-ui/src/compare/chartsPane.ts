// The Charts tab: one step chart per metric for the charted runs (runColors.ts), in their colours, with
// smoothing, a log scale and drag-to-zoom.
import { frameThrottle, h } from '../shared/dom.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import type { SeriesStore } from './seriesStore.js';
import { StepCharts } from './stepCharts.js';

export class ChartsPane implements ComparePane {
  readonly element: HTMLElement;
  private readonly smoothingValue = h('span', { className: 'muted' });
  private readonly resetZoom = h('button', { className: 'secondary' }, 'Reset zoom');
  private readonly charts: StepCharts;
  private rows: CompareRows | undefined;
  /** Redraws at most once a frame (live points arrive faster). */
  readonly schedule = frameThrottle(() => this.draw());

  constructor(
    private readonly shell: CompareShell,
    private readonly series: SeriesStore,
  ) {
    const vs = shell.view;
    const smoothingInput = h('input', {
      type: 'range',
      min: 0,
      max: 0.99,
      step: 0.01,
      'aria-label': 'Smoothing',
    });
    smoothingInput.value = String(vs.smoothing);
    smoothingInput.addEventListener('input', () => {
      vs.smoothing = Number(smoothingInput.value);
      shell.save();
      this.schedule();
    });
    const logBox = h('input', { type: 'checkbox', id: 'log-scale' });
    logBox.checked = vs.logScale;
    logBox.addEventListener('change', () => {
      vs.logScale = logBox.checked;
      shell.save();
      this.draw();
    });
    this.resetZoom.addEventListener('click', () => {
      vs.zoom = null;
      shell.save();
      this.draw();
    });
    this.charts = new StepCharts((zoom) => {
      vs.zoom = zoom;
      shell.save();
      this.draw();
    });
    this.element = h(
      'div',
      { className: 'pane charts-pane' },
      h(
        'div',
        { className: 'toolbar' },
        h('label', {}, 'Smoothing ', smoothingInput),
        this.smoothingValue,
        h('label', { for: 'log-scale' }, logBox, 'Log scale'),
        this.resetZoom,
        h('span', { className: 'muted' }, 'Drag across a chart to zoom, double-click to reset.'),
      ),
      this.charts.element,
    );
  }

  update(rows: CompareRows): void {
    this.rows = rows;
    this.draw();
  }

  private draw(): void {
    const vs = this.shell.view;
    const rows = this.rows;
    if (rows === undefined || vs.tab !== 'charts') return;
    this.smoothingValue.textContent = vs.smoothing.toFixed(2);
    this.resetZoom.disabled = vs.zoom === null;
    this.charts.update({
      metrics: rows.model.metricColumns.map((c) => c.name),
      runs: rows.charted.map((r) => ({
        id: r.row.id,
        name: r.row.name,
        colorIndex: rows.colors.get(r.row.id) ?? 0,
      })),
      series: this.series.byRun,
      smoothing: vs.smoothing,
      logScale: vs.logScale,
      zoom: vs.zoom,
    });
  }
}
