// One colour per charted run, the same in the table's swatch, the step charts, the scatter and the
// parallel coordinates. A run keeps its colour while it stays charted, so choosing one more run
// does not repaint the others (W&B and MLflow keep run colours the same way).
import type { Run } from './runModel.js';
import type { CompareViewState } from './viewState.js';

/** The runs the charts show: the selected ones, else the pinned ones, else the first five rows. */
export function chartedRuns(
  byId: Map<string, Run>,
  view: Run[],
  vs: Pick<CompareViewState, 'selected' | 'pinned'>,
): Run[] {
  const ids = vs.selected.length > 0 ? vs.selected : vs.pinned;
  const runs = ids.map((id) => byId.get(id)).filter((r): r is Run => r !== undefined);
  return runs.length > 0 ? runs : view.slice(0, 5);
}

/**
 * Colour indices (into seriesColor) of the charted runs: those they had before where still free,
 * the lowest unused index for the others.
 */
export function assignRunColors(
  previous: Record<string, number>,
  runIds: string[],
): Record<string, number> {
  const colors: Record<string, number> = {};
  const used = new Set<number>();
  for (const id of runIds) {
    const had = previous[id];
    if (had !== undefined && !used.has(had)) {
      colors[id] = had;
      used.add(had);
    }
  }
  let next = 0;
  for (const id of runIds) {
    if (colors[id] !== undefined) continue;
    while (used.has(next)) next++;
    colors[id] = next;
    used.add(next);
  }
  return colors;
}
