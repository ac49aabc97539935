// Where a key moves the keyboard focus in a list or a grid of items (drift's table rows, profile's
// cards): arrows by one item or one row, Page keys by a few rows, Home and End to the ends.

export interface ListShape {
  /** Items per row: 1 for a list, more for a grid of cards. */
  perRow: number;
  /** Rows that PageUp and PageDown move. */
  pageRows: number;
  /** Whether ArrowLeft and ArrowRight move (in a grid) or do nothing (in a list). */
  horizontal: boolean;
}

/** The index a key moves to from index (-1: none yet), clamped to the list; undefined for other keys. */
export function keyTarget(
  key: string,
  index: number,
  count: number,
  shape: ListShape,
): number | undefined {
  if (count === 0) return undefined;
  const row = shape.perRow;
  const moves: Record<string, number> = {
    ArrowDown: index + row,
    ArrowUp: index - row,
    Home: 0,
    End: count - 1,
    PageDown: index + row * shape.pageRows,
    PageUp: index - row * shape.pageRows,
  };
  if (shape.horizontal) {
    moves.ArrowRight = index + 1;
    moves.ArrowLeft = index - 1;
  }
  const to = moves[key];
  return to === undefined ? undefined : Math.max(0, Math.min(count - 1, to));
}
