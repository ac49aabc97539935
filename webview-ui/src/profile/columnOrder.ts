// The orders the profile view can show columns in.
import type { ColumnStats } from '../../../src/protocol/profile.js';

export const sortKeys = ['order', 'name', 'type', 'missing', 'distinct'] as const;
export type SortKey = (typeof sortKeys)[number];

/** The columns in the chosen order; ties keep the file order. */
export function sortColumns(
  columns: readonly ColumnStats[],
  key: SortKey,
  descending: boolean,
): ColumnStats[] {
  const indexed = columns.map((c, i) => ({ c, i }));
  const by: Record<SortKey, (a: ColumnStats, b: ColumnStats) => number> = {
    order: () => 0,
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
    type: (a, b) => a.type.localeCompare(b.type),
    missing: (a, b) => a.missingRate - b.missingRate,
    distinct: (a, b) => a.distinct - b.distinct,
  };
  const cmp = by[key];
  const sign = descending ? -1 : 1;
  const tie = key === 'order' ? sign : 1;
  indexed.sort((a, b) => sign * cmp(a.c, b.c) || tie * (a.i - b.i));
  return indexed.map((x) => x.c);
}
