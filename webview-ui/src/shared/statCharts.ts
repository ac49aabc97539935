// Small statistical charts for the profile and drift views, as inline SVG and plain elements
// (a histogram has at most a few dozen bars, so no canvas is needed). Colours come from CSS classes
// (theme variables); labels go in as text.
import type { Histogram } from '../../../src/protocol/profile.js';
import { decodeNumber, decodeNumbers, type JsonNumber } from '../../../src/protocol/guards.js';
import { formatNumber, h } from './dom.js';

const svgNs = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export interface HistogramSeries {
  histogram: Histogram;
  /** A CSS class for the bars: 'from', 'to' or 'single'. */
  className: string;
  label: string;
}

/**
 * Bars of one or more histograms on one x axis, each as shares of its own total, so two versions
 * with different row counts and bins compare. Returns a figure with the range under the bars.
 */
export function histogramChart(series: HistogramSeries[], ariaLabel: string): HTMLElement {
  const width = 300;
  const height = 80;
  const decoded = series.map((s) => {
    const edges = decodeNumbers(s.histogram.edges);
    const total = s.histogram.counts.reduce((a, b) => a + b, 0) || 1;
    return { s, edges, shares: s.histogram.counts.map((c) => c / total) };
  });
  let lo = Infinity;
  let hi = -Infinity;
  let top = 0;
  for (const d of decoded) {
    for (const e of d.edges) {
      if (!Number.isFinite(e)) continue;
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
    }
    for (const v of d.shares) top = Math.max(top, v);
  }
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': ariaLabel,
    class: 'histogram',
  });
  chart.append(
    svg('line', { x1: 0, x2: width, y1: height - 0.5, y2: height - 0.5, class: 'axis' }),
  );
  if (lo === Infinity || top === 0) return h('figure', { className: 'histogram-figure' }, chart);
  const span = hi - lo || 1;
  const x = (v: number): number => ((v - lo) / span) * width;
  for (const d of decoded) {
    const g = svg('g', { class: `bars ${d.s.className}` });
    d.shares.forEach((share, i) => {
      const a = d.edges[i]!;
      const b = d.edges[i + 1]!;
      if (!Number.isFinite(a) || !Number.isFinite(b)) return;
      // A constant column has one bin of zero width: give it a visible one.
      const x0 = hi === lo ? width * 0.45 : x(a);
      const w = hi === lo ? width * 0.1 : Math.max(1, x(b) - x(a) - 0.5);
      const barH = (share / top) * (height - 4);
      const rect = svg('rect', { x: x0, y: height - barH, width: w, height: barH });
      const title = svg('title', {});
      title.textContent = `${d.s.label}: ${formatNumber(a)} – ${formatNumber(b)}: ${(share * 100).toFixed(1)}%`;
      rect.append(title);
      g.append(rect);
    });
    chart.append(g);
  }
  return h(
    'figure',
    { className: 'histogram-figure' },
    chart,
    h(
      'figcaption',
      { className: 'axis-labels muted' },
      h('span', {}, formatNumber(lo)),
      h('span', {}, formatNumber(hi)),
    ),
  );
}

export interface BarValue {
  /** 0..1 of the bar track. */
  fraction: number;
  className: string;
  /** Text after the bar (count, share). */
  text: string;
  title?: string;
}

/** A labelled row of one or more horizontal bars (e.g. a category's share in two versions). */
export function barRow(label: string, values: BarValue[], marker?: string): HTMLElement {
  const bars = h('div', { className: 'bar-group' });
  for (const v of values) {
    const fill = h('div', { className: `bar-fill ${v.className}` });
    fill.style.width = `${Math.max(0, Math.min(1, v.fraction)) * 100}%`;
    bars.append(
      h(
        'div',
        { className: 'bar-line', title: v.title },
        h('div', { className: 'bar-track' }, fill),
        h('span', { className: 'bar-text' }, v.text),
      ),
    );
  }
  return h(
    'div',
    { className: 'bar-row', role: 'listitem' },
    h(
      'span',
      { className: 'bar-label', title: label },
      label === '' ? h('span', { className: 'muted' }, '(empty)') : label,
      marker === undefined ? null : h('span', { className: `marker ${marker}` }, marker),
    ),
    bars,
  );
}

/** A share as a percentage with sensible precision. */
export function percent(fraction: number): string {
  if (!Number.isFinite(fraction)) return formatNumber(fraction);
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 0.1) return `${p < 0 ? '−' : ''}<0.1%`;
  return `${p.toFixed(Math.abs(p) < 10 ? 1 : 0)}%`;
}

/** Bytes in B, KB, MB, GB (1000-based, as the CLI prints them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A statistic as the tables show it: a dash where there is none. */
export function formatStat(v: JsonNumber | undefined): string {
  const d = v === undefined ? null : decodeNumber(v);
  return d === null ? '–' : formatNumber(d);
}

/** The badge of a column's type (number, string, …), coloured by type. */
export function typeBadge(type: string): HTMLElement {
  return h('span', { className: `badge type-${type}` }, type);
}
