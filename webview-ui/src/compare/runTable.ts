// The run table: a grid virtualized in both directions (only the rows and columns in view exist
// in the DOM), so 10,000 runs × 500 columns scroll smoothly. Keyboard: arrows, Page Up/Down,
// Home/End, Space selects, Enter opens the run (or sorts, on the header), P pins.
import { frameThrottle, h, seriesColor } from '../shared/dom.js';
import type { Column, Run } from './runModel.js';

export const rowHeight = 24;
const headerHeight = 48; // group row + name row

export interface TableData {
  runs: Run[];
  /** columns[0] is the run name, drawn sticky at the left with the select and pin controls. */
  columns: Column[];
  best: Map<string, number>;
  selected: Set<string>;
  pinned: Set<string>;
  /** Run id → colour index (seriesColor) of the charted runs, shown as a swatch by the name. */
  colors: Map<string, number>;
  sort: { key: string; dir: 1 | -1 } | null;
  widths: Record<string, number>;
  /** Said after the last column: a group of columns hidden because they are equal in every run. */
  notes: TableNote[];
}

export interface TableNote {
  kind: 'param' | 'metric';
  /** One line, e.g. "All 3 metrics are equal across these runs: epochs 4, …". */
  text: string;
}

const noteWidth = 520;

export interface TableCallbacks {
  sort(key: string): void;
  toggleSelected(runId: string): void;
  togglePinned(runId: string): void;
  open(runId: string): void;
  resize(key: string, width: number): void;
  viewChanged(view: { activeRow: number; activeCol: number; top: number; left: number }): void;
}

export function defaultWidth(column: Column): number {
  switch (column.key) {
    case 'run:name':
      return 220;
    case 'run:started':
      return 145;
    case 'run:id':
      return 160;
    default:
      return column.kind === 'run' ? 90 : 100;
  }
}

const groupTitle = { run: 'Run', param: 'Params', metric: 'Metrics' } as const;

export class RunTable {
  readonly element: HTMLElement;
  private readonly inner: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private data: TableData | undefined;
  private offsets: number[] = [];
  private activeRow: number;
  private activeCol: number;
  private readonly scheduleRender = frameThrottle(() => this.render());

  constructor(
    private readonly cb: TableCallbacks,
    initial: { activeRow: number; activeCol: number },
  ) {
    this.activeRow = initial.activeRow;
    this.activeCol = initial.activeCol;
    this.header = h('div', { className: 'grid-header', role: 'rowgroup' });
    this.body = h('div', { className: 'grid-body', role: 'rowgroup' });
    this.inner = h('div', { className: 'grid-inner' }, this.header, this.body);
    this.element = h(
      'div',
      {
        className: 'grid',
        role: 'grid',
        tabindex: 0,
        'aria-label': 'Runs',
        'aria-multiselectable': 'true',
      },
      this.inner,
    );
    this.element.addEventListener('scroll', () => {
      this.scheduleRender();
      this.notify();
    });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('click', (e) => this.onClick(e));
    this.element.addEventListener('dblclick', (e) => {
      const row = this.rowOf(e.target);
      if (row !== undefined) this.cb.open(row.row.id);
    });
    this.element.addEventListener('pointerdown', (e) => this.onResizeStart(e));
    new ResizeObserver(() => this.scheduleRender()).observe(this.element);
  }

  setData(data: TableData): void {
    this.data = data;
    let x = 0;
    this.offsets = data.columns.map((c) => {
      const at = x;
      x += this.width(c);
      return at;
    });
    this.offsets.push(x);
    this.inner.style.width = `${x + data.notes.length * noteWidth}px`;
    if (data.notes.length > 0)
      this.element.setAttribute('aria-description', data.notes.map((n) => n.text).join('. '));
    else this.element.removeAttribute('aria-description');
    this.inner.style.height = `${headerHeight + data.runs.length * rowHeight}px`;
    this.element.setAttribute('aria-rowcount', String(data.runs.length + 1));
    this.element.setAttribute('aria-colcount', String(data.columns.length));
    this.activeRow = Math.max(-1, Math.min(this.activeRow, data.runs.length - 1));
    this.activeCol = Math.max(0, Math.min(this.activeCol, data.columns.length - 1));
    this.render();
  }

