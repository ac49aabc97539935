// The Diff tab: a run against a baseline (the pinned or first selected run) side by side: params,
// metrics with their change, data versions, and the code diff between their commits, which the
// host computes on request.
import type { CompareHostMessage } from '../../../src/protocol/compare.js';
import { h } from '../shared/dom.js';
import type { ComparePane, CompareRows, CompareShell } from './comparePage.js';
import { renderRunDiff, type DiffCode } from './runDiff.js';
import type { Run } from './runModel.js';

type DiffResponse = Extract<CompareHostMessage, { type: 'compare/diff/get/response' }>;

export class DiffPane implements ComparePane {
  readonly element: HTMLElement;
  private readonly a = h('select', { 'aria-label': 'Baseline run' });
  private readonly b = h('select', { 'aria-label': 'Run to compare with the baseline' });
  private readonly only = h('input', { type: 'checkbox', id: 'diff-only', checked: true });
  private readonly body = h('div', { className: 'diff-body' });
  private rows: CompareRows | undefined;
  private code: DiffCode | undefined;
  private key = '';
  private request = 0;

  constructor(private readonly shell: CompareShell) {
    for (const el of [this.a, this.b, this.only])
      el.addEventListener('change', () => this.rows && this.update(this.rows));
    this.element = h(
      'div',
      { className: 'pane diff-pane' },
      h(
        'div',
        { className: 'toolbar' },
        h('label', {}, 'Baseline ', this.a),
        h('label', {}, 'against ', this.b),
        h('label', { for: 'diff-only' }, this.only, 'Only differences'),
      ),
      this.body,
    );
  }

  update(rows: CompareRows): void {
    this.rows = rows;
    const vs = this.shell.view;
    const m = rows.model;
    // The baseline is the pinned run if there is one, else the first selected.
    const candidates = [
      ...vs.pinned,
      ...vs.selected,
      ...rows.view.slice(0, 50).map((r) => r.row.id),
    ]
      .filter((id, i, all) => all.indexOf(id) === i)
      .map((id) => m.byId.get(id))
      .filter((r): r is Run => r !== undefined);
    const options = (sel: HTMLSelectElement, fallback: number): Run | undefined => {
      const prev = sel.value;
      sel.replaceChildren(...candidates.map((r) => h('option', { value: r.row.id }, r.row.name)));
      const keep = candidates.find((r) => r.row.id === prev) ?? candidates[fallback];
      if (keep !== undefined) sel.value = keep.row.id;
      return keep;
    };
    const a = options(this.a, 0);
    const b = options(this.b, 1);
    if (a === undefined || b === undefined || a === b) {
      this.body.replaceChildren(h('p', { className: 'muted' }, 'Select two runs to compare them.'));
      return;
    }
    const key = `${a.row.id}\n${b.row.id}`;
    if (key !== this.key) {
      this.key = key;
      this.code = { kind: 'loading' };
      this.shell.post({
        type: 'compare/diff/get',
        requestId: ++this.request,
        runIds: [a.row.id, b.row.id],
      });
    }
    this.body.replaceChildren(
      renderRunDiff(m, a, b, this.code ?? { kind: 'loading' }, this.only.checked),
    );
  }

  /** The host's answer to the latest request (older answers are dropped). */
  answer(message: DiffResponse): void {
    if (message.requestId !== this.request) return;
    this.code =
      message.diff !== null
        ? { kind: 'loaded', diff: message.diff }
        : { kind: 'error', message: message.error ?? 'The host could not diff these runs.' };
    if (this.shell.view.tab === 'diff' && this.rows !== undefined) this.update(this.rows);
  }
}
