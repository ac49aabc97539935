// What the compare view remembers across hide/reload (via the VS Code API's getState/setState):
// view choices only, never domain data.
import { isObject } from '../../../src/protocol/guards.js';

export type CompareTab = 'charts' | 'parallel' | 'scatter' | 'diff';

export interface CompareViewState {
  version: 1;
  onlyDiffering: boolean;
  /** Columns the user switched on or off by hand (override "only differing"). */
  shown: string[];
  hidden: string[];
  widths: Record<string, number>;
  sort: { key: string; dir: 1 | -1 } | null;
  filter: string;
  selected: string[];
  pinned: string[];
  activeRow: number;
  activeCol: number;
  scrollTop: number;
  scrollLeft: number;
  tab: CompareTab;
  smoothing: number;
  logScale: boolean;
  /** Visible x range of the step charts; null when not zoomed. */
  zoom: [number, number] | null;
  parallelMetric: string | null;
  /** What colours the parallel-coordinate lines: a metric's column key, or 'run' (run colours). */
  parallelColor: string | null;
  /** Column key → [low, high] brushed range in the column's value space. */
  brushes: Record<string, [number, number]>;
  scatterX: string | null;
  scatterY: string | null;
  /** Run id → colour index of the charted runs (runColors.ts). */
  colors: Record<string, number>;
}

export function defaultViewState(): CompareViewState {
  return {
    version: 1,
    onlyDiffering: true,
    shown: [],
    hidden: [],
    widths: {},
    sort: null,
    filter: '',
    selected: [],
    pinned: [],
    activeRow: 0,
    activeCol: 0,
    scrollTop: 0,
    scrollLeft: 0,
    tab: 'charts',
    smoothing: 0,
    logScale: false,
    zoom: null,
    parallelMetric: null,
    parallelColor: null,
    brushes: {},
    scatterX: null,
    scatterY: null,
    colors: {},
  };
}

/** Takes what getState returned (possibly from an older version) and keeps what is valid. */
export function restoreViewState(saved: unknown): CompareViewState {
  const s = defaultViewState();
  if (!isObject(saved) || saved.version !== 1) return s;
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  const num = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  if (typeof saved.onlyDiffering === 'boolean') s.onlyDiffering = saved.onlyDiffering;
  s.shown = strings(saved.shown) ?? s.shown;
  s.hidden = strings(saved.hidden) ?? s.hidden;
  if (isObject(saved.widths)) {
    for (const [k, v] of Object.entries(saved.widths)) {
      const n = num(v);
      if (n !== undefined) s.widths[k] = Math.max(40, Math.min(1000, n));
    }
  }
  if (isObject(saved.sort) && typeof saved.sort.key === 'string') {
    s.sort = { key: saved.sort.key, dir: saved.sort.dir === -1 ? -1 : 1 };
  }
  if (typeof saved.filter === 'string') s.filter = saved.filter;
  s.selected = strings(saved.selected) ?? s.selected;
  s.pinned = strings(saved.pinned) ?? s.pinned;
  s.activeRow = num(saved.activeRow) ?? 0;
  s.activeCol = num(saved.activeCol) ?? 0;
  s.scrollTop = num(saved.scrollTop) ?? 0;
  s.scrollLeft = num(saved.scrollLeft) ?? 0;
  if (
    saved.tab === 'charts' ||
    saved.tab === 'parallel' ||
    saved.tab === 'scatter' ||
    saved.tab === 'diff'
  ) {
    s.tab = saved.tab;
  }
  s.smoothing = Math.max(0, Math.min(0.99, num(saved.smoothing) ?? 0));
  if (typeof saved.logScale === 'boolean') s.logScale = saved.logScale;
  if (Array.isArray(saved.zoom) && saved.zoom.length === 2) {
    const a = num(saved.zoom[0]);
    const b = num(saved.zoom[1]);
    if (a !== undefined && b !== undefined && a < b) s.zoom = [a, b];
  }
  if (typeof saved.parallelMetric === 'string') s.parallelMetric = saved.parallelMetric;
  if (typeof saved.parallelColor === 'string') s.parallelColor = saved.parallelColor;
  if (isObject(saved.brushes)) {
    for (const [k, v] of Object.entries(saved.brushes)) {
      if (Array.isArray(v) && v.length === 2) {
        const a = num(v[0]);
        const b = num(v[1]);
        if (a !== undefined && b !== undefined) s.brushes[k] = [Math.min(a, b), Math.max(a, b)];
      }
    }
  }
  if (typeof saved.scatterX === 'string') s.scatterX = saved.scatterX;
  if (typeof saved.scatterY === 'string') s.scatterY = saved.scatterY;
  if (isObject(saved.colors)) {
    for (const [k, v] of Object.entries(saved.colors)) {
      const n = num(v);
      if (n !== undefined && Number.isInteger(n) && n >= 0) s.colors[k] = n;
    }
  }
  return s;
}
