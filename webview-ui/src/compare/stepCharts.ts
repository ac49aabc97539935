// Metric step charts: one uPlot (canvas) chart per metric with the chosen runs overlaid. Series
// are smoothed, then min/max down-sampled to the chart's width for drawing; zooming (drag to
// select, double-click to reset) re-samples the zoomed range so detail appears as you zoom in.
import uPlot from 'uplot';
import { formatNumber, h, onThemeChange, seriesColor, themeColor } from '../shared/dom.js';
import { minMaxDownsample, smooth, type Series } from './downsample.js';

export interface ChartRun {
  id: string;
  name: string;
  colorIndex: number;
}

export interface ChartsInput {
  metrics: string[];
  runs: ChartRun[];
  series: Map<string, Map<string, Series>>; // runId → metric → series
  smoothing: number;
  logScale: boolean;
  zoom: [number, number] | null;
}

interface Chart {
  plot: uPlot;
  card: HTMLElement;
  signature: string;
}

/** Tick spacings of a step axis counted in whole steps: 1, 2, 5, 10, 20, 50, … */
const wholeIncrements = [1, 2, 5]
  .flatMap((m) => Array.from({ length: 13 }, (_, e) => m * 10 ** e))
  .sort((a, b) => a - b);

export class StepCharts {
  readonly element: HTMLElement;
  private readonly charts = new Map<string, Chart>();
  private readonly empty: HTMLElement;
  private input: ChartsInput | undefined;

  constructor(private readonly onZoom: (zoom: [number, number] | null) => void) {
    this.empty = h('p', { className: 'muted empty-note' });
    this.element = h('div', { className: 'charts' });
    new ResizeObserver(() => this.resize()).observe(this.element);
    // uPlot takes its axis and grid colours once, when a chart is made: a new theme makes them anew.
    onThemeChange(() => {
      for (const c of this.charts.values()) {
        c.plot.destroy();
        c.card.remove();
      }
      this.charts.clear();
      if (this.input !== undefined) this.update(this.input);
    });
  }

  private chartWidth(): number {
    const w = this.element.clientWidth || 800;
    const perRow = w >= 900 ? 2 : 1;
    return Math.max(240, Math.floor((w - 16 * perRow) / perRow) - 4);
  }

  private resize(): void {
    const width = this.chartWidth();
    for (const c of this.charts.values()) {
      if (c.plot.width !== width) {
        c.plot.setSize({ width, height: 220 });
        if (this.input !== undefined) this.update(this.input);
      }
    }
  }

  /** Draws the charts for the input, reusing the ones whose runs and scale did not change. */
  update(input: ChartsInput): void {
    this.input = input;
    const metrics = input.metrics.filter((m) =>
      input.runs.some((r) => (input.series.get(r.id)?.get(m)?.length ?? 0) > 0),
    );
    for (const [metric, chart] of this.charts) {
      if (!metrics.includes(metric)) {
        chart.plot.destroy();
        chart.card.remove();
        this.charts.delete(metric);
      }
    }
    if (metrics.length === 0) {
      this.empty.textContent =
        input.runs.length === 0
          ? 'Select runs in the table to chart their metrics.'
          : 'No step series for the selected runs yet.';
      this.element.replaceChildren(this.empty);
      return;
    }
    this.empty.remove();
    const width = this.chartWidth();
    for (const metric of metrics) {
      const runs = input.runs.filter((r) => (input.series.get(r.id)?.get(metric)?.length ?? 0) > 0);
      // Steps are counted in whole numbers: the x axis then has no 2.5 tick.
      const wholeSteps = runs.every((r) => !input.series.get(r.id)!.get(metric)!.fractionalSteps);
      const signature = JSON.stringify([
        runs.map((r) => [r.id, r.colorIndex]),
        input.logScale,
        wholeSteps,
      ]);
      const data = this.chartData(input, metric, runs, width);
      let chart = this.charts.get(metric);
      if (chart !== undefined && chart.signature !== signature) {
        chart.plot.destroy();
        chart.card.remove();
        chart = undefined;
      }
      if (chart === undefined) {
        const card = h(
          'section',
          { className: 'chart-card', 'data-metric': metric },
          h('h3', { className: 'chart-title' }, metric),
        );
        const plot = new uPlot(this.options(runs, width, input, wholeSteps), data, card);
        chart = { plot, card, signature };
        this.charts.set(metric, chart);
      } else {
        chart.plot.setData(data, input.zoom === null);
        if (input.zoom !== null)
          chart.plot.setScale('x', { min: input.zoom[0], max: input.zoom[1] });
      }
      this.element.append(chart.card); // keeps the metric order
    }
  }

  private chartData(
    input: ChartsInput,
    metric: string,
    runs: ChartRun[],
    width: number,
  ): uPlot.AlignedData {
    const buckets = Math.max(50, Math.floor(width / 2));
    const tables: uPlot.AlignedData[] = [];
    for (const run of runs) {
      const s = input.series.get(run.id)!.get(metric)!;
      const n = s.length;
      const x0 = input.zoom?.[0] ?? s.steps[0]!;
      const x1 = input.zoom?.[1] ?? s.steps[n - 1]!;
      const values = smooth(s.values, n, input.smoothing);
      const { xs, ys } = minMaxDownsample(s.steps, values, n, x0, x1, buckets);
      if (input.logScale) for (let i = 0; i < ys.length; i++) if (ys[i]! <= 0) ys[i] = null;
      tables.push([xs, ys]);
    }
    if (tables.length === 1) return tables[0]!;
    return uPlot.join(tables);
  }

  private options(
    runs: ChartRun[],
    width: number,
    input: ChartsInput,
    wholeSteps: boolean,
  ): uPlot.Options {
    const fg = themeColor('--vscode-foreground', '#888');
    const grid = themeColor('--vscode-editorWidget-border', '#8884');
    const axis: uPlot.Axis = {
      stroke: fg,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: `11px ${themeColor('--vscode-font-family', 'sans-serif')}`,
    };
    const zoom = input.zoom;
    return {
      width,
      height: 220,
      scales: {
        x: {
          time: false,
          ...(zoom === null ? {} : { auto: false, min: zoom[0], max: zoom[1] }),
        },
        y: input.logScale ? { distr: 3, log: 10 } : {},
      },
      series: [
        { label: 'step', value: (_u, v) => (v === null ? '' : String(v)) },
        ...runs.map((r): uPlot.Series => ({
          label: r.name,
          stroke: seriesColor(r.colorIndex),
          width: 1.5,
          spanGaps: true,
          points: { show: false },
          value: (_u, v) => formatNumber(v),
        })),
      ],
      axes: [
        wholeSteps
          ? { ...axis, incrs: wholeIncrements, values: (_u, ticks) => ticks.map(String) }
          : axis,
        { ...axis, size: 60, values: (_u, ticks) => ticks.map((t) => formatNumber(t)) },
      ],
      legend: { live: true },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        sync: { key: 'cairn-steps' },
        bind: {
          dblclick: () => () => {
            this.onZoom(null);
            return null;
          },
        },
      },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, 'x');
            const b = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (b > a) this.onZoom([a, b]);
          },
        ],
      },
      class: 'metric-chart',
    };
  }
}
