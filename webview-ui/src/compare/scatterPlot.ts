// A scatter of any param or metric (x) against a metric (y), on a canvas. Hover shows the run,
// a click toggles its selection.
import { formatNumber, h, seriesColor, themeColor } from '../shared/dom.js';
import { clipText } from '../shared/clipText.js';
import { axisScale, contentWidth, prepareCanvas, type AxisScale } from './axisScale.js';
import type { Column, Run } from './runModel.js';

export interface ScatterInput {
  x: Column | undefined;
  y: Column | undefined;
  runs: Run[];
  selected: Set<string>;
  /** Run id → colour index of the charted runs: their points have their chart colour. */
  colors: Map<string, number>;
}

const pad = { left: 64, right: 16, top: 12, bottom: 40 };

export class ScatterPlot {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly readout: HTMLElement;
  private input: ScatterInput | undefined;
  private points: { x: number; y: number; run: Run }[] = [];

  constructor(private readonly onToggle: (runId: string) => void) {
    this.canvas = h('canvas', { className: 'scatter-canvas', role: 'img' });
    this.readout = h('div', { className: 'readout muted', 'aria-live': 'polite' });
    this.element = h('div', { className: 'scatter' }, this.canvas, this.readout);
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('click', (e) => {
      const p = this.nearest(e);
      if (p !== undefined) this.onToggle(p.run.row.id);
    });
    new ResizeObserver(() => this.draw()).observe(this.element);
  }

  update(input: ScatterInput): void {
    this.input = input;
    this.draw();
  }

  draw(): void {
    const input = this.input;
    if (input === undefined) return;
    const w = Math.max(300, contentWidth(this.element, 800));
    const height = 300;
    const ctx = prepareCanvas(this.canvas, w, height);
    const fg = themeColor('--vscode-foreground', '#888');
    const grid = themeColor('--vscode-editorWidget-border', '#8884');
    // Runs outside the charts in grey: a blue of their own would pass for the first run colour.
    const others = themeColor('--vscode-descriptionForeground', '#888');
    ctx.clearRect(0, 0, w, height);
    ctx.font = `11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    this.points = [];
    if (input.x === undefined || input.y === undefined) {
      ctx.fillStyle = fg;
      ctx.fillText('Choose a column for each axis.', 12, 24);
      return;
    }
    const sx: AxisScale = axisScale(input.x, input.runs);
    const sy: AxisScale = axisScale(input.y, input.runs);
    const pw = w - pad.left - pad.right;
    const ph = height - pad.top - pad.bottom;
    ctx.strokeStyle = grid;
    ctx.fillStyle = fg;
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    for (const t of sx.ticks()) {
      const x = pad.left + (0.04 + 0.92 * t.u) * pw;
      ctx.beginPath();
      ctx.moveTo(x, pad.top);
      ctx.lineTo(x, pad.top + ph);
      ctx.stroke();
      ctx.fillText(clipText(ctx, t.label, 90), x, pad.top + ph + 14);
    }
    ctx.fillText(clipText(ctx, input.x.name, pw), pad.left + pw / 2, height - 6);
    ctx.textAlign = 'right';
    for (const t of sy.ticks()) {
      const y = pad.top + (1 - (0.04 + 0.92 * t.u)) * ph;
      ctx.beginPath();
      ctx.moveTo(pad.left, y);
      ctx.lineTo(pad.left + pw, y);
      ctx.stroke();
      ctx.fillText(clipText(ctx, t.label, pad.left - 8), pad.left - 6, y + 4);
    }
    ctx.textAlign = 'left';
    const jitter = (r: Run, scale: AxisScale): number =>
      scale.categorical
        ? (((hash(r.row.id) % 1000) / 1000 - 0.5) * 0.3) / Math.max(1, scale.max)
        : 0;
    for (const run of input.runs) {
      const ux = sx.toUnit(input.x.get(run));
      const uy = sy.toUnit(input.y.get(run));
      if (ux === undefined || uy === undefined) continue;
      // 4% margins keep points on the extremes inside the plot.
      const inset = (u: number): number => 0.04 + 0.92 * u;
      this.points.push({
        x: pad.left + inset(ux + jitter(run, sx)) * pw,
        y: pad.top + (1 - inset(uy + jitter(run, sy))) * ph,
        run,
      });
    }
    ctx.globalAlpha = this.points.length > 2000 ? 0.4 : 0.8;
    ctx.fillStyle = others;
    for (const p of this.points) {
      if (input.colors.has(p.run.row.id)) continue;
      ctx.beginPath();
      ctx.arc(p.x, p.y, 3, 0, Math.PI * 2);
      ctx.fill();
    }
    // Charted runs on top in their colours; the selected ones ringed.
    ctx.globalAlpha = 1;
    ctx.strokeStyle = fg;
    for (const p of this.points) {
      const color = input.colors.get(p.run.row.id);
      if (color === undefined) continue;
      ctx.fillStyle = seriesColor(color);
      ctx.beginPath();
      ctx.arc(p.x, p.y, 5, 0, Math.PI * 2);
      ctx.fill();
      if (input.selected.has(p.run.row.id)) ctx.stroke();
    }
    this.canvas.setAttribute(
      'aria-label',
      `Scatter of ${input.y.name} against ${input.x.name}, ${this.points.length} runs`,
    );
  }

  private nearest(e: MouseEvent): { x: number; y: number; run: Run } | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const mx = e.clientX - rect.left;
    const my = e.clientY - rect.top;
    let best: { x: number; y: number; run: Run } | undefined;
    let bestD = 100; // within 10 px
    for (const p of this.points) {
      const d = (p.x - mx) ** 2 + (p.y - my) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    return best;
  }

  private onMove(e: PointerEvent): void {
    const input = this.input;
    const p = this.nearest(e);
    if (p === undefined || input?.x === undefined || input.y === undefined) {
      this.readout.textContent = '';
      return;
    }
    const xv = input.x.get(p.run);
    const yv = input.y.get(p.run);
    this.readout.textContent = `${p.run.row.name} — ${input.x.name}: ${
      typeof xv === 'number' ? formatNumber(xv) : String(xv)
    }, ${input.y.name}: ${typeof yv === 'number' ? formatNumber(yv) : String(yv)}`;
  }
}

function hash(s: string): number {
  let x = 2166136261;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 16777619);
  return x >>> 0;
}
