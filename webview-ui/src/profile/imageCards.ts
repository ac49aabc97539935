// The cards of an image folder's profile: the classes (sub-folders, filtered and sorted as the
// columns of a table are), the image sizes, the formats and the channels.
import type { ImageProfileView } from '../../../src/protocol/profile.js';
import { formatNumber, h } from '../shared/dom.js';
import { barRow, formatCount, percent } from '../shared/statCharts.js';
import { card, statGrid } from './card.js';
import type { SortKey } from './columnOrder.js';

function bars(
  p: ImageProfileView,
  entries: [string, number][],
  top: number,
  label?: string,
): HTMLElement {
  return h(
    'div',
    { className: 'bars', role: 'list', 'aria-label': label },
    ...entries.map(([k, n]) =>
      barRow(k, [
        {
          fraction: n / top,
          className: 'single',
          text: `${formatCount(n)} (${percent(n / Math.max(1, p.count))})`,
        },
      ]),
    ),
  );
}

function counts(p: ImageProfileView, title: string, entries: [string, number][]): HTMLElement {
  return card({ name: title }, bars(p, entries, Math.max(1, ...entries.map((e) => e[1]))));
}

/** The cards, and the count line of the classes shown. */
export function imageCards(
  p: ImageProfileView,
  view: { filter: string; sort: SortKey; descending: boolean },
): { cards: HTMLElement[]; count: string } {
  const q = view.filter.toLowerCase();
  const classes = p.classes.filter((c) => c.name.toLowerCase().includes(q));
  const sorted =
    view.sort === 'name' || view.sort === 'type'
      ? [...classes].sort((a, b) => a.name.localeCompare(b.name))
      : view.sort === 'order'
        ? classes
        : [...classes].sort((a, b) => b.count - a.count);
  if (view.descending) sorted.reverse();
  const classCard = card(
    {
      name: 'Classes',
      heading: `Classes (${p.classes.length})`,
      className: 'wide',
      head: [h('span', { className: 'muted' }, 'by sub-folder')],
    },
    sorted.length === 0
      ? h('p', { className: 'muted' }, 'No class matches the filter.')
      : bars(
          p,
          sorted.map((c) => [c.name, c.count]),
          Math.max(1, ...p.classes.map((c) => c.count)),
          'Images per class',
        ),
  );
  const sizes = card(
    { name: 'Sizes' },
    statGrid([
      ['width', `${p.width.min} – ${p.width.max} px`],
      ['mean width', formatNumber(p.width.mean)],
      ['height', `${p.height.min} – ${p.height.max} px`],
      ['mean height', formatNumber(p.height.mean)],
    ]),
  );
  return {
    cards: [
      classCard,
      sizes,
      counts(p, 'Formats', Object.entries(p.formats)),
      counts(
        p,
        'Channels',
        Object.entries(p.channels).map(([k, n]) => [`${k} channel${k === '1' ? '' : 's'}`, n]),
      ),
    ],
    count: `${sorted.length} of ${p.classes.length} classes`,
  };
}
