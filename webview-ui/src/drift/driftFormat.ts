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

/** Whether the user gave a revision by its hash (the drift picker does), not by a name. */
function isHash(rev: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(rev);
}

/**
 * A version as the user knows it, short (legends, sentences): the work tree, the revision they
 * named (`v1`, `HEAD~1`), or for a hash the host's label (`3f2a9c1d0e · "add March data"`).
 */
export function versionName(v: DriftVersion): string {
  if (v.rev === 'workspace') return 'work tree';
  return isHash(v.rev) ? v.label : v.rev;
}

/**
 * A version in full (the heading): the host's label, with the revision the user named when the
 * label does not say it already (`3f2a9c1d0e · "add March data" (HEAD~1)`).
 */
export function versionHeading(v: DriftVersion): { label: string; rev: string | null } {
  if (v.rev === 'workspace') return { label: 'work tree', rev: null };
  const named = !isHash(v.rev) && !v.label.endsWith(` · ${v.rev}`) && v.label !== v.rev;
  return { label: v.label, rev: named ? v.rev : null };
}

/** The drifted or stable badge of a column. */
export function driftBadge(c: ColumnDriftView): HTMLElement {
  return c.drifted
    ? h('span', { className: 'badge drifted' }, 'drifted')
    : h('span', { className: 'badge stable' }, 'stable');
}