  restoreScroll(top: number, left: number): void {
    this.element.scrollTop = top;
    this.element.scrollLeft = left;
    this.render();
  }

  get active(): { row: number; col: number } {
    return { row: this.activeRow, col: this.activeCol };
  }

  private width(c: Column): number {
    return this.data?.widths[c.key] ?? defaultWidth(c);
  }

  private notify(): void {
    this.cb.viewChanged({
      activeRow: this.activeRow,
      activeCol: this.activeCol,
      top: this.element.scrollTop,
      left: this.element.scrollLeft,
    });
  }

  /** Draws the rows and columns in view. */
  render(): void {
    const data = this.data;
    if (data === undefined) return;
    const top = this.element.scrollTop;
    const left = this.element.scrollLeft;
    const viewH = this.element.clientHeight || 600;
    const viewW = this.element.clientWidth || 1000;
    const firstRow = Math.max(0, Math.floor((top - 0) / rowHeight) - 2);
    const lastRow = Math.min(data.runs.length - 1, Math.ceil((top + viewH) / rowHeight) + 2);
    // Column 0 is sticky; the others are in view when they overlap [left, left + viewW].
    const stickyW = data.columns.length > 0 ? this.width(data.columns[0]!) : 0;
    const cols: number[] = data.columns.length > 0 ? [0] : [];
    for (let c = 1; c < data.columns.length; c++) {
      const x0 = this.offsets[c]!;
      const x1 = this.offsets[c + 1]!;
      if (x1 > left + stickyW && x0 < left + viewW) cols.push(c);
    }
    if (this.activeCol > 0 && !cols.includes(this.activeCol)) cols.push(this.activeCol);

    // Header: a group row and a row of column names.
    const groupRow = h('div', { className: 'grid-row group-row', role: 'row', 'aria-rowindex': 1 });
    let lastKind: string | undefined;
    for (const c of cols) {
      const col = data.columns[c]!;
      if (c === 0 || col.kind === lastKind) continue;
      lastKind = col.kind;
      const cell = h('div', { className: `group-cell group-${col.kind}` }, groupTitle[col.kind]);
      cell.style.left = `${Math.max(this.offsets[c]!, left + stickyW)}px`;
      groupRow.append(cell);
    }
    const nameRow = h('div', { className: 'grid-row name-row', role: 'row', 'aria-rowindex': 1 });
    for (const c of cols) nameRow.append(this.headerCell(data, c));
    // Notes stand where the hidden group's columns would be: after the last column.
    data.notes.forEach((note, i) => {
      const at = `${this.offsets[data.columns.length]! + i * noteWidth}px`;
      const group = h('div', { className: `group-cell group-${note.kind}` }, groupTitle[note.kind]);
      group.style.left = at;
      groupRow.append(group);
      const text = h('div', { className: 'head-note muted', title: note.text }, note.text);
      text.style.left = at;
      text.style.width = `${noteWidth}px`;
      nameRow.append(text);
    });
    this.header.replaceChildren(groupRow, nameRow);

    const rows: HTMLElement[] = [];
    for (let r = firstRow; r <= lastRow; r++) rows.push(this.rowElement(data, r, cols));
    this.body.replaceChildren(...rows);
    this.element.setAttribute(
      'aria-activedescendant',
      this.activeRow < 0
        ? `cairn-h-${this.activeCol}`
        : `cairn-c-${this.activeRow}-${this.activeCol}`,
    );
  }

