// A colour scale for canvas drawings from theme colours: parallel-coordinate lines coloured by how
// good a run's metric is, from the theme's blue (worst) through purple to orange (best).
import type { Goal } from '../../../src/protocol/compare.js';
import { themeColor } from '../shared/dom.js';
import type { Column, Run } from './runModel.js';

type Rgb = [number, number, number];

let probe: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour as RGB, through a canvas (which normalizes what it is given). */
function toRgb(color: string): Rgb {
  probe ??= document.createElement('canvas').getContext('2d');
  if (probe === null) return [128, 128, 128];
  probe.fillStyle = '#808080';
  probe.fillStyle = color;
  const v = String(probe.fillStyle);
  if (v.startsWith('#')) return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16)) as Rgb;
  const [r = 128, g = 128, b = 128] = (v.match(/[\d.]+/g) ?? []).map(Number);
  return [r, g, b];
}

const hex = (c: Rgb): string =>
  '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

export interface ColorScale {
  /** The colour at u in [0, 1] (0 the worst value, 1 the best) as #rrggbb. */
  at(u: number): string;
  /** The stops, for a CSS gradient of the legend. */
  stops: string[];
}

/** The scale of the current theme (read anew on each call, so a theme switch is followed). */
export function goalColorScale(): ColorScale {
  const stops = [
    toRgb(themeColor('--vscode-charts-blue', '#3794ff')),
    toRgb(themeColor('--vscode-charts-purple', '#b180d7')),
    toRgb(themeColor('--vscode-charts-orange', '#d18616')),
  ];
  return {
    stops: stops.map(hex),
    at: (u) => {
      const t = Math.max(0, Math.min(1, u)) * (stops.length - 1);
      const i = Math.min(stops.length - 2, Math.floor(t));
      const a = stops[i]!;
      const b = stops[i + 1]!;
      const f = t - i;
      return hex([0, 1, 2].map((k) => a[k]! + (b[k]! - a[k]!) * f) as Rgb);
    },
  };
}

/** How good each run's value of a metric is among the runs: 0 the worst, 1 the best. */
export interface MetricGrade {
  unit(run: Run): number | undefined;
  worst: number;
  best: number;
}

/** The grade of a metric over runs by its goal; undefined when no run has a finite value. */
export function metricGrade(column: Column, goal: Goal, runs: Run[]): MetricGrade | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const r of runs) {
    const v = column.get(r);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return undefined;
  return {
    worst: goal === 'max' ? min : max,
    best: goal === 'max' ? max : min,
    unit: (r) => {
      const v = column.get(r);
      if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
      const u = max === min ? 1 : (v - min) / (max - min);
      return goal === 'max' ? u : 1 - u;
    },
  };
}
