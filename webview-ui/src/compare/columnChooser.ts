// The run table's column chooser: a dialog of every column by group, found by name, each switched
// on or off (a choice that differs from the default is remembered), and a reset.
import { codiconButton } from '../shared/codiconButton.js';
import { h } from '../shared/dom.js';
import type { CompareShell } from './comparePage.js';
import { defaultVisible, isVisible } from './columnVisibility.js';
import type { Column, Model } from './runModel.js';

export class ColumnChooser {
  readonly button = codiconButton('list-selection', 'Columns');
  readonly element: HTMLElement;
  private readonly search = h('input', {
    type: 'search',
    placeholder: 'Find a column',
    'aria-label': 'Find a column',
  });
  private readonly list = h('div', { className: 'chooser-list' });
  private model: Model | undefined;

  /** changed: the columns shown changed. */
  constructor(
    private readonly shell: CompareShell,
    changed: () => void,
  ) {
    const vs = shell.view;
    this.button.setAttribute('aria-expanded', 'false');
    this.button.setAttribute('aria-controls', 'chooser');
    const reset = h('button', { className: 'secondary' }, 'Reset');
    this.element = h(
      'div',
      {
        className: 'chooser',
        id: 'chooser',
        hidden: true,
        role: 'dialog',
        'aria-label': 'Columns',
      },
      h('div', { className: 'chooser-top' }, this.search, reset),
      this.list,
    );
    this.button.addEventListener('click', () => {
      this.element.hidden = !this.element.hidden;
      this.button.setAttribute('aria-expanded', String(!this.element.hidden));
      if (!this.element.hidden) {
        this.render();
        this.search.focus();
      }
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this.element.hidden = true;
        this.button.setAttribute('aria-expanded', 'false');
        this.button.focus();
      }
    });
    this.search.addEventListener('input', () => this.render());
    reset.addEventListener('click', () => {
      vs.shown = [];
      vs.hidden = [];
      changed();
    });
    this.list.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      const key = box.getAttribute('data-key');
      const m = this.model;
      const col = key === null ? undefined : m?.columnsByKey.get(key);
      if (key === null || m === undefined || col === undefined) return;
      vs.shown = vs.shown.filter((k) => k !== key);
      vs.hidden = vs.hidden.filter((k) => k !== key);
      if (box.checked !== defaultVisible(col, m, vs.onlyDiffering))
        (box.checked ? vs.shown : vs.hidden).push(key);
      changed();
    });
  }

  /** Takes the new model, and redraws the list if it is open. */
  update(model: Model): void {
    this.model = model;
    if (!this.element.hidden) this.render();
  }

  private render(): void {
    const m = this.model;
    if (m === undefined) return;
    const q = this.search.value.toLowerCase();
    const groups: [string, Column[]][] = [
      ['Run', m.runColumns.filter((c) => c.key !== 'run:name')],
      ['Params', m.paramColumns],
      ['Metrics', m.metricColumns],
    ];
    const parts: HTMLElement[] = [];
    for (const [title, cols] of groups) {
      const items = cols.filter((c) => q === '' || c.name.toLowerCase().includes(q));
      if (items.length === 0) continue;
      parts.push(h('h4', {}, title));
      for (const c of items) {
        const box = h('input', { type: 'checkbox', 'data-key': c.key });
        box.checked = isVisible(c, m, this.shell.view);
        const same = c.kind !== 'run' && !m.differing.has(c.key);
        parts.push(
          h(
            'label',
            { className: 'chooser-item' },
            box,
            c.name,
            same ? h('span', { className: 'muted' }, ' (same in all)') : null,
          ),
        );
      }
    }
    this.list.replaceChildren(...parts);
  }
}