  private headerCell(data: TableData, c: number): HTMLElement {
    const col = data.columns[c]!;
    const sorted = data.sort?.key === col.key ? data.sort.dir : 0;
    const cell = h(
      'div',
      {
        id: `cairn-h-${c}`,
        className: `cell head-cell group-${col.kind}${c === 0 ? ' sticky' : ''}${
          this.activeRow === -1 && this.activeCol === c ? ' active' : ''
        }`,
        role: 'columnheader',
        'aria-colindex': c + 1,
        'aria-sort': sorted === 1 ? 'ascending' : sorted === -1 ? 'descending' : 'none',
        'data-key': col.key,
        title: `${col.kind === 'run' ? '' : `${col.kind}: `}${col.name} — click to sort`,
      },
      h('span', { className: 'head-label' }, col.name),
      sorted === 0
        ? null
        : h('span', {
            className: `codicon codicon-arrow-${sorted === 1 ? 'up' : 'down'} sort-mark`,
            'aria-hidden': 'true',
          }),
      h('span', { className: 'resize-handle', 'data-resize': col.key, 'aria-hidden': 'true' }),
    );
    this.place(cell, c);
    return cell;
  }

  private place(cell: HTMLElement, c: number): void {
    const col = this.data!.columns[c]!;
    cell.style.width = `${this.width(col)}px`;
    if (c > 0) cell.style.left = `${this.offsets[c]!}px`;
  }

  private rowElement(data: TableData, r: number, cols: number[]): HTMLElement {
    const run = data.runs[r]!;
    const id = run.row.id;
    const selected = data.selected.has(id);
    const pinned = data.pinned.has(id);
    const row = h('div', {
      className: `grid-row${selected ? ' selected' : ''}${pinned ? ' pinned' : ''}${
        r === this.activeRow ? ' active-row' : ''
      }`,
      role: 'row',
      'aria-rowindex': r + 2,
      'aria-selected': selected ? 'true' : 'false',
      'data-row': r,
    });
    row.style.top = `${headerHeight + r * rowHeight}px`;
    for (const c of cols) {
      const col = data.columns[c]!;
      const value = col.get(run);
      const text = col.text(value);
      const isBest =
        col.kind === 'metric' && typeof value === 'number' && data.best.get(col.key) === value;
      const cell = h('div', {
        id: `cairn-c-${r}-${c}`,
        className: `cell group-${col.kind}${c === 0 ? ' sticky' : ''}${col.numeric ? ' num' : ''}${
          isBest ? ' best' : ''
        }${r === this.activeRow && c === this.activeCol ? ' active' : ''}${
          col.key === 'run:status' ? ` status-${String(value)}` : ''
        }`,
        role: c === 0 ? 'rowheader' : 'gridcell',
        'aria-colindex': c + 1,
        'data-col': c,
      });
      if (c === 0) {
        const box = h('input', {
          type: 'checkbox',
          tabindex: -1,
          'data-action': 'select',
          'aria-label': 'Select run',
        });
        box.checked = selected;
        cell.append(
          box,
          h('span', {
            className: `codicon ${pinned ? 'codicon-pinned' : 'codicon-pin'} pin`,
            'data-action': 'pin',
            title: pinned ? 'Unpin' : 'Pin to the top',
            'aria-hidden': 'true',
          }),
          this.swatch(data.colors.get(id)),
          h('span', { className: 'name-text' }, text),
        );
      } else {
        cell.textContent = text;
      }
      if (isBest) cell.title = `best ${col.name}`;
      this.place(cell, c);
      row.append(cell);
    }
    return row;
  }

  /** The run's colour in the charts; an empty square keeps the names aligned for the others. */
  private swatch(color: number | undefined): HTMLElement {
    const el = h('span', {
      className: `swatch${color === undefined ? ' none' : ''}`,
      'aria-hidden': 'true',
      title: color === undefined ? undefined : 'Its colour in the charts',
    });
    if (color !== undefined) el.style.backgroundColor = seriesColor(color);
    return el;
  }

  private rowOf(target: EventTarget | null): Run | undefined {
    const rowEl = target instanceof Element ? target.closest('.grid-body .grid-row') : null;
    if (rowEl === null || this.data === undefined) return undefined;
    return this.data.runs[Number(rowEl.getAttribute('data-row'))];
  }

