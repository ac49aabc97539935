// The drift page's details of the selected column: why it was flagged, and both versions side
// by side (histograms, shares of values or classes, statistics, the tests' numbers).
import type { ColumnDriftView, DriftState } from '../../../src/protocol/drift.js';
import { decodeNumber } from '../../../src/protocol/guards.js';
import type { ColumnStats, ImageProfileView } from '../../../src/protocol/profile.js';
import { h, present } from '../shared/dom.js';
import {
  barRow,
  formatCount,
  formatStat,
  histogramChart,
  percent,
  typeBadge,
} from '../shared/statCharts.js';
import { driftBadge, fixed, pValue, versionName } from './driftFormat.js';

function statRows(state: DriftState, a: ColumnStats | null, b: ColumnStats | null): HTMLElement {
  const line = (label: string, f: (c: ColumnStats) => string): HTMLElement =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', { className: 'num' }, a === null ? '–' : f(a)),
      h('td', { className: 'num' }, b === null ? '–' : f(b)),
    );
  const numeric = (a ?? b)?.type === 'number';
  return h(
    'table',
    { className: 'side-by-side' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, ''),
        h(
          'th',
          { scope: 'col', className: 'num' },
          h('span', { className: 'legend-swatch from' }),
          versionName(state.from),
        ),
        h(
          'th',
          { scope: 'col', className: 'num' },
          h('span', { className: 'legend-swatch to' }),
          versionName(state.to),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...present(
        line('type', (c) => c.type),
        line('count', (c) => formatCount(c.count)),
        line('missing', (c) => `${percent(c.missingRate)} (${formatCount(c.missing)})`),
        line('distinct', (c) => `${formatCount(c.distinct)}${c.distinctExact ? '' : '~'}`),
        numeric ? line('mean', (c) => formatStat(c.mean)) : null,
        numeric ? line('std', (c) => formatStat(c.std)) : null,
        numeric ? line('min', (c) => formatStat(c.min)) : null,
        numeric ? line('median', (c) => formatStat(c.quantiles?.p50)) : null,
        numeric ? line('max', (c) => formatStat(c.max)) : null,
      ),
    ),
  );
}

interface Shares {
  values: { name: string; count: number }[];
  total: number;
}

/** Paired bars of shares: each value's share of its version, with new and vanished values marked. */
function pairedShares(
  state: DriftState,
  a: Shares,
  b: Shares,
  c: ColumnDriftView,
  label: string,
): HTMLElement {
  const names = [...new Set([...a.values.map((v) => v.name), ...b.values.map((v) => v.name)])];
  const ma = new Map(a.values.map((v) => [v.name, v.count / Math.max(1, a.total)]));
  const mb = new Map(b.values.map((v) => [v.name, v.count / Math.max(1, b.total)]));
  names.sort((x, y) => (mb.get(y) ?? 0) + (ma.get(y) ?? 0) - (mb.get(x) ?? 0) - (ma.get(x) ?? 0));
  const top = Math.max(0.0001, ...ma.values(), ...mb.values());
  const addedSet = new Set(c.categoriesAdded);
  const removedSet = new Set(c.categoriesRemoved);
  const bar = (share: number | undefined, side: 'from' | 'to') => ({
    fraction: (share ?? 0) / top,
    className: side,
    text: share === undefined ? '—' : percent(share),
    title: `${versionName(state[side])}: ${share === undefined ? 'absent' : percent(share)}`,
  });
  return h(
    'div',
    { className: 'bars paired', role: 'list', 'aria-label': label },
    ...names.slice(0, 30).map((n) => {
      const sa = ma.get(n);
      const sb = mb.get(n);
      return barRow(
        n,
        [bar(sa, 'from'), bar(sb, 'to')],
        addedSet.has(n) || (sa === undefined && sb !== undefined && a.values.length > 0)
          ? 'new'
          : removedSet.has(n) || (sb === undefined && sa !== undefined && b.values.length > 0)
            ? 'gone'
            : undefined,
      );
    }),
  );
}

function valueList(title: string, values: string[], className: string): HTMLElement | null {
  if (values.length === 0) return null;
  return h(
    'div',
    { className: `value-list ${className}` },
    h('h3', {}, title),
    h('ul', {}, ...values.map((v) => h('li', {}, v))),
  );
}

function legend(state: DriftState): HTMLElement {
  return h(
    'p',
    { className: 'legend muted' },
    h('span', { className: 'legend-swatch from' }),
    versionName(state.from),
    h('span', { className: 'legend-swatch to' }),
    versionName(state.to),
  );
}

