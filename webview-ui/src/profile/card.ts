// One card of the profile page: a focusable list item named after its column, and the grid of
// statistics that most cards show.
import { h } from '../shared/dom.js';

export interface CardOptions {
  /** The column (or part) the card is about: its data-column, used to keep the focus. */
  name: string;
  /** The heading, when it says more than the name. */
  heading?: string;
  /** The card's accessible name, when it says more than the name. */
  label?: string;
  className?: string;
  /** What follows the heading in the card's head (badges, notes). */
  head?: Node[];
}

/** Creates a card: a list item that the arrow keys move between (tabindex -1 until focused). */
export function card(options: CardOptions, ...body: Node[]): HTMLElement {
  // The heading is cut off with an ellipsis where it is long: its tooltip has all of it.
  const heading = options.heading ?? options.name;
  return h(
    'section',
    {
      className: options.className === undefined ? 'card' : `card ${options.className}`,
      role: 'listitem',
      tabindex: -1,
      'data-column': options.name,
      'aria-label': options.label ?? options.name,
    },
    h(
      'div',
      { className: 'card-head' },
      h('h2', { className: 'name', title: heading }, heading),
      ...(options.head ?? []),
    ),
    ...body,
  );
}

/** A grid of label and value pairs. */
export function statGrid(items: [string, string][]): HTMLElement {
  const dl = h('dl', { className: 'stats' });
  for (const [k, v] of items) dl.append(h('div', {}, h('dt', {}, k), h('dd', {}, v)));
  return dl;
}
