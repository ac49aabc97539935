// Draws the lineage graph on a canvas (only what is in view), with pan (drag), zoom (wheel, + and
// -, 0 to fit) and keyboard navigation between nodes (arrows follow edges and layers).
import type { LineageNode } from '../../../src/protocol/lineage.js';
import { clipText } from '../shared/clipText.js';
import { frameThrottle, h, onThemeChange, themeColor } from '../shared/dom.js';
import { layoutGraph, nodeHeight, nodeWidth, reachable, type Layout } from './layout.js';

export interface Transform {
  scale: number;
  tx: number;
  ty: number;
}

export type Highlight = 'lineage' | 'stale';

export interface GraphCallbacks {
  focusChanged(index: number): void;
  activate(index: number): void;
  transformChanged(t: Transform): void;
}

/** Below this zoom node labels are too small to read, so Fit stops here. */
export const MIN_FIT_SCALE = 0.6;

const kindLetter = { data: 'D', model: 'M', run: 'R', commit: 'C' } as const;

export class GraphView {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  nodes: LineageNode[] = [];
  layout: Layout | undefined;
  focus = -1;
  selected = -1;
  highlight: Highlight = 'lineage';
  t: Transform = { scale: 1, tx: 20, ty: 20 };
  private upstream = new Set<number>();
  private downstream = new Set<number>();
  private readonly scheduleDraw = frameThrottle(() => this.draw());
  private dragStart: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;

