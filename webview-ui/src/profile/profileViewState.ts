// What the profile page keeps across a reload (getState/setState): the host owns the profile.
import { isObject } from '../../../src/protocol/guards.js';
import { sortKeys, type SortKey } from './columnOrder.js';

export interface ProfileViewState {
  version: 1;
  filter: string;
  sort: SortKey;
  descending: boolean;
  /** The column whose card has the keyboard focus. */
  focused: string | null;
  scrollTop: number;
}

/** Valid view state from whatever getState returned (defaults for anything missing or wrong). */
export function restoreProfileViewState(saved: unknown): ProfileViewState {
  const s: ProfileViewState = {
    version: 1,
    filter: '',
    sort: 'order',
    descending: false,
    focused: null,
    scrollTop: 0,
  };
  if (!isObject(saved) || saved.version !== 1) return s;
  if (typeof saved.filter === 'string') s.filter = saved.filter;
  if (typeof saved.sort === 'string' && (sortKeys as readonly string[]).includes(saved.sort))
    s.sort = saved.sort as SortKey;
  if (typeof saved.descending === 'boolean') s.descending = saved.descending;
  if (typeof saved.focused === 'string') s.focused = saved.focused;
  if (typeof saved.scrollTop === 'number' && Number.isFinite(saved.scrollTop))
    s.scrollTop = saved.scrollTop;
  return s;
}
