// Maps a column's values onto an axis: numbers linearly between their min and max, anything else
// (strings, booleans) as evenly spaced categories in sorted order.
import { formatNumber } from '../shared/dom.js';
import type { CellValue, Column, Run } from './runModel.js';

export interface AxisScale {
  column: Column;
  categorical: boolean;
  categories: string[];
  min: number;
  max: number;
  /** Position of a value in [0, 1]; undefined for a missing value. */
  toUnit(v: CellValue): number | undefined;
  /** The value-space number brushes use (the category index for categorical axes). */
  toNumber(v: CellValue): number | undefined;
  fromUnit(u: number): number;
  ticks(): { u: number; label: string }[];
}

export function axisScale(column: Column, runs: Run[]): AxisScale {
  let numeric = true;
  let min = Infinity;
  let max = -Infinity;
  const cats = new Set<string>();
  for (const r of runs) {
    const v = column.get(r);
    if (v === null) continue;
    if (typeof v === 'number') {
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    } else {
      numeric = false;
      cats.add(String(v));
    }
  }
  if (numeric) {
    if (min === Infinity) {
      min = 0;
      max = 1;
    } else if (min === max) {
      min -= 0.5;
      max += 0.5;
    }
    const span = max - min;
    const toNumber = (v: CellValue): number | undefined =>
      typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    return {
      column,
      categorical: false,
      categories: [],
      min,
      max,
      toNumber,
      toUnit: (v) => {
        const n = toNumber(v);
        return n === undefined ? undefined : (n - min) / span;
      },
      fromUnit: (u) => min + u * span,
      ticks: () => [0, 0.25, 0.5, 0.75, 1].map((u) => ({ u, label: formatNumber(min + u * span) })),
    };
  }
  for (const r of runs) {
    const v = column.get(r);
    if (typeof v === 'number') cats.add(String(v));
  }
  const categories = [...cats].sort(new Intl.Collator(undefined, { numeric: true }).compare);
  const index = new Map(categories.map((c, i) => [c, i]));
  const n = Math.max(1, categories.length - 1);
  const toNumber = (v: CellValue): number | undefined =>
    v === null ? undefined : index.get(String(v));
  return {
    column,
    categorical: true,
    categories,
    min: 0,
    max: n,
    toNumber,
    toUnit: (v) => {
      const i = toNumber(v);
      return i === undefined ? undefined : categories.length === 1 ? 0.5 : i / n;
    },
    fromUnit: (u) => u * n,
    ticks: () =>
      categories.length > 12
        ? [
            { u: 0, label: categories[0]! },
            { u: 1, label: categories[categories.length - 1]! },
          ]
        : categories.map((c, i) => ({ u: categories.length === 1 ? 0.5 : i / n, label: c })),
  };
}

/** The width of an element's content box: a canvas as wide as its padded box is cut at the right. */
export function contentWidth(el: HTMLElement, fallback: number): number {
  const style = getComputedStyle(el);
  const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) || 0;
  return (el.clientWidth || fallback) - padding;
}

/** Sizes a canvas for the device pixel ratio and returns its 2D context in CSS pixels. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}