  constructor(private readonly cb: GraphCallbacks) {
    this.canvas = h('canvas', {
      className: 'graph-canvas',
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'lineage graph',
      'aria-label':
        'Lineage graph. Arrow keys move between nodes along edges, Enter shows details, plus and minus zoom, 0 fits.',
    });
    this.element = h('div', { className: 'graph' }, this.canvas);
    new ResizeObserver(() => this.draw()).observe(this.element);
    onThemeChange(() => this.draw());
    this.canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onUp(e));
    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
  }

  setGraph(nodes: LineageNode[], edges: { from: string; to: string }[]): void {
    this.nodes = nodes;
    this.layout = layoutGraph({ ids: nodes.map((n) => n.id), edges });
    if (this.focus >= nodes.length) this.focus = -1;
    if (this.selected >= nodes.length) this.selected = -1;
    this.computeHighlight();
    this.draw();
  }

  select(index: number): void {
    this.selected = index;
    this.computeHighlight();
    this.scheduleDraw();
  }

  setFocus(index: number, reveal = true): void {
    this.focus = index;
    if (reveal) this.reveal(index);
    this.scheduleDraw();
    this.cb.focusChanged(index);
  }

  setHighlight(mode: Highlight): void {
    this.highlight = mode;
    this.scheduleDraw();
  }

  /** Scrolls so that a node is in view (keeping the zoom). */
  reveal(index: number): void {
    const l = this.layout;
    if (l === undefined || index < 0) return;
    const { w, h: height } = this.size();
    const sx = l.x[index]! * this.t.scale + this.t.tx;
    const sy = l.y[index]! * this.t.scale + this.t.ty;
    const nw = nodeWidth * this.t.scale;
    const nh = nodeHeight * this.t.scale;
    if (sx < 10 || sx + nw > w - 10)
      this.t.tx = w / 2 - (l.x[index]! + nodeWidth / 2) * this.t.scale;
    if (sy < 10 || sy + nh > height - 10) {
      this.t.ty = height / 2 - (l.y[index]! + nodeHeight / 2) * this.t.scale;
    }
    this.cb.transformChanged(this.t);
  }

  /** The first view of a graph: readable text at the top left, or the whole graph if it fits. */
  initialView(): void {
    this.fit();
    if (this.t.scale < 0.75) this.t = { scale: 0.75, tx: 20, ty: 20 };
    this.cb.transformChanged(this.t);
  }

  /**
   * Fits the graph in view, but never below the zoom where labels can still be read: a graph too
   * big for that is shown at that zoom from its start (or around the focused node), and the user
   * pans from there. Zoom out (-) still goes further.
   */
  fit(): void {
    const l = this.layout;
    if (l === undefined) return;
    const { w, h: height } = this.size();
    const whole = Math.min(
      1.5,
      (w - 40) / Math.max(1, l.width),
      (height - 40) / Math.max(1, l.height),
    );
    if (whole >= MIN_FIT_SCALE) {
      this.t = {
        scale: whole,
        tx: (w - l.width * whole) / 2,
        ty: Math.max(20, (height - l.height * whole) / 2),
      };
    } else {
      const scale = MIN_FIT_SCALE;
      this.t = { scale, tx: 20, ty: Math.max(20, (height - l.height * scale) / 2) };
      if (l.width * scale + 40 <= w) this.t.tx = (w - l.width * scale) / 2;
      const around = this.selected >= 0 ? this.selected : this.focus;
      if (around >= 0) this.reveal(around);
    }
    this.cb.transformChanged(this.t);
    this.scheduleDraw();
  }

  zoomBy(factor: number, cx?: number, cy?: number): void {
    const { w, h: height } = this.size();
    const x = cx ?? w / 2;
    const y = cy ?? height / 2;
    const scale = Math.max(0.03, Math.min(4, this.t.scale * factor));
    const k = scale / this.t.scale;
    this.t = { scale, tx: x - (x - this.t.tx) * k, ty: y - (y - this.t.ty) * k };
    this.cb.transformChanged(this.t);
    this.scheduleDraw();
  }

  private computeHighlight(): void {
    const l = this.layout;
    if (l === undefined || this.selected < 0) {
      this.upstream = new Set();
      this.downstream = new Set();
      return;
    }
    this.upstream = reachable(this.selected, l.preds);
    this.downstream = reachable(this.selected, l.succs);
  }

  /** Nodes the current highlight emphasises (all when nothing is highlighted). */
  emphasised(i: number): boolean {
    if (this.highlight === 'stale') return this.nodes[i]!.stale;
    if (this.selected < 0) return true;
    return i === this.selected || this.upstream.has(i) || this.downstream.has(i);
  }

  get upstreamOfSelected(): Set<number> {
    return this.upstream;
  }

  get downstreamOfSelected(): Set<number> {
    return this.downstream;
  }

  private size(): { w: number; h: number } {
    return { w: this.element.clientWidth || 800, h: this.element.clientHeight || 600 };
  }

  draw(): void {
    const l = this.layout;
    const { w, h: height } = this.size();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${height}px`;
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, height);
    if (l === undefined || this.nodes.length === 0) {
      ctx.fillStyle = themeColor('--vscode-descriptionForeground', '#888');
      ctx.font = `13px ${themeColor('--vscode-font-family', 'sans-serif')}`;
      ctx.fillText(
        'No lineage yet: runs that read and write tracked artifacts appear here.',
        16,
        28,
      );
      return;
    }
    const { scale, tx, ty } = this.t;
    const colors = {
      fg: themeColor('--vscode-foreground', '#333'),
      muted: themeColor('--vscode-descriptionForeground', '#888'),
      edge: themeColor('--vscode-editorWidget-border', '#8888'),
      nodeBg: themeColor('--vscode-editorWidget-background', '#f3f3f3'),
      nodeBorder: themeColor(
        '--vscode-contrastBorder',
        themeColor('--vscode-editorWidget-border', '#8888'),
      ),
      focus: themeColor('--vscode-focusBorder', '#0078d4'),
      up: themeColor('--vscode-charts-purple', '#b180d7'),
      down: themeColor('--vscode-charts-blue', '#3794ff'),
      stale: themeColor('--vscode-editorWarning-foreground', '#cca700'),
      data: themeColor('--vscode-charts-green', '#388a34'),
      model: themeColor('--vscode-charts-orange', '#d18616'),
      run: themeColor('--vscode-charts-blue', '#3794ff'),
      commit: themeColor('--vscode-charts-purple', '#b180d7'),
      failed: themeColor('--vscode-errorForeground', '#f14c4c'),
    };
    const x0 = -tx / scale;
    const y0 = -ty / scale;
    const x1 = (w - tx) / scale;
    const y1 = (height - ty) / scale;
    const inView = (i: number): boolean =>
      l.x[i]! + nodeWidth >= x0 && l.x[i]! <= x1 && l.y[i]! + nodeHeight >= y0 && l.y[i]! <= y1;
    ctx.save();
    ctx.translate(tx, ty);
    ctx.scale(scale, scale);
    // Edges first.
    ctx.lineWidth = 1 / Math.min(1, scale);
    for (let a = 0; a < l.succs.length; a++) {
      for (const b of l.succs[a]!) {
        const ax = l.x[a]! + nodeWidth;
        const ay = l.y[a]! + nodeHeight / 2;
        const bx = l.x[b]!;
        const by = l.y[b]! + nodeHeight / 2;
        if (
          Math.max(ax, bx) < x0 ||
          Math.min(ax, bx) > x1 ||
          Math.max(ay, by) < y0 ||
          Math.min(ay, by) > y1
        ) {
          continue;
        }
        const onPath =
          this.highlight === 'lineage' &&
          this.selected >= 0 &&
          ((a === this.selected || this.upstream.has(a)) &&
          (b === this.selected || this.upstream.has(b))
            ? 'up'
            : (a === this.selected || this.downstream.has(a)) &&
                (b === this.selected || this.downstream.has(b))
              ? 'down'
              : false);
        ctx.strokeStyle =
          onPath === 'up' ? colors.up : onPath === 'down' ? colors.down : colors.edge;
        ctx.globalAlpha =
          onPath !== false ? 1 : this.emphasised(a) && this.emphasised(b) ? 0.8 : 0.2;
        ctx.lineWidth = (onPath !== false ? 2 : 1) / Math.min(1, scale);
        const mx = (ax + bx) / 2;
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.bezierCurveTo(mx, ay, mx, by, bx, by);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
    const detailed = scale >= 0.35;
    ctx.font = `12px ${themeColor('--vscode-font-family', 'sans-serif')}`;
    ctx.textBaseline = 'middle';
    for (let i = 0; i < this.nodes.length; i++) {
      if (!inView(i)) continue;
      const node = this.nodes[i]!;
      const x = l.x[i]!;
      const y = l.y[i]!;
      ctx.globalAlpha = this.emphasised(i) ? 1 : 0.4;
      const kindColor = colors[node.kind];
      ctx.fillStyle = colors.nodeBg;
      ctx.beginPath();
      ctx.roundRect(x, y, nodeWidth, nodeHeight, node.kind === 'run' ? 10 : 3);
      ctx.fill();
      let border = colors.nodeBorder;
      let borderW = 1;
      if (node.stale) {
        border = colors.stale;
        borderW = 2;
      }
      if (i === this.selected) {
        border = colors.focus;
        borderW = 2.5;
      } else if (this.highlight === 'lineage' && this.upstream.has(i)) {
        border = colors.up;
        borderW = 2;
      } else if (this.highlight === 'lineage' && this.downstream.has(i)) {
        border = colors.down;
        borderW = 2;
      }
      ctx.strokeStyle = border;
      ctx.lineWidth = borderW;
      ctx.stroke();
      ctx.fillStyle = kindColor;
      ctx.fillRect(x + 1, y + 4, 4, nodeHeight - 8);
      if (detailed) {
        ctx.fillStyle = kindColor;
        ctx.font = `bold 11px ${themeColor('--vscode-font-family', 'sans-serif')}`;
        ctx.fillText(kindLetter[node.kind], x + 10, y + nodeHeight / 2);
        ctx.font = `12px ${themeColor('--vscode-font-family', 'sans-serif')}`;
        ctx.fillStyle = node.status === 'failed' ? colors.failed : colors.fg;
        const tag = node.stale ? ' ⚠' : node.current ? ' ●' : '';
        ctx.fillText(clipText(ctx, node.label, nodeWidth - 34) + tag, x + 24, y + nodeHeight / 2);
      }
      if (i === this.focus && document.activeElement === this.canvas) {
        ctx.globalAlpha = 1;
        ctx.setLineDash([3, 2]);
        ctx.strokeStyle = colors.focus;
        ctx.lineWidth = 2;
        ctx.strokeRect(x - 4, y - 4, nodeWidth + 8, nodeHeight + 8);
        ctx.setLineDash([]);
      }
    }
    ctx.restore();
    ctx.globalAlpha = 1;
  }

  /** The node under a point in CSS pixels, or -1. */
  hit(px: number, py: number): number {
    const l = this.layout;
    if (l === undefined) return -1;
    const gx = (px - this.t.tx) / this.t.scale;
    const gy = (py - this.t.ty) / this.t.scale;
    for (let i = 0; i < this.nodes.length; i++) {
      if (
        gx >= l.x[i]! &&
        gx <= l.x[i]! + nodeWidth &&
        gy >= l.y[i]! &&
        gy <= l.y[i]! + nodeHeight
      ) {
        return i;
      }
    }
    return -1;
  }

  /** Screen position (CSS px, relative to the canvas) of a node's centre. */
  centreOf(i: number): { x: number; y: number } {
    const l = this.layout!;
    return {
      x: (l.x[i]! + nodeWidth / 2) * this.t.scale + this.t.tx,
      y: (l.y[i]! + nodeHeight / 2) * this.t.scale + this.t.ty,
    };
  }

  private onDown(e: PointerEvent): void {
    this.dragStart = { x: e.clientX, y: e.clientY, tx: this.t.tx, ty: this.t.ty, moved: false };
    this.canvas.setPointerCapture(e.pointerId);
  }

  private onMove(e: PointerEvent): void {
    const d = this.dragStart;
    if (d === undefined) {
      // The full label on hover (the node shows it cut to its width), and its detail line
      // (the commits that introduced a version, a run's task and status).
      const rect = this.canvas.getBoundingClientRect();
      const i = this.hit(e.clientX - rect.left, e.clientY - rect.top);
      const node = i >= 0 ? this.nodes[i]! : undefined;
      const title =
        node === undefined ? '' : node.detail === '' ? node.label : `${node.label}\n${node.detail}`;
      if (this.canvas.title !== title) this.canvas.title = title;
      return;
    }
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    d.moved = true;
    this.t.tx = d.tx + dx;
    this.t.ty = d.ty + dy;
    this.scheduleDraw();
  }

  private onUp(e: PointerEvent): void {
    const d = this.dragStart;
    this.dragStart = undefined;
    if (d === undefined) return;
    if (d.moved) {
      this.cb.transformChanged(this.t);
      return;
    }
    const rect = this.canvas.getBoundingClientRect();
    const i = this.hit(e.clientX - rect.left, e.clientY - rect.top);
    this.canvas.focus({ preventScroll: true });
    if (i >= 0) {
      this.setFocus(i, false);
      this.cb.activate(i);
    }
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    this.zoomBy(Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
  }

  private onKey(e: KeyboardEvent): void {
    const l = this.layout;
    if (l === undefined || this.nodes.length === 0) return;
    let next = this.focus;
    const cur = this.focus < 0 ? 0 : this.focus;
    const nearest = (cands: number[]): number => {
      if (cands.length === 0) return cur;
      let best = cands[0]!;
      for (const c of cands)
        if (Math.abs(l.y[c]! - l.y[cur]!) < Math.abs(l.y[best]! - l.y[cur]!)) best = c;
      return best;
    };
    const inLayer = l.layers[l.layer[cur]!]!;
    const pos = inLayer.indexOf(cur);
    switch (e.key) {
      case 'ArrowRight':
        next =
          this.focus < 0
            ? 0
            : nearest(
                l.succs[cur]!.length > 0 ? l.succs[cur]! : (l.layers[l.layer[cur]! + 1] ?? []),
              );
        break;
      case 'ArrowLeft':
        next =
          this.focus < 0
            ? 0
            : nearest(
                l.preds[cur]!.length > 0 ? l.preds[cur]! : (l.layers[l.layer[cur]! - 1] ?? []),
              );
        break;
      case 'ArrowDown':
        next = this.focus < 0 ? 0 : (inLayer[pos + 1] ?? cur);
        break;
      case 'ArrowUp':
        next = this.focus < 0 ? 0 : (inLayer[pos - 1] ?? cur);
        break;
      case 'Home':
        next = l.layers[0]?.[0] ?? 0;
        break;
      case 'Enter':
      case ' ':
        if (this.focus >= 0) this.cb.activate(this.focus);
        else this.setFocus(0);
        e.preventDefault();
        return;
      case '+':
      case '=':
        this.zoomBy(1.25);
        e.preventDefault();
        return;
      case '-':
        this.zoomBy(0.8);
        e.preventDefault();
        return;
      case '0':
        this.fit();
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    if (next !== this.focus) this.setFocus(next);
  }
}
