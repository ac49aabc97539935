// The Parallel coordinates tab: an axis per shown param and one metric, the lines coloured by how
// good a chosen metric is (with a legend) or by the run colours; brushing an axis filters the table.
import { h } from '../shared/dom.js';
import { goalColorScale, metricGrade } from './colorScale.js';
import { fillColumnSelect } from './columnSelect.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import { ParallelCoords } from './parallelCoords.js';
import type { Column, Model } from './runModel.js';

/** The colour select's value for "the run colours, as in the charts". */
const byRun = 'run';

export class ParallelPane implements ComparePane {
  readonly element: HTMLElement;
  private readonly metric = h('select', { 'aria-label': 'Metric axis' });
  private readonly color = h('select', { 'aria-label': 'Colour lines by' });
  private readonly legend = h('div', { className: 'color-legend', 'aria-live': 'polite' });
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
    this.color.addEventListener('change', () => {
      vs.parallelColor = this.color.value;
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
        h('label', {}, 'Colour by ', this.color),
        clear,
        h(
          'span',
          { className: 'muted' },
          'Drag along an axis to filter the table; click it to clear.',
        ),
      ),
      this.legend,
      this.plot.element,
    );
  }

  update(rows: CompareRows): void {
    const vs = this.shell.view;
    const m = rows.model;
    // Until the user picks: a metric that varies, one with a goal (cairn.yaml's goal:) first.
    const preferred = preferredMetric(m);
    vs.parallelMetric = fillColumnSelect(
      this.metric,
      m.metricColumns,
      vs.parallelMetric ?? preferred?.key ?? null,
    );
    const wanted = vs.parallelColor ?? preferred?.key ?? byRun;
    const chosen = fillColumnSelect(this.color, m.metricColumns, wanted);
    this.color.append(h('option', { value: byRun }, 'run (as in the charts)'));
    vs.parallelColor = wanted === byRun || chosen === null ? byRun : chosen;
    this.color.value = vs.parallelColor;
    const colorColumn = m.columnsByKey.get(vs.parallelColor);
    const colorBy =
      colorColumn === undefined
        ? null
        : { column: colorColumn, goal: m.goals[colorColumn.name] ?? 'max' };
    this.drawLegend(colorBy, rows);
    const params = rows.visibleColumns.filter((c) => c.kind === 'param').slice(0, 24);
    const metric = vs.parallelMetric === null ? undefined : m.columnsByKey.get(vs.parallelMetric);
    this.plot.update({
      columns: metric === undefined ? params : [...params, metric],
      runs: rows.filtered,
      selected: new Set(vs.selected),
      colors: rows.colors,
      brushes: vs.brushes,
      colorBy,
    });
  }

  /** The scale from the worst value to the best, with the metric's name and goal. */
  private drawLegend(colorBy: { column: Column; goal: 'max' | 'min' } | null, rows: CompareRows) {
    const grade =
      colorBy === null ? undefined : metricGrade(colorBy.column, colorBy.goal, rows.filtered);
    if (colorBy === null || grade === undefined) {
      this.legend.replaceChildren();
      this.legend.hidden = true;
      return;
    }
    const bar = h('span', { className: 'color-bar', 'aria-hidden': 'true' });
    bar.style.background = `linear-gradient(to right, ${goalColorScale().stops.join(', ')})`;
    const { column, goal } = colorBy;
    this.legend.hidden = false;
    this.legend.replaceChildren(
      h('span', {}, `${column.name}, ${goal === 'max' ? 'higher' : 'lower'} is better: `),
      h('span', { className: 'legend-worst' }, `${column.text(grade.worst)} worst`),
      bar,
      h('span', { className: 'legend-best' }, `${column.text(grade.best)} best`),
    );
  }
}

function preferredMetric(m: Model): Column | undefined {
  const varies = (c: Column): boolean => m.differing.has(c.key);
  const known = (c: Column): boolean => m.knownGoals.has(c.name);
  const metrics = m.metricColumns;
  return (
    metrics.find((c) => known(c) && varies(c)) ??
    metrics.find(known) ??
    metrics.find(varies) ??
    metrics[0]
  );
}
