// The profile page's cards as one keyboard stop: the arrow keys move through the grid (up and down
// by a row of cards), and the focused card is remembered by its column name.
import { h } from '../shared/dom.js';
import { keyTarget } from '../shared/listKeys.js';

export class CardList {
  readonly element = h('div', { className: 'cards', role: 'list', 'aria-label': 'Columns' });
  private cards: HTMLElement[] = [];

  /** focused: a card got the focus (its column name). */
  constructor(private readonly focused: (name: string | null) => void) {
    this.element.addEventListener('keydown', (e) => {
      const i = this.cards.indexOf(e.target as HTMLElement);
      if (i < 0) return;
      // Cards flow in a grid: up and down move by a row of cards.
      const first = this.cards[0]!.offsetTop;
      const perRow = Math.max(1, this.cards.filter((c) => c.offsetTop === first).length);
      const to = keyTarget(e.key, i, this.cards.length, { perRow, pageRows: 3, horizontal: true });
      if (to === undefined) return;
      e.preventDefault();
      this.focusCard(to);
    });
    this.element.addEventListener('focusin', (e) => {
      const card = this.cards.find((c) => c === e.target);
      if (card !== undefined) this.tabStop(card);
    });
  }

  /** Shows the cards (or the note when there are none); the card of `focused` is the tab stop. */
  show(cards: HTMLElement[], focused: string | null, empty: string): void {
    this.cards = cards;
    this.element.replaceChildren(
      ...(cards.length > 0 ? cards : [h('p', { className: 'muted empty-note' }, empty)]),
    );
    const i = Math.max(
      0,
      cards.findIndex((c) => c.dataset.column === focused),
    );
    cards[i]?.setAttribute('tabindex', '0');
  }

  /** Focuses the i-th card (clamped) and scrolls it into view. */
  focusCard(i: number): void {
    if (this.cards.length === 0) return;
    const card = this.cards[Math.max(0, Math.min(this.cards.length - 1, i))]!;
    this.tabStop(card);
    card.focus();
    card.scrollIntoView({ block: 'nearest' });
  }

  private tabStop(card: HTMLElement): void {
    for (const c of this.cards) c.setAttribute('tabindex', c === card ? '0' : '-1');
    this.focused(card.dataset.column ?? null);
  }
}
