// The profile webview: the statistics of one dataset version, one card per column (or, for a
// folder of images, its sizes, formats, channels and classes). The host owns the profile; this
// page keeps only view state (filter, sort, the focused column) with getState/setState.
import {
  isProfileHostMessage,
  type ProfileHostMessage,
  type ProfileState,
  type ProfileWebviewMessage,
} from '../../../src/protocol/profile.js';
import { startApp, type AppShell } from '../shared/appShell.js';
import { codiconButton } from '../shared/codiconButton.js';
import { frameThrottle, h } from '../shared/dom.js';
import { columnFilter } from '../shared/columnFilter.js';
import { LoadStatus } from '../shared/loadStatus.js';
import { pageHead } from '../shared/pageHead.js';
import { CardList } from './cardList.js';
import { columnCard } from './columnCard.js';
import { sortColumns, type SortKey } from './columnOrder.js';
import { imageCards } from './imageCards.js';
import { profileFacts } from './profileFacts.js';
import { restoreProfileViewState, type ProfileViewState } from './profileViewState.js';

function mountProfile(
  shell: AppShell<ProfileViewState, ProfileWebviewMessage>,
): (m: ProfileHostMessage) => void {
  const vs = shell.view;
  let state: ProfileState | undefined;
  let scrollRestored = false;

  const title = h('h1', { className: 'title' }, 'Profile');
  const facts = h('div', { className: 'facts' });
  const reloadButton = codiconButton('refresh', 'Reload', { title: 'Profile the data again' });
  reloadButton.addEventListener('click', () => shell.post({ type: 'profile/data/reload' }));
  const compareButton = codiconButton('git-compare', 'Compare versions…', {
    title: 'Compare with another version',
    hidden: true,
  });
  compareButton.addEventListener('click', () => shell.post({ type: 'profile/drift/open' }));
  const status = new LoadStatus(reloadButton, { first: 'Profiling…', again: 'Profiling again…' });
  const cards = new CardList((name) => {
    if (vs.focused === name) return;
    vs.focused = name;
    shell.save();
  });
  const search = columnFilter(shell, render, () => cards.focusCard(0));
  const sortSelect = h(
    'select',
    { 'aria-label': 'Sort columns by' },
    h('option', { value: 'order' }, 'File order'),
    h('option', { value: 'name' }, 'Name'),
    h('option', { value: 'type' }, 'Type'),
    h('option', { value: 'missing' }, 'Missing'),
    h('option', { value: 'distinct' }, 'Distinct'),
  );
  sortSelect.value = vs.sort;
  sortSelect.addEventListener('change', () => {
    vs.sort = sortSelect.value as SortKey;
    // Most missing or most distinct first is what one looks for.
    vs.descending = vs.sort === 'missing' || vs.sort === 'distinct';
    shell.save();
    render();
  });
  const directionButton = h('button', { className: 'icon', 'aria-label': 'Sort direction' });
  directionButton.addEventListener('click', () => {
    vs.descending = !vs.descending;
    shell.save();
    render();
  });
  const countText = h('span', { className: 'muted count' });
  const content = h('main', { className: 'content' }, cards.element);
  content.addEventListener(
    'scroll',
    frameThrottle(() => {
      vs.scrollTop = content.scrollTop;
      shell.save();
    }),
  );
  document.body.append(
    h(
      'div',
      { className: 'app' },
      pageHead(title, [compareButton, reloadButton], facts, status.element),
      h(
        'div',
        { className: 'toolbar' },
        search,
        h('label', {}, 'Sort ', sortSelect),
        directionButton,
        h('span', { className: 'grow' }),
        countText,
      ),
      content,
    ),
  );

  function render(): void {
    directionButton.replaceChildren(
      h('span', {
        className: `codicon codicon-arrow-${vs.descending ? 'down' : 'up'}`,
        'aria-hidden': 'true',
      }),
    );
    directionButton.title = vs.descending ? 'Descending' : 'Ascending';
    directionButton.setAttribute('aria-pressed', String(vs.descending));
    if (state === undefined) return;
    const p = state.profile;
    title.textContent = p.path;
    title.title = p.path;
    facts.replaceChildren(...profileFacts(state));
    compareButton.hidden = !state.canCompare;
    if (p.kind === 'table') {
      const q = vs.filter.toLowerCase();
      const shown = sortColumns(
        p.columns.filter((c) => c.name.toLowerCase().includes(q)),
        vs.sort,
        vs.descending,
      );
      countText.textContent = `${shown.length} of ${p.columns.length} columns`;
      cards.show(shown.map(columnCard), vs.focused, 'No column matches the filter.');
    } else {
      const images = imageCards(p, vs);
      countText.textContent = images.count;
      cards.show(images.cards, vs.focused, 'No column matches the filter.');
    }
    cards.element.classList.toggle('images', p.kind === 'images');
  }

  render();
  return (m) =>
    status.handle(m, (next) => {
      state = next;
      render();
      if (!scrollRestored) {
        scrollRestored = true;
        content.scrollTop = vs.scrollTop;
      }
    });
}

startApp({
  restore: restoreProfileViewState,
  isMessage: isProfileHostMessage,
  mount: mountProfile,
});
