// The card of one column of a table profile: counts, missing values, and for numbers the moments,
// quantiles and histogram, for other types the most frequent values.
import { quantileKeys, type ColumnStats } from '../../../src/protocol/profile.js';
import { h } from '../shared/dom.js';
import {
  barRow,
  formatCount,
  formatStat,
  histogramChart,
  percent,
  typeBadge,
} from '../shared/statCharts.js';
import { card, statGrid } from './card.js';

function missingBar(c: ColumnStats): HTMLElement {
  const fill = h('div', { className: 'bar-fill missing' });
  fill.style.width = `${Math.min(1, Math.max(0, c.missingRate)) * 100}%`;
  return h(
    'div',
    {
      className: 'missing-line',
      title: `${formatCount(c.missing)} missing of ${formatCount(c.count + c.missing)}`,
    },
    h('div', { className: 'bar-track' }, fill),
  );
}

function numberParts(c: ColumnStats): Node[] {
  const parts: Node[] = [
    statGrid([
      ['mean', formatStat(c.mean)],
      ['std', formatStat(c.std)],
      ['min', formatStat(c.min)],
      ['max', formatStat(c.max)],
    ]),
  ];
  if (c.quantiles !== null) {
    const q = c.quantiles;
    parts.push(
      h(
        'dl',
        { className: 'quantiles', 'aria-label': 'Quantiles' },
        ...quantileKeys.map((k) => h('div', {}, h('dt', {}, k), h('dd', {}, formatStat(q[k])))),
      ),
    );
  }
  if (c.histogram !== null)
    parts.push(
      histogramChart(
        [{ histogram: c.histogram, className: 'single', label: c.name }],
        `Histogram of ${c.name}`,
      ),
    );
  if (c.sampled)
    parts.push(h('p', { className: 'muted note' }, 'Quantiles and histogram from a sample.'));
  return parts;
}

function topValueParts(c: ColumnStats): Node[] {
  const top = c.topValues[0]!.count || 1;
  const total = c.count || 1;
  const parts: Node[] = [
    h(
      'div',
      { className: 'bars', role: 'list', 'aria-label': `Most frequent values of ${c.name}` },
      ...c.topValues.slice(0, 10).map((v) =>
        barRow(v.value, [
          {
            fraction: v.count / top,
            className: 'single',
            text: `${formatCount(v.count)} (${percent(v.count / total)})`,
          },
        ]),
      ),
    ),
  ];
  if (c.distinct > c.topValues.length)
    parts.push(
      h(
        'p',
        { className: 'muted note' },
        `and ${formatCount(c.distinct - Math.min(10, c.topValues.length))} more values`,
      ),
    );
  return parts;
}

/** The card of a column. */
export function columnCard(c: ColumnStats): HTMLElement {
  const distinct = `${formatCount(c.distinct)}${c.distinctExact ? '' : ' (estimate)'}`;
  return card(
    {
      name: c.name,
      label: `${c.name}, ${c.type}`,
      className: c.type === 'empty' ? 'empty' : undefined,
      head: [typeBadge(c.type)],
    },
    statGrid([
      ['count', formatCount(c.count)],
      ['missing', percent(c.missingRate)],
      ['distinct', distinct],
    ]),
    missingBar(c),
    ...(c.type === 'number' ? numberParts(c) : c.topValues.length > 0 ? topValueParts(c) : []),
  );
}