function imageDetails(
  state: DriftState,
  c: ColumnDriftView,
  img: { from: ImageProfileView; to: ImageProfileView },
): Node[] {
  const size = (p: ImageProfileView): string =>
    `${p.width.min}–${p.width.max} × ${p.height.min}–${p.height.max}`;
  const row = (label: string, f: (p: ImageProfileView) => string): HTMLElement =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', { className: 'num' }, f(img.from)),
      h('td', { className: 'num' }, f(img.to)),
    );
  return present(
    h('h3', {}, 'Images per class'),
    legend(state),
    pairedShares(
      state,
      { values: img.from.classes, total: img.from.count },
      { values: img.to.classes, total: img.to.count },
      c,
      'Share of images per class in both versions',
    ),
    valueList('New classes', c.categoriesAdded, 'added'),
    valueList('Classes gone', c.categoriesRemoved, 'removed'),
    h(
      'table',
      { className: 'side-by-side' },
      h(
        'tbody',
        {},
        row('images', (p) => formatCount(p.count)),
        row('sizes (px)', size),
        row('unreadable', (p) => formatCount(p.unreadable)),
      ),
    ),
  );
}

function tableDetails(state: DriftState, c: ColumnDriftView): (Node | null)[] {
  const a = c.from;
  const b = c.to;
  const parts: (Node | null)[] = [];
  if (a?.histogram || b?.histogram) {
    parts.push(
      h('h3', {}, 'Distribution'),
      legend(state),
      histogramChart(
        [
          ...(a?.histogram
            ? [{ histogram: a.histogram, className: 'from', label: versionName(state.from) }]
            : []),
          ...(b?.histogram
            ? [{ histogram: b.histogram, className: 'to', label: versionName(state.to) }]
            : []),
        ],
        `Histograms of ${c.name} in ${versionName(state.from)} and ${versionName(state.to)}`,
      ),
    );
  }
  if (
    (a ?? b)?.type !== 'number' &&
    ((a?.topValues.length ?? 0) > 0 || (b?.topValues.length ?? 0) > 0)
  ) {
    const shares = (s: ColumnStats | null): Shares => ({
      values: (s?.topValues ?? []).map((v) => ({ name: v.value, count: v.count })),
      total: s?.count ?? 0,
    });
    parts.push(
      h('h3', {}, 'Share of values'),
      legend(state),
      pairedShares(
        state,
        shares(a),
        shares(b),
        c,
        `Share of each value of ${c.name} in both versions`,
      ),
    );
  }
  parts.push(
    valueList('New values', c.categoriesAdded, 'added'),
    valueList('Values gone', c.categoriesRemoved, 'removed'),
    h('h3', {}, 'Statistics'),
    statRows(state, a, b),
    h(
      'dl',
      { className: 'tests' },
      h('dt', {}, 'PSI'),
      h('dd', {}, fixed(c.psi, 3)),
      h('dt', {}, 'KS statistic'),
      h('dd', {}, c.ks === null ? '–' : fixed(c.ks.statistic, 3)),
      h('dt', {}, 'KS p-value'),
      h('dd', {}, c.ks === null ? '–' : pValue(c.ks.pValue)),
      h('dt', {}, 'missing change'),
      h(
        'dd',
        {},
        formatStat(c.missingRateChange) === '–'
          ? '–'
          : percent(decodeNumber(c.missingRateChange) ?? 0),
      ),
    ),
  );
  return parts;
}

/** The details panel's content for a column of the report, or the hint when none is selected. */
export function columnDetails(
  state: DriftState | undefined,
  c: ColumnDriftView | undefined,
): Node[] {
  if (state === undefined || c === undefined) {
    return [
      h('h2', {}, 'Column details'),
      h(
        'p',
        { className: 'muted' },
        'Select a column (click it, or focus the table and use the arrow keys) to see both versions side by side.',
      ),
    ];
  }
  const parts: (Node | null)[] = [
    h(
      'div',
      { className: 'details-head' },
      h('h2', { title: c.name }, c.name),
      typeBadge(c.type),
      driftBadge(c),
    ),
    c.reasons.length > 0
      ? h('ul', { className: 'reasons-list' }, ...c.reasons.map((r) => h('li', {}, r)))
      : h('p', { className: 'muted' }, 'Within the thresholds: no reason to flag this column.'),
  ];
  if (c.from === null || c.to === null) {
    parts.push(
      h(
        'p',
        { className: 'note' },
        c.from === null
          ? `This column is new in ${versionName(state.to)}.`
          : `This column is not in ${versionName(state.to)} any more.`,
      ),
    );
  }
  if (state.images !== null) parts.push(...imageDetails(state, c, state.images));
  else parts.push(...tableDetails(state, c));
  return present(...parts);
}
