// The profile webview: the statistics of one dataset version, one card per column (or, for a
// folder of images, its sizes, formats, channels and classes). The host owns the profile; this
// page keeps only view state (filter, sort, the focused column) with getState/setState.
import { assertNever, decodeNumber, isObject } from '../../../src/protocol/guards';
import {
  isProfileHostMessage,
  quantileKeys,
  type ColumnStats,
  type ImageProfileView,
  type ProfileHostMessage,
  type ProfileState,
  type ProfileWebviewMessage,
  type TableProfileView,
} from '../../../src/protocol/profile';
import { formatNumber, frameThrottle, h, isTextEntry, present } from '../shared/dom';
import { barRow, formatBytes, formatCount, histogramChart, percent } from '../shared/statCharts';
import { vscodeApi } from '../shared/vscodeApi';
import { sortColumns, sortKeys, type SortKey } from './columnOrder';

interface ProfileViewState {
  version: 1;
  filter: string;
  sort: SortKey;
  descending: boolean;
  /** The column whose card has the keyboard focus. */
  focused: string | null;
  scrollTop: number;
}

function restore(saved: unknown): ProfileViewState {
  const s: ProfileViewState = {
    version: 1,
    filter: '',
    sort: 'order',
    descending: false,
    focused: null,
    scrollTop: 0,
  };
  if (!isObject(saved) || saved.version !== 1) return s;
  if (typeof saved.filter === 'string') s.filter = saved.filter;
  if (typeof saved.sort === 'string' && (sortKeys as readonly string[]).includes(saved.sort))
    s.sort = saved.sort as SortKey;
  if (typeof saved.descending === 'boolean') s.descending = saved.descending;
  if (typeof saved.focused === 'string') s.focused = saved.focused;
  if (typeof saved.scrollTop === 'number' && Number.isFinite(saved.scrollTop))
    s.scrollTop = saved.scrollTop;
  return s;
}

const api = vscodeApi<ProfileViewState>();
const post = (m: ProfileWebviewMessage): void => api.postMessage(m);
const vs = restore(api.getState());
const saveState = frameThrottle(() => api.setState(vs));
let state: ProfileState | undefined;
let cards: HTMLElement[] = [];
let scrollRestored = false;

// ---- layout ----

const title = h('h1', { className: 'title' }, 'Profile');
const facts = h('div', { className: 'facts' });
const reloadButton = h(
  'button',
  { className: 'secondary', title: 'Profile the data again' },
  h('span', { className: 'codicon codicon-refresh', 'aria-hidden': 'true' }),
  ' Reload',
);
const compareButton = h(
  'button',
  { className: 'secondary', hidden: true, title: 'Compare with another version' },
  h('span', { className: 'codicon codicon-git-compare', 'aria-hidden': 'true' }),
  ' Compare versions…',
);
const status = h('div', { className: 'status', role: 'status', 'aria-live': 'polite' });
const search = h('input', {
  type: 'search',
  placeholder: 'Filter columns by name (/)',
  'aria-label': 'Filter columns by name',
  spellcheck: 'false',
});
search.value = vs.filter;
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
const directionButton = h('button', { className: 'icon', 'aria-label': 'Sort direction' });
const countText = h('span', { className: 'muted count' });
const toolbar = h(
  'div',
  { className: 'toolbar' },
  search,
  h('label', {}, 'Sort ', sortSelect),
  directionButton,
  h('span', { className: 'grow' }),
  countText,
);
const list = h('div', { className: 'cards', role: 'list', 'aria-label': 'Columns' });
const content = h('main', { className: 'content' }, list);
document.body.append(
  h(
    'div',
    { className: 'app' },
    h(
      'header',
      { className: 'head' },
      h(
        'div',
        { className: 'head-top' },
        title,
        h('span', { className: 'grow' }),
        compareButton,
        reloadButton,
      ),
      facts,
      status,
    ),
    toolbar,
    content,
  ),
);

// ---- rendering ----

function fact(label: string, value: string): HTMLElement {
  return h('span', { className: 'fact' }, h('span', { className: 'muted' }, `${label} `), value);
}

