// What the drift page keeps across a reload (getState/setState): the host owns the report.
import { isObject } from '../../../src/protocol/guards.js';

export interface DriftViewState {
  version: 1;
  filter: string;
  onlyDrifted: boolean;
  selected: string | null;
}

/** Valid view state from whatever getState returned (defaults for anything missing or wrong). */
export function restoreDriftViewState(saved: unknown): DriftViewState {
  const s: DriftViewState = { version: 1, filter: '', onlyDrifted: false, selected: null };
  if (!isObject(saved) || saved.version !== 1) return s;
  if (typeof saved.filter === 'string') s.filter = saved.filter;
  if (typeof saved.onlyDrifted === 'boolean') s.onlyDrifted = saved.onlyDrifted;
  if (typeof saved.selected === 'string') s.selected = saved.selected;
  return s;
}
