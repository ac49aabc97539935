// How the drift page writes its numbers, versions and a column's verdict.
import type { ColumnDriftView, DriftVersion } from '../../../src/protocol/drift.js';
import { decodeNumber, type JsonNumber } from '../../../src/protocol/guards.js';
import { formatNumber, h } from '../shared/dom.js';

/** A statistic with a fixed number of decimals (a dash where there is none). */
export function fixed(v: JsonNumber | undefined, digits: number): string {
  const d = v === undefined ? null : decodeNumber(v);
  if (d === null) return '–';
  return Number.isFinite(d) ? d.toFixed(digits) : formatNumber(d);
}

/** A p-value, with the tiny ones as a bound. */
export function pValue(v: JsonNumber | undefined): string {
  const d = v === undefined ? null : decodeNumber(v);
  if (d === null) return '–';
  return d < 1e-4 ? '< 0.0001' : d.toFixed(4);
}

/** One value, or how it changed. */
export function fromTo(a: string, b: string): string {
  return a === b ? a : `${a} → ${b}`;
}

/** A version as the user knows it: its revision, or the work tree. */
export function versionName(v: DriftVersion): string {
  return v.rev === 'workspace' ? 'work tree' : v.rev;
}

/** The drifted or stable badge of a column. */
export function driftBadge(c: ColumnDriftView): HTMLElement {
  return c.drifted
    ? h('span', { className: 'badge drifted' }, 'drifted')
    : h('span', { className: 'badge stable' }, 'stable');
}
