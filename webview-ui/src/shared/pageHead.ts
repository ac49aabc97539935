// The header of a data page (profile, drift): the title, the page's actions at the right, and
// below them whatever the page shows about the data (facts, status, summary).
import { h } from './dom.js';

/** Creates the header: a title line with actions, then the given parts. */
export function pageHead(
  title: HTMLElement,
  actions: HTMLElement[],
  ...below: HTMLElement[]
): HTMLElement {
  return h(
    'header',
    { className: 'head' },
    h('div', { className: 'head-top' }, title, h('span', { className: 'grow' }), ...actions),
    ...below,
  );
}