function num(v: ColumnStats['mean']): string {
  const d = decodeNumber(v);
  return d === null ? '–' : formatNumber(d);
}

function typeBadge(type: string): HTMLElement {
  return h('span', { className: `badge type-${type}` }, type);
}

function missingBar(c: ColumnStats): HTMLElement {
  const fill = h('div', { className: 'bar-fill missing' });
  fill.style.width = `${Math.min(1, Math.max(0, c.missingRate)) * 100}%`;
  return h(
    'div',
    {
      className: 'missing-line',
      title: `${formatCount(c.missing)} missing of ${formatCount(c.count + c.missing)}`,
    },
    h('div', { className: 'bar-track' }, fill),
  );
}

function statGrid(items: [string, string][]): HTMLElement {
  const dl = h('dl', { className: 'stats' });
  for (const [k, v] of items) dl.append(h('div', {}, h('dt', {}, k), h('dd', {}, v)));
  return dl;
}

function columnCard(c: ColumnStats): HTMLElement {
  const distinct = `${formatCount(c.distinct)}${c.distinctExact ? '' : ' (estimate)'}`;
  const body: (Node | null)[] = [
    statGrid([
      ['count', formatCount(c.count)],
      ['missing', percent(c.missingRate)],
      ['distinct', distinct],
    ]),
    missingBar(c),
  ];
  if (c.type === 'number') {
    body.push(
      statGrid([
        ['mean', num(c.mean)],
        ['std', num(c.std)],
        ['min', num(c.min)],
        ['max', num(c.max)],
      ]),
    );
    if (c.quantiles !== null) {
      const q = c.quantiles;
      body.push(
        h(
          'dl',
          { className: 'quantiles', 'aria-label': 'Quantiles' },
          ...quantileKeys.map((k) => h('div', {}, h('dt', {}, k), h('dd', {}, num(q[k])))),
        ),
      );
    }
    if (c.histogram !== null)
      body.push(
        histogramChart(
          [{ histogram: c.histogram, className: 'single', label: c.name }],
          `Histogram of ${c.name}`,
        ),
      );
    if (c.sampled)
      body.push(h('p', { className: 'muted note' }, 'Quantiles and histogram from a sample.'));
  } else if (c.topValues.length > 0) {
    const top = c.topValues[0]!.count || 1;
    const total = c.count || 1;
    body.push(
      h(
        'div',
        { className: 'bars', role: 'list', 'aria-label': `Most frequent values of ${c.name}` },
        ...c.topValues.slice(0, 10).map((v) =>
          barRow(v.value, [
            {
              fraction: v.count / top,
              className: 'single',
              text: `${formatCount(v.count)} (${percent(v.count / total)})`,
            },
          ]),
        ),
      ),
    );
    if (c.distinct > c.topValues.length)
      body.push(
        h(
          'p',
          { className: 'muted note' },
          `and ${formatCount(c.distinct - Math.min(10, c.topValues.length))} more values`,
        ),
      );
  }
  return h(
    'section',
    {
      className: `card${c.type === 'empty' ? ' empty' : ''}`,
      role: 'listitem',
      tabindex: -1,
      'data-column': c.name,
      'aria-label': `${c.name}, ${c.type}`,
    },
    h(
      'div',
      { className: 'card-head' },
      h('h2', { className: 'name', title: c.name }, c.name),
      typeBadge(c.type),
    ),
    ...present(...body),
  );
}