  private onClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null;
    if (target === null || this.data === undefined) return;
    if (target.closest('.resize-handle') !== null) return;
    const head = target.closest('.head-cell');
    if (head !== null) {
      this.cb.sort(head.getAttribute('data-key')!);
      return;
    }
    const rowEl = target.closest('.grid-body .grid-row');
    if (rowEl === null) return;
    const r = Number(rowEl.getAttribute('data-row'));
    const run = this.data.runs[r];
    if (run === undefined) return;
    const cellEl = target.closest('.cell');
    this.activeRow = r;
    if (cellEl !== null) this.activeCol = Number(cellEl.getAttribute('data-col'));
    const action = target.getAttribute('data-action');
    if (action === 'pin') this.cb.togglePinned(run.row.id);
    else if (action === 'select' || e.ctrlKey || e.metaKey || this.activeCol === 0) {
      this.cb.toggleSelected(run.row.id);
    } else this.render();
    this.element.focus({ preventScroll: true });
    this.notify();
  }

  private onKey(e: KeyboardEvent): void {
    const data = this.data;
    if (data === undefined || e.target !== this.element) return;
    const pageRows = Math.max(1, Math.floor(this.element.clientHeight / rowHeight) - 3);
    const lastRow = data.runs.length - 1;
    const lastCol = data.columns.length - 1;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        this.activeRow = Math.min(lastRow, this.activeRow + 1);
        break;
      case 'ArrowUp':
        this.activeRow = Math.max(-1, this.activeRow - 1);
        break;
      case 'ArrowRight':
        this.activeCol = Math.min(lastCol, this.activeCol + 1);
        break;
      case 'ArrowLeft':
        this.activeCol = Math.max(0, this.activeCol - 1);
        break;
      case 'PageDown':
        this.activeRow = Math.min(lastRow, this.activeRow + pageRows);
        break;
      case 'PageUp':
        this.activeRow = Math.max(0, this.activeRow - pageRows);
        break;
      case 'Home':
        if (e.ctrlKey) this.activeRow = 0;
        else this.activeCol = 0;
        break;
      case 'End':
        if (e.ctrlKey) this.activeRow = lastRow;
        else this.activeCol = lastCol;
        break;
      case ' ':
      case 'Enter': {
        if (this.activeRow === -1) {
          const col = data.columns[this.activeCol];
          if (col !== undefined) this.cb.sort(col.key);
          break;
        }
        const run = data.runs[this.activeRow];
        if (run === undefined) break;
        if (e.key === ' ') this.cb.toggleSelected(run.row.id);
        else this.cb.open(run.row.id);
        break;
      }
      case 'p':
      case 'P': {
        const run = data.runs[this.activeRow];
        if (run !== undefined) this.cb.togglePinned(run.row.id);
        break;
      }
      default:
        handled = false;
    }
    if (!handled) return;
    e.preventDefault();
    this.scrollActiveIntoView();
    this.render();
    this.notify();
  }

  private scrollActiveIntoView(): void {
    const data = this.data!;
    const el = this.element;
    if (this.activeRow >= 0) {
      const y = headerHeight + this.activeRow * rowHeight;
      if (y - headerHeight < el.scrollTop) el.scrollTop = y - headerHeight;
      else if (y + rowHeight > el.scrollTop + el.clientHeight) {
        el.scrollTop = y + rowHeight - el.clientHeight;
      }
    }
    if (this.activeCol > 0) {
      const stickyW = this.width(data.columns[0]!);
      const x0 = this.offsets[this.activeCol]!;
      const x1 = this.offsets[this.activeCol + 1]!;
      if (x0 - stickyW < el.scrollLeft) el.scrollLeft = x0 - stickyW;
      else if (x1 > el.scrollLeft + el.clientWidth) el.scrollLeft = x1 - el.clientWidth;
    }
  }

  private onResizeStart(e: PointerEvent): void {
    const handle = e.target instanceof Element ? e.target.closest('.resize-handle') : null;
    if (handle === null || this.data === undefined) return;
    const key = handle.getAttribute('data-resize')!;
    const col = this.data.columns.find((c) => c.key === key);
    if (col === undefined) return;
    e.preventDefault();
    const startX = e.clientX;
    const startW = this.width(col);
    const move = (ev: PointerEvent): void => {
      const w = Math.max(40, Math.min(1000, startW + ev.clientX - startX));
      this.data!.widths[key] = w;
      this.setData(this.data!);
    };
    const up = (): void => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      this.cb.resize(key, this.width(col));
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }
}
