// Which columns the run table shows: the run name always; a column switched on or off by hand as
// chosen; otherwise the run facts but id and commit, and params and metrics that differ (or all).
import type { Column, Model } from './runModel.js';
import type { CompareViewState } from './viewState.js';

/** Whether the column shows when the user has not chosen for it. */
export function defaultVisible(c: Column, m: Model, onlyDiffering: boolean): boolean {
  if (c.kind === 'run') return c.key !== 'run:commit' && c.key !== 'run:id';
  return !onlyDiffering || m.differing.has(c.key);
}

/** Whether the column shows. */
export function isVisible(c: Column, m: Model, vs: CompareViewState): boolean {
  if (c.key === 'run:name') return true;
  if (vs.shown.includes(c.key)) return true;
  if (vs.hidden.includes(c.key)) return false;
  return defaultVisible(c, m, vs.onlyDiffering);
}