function imageCards(p: ImageProfileView): HTMLElement[] {
  const q = vs.filter.toLowerCase();
  const classes = p.classes.filter((c) => c.name.toLowerCase().includes(q));
  const sorted =
    vs.sort === 'name' || vs.sort === 'type'
      ? [...classes].sort((a, b) => a.name.localeCompare(b.name))
      : vs.sort === 'order'
        ? classes
        : [...classes].sort((a, b) => b.count - a.count);
  if (vs.descending) sorted.reverse();
  const top = Math.max(1, ...p.classes.map((c) => c.count));
  const counts = (title: string, entries: [string, number][]): HTMLElement =>
    h(
      'section',
      {
        className: 'card',
        role: 'listitem',
        tabindex: -1,
        'data-column': title,
        'aria-label': title,
      },
      h('div', { className: 'card-head' }, h('h2', { className: 'name' }, title)),
      h(
        'div',
        { className: 'bars', role: 'list' },
        ...entries.map(([k, n]) =>
          barRow(k, [
            {
              fraction: n / Math.max(1, ...entries.map((e) => e[1])),
              className: 'single',
              text: `${formatCount(n)} (${percent(n / Math.max(1, p.count))})`,
            },
          ]),
        ),
      ),
    );
  const dims = h(
    'section',
    {
      className: 'card',
      role: 'listitem',
      tabindex: -1,
      'data-column': 'Sizes',
      'aria-label': 'Sizes',
    },
    h('div', { className: 'card-head' }, h('h2', { className: 'name' }, 'Sizes')),
    statGrid([
      ['width', `${p.width.min} – ${p.width.max} px`],
      ['mean width', formatNumber(p.width.mean)],
      ['height', `${p.height.min} – ${p.height.max} px`],
      ['mean height', formatNumber(p.height.mean)],
    ]),
  );
  const classCard = h(
    'section',
    {
      className: 'card wide',
      role: 'listitem',
      tabindex: -1,
      'data-column': 'Classes',
      'aria-label': 'Classes',
    },
    h(
      'div',
      { className: 'card-head' },
      h('h2', { className: 'name' }, `Classes (${p.classes.length})`),
      h('span', { className: 'muted' }, 'by sub-folder'),
    ),
    sorted.length === 0
      ? h('p', { className: 'muted' }, 'No class matches the filter.')
      : h(
          'div',
          { className: 'bars', role: 'list', 'aria-label': 'Images per class' },
          ...sorted.map((c) =>
            barRow(c.name, [
              {
                fraction: c.count / top,
                className: 'single',
                text: `${formatCount(c.count)} (${percent(c.count / Math.max(1, p.count))})`,
              },
            ]),
          ),
        ),
  );
  countText.textContent = `${sorted.length} of ${p.classes.length} classes`;
  return [
    classCard,
    dims,
    counts('Formats', Object.entries(p.formats)),
    counts(
      'Channels',
      Object.entries(p.channels).map(([k, n]) => [`${k} channel${k === '1' ? '' : 's'}`, n]),
    ),
  ];
}

function renderHeader(s: ProfileState): void {
  const p = s.profile;
  title.textContent = p.path;
  title.title = p.path;
  const version = s.rev === 'workspace' ? 'work tree' : s.rev;
  const items: HTMLElement[] = [
    fact('version', s.commit === null ? version : `${version} (${s.commit.slice(0, 10)})`),
  ];
  if (p.kind === 'table') {
    items.push(
      fact('rows', formatCount(p.rows)),
      fact('columns', formatCount(p.columns.length)),
      fact('size', formatBytes(p.sizeBytes)),
      fact('format', p.format.toUpperCase()),
      fact('backend', p.backend),
      fact('took', `${formatCount(p.durationMs)} ms`),
    );
  } else {
    items.push(
      fact('images', formatCount(p.count)),
      fact('size', formatBytes(p.sizeBytes)),
      fact('classes', formatCount(p.classes.length)),
    );
    if (p.unreadable > 0) items.push(fact('unreadable', formatCount(p.unreadable)));
    items.push(fact('took', `${formatCount(p.durationMs)} ms`));
  }
  facts.replaceChildren(...items);
  compareButton.hidden = !s.canCompare;
}

