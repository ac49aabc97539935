// A select of columns (the axes of the plots), keeping the chosen one while it still exists.
import { h } from '../shared/dom.js';
import type { Column } from './runModel.js';

/** Fills select with the columns and returns the one chosen: value if present, else the first. */
export function fillColumnSelect(
  select: HTMLSelectElement,
  columns: Column[],
  value: string | null,
): string | null {
  select.replaceChildren(
    ...columns.map((c) =>
      h('option', { value: c.key }, `${c.kind === 'run' ? '' : `${c.kind}: `}${c.name}`),
    ),
  );
  const chosen = columns.some((c) => c.key === value) ? value : (columns[0]?.key ?? null);
  if (chosen !== null) select.value = chosen;
  return chosen;
}
