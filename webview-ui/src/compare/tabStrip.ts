// The compare page's bottom tabs (a WAI-ARIA tab list: click or the arrow keys), showing one pane.
import { h } from '../shared/dom.js';
import type { CompareTab } from './viewState.js';

export interface Tab<P> {
  id: CompareTab;
  title: string;
  pane: P;
}

export class TabStrip<P extends { element: HTMLElement }> {
  readonly element: HTMLElement;
  private readonly buttons: HTMLButtonElement[];
  private readonly panel = h('div', { className: 'tabpanel', id: 'tabpanel', role: 'tabpanel' });

  /** chose: the user chose a tab (not yet shown: the page refreshes, then calls show). */
  constructor(
    private readonly tabs: Tab<P>[],
    current: () => CompareTab,
    chose: (tab: CompareTab) => void,
  ) {
    this.buttons = tabs.map((t) =>
      h(
        'button',
        { role: 'tab', id: `tab-${t.id}`, 'aria-controls': 'tabpanel', 'data-tab': t.id },
        t.title,
      ),
    );
    const list = h('div', { className: 'tabs', role: 'tablist' }, ...this.buttons);
    list.addEventListener('click', (e) => {
      const tab = (e.target as Element).closest('[role="tab"]')?.getAttribute('data-tab');
      const chosen = tabs.find((t) => t.id === tab);
      if (chosen !== undefined) chose(chosen.id);
    });
    list.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = tabs.findIndex((t) => t.id === current());
      const next = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
      chose(tabs[next]!.id);
      this.buttons[next]!.focus();
    });
    this.element = h('div', { className: 'bottom' }, list, this.panel);
  }

  /** Marks the tab and shows its pane; returns the pane. */
  show(id: CompareTab): P {
    for (const b of this.buttons) {
      const selected = b.getAttribute('data-tab') === id;
      b.setAttribute('aria-selected', String(selected));
      b.tabIndex = selected ? 0 : -1;
    }
    this.panel.setAttribute('aria-labelledby', `tab-${id}`);
    const pane = this.tabs.find((t) => t.id === id)!.pane;
    if (this.panel.firstChild !== pane.element) this.panel.replaceChildren(pane.element);
    return pane;
  }
}
