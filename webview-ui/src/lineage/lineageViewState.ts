// What the lineage page keeps across a reload (getState/setState): the host owns the graph.
import { isObject } from '../../../src/protocol/guards.js';
import type { Highlight, Transform } from './graphView.js';

export interface LineageViewState {
  version: 1;
  transform: Transform | null;
  selectedId: string | null;
  focusId: string | null;
  highlight: Highlight;
}

/** Valid view state from whatever getState returned (defaults for anything missing or wrong). */
export function restoreLineageViewState(saved: unknown): LineageViewState {
  const s: LineageViewState = {
    version: 1,
    transform: null,
    selectedId: null,
    focusId: null,
    highlight: 'lineage',
  };
  if (!isObject(saved) || saved.version !== 1) return s;
  const t = saved.transform;
  if (
    isObject(t) &&
    [t.scale, t.tx, t.ty].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (t.scale as number) > 0
  ) {
    s.transform = { scale: t.scale as number, tx: t.tx as number, ty: t.ty as number };
  }
  if (typeof saved.selectedId === 'string') s.selectedId = saved.selectedId;
  if (typeof saved.focusId === 'string') s.focusId = saved.focusId;
  if (saved.highlight === 'stale') s.highlight = 'stale';
  return s;
}
