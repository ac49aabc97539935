// Parallel coordinates over params and one metric, drawn on a canvas. Dragging along an axis
// brushes a range; the brushes (AND-ed) filter the run table. A click on an axis clears its brush.
import { h, seriesColor, themeColor } from '../shared/dom.js';
import type { Goal } from '../../../src/protocol/compare.js';
import { clipText, wrapText } from '../shared/clipText.js';
import { goalColorScale, metricGrade } from './colorScale.js';
import { axisScale, contentWidth, prepareCanvas, type AxisScale } from './axisScale.js';
import type { Column, Run } from './runModel.js';

export interface ParallelInput {
  columns: Column[];
  runs: Run[];
  selected: Set<string>;
  /** Run id → colour index of the charted runs: their lines have their chart colour. */
  colors: Map<string, number>;
  brushes: Record<string, [number, number]>;
  /** Lines coloured by how good this metric is (a colour scale), or null: by the run colours. */
  colorBy: { column: Column; goal: Goal } | null;
}

const pad = { top: 34, bottom: 24, side: 60 };

export class ParallelCoords {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private input: ParallelInput | undefined;
  private scales: AxisScale[] = [];
  private drag: { axis: number; y0: number; y1: number } | undefined;

  constructor(private readonly onBrush: (brushes: Record<string, [number, number]>) => void) {
    this.canvas = h('canvas', {
      className: 'parallel-canvas',
      role: 'img',
      'aria-label': 'Parallel coordinates of params and a metric; drag along an axis to filter',
    });
    this.element = h('div', { className: 'parallel' }, this.canvas);
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  update(input: ParallelInput): void {
    this.input = input;
    this.scales = input.columns.map((c) => axisScale(c, input.runs));
    this.draw();
  }

  private size(): { w: number; h: number } {
    return { w: Math.max(300, contentWidth(this.element, 800)), h: 300 };
  }

  private axisX(i: number, w: number): number {
    const n = this.scales.length;
    return n <= 1 ? w / 2 : pad.side + ((w - 2 * pad.side) * i) / (n - 1);
  }

  private unitY(u: number, height: number): number {
    return pad.top + (1 - u) * (height - pad.top - pad.bottom);
  }

  /** Whether a run passes every brush. */
  static inBrushes(
    run: Run,
    scales: AxisScale[],
    brushes: Record<string, [number, number]>,
  ): boolean {
    for (const s of scales) {
      const b = brushes[s.column.key];
      if (b === undefined) continue;
      const v = s.toNumber(s.column.get(run));
      if (v === undefined || v < b[0] || v > b[1]) return false;
    }
    return true;
  }

  draw(): void {
    const input = this.input;
    if (input === undefined) return;
    const { w, h: height } = this.size();
    const ctx = prepareCanvas(this.canvas, w, height);
    const fg = themeColor('--vscode-foreground', '#888');
    const muted = themeColor('--vscode-disabledForeground', '#8888');
    const accent = themeColor('--vscode-charts-blue', '#3794ff');
    const brushFill = themeColor('--vscode-editor-selectionBackground', '#3794ff44');
    ctx.clearRect(0, 0, w, height);
    if (this.scales.length === 0) {
      ctx.fillStyle = fg;
      ctx.font = '12px sans-serif';
      ctx.fillText('No params or metrics to show.', 12, 24);
      return;
    }
    const brushes = { ...input.brushes };
    if (this.drag !== undefined) {
      const s = this.scales[this.drag.axis]!;
      const u0 = this.yToUnit(this.drag.y0, height);
      const u1 = this.yToUnit(this.drag.y1, height);
      brushes[s.column.key] = [s.fromUnit(Math.min(u0, u1)), s.fromUnit(Math.max(u0, u1))];
    }
    const inside: Run[] = [];
    const outside: Run[] = [];
    for (const r of input.runs) {
      (ParallelCoords.inBrushes(r, this.scales, brushes) ? inside : outside).push(r);
    }
    const line = (r: Run): void => {
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < this.scales.length; i++) {
        const s = this.scales[i]!;
        const u = s.toUnit(s.column.get(r));
        if (u === undefined) {
          pen = false;
          continue;
        }
        const x = this.axisX(i, w);
        const y = this.unitY(u, height);
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      }
      ctx.stroke();
    };
    const many = input.runs.length > 2000;
    ctx.lineWidth = 1;
    ctx.globalAlpha = many ? 0.15 : 0.35;
    ctx.strokeStyle = muted;
    for (const r of outside) line(r);
    const grade =
      input.colorBy === null
        ? undefined
        : metricGrade(input.colorBy.column, input.colorBy.goal, input.runs);
    if (grade !== undefined) {
      // By the metric: worse runs first, so the better ones are drawn on top; no value is muted.
      const scale = goalColorScale();
      const graded = inside
        .map((r) => ({ r, u: grade.unit(r) }))
        .sort((a, b) => (a.u ?? -1) - (b.u ?? -1));
      ctx.globalAlpha = many ? 0.25 : 0.85;
      for (const { r, u } of graded) {
        ctx.strokeStyle = u === undefined ? muted : scale.at(u);
        line(r);
      }
      ctx.globalAlpha = 1;
      ctx.lineWidth = 2.5;
      for (const { r, u } of graded) {
        if (!input.selected.has(r.row.id)) continue;
        ctx.strokeStyle = u === undefined ? muted : scale.at(u);
        line(r);
      }
    } else {
      ctx.globalAlpha = many ? 0.25 : 0.8;
      // Runs outside the charts in grey: blue would pass for the first run colour.
      ctx.strokeStyle = themeColor('--vscode-descriptionForeground', '#888');
      for (const r of inside) if (!input.colors.has(r.row.id)) line(r);
      ctx.globalAlpha = 1;
      ctx.lineWidth = 2.5;
      for (const r of inside) {
        const color = input.colors.get(r.row.id);
        if (color === undefined) continue;
        ctx.strokeStyle = seriesColor(color);
        line(r);
      }
    }
    // Axes, ticks, brushes and names.
    ctx.lineWidth = 1;
    ctx.font = `11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    const slot = this.scales.length > 1 ? (w - 2 * pad.side) / (this.scales.length - 1) : w;
    for (let i = 0; i < this.scales.length; i++) {
      const s = this.scales[i]!;
      const x = this.axisX(i, w);
      const b = brushes[s.column.key];
      if (b !== undefined) {
        const ya = this.unitY((b[1] - s.min) / (s.max - s.min || 1), height);
        const yb = this.unitY((b[0] - s.min) / (s.max - s.min || 1), height);
        ctx.fillStyle = brushFill;
        ctx.fillRect(x - 8, Math.min(ya, yb), 16, Math.max(2, Math.abs(yb - ya)));
        ctx.strokeStyle = accent;
        ctx.strokeRect(x - 8, Math.min(ya, yb), 16, Math.max(2, Math.abs(yb - ya)));
      }
      ctx.strokeStyle = fg;
      ctx.globalAlpha = 0.7;
      ctx.beginPath();
      ctx.moveTo(x, pad.top);
      ctx.lineTo(x, height - pad.bottom);
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.fillStyle = fg;
      const label = `${s.column.kind === 'metric' ? '▲ ' : ''}${s.column.name}`;
      // A name has the room between the midpoints to its neighbours (the canvas edge for the outer
      // axes), on two lines: centred on its axis where it fits, pushed inwards where it does not.
      const n = this.scales.length;
      const lo = i === 0 ? 4 : (this.axisX(i - 1, w) + x) / 2 + 4;
      const hi = i === n - 1 ? w - 4 : (x + this.axisX(i + 1, w)) / 2 - 4;
      ctx.textAlign = 'left';
      wrapText(ctx, label, hi - lo, 2).forEach((text, k) => {
        const tw = ctx.measureText(text).width;
        ctx.fillText(text, Math.max(lo, Math.min(x - tw / 2, hi - tw)), 12 + k * 12);
      });
      ctx.textAlign = i === this.scales.length - 1 && this.scales.length > 1 ? 'right' : 'left';
      const tx = ctx.textAlign === 'right' ? x - 5 : x + 5;
      for (const t of s.ticks()) {
        ctx.fillText(
          clipText(ctx, t.label, Math.max(30, slot / 2 - 8)),
          tx,
          this.unitY(t.u, height) + 4,
        );
      }
    }
    ctx.textAlign = 'left';
    this.canvas.setAttribute(
      'aria-label',
      `Parallel coordinates: ${inside.length} of ${input.runs.length} runs inside the brushes`,
    );
  }

  private yToUnit(y: number, height: number): number {
    return Math.max(0, Math.min(1, 1 - (y - pad.top) / (height - pad.top - pad.bottom)));
  }

  private axisAt(x: number): number | undefined {
    const { w } = this.size();
    for (let i = 0; i < this.scales.length; i++) {
      if (Math.abs(this.axisX(i, w) - x) <= 14) return i;
    }
    return undefined;
  }

  private onDown(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const axis = this.axisAt(e.clientX - rect.left);
    if (axis === undefined) return;
    const y = e.clientY - rect.top;
    this.drag = { axis, y0: y, y1: y };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    if (this.drag === undefined) return;
    this.drag.y1 = e.clientY - this.canvas.getBoundingClientRect().top;
    this.draw();
  }

  private onUp(e: PointerEvent): void {
    const drag = this.drag;
    if (drag === undefined || this.input === undefined) return;
    this.drag = undefined;
    drag.y1 = e.clientY - this.canvas.getBoundingClientRect().top;
    const s = this.scales[drag.axis]!;
    const brushes = { ...this.input.brushes };
    if (Math.abs(drag.y1 - drag.y0) < 3) delete brushes[s.column.key];
    else {
      const { h: height } = this.size();
      const u0 = this.yToUnit(drag.y0, height);
      const u1 = this.yToUnit(drag.y1, height);
      brushes[s.column.key] = [s.fromUnit(Math.min(u0, u1)), s.fromUnit(Math.max(u0, u1))];
    }
    this.onBrush(brushes);
  }

  /** The axes' scales, for filtering the table with the same mapping the drawing uses. */
  get axisScales(): AxisScale[] {
    return this.scales;
  }
}
