// The drift page's table of columns, flagged first: filtered by name and by verdict, with one
// selected column that the arrow keys move (the table is one tab stop, aria-activedescendant
// names the row).
import type { ColumnDriftView, DriftState } from '../../../src/protocol/drift.js';
import { h } from '../shared/dom.js';
import { keyTarget } from '../shared/listKeys.js';
import { formatStat, percent, typeBadge } from '../shared/statCharts.js';
import { driftBadge, fixed, fromTo, pValue } from './driftFormat.js';

const headings = [
  ['Column', ''],
  ['Type', ''],
  ['Drift', ''],
  ['PSI', 'num'],
  ['KS D', 'num'],
  ['KS p', 'num'],
  ['Missing', 'num'],
  ['Mean', 'num'],
  ['Reasons', ''],
] as const;

function cell(text: string, className = ''): HTMLTableCellElement {
  return h('td', { className }, text);
}

function rowFor(c: ColumnDriftView, i: number, selected: string | null): HTMLTableRowElement {
  const missing =
    c.from !== null && c.to !== null
      ? fromTo(percent(c.from.missingRate), percent(c.to.missingRate))
      : '–';
  const mean =
    c.from !== null && c.to !== null && c.type === 'number'
      ? fromTo(formatStat(c.from.mean), formatStat(c.to.mean))
      : '–';
  return h(
    'tr',
    {
      id: `col-${i}`,
      className: c.drifted ? 'drifted' : '',
      'aria-selected': String(selected === c.name),
      'data-index': i,
    },
    h('td', { className: 'name', title: c.name }, c.name),
    h('td', {}, typeBadge(c.type)),
    h('td', {}, driftBadge(c)),
    cell(fixed(c.psi, 3), 'num'),
    cell(c.ks === null ? '–' : fixed(c.ks.statistic, 3), 'num'),
    cell(c.ks === null ? '–' : pValue(c.ks.pValue), 'num'),
    cell(missing, 'num'),
    cell(mean, 'num'),
    h('td', { className: 'reasons', title: c.reasons.join('; ') }, c.reasons.join('; ')),
  );
}

export class ColumnTable {
  private readonly tbody = h('tbody', {});
  readonly element = h(
    'table',
    {
      className: 'drift-table',
      role: 'grid',
      tabindex: 0,
      'aria-label': 'Columns, flagged first',
    },
    h(
      'thead',
      {},
      h('tr', {}, ...headings.map(([t, c]) => h('th', { scope: 'col', className: c }, t))),
    ),
    this.tbody,
  );
  private shown: ColumnDriftView[] = [];
  private rows: HTMLTableRowElement[] = [];
  private selectedName: string | null = null;

  /** select: the user chose a column (null: none). */
  constructor(select: (name: string | null) => void) {
    this.tbody.addEventListener('click', (e) => {
      const tr = (e.target as Element).closest('tr');
      const i = tr === null ? -1 : Number(tr.dataset.index ?? -1);
      const c = this.shown[i];
      if (c !== undefined) {
        select(c.name);
        this.element.focus();
      }
    });
    this.element.addEventListener('keydown', (e) => {
      if (this.shown.length === 0) return;
      if (e.key === 'Escape') {
        select(null);
        return;
      }
      const cur = this.shown.findIndex((c) => c.name === this.selectedName);
      const to = keyTarget(e.key, cur, this.shown.length, {
        perRow: 1,
        pageRows: 10,
        horizontal: false,
      });
      if (to === undefined) return;
      e.preventDefault();
      select(this.shown[to]!.name);
    });
  }

  /** The columns shown, in order. */
  get columns(): readonly ColumnDriftView[] {
    return this.shown;
  }

  /** Shows the columns whose name has filter in it (drifted only, if asked); returns the count. */
  render(state: DriftState, filter: string, onlyDrifted: boolean, selected: string | null): string {
    const q = filter.toLowerCase();
    this.shown = state.columns.filter(
      (c) => c.name.toLowerCase().includes(q) && (!onlyDrifted || c.drifted),
    );
    this.rows = this.shown.map((c, i) => rowFor(c, i, selected));
    this.tbody.replaceChildren(
      ...(this.rows.length > 0
        ? this.rows
        : [
            h(
              'tr',
              {},
              h('td', { colspan: headings.length, className: 'muted' }, 'No column matches.'),
            ),
          ]),
    );
    this.markSelected(selected, false);
    const flagged = state.columns.filter((c) => c.drifted).length;
    return `${this.shown.length} of ${state.columns.length} columns, ${flagged} drifted`;
  }

  /** Marks the selected row (and scrolls it into view when asked). */
  markSelected(name: string | null, scroll: boolean): void {
    this.selectedName = name;
    this.rows.forEach((r, i) =>
      r.setAttribute('aria-selected', String(this.shown[i]?.name === name)),
    );
    const sel = this.shown.findIndex((c) => c.name === name);
    if (sel >= 0) {
      this.element.setAttribute('aria-activedescendant', `col-${sel}`);
      if (scroll) this.rows[sel]!.scrollIntoView({ block: 'nearest' });
    } else this.element.removeAttribute('aria-activedescendant');
  }

  focus(): void {
    this.element.focus();
  }
}