function tableCards(p: TableProfileView): HTMLElement[] {
  const q = vs.filter.toLowerCase();
  const shown = sortColumns(
    p.columns.filter((c) => c.name.toLowerCase().includes(q)),
    vs.sort,
    vs.descending,
  );
  countText.textContent = `${shown.length} of ${p.columns.length} columns`;
  return shown.map(columnCard);
}

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
  renderHeader(state);
  const p = state.profile;
  cards = p.kind === 'table' ? tableCards(p) : imageCards(p);
  list.replaceChildren(
    ...(cards.length > 0
      ? cards
      : [h('p', { className: 'muted empty-note' }, 'No column matches the filter.')]),
  );
  list.classList.toggle('images', p.kind === 'images');
  const focusedIndex = Math.max(
    0,
    cards.findIndex((c) => c.dataset.column === vs.focused),
  );
  cards[focusedIndex]?.setAttribute('tabindex', '0');
}

function focusCard(i: number): void {
  if (cards.length === 0) return;
  const k = Math.max(0, Math.min(cards.length - 1, i));
  for (const c of cards) c.setAttribute('tabindex', '-1');
  const card = cards[k]!;
  card.setAttribute('tabindex', '0');
  card.focus();
  card.scrollIntoView({ block: 'nearest' });
  vs.focused = card.dataset.column ?? null;
  saveState();
}

// ---- events ----

list.addEventListener('keydown', (e) => {
  const i = cards.indexOf(e.target as HTMLElement);
  if (i < 0) return;
  // Cards flow in a grid: up and down move by a row of cards.
  const perRow = Math.max(1, cards.filter((c) => c.offsetTop === cards[0]!.offsetTop).length);
  const moves: Record<string, number> = {
    ArrowRight: i + 1,
    ArrowLeft: i - 1,
    ArrowDown: i + perRow,
    ArrowUp: i - perRow,
    Home: 0,
    End: cards.length - 1,
    PageDown: i + perRow * 3,
    PageUp: i - perRow * 3,
  };
  const to = moves[e.key];
  if (to === undefined) return;
  e.preventDefault();
  focusCard(to);
});
list.addEventListener('focusin', (e) => {
  const i = cards.indexOf(e.target as HTMLElement);
  if (i >= 0 && cards[i]!.dataset.column !== vs.focused) {
    vs.focused = cards[i]!.dataset.column ?? null;
    for (const c of cards) c.setAttribute('tabindex', c === cards[i] ? '0' : '-1');
    saveState();
  }
});
search.addEventListener('input', () => {
  vs.filter = search.value;
  saveState();
  render();
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && search.value !== '') {
    search.value = '';
    vs.filter = '';
    saveState();
    render();
  } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
    e.preventDefault();
    focusCard(0);
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && !isTextEntry(e.target)) {
    e.preventDefault();
    search.focus();
  }
});
sortSelect.addEventListener('change', () => {
  vs.sort = sortSelect.value as SortKey;
  // Most missing or most distinct first is what one looks for.
  vs.descending = vs.sort === 'missing' || vs.sort === 'distinct';
  saveState();
  render();
});
directionButton.addEventListener('click', () => {
  vs.descending = !vs.descending;
  saveState();
  render();
});
content.addEventListener(
  'scroll',
  frameThrottle(() => {
    vs.scrollTop = content.scrollTop;
    saveState();
  }),
);
reloadButton.addEventListener('click', () => post({ type: 'profile/data/reload' }));
compareButton.addEventListener('click', () => post({ type: 'profile/drift/open' }));

function setStatus(text: string, kind: 'busy' | 'error' | 'none'): void {
  status.textContent = text;
  status.className = `status ${kind}`;
  reloadButton.disabled = kind === 'busy';
}

function onMessage(m: ProfileHostMessage): void {
  switch (m.type) {
    case 'profile/load/didStart':
      setStatus(state === undefined ? 'Profiling…' : 'Profiling again…', 'busy');
      break;
    case 'profile/state/didChange':
      state = m.state;
      setStatus('', 'none');
      render();
      if (!scrollRestored) {
        scrollRestored = true;
        content.scrollTop = vs.scrollTop;
      }
      break;
    case 'profile/load/didFail':
      setStatus(m.error, 'error');
      break;
    default:
      assertNever(m);
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isProfileHostMessage(e.data)) onMessage(e.data);
});

render();
post({ type: 'webview/ready' });
