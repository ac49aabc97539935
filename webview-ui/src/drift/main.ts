// The drift webview: what changed in a dataset between two versions. A plain-language summary,
// the two versions, a table of columns (flagged first) and, for the selected column, both versions
// side by side. The host owns the report; this page keeps only view state (getState/setState).
import {
  isDriftHostMessage,
  type ColumnDriftView,
  type DriftHostMessage,
  type DriftSide,
  type DriftState,
  type DriftVersion,
  type DriftWebviewMessage,
} from '../../../src/protocol/drift';
import { assertNever, decodeNumber, isObject, type JsonNumber } from '../../../src/protocol/guards';
import type { ColumnStats, ImageProfileView } from '../../../src/protocol/profile';
import { formatNumber, frameThrottle, h, isTextEntry, present } from '../shared/dom';
import { barRow, formatCount, histogramChart, percent } from '../shared/statCharts';
import { vscodeApi } from '../shared/vscodeApi';

interface DriftViewState {
  version: 1;
  filter: string;
  onlyDrifted: boolean;
  selected: string | null;
}

function restore(saved: unknown): DriftViewState {
  const s: DriftViewState = { version: 1, filter: '', onlyDrifted: false, selected: null };
  if (!isObject(saved) || saved.version !== 1) return s;
  if (typeof saved.filter === 'string') s.filter = saved.filter;
  if (typeof saved.onlyDrifted === 'boolean') s.onlyDrifted = saved.onlyDrifted;
  if (typeof saved.selected === 'string') s.selected = saved.selected;
  return s;
}

const api = vscodeApi<DriftViewState>();
const post = (m: DriftWebviewMessage): void => api.postMessage(m);
const vs = restore(api.getState());
const saveState = frameThrottle(() => api.setState(vs));
let state: DriftState | undefined;
let shown: ColumnDriftView[] = [];
let rows: HTMLTableRowElement[] = [];
let firstState = true;

// ---- layout ----

const title = h('h1', { className: 'title' }, 'Drift');
const reloadButton = h(
  'button',
  { className: 'secondary', title: 'Compare the two versions again' },
  h('span', { className: 'codicon codicon-refresh', 'aria-hidden': 'true' }),
  ' Compare again',
);
const status = h('div', { className: 'status', role: 'status', 'aria-live': 'polite' });
const summary = h('p', { className: 'summary' });
const versions = h('div', { className: 'versions' });
const thresholdNote = h('p', { className: 'muted threshold-note' });
const search = h('input', {
  type: 'search',
  placeholder: 'Filter columns by name (/)',
  'aria-label': 'Filter columns by name',
  spellcheck: 'false',
});
search.value = vs.filter;
const onlyBox = h('input', { type: 'checkbox', id: 'only-drifted' });
onlyBox.checked = vs.onlyDrifted;
const countText = h('span', { className: 'muted count' });
const tbody = h('tbody', {});
const table = h(
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
    h(
      'tr',
      {},
      ...[
        ['Column', ''],
        ['Type', ''],
        ['Drift', ''],
        ['PSI', 'num'],
        ['KS D', 'num'],
        ['KS p', 'num'],
        ['Missing', 'num'],
        ['Mean', 'num'],
        ['Reasons', ''],
      ].map(([t, c]) => h('th', { scope: 'col', className: c }, t)),
    ),
  ),
  tbody,
);
const details = h('aside', { className: 'details', 'aria-label': 'Column details' });
document.body.append(
  h(
    'div',
    { className: 'app' },
    h(
      'header',
      { className: 'head' },
      h('div', { className: 'head-top' }, title, h('span', { className: 'grow' }), reloadButton),
      status,
      summary,
      versions,
      thresholdNote,
    ),
    h(
      'div',
      { className: 'toolbar' },
      search,
      h('label', { for: 'only-drifted' }, onlyBox, 'Only drifted columns'),
      h('span', { className: 'grow' }),
      countText,
    ),
    h('div', { className: 'main' }, h('div', { className: 'table-wrap' }, table), details),
  ),
);

// ---- formatting ----

function num(v: JsonNumber | undefined): string {
  const d = v === undefined ? null : decodeNumber(v);
  return d === null ? '–' : formatNumber(d);
}

function fixed(v: JsonNumber | undefined, digits: number): string {
  const d = v === undefined ? null : decodeNumber(v);
  if (d === null) return '–';
  return Number.isFinite(d) ? d.toFixed(digits) : formatNumber(d);
}

function pValue(v: JsonNumber | undefined): string {
  const d = v === undefined ? null : decodeNumber(v);
  if (d === null) return '–';
  return d < 1e-4 ? '< 0.0001' : d.toFixed(4);
}

function fromTo(a: string, b: string): string {
  return a === b ? a : `${a} → ${b}`;
}

function versionName(v: DriftVersion): string {
  return v.rev === 'workspace' ? 'work tree' : v.rev;
}

function typeBadge(type: string): HTMLElement {
  return h('span', { className: `badge type-${type}` }, type);
}

function driftBadge(c: ColumnDriftView): HTMLElement {
  return c.drifted
    ? h('span', { className: 'badge drifted' }, 'drifted')
    : h('span', { className: 'badge stable' }, 'stable');
}

// ---- header ----

function versionBlock(side: DriftSide, v: DriftVersion, unit: string): HTMLElement {
  const open = h(
    'button',
    { className: 'secondary', title: `Open the profile of ${versionName(v)}` },
    h('span', { className: 'codicon codicon-graph', 'aria-hidden': 'true' }),
    ' Profile',
  );
  open.addEventListener('click', () => post({ type: 'drift/profile/open', side }));
  return h(
    'div',
    { className: `version ${side}` },
    h('span', { className: `legend-swatch ${side}`, 'aria-hidden': 'true' }),
    h('span', { className: 'muted' }, side === 'from' ? 'From ' : 'To '),
    h('strong', {}, versionName(v)),
    v.commit === null
      ? null
      : h('code', { className: 'commit', title: v.commit }, v.commit.slice(0, 10)),
    h('span', { className: 'muted' }, `${formatCount(v.rows)} ${unit}`),
    open,
  );
}

function renderHeader(s: DriftState): void {
  title.textContent = `Drift: ${s.path}`;
  title.title = s.path;
  const flagged = s.columns.filter((c) => c.drifted).length;
  summary.className = `summary ${flagged > 0 ? 'drifted' : 'ok'}`;
  summary.replaceChildren(
    h('span', {
      className: `codicon codicon-${flagged > 0 ? 'warning' : 'pass'}`,
      'aria-hidden': 'true',
    }),
    ' ',
    s.summary,
  );
  const unit = s.images === null ? 'rows' : 'images';
  versions.replaceChildren(
    versionBlock('from', s.from, unit),
    h('span', { className: 'codicon codicon-arrow-right muted', 'aria-hidden': 'true' }),
    versionBlock('to', s.to, unit),
  );
  const t = s.thresholds;
  thresholdNote.textContent = `A column is flagged at PSI ≥ ${t.psi}, a KS test with p < ${t.ksPValue} and D ≥ ${t.ksStatistic}, a change in missing values of ${percent(t.missingRateChange)} or more, new or vanished categories, or a new type.`;
}

// ---- table ----

function cell(text: string, className = ''): HTMLTableCellElement {
  return h('td', { className }, text);
}

function rowFor(c: ColumnDriftView, i: number): HTMLTableRowElement {
  const missing =
    c.from !== null && c.to !== null
      ? fromTo(percent(c.from.missingRate), percent(c.to.missingRate))
      : '–';
  const mean =
    c.from !== null && c.to !== null && c.type === 'number'
      ? fromTo(num(c.from.mean), num(c.to.mean))
      : '–';
  const tr = h(
    'tr',
    {
      id: `col-${i}`,
      className: c.drifted ? 'drifted' : '',
      'aria-selected': String(vs.selected === c.name),
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
  return tr;
}

function renderTable(): void {
  if (state === undefined) return;
  const q = vs.filter.toLowerCase();
  shown = state.columns.filter(
    (c) => c.name.toLowerCase().includes(q) && (!vs.onlyDrifted || c.drifted),
  );
  rows = shown.map(rowFor);
  tbody.replaceChildren(
    ...(rows.length > 0
      ? rows
      : [h('tr', {}, h('td', { colspan: 9, className: 'muted' }, 'No column matches.'))]),
  );
  const flagged = state.columns.filter((c) => c.drifted).length;
  countText.textContent = `${shown.length} of ${state.columns.length} columns, ${flagged} drifted`;
  const sel = shown.findIndex((c) => c.name === vs.selected);
  if (sel >= 0) table.setAttribute('aria-activedescendant', `col-${sel}`);
  else table.removeAttribute('aria-activedescendant');
}

function select(name: string | null, announce = true): void {
  if (vs.selected !== name) {
    vs.selected = name;
    saveState();
    if (announce) post({ type: 'drift/column/select', column: name });
  }
  rows.forEach((r, i) => r.setAttribute('aria-selected', String(shown[i]?.name === name)));
  const sel = shown.findIndex((c) => c.name === name);
  if (sel >= 0) {
    table.setAttribute('aria-activedescendant', `col-${sel}`);
    rows[sel]!.scrollIntoView({ block: 'nearest' });
  } else table.removeAttribute('aria-activedescendant');
  renderDetails();
}

// ---- details ----

function statRows(a: ColumnStats | null, b: ColumnStats | null): HTMLElement {
  const line = (label: string, f: (c: ColumnStats) => string): HTMLElement =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', { className: 'num' }, a === null ? '–' : f(a)),
      h('td', { className: 'num' }, b === null ? '–' : f(b)),
    );
  const numeric = (a ?? b)?.type === 'number';
  return h(
    'table',
    { className: 'side-by-side' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, ''),
        h(
          'th',
          { scope: 'col', className: 'num' },
          h('span', { className: 'legend-swatch from' }),
          versionName(state!.from),
        ),
        h(
          'th',
          { scope: 'col', className: 'num' },
          h('span', { className: 'legend-swatch to' }),
          versionName(state!.to),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...present(
        line('type', (c) => c.type),
        line('count', (c) => formatCount(c.count)),
        line('missing', (c) => `${percent(c.missingRate)} (${formatCount(c.missing)})`),
        line('distinct', (c) => `${formatCount(c.distinct)}${c.distinctExact ? '' : '~'}`),
        numeric ? line('mean', (c) => num(c.mean)) : null,
        numeric ? line('std', (c) => num(c.std)) : null,
        numeric ? line('min', (c) => num(c.min)) : null,
        numeric ? line('median', (c) => num(c.quantiles?.p50)) : null,
        numeric ? line('max', (c) => num(c.max)) : null,
      ),
    ),
  );
}

/** Paired bars of shares: each value's share of its version, with new and vanished values marked. */
function pairedShares(
  a: { name: string; count: number }[],
  totalA: number,
  b: { name: string; count: number }[],
  totalB: number,
  added: string[],
  removed: string[],
  label: string,
): HTMLElement {
  const names = [...new Set([...a.map((v) => v.name), ...b.map((v) => v.name)])];
  const ma = new Map(a.map((v) => [v.name, v.count / Math.max(1, totalA)]));
  const mb = new Map(b.map((v) => [v.name, v.count / Math.max(1, totalB)]));
  names.sort((x, y) => (mb.get(y) ?? 0) + (ma.get(y) ?? 0) - (mb.get(x) ?? 0) - (ma.get(x) ?? 0));
  const top = Math.max(0.0001, ...ma.values(), ...mb.values());
  const addedSet = new Set(added);
  const removedSet = new Set(removed);
  return h(
    'div',
    { className: 'bars paired', role: 'list', 'aria-label': label },
    ...names.slice(0, 30).map((n) => {
      const sa = ma.get(n);
      const sb = mb.get(n);
      return barRow(
        n,
        [
          {
            fraction: (sa ?? 0) / top,
            className: 'from',
            text: sa === undefined ? '—' : percent(sa),
            title: `${versionName(state!.from)}: ${sa === undefined ? 'absent' : percent(sa)}`,
          },
          {
            fraction: (sb ?? 0) / top,
            className: 'to',
            text: sb === undefined ? '—' : percent(sb),
            title: `${versionName(state!.to)}: ${sb === undefined ? 'absent' : percent(sb)}`,
          },
        ],
        addedSet.has(n) || (sa === undefined && sb !== undefined && a.length > 0)
          ? 'new'
          : removedSet.has(n) || (sb === undefined && sa !== undefined && b.length > 0)
            ? 'gone'
            : undefined,
      );
    }),
  );
}

function valueList(title: string, values: string[], className: string): HTMLElement | null {
  if (values.length === 0) return null;
  return h(
    'div',
    { className: `value-list ${className}` },
    h('h3', {}, title),
    h('ul', {}, ...values.map((v) => h('li', {}, v))),
  );
}

function legend(): HTMLElement {
  return h(
    'p',
    { className: 'legend muted' },
    h('span', { className: 'legend-swatch from' }),
    versionName(state!.from),
    h('span', { className: 'legend-swatch to' }),
    versionName(state!.to),
  );
}

function imageDetails(
  c: ColumnDriftView,
  img: { from: ImageProfileView; to: ImageProfileView },
): Node[] {
  const size = (p: ImageProfileView): string =>
    `${p.width.min}–${p.width.max} × ${p.height.min}–${p.height.max}`;
  return present(
    h('h3', {}, 'Images per class'),
    legend(),
    pairedShares(
      img.from.classes,
      img.from.count,
      img.to.classes,
      img.to.count,
      c.categoriesAdded,
      c.categoriesRemoved,
      'Share of images per class in both versions',
    ),
    valueList('New classes', c.categoriesAdded, 'added'),
    valueList('Classes gone', c.categoriesRemoved, 'removed'),
    h(
      'table',
      { className: 'side-by-side' },
      h(
        'tbody',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, 'images'),
          h('td', { className: 'num' }, formatCount(img.from.count)),
          h('td', { className: 'num' }, formatCount(img.to.count)),
        ),
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, 'sizes (px)'),
          h('td', { className: 'num' }, size(img.from)),
          h('td', { className: 'num' }, size(img.to)),
        ),
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, 'unreadable'),
          h('td', { className: 'num' }, formatCount(img.from.unreadable)),
          h('td', { className: 'num' }, formatCount(img.to.unreadable)),
        ),
      ),
    ),
  );
}

function renderDetails(): void {
  const c = state?.columns.find((x) => x.name === vs.selected);
  if (state === undefined || c === undefined) {
    details.replaceChildren(
      h('h2', {}, 'Column details'),
      h(
        'p',
        { className: 'muted' },
        'Select a column (click it, or focus the table and use the arrow keys) to see both versions side by side.',
      ),
    );
    return;
  }
  const parts: (Node | null)[] = [
    h(
      'div',
      { className: 'details-head' },
      h('h2', { title: c.name }, c.name),
      typeBadge(c.type),
      driftBadge(c),
    ),
    c.reasons.length > 0
      ? h('ul', { className: 'reasons-list' }, ...c.reasons.map((r) => h('li', {}, r)))
      : h('p', { className: 'muted' }, 'Within the thresholds: no reason to flag this column.'),
  ];
  if (c.from === null || c.to === null) {
    parts.push(
      h(
        'p',
        { className: 'note' },
        c.from === null
          ? `This column is new in ${versionName(state.to)}.`
          : `This column is not in ${versionName(state.to)} any more.`,
      ),
    );
  }
  if (state.images !== null) {
    parts.push(...imageDetails(c, state.images));
  } else {
    const a = c.from;
    const b = c.to;
    if (a?.histogram || b?.histogram) {
      parts.push(
        h('h3', {}, 'Distribution'),
        legend(),
        histogramChart(
          [
            ...(a?.histogram
              ? [{ histogram: a.histogram, className: 'from', label: versionName(state.from) }]
              : []),
            ...(b?.histogram
              ? [{ histogram: b.histogram, className: 'to', label: versionName(state.to) }]
              : []),
          ],
          `Histograms of ${c.name} in ${versionName(state.from)} and ${versionName(state.to)}`,
        ),
      );
    }
    if (
      (a ?? b)?.type !== 'number' &&
      ((a?.topValues.length ?? 0) > 0 || (b?.topValues.length ?? 0) > 0)
    ) {
      parts.push(
        h('h3', {}, 'Share of values'),
        legend(),
        pairedShares(
          (a?.topValues ?? []).map((v) => ({ name: v.value, count: v.count })),
          a?.count ?? 0,
          (b?.topValues ?? []).map((v) => ({ name: v.value, count: v.count })),
          b?.count ?? 0,
          c.categoriesAdded,
          c.categoriesRemoved,
          `Share of each value of ${c.name} in both versions`,
        ),
      );
    }
    parts.push(
      valueList('New values', c.categoriesAdded, 'added'),
      valueList('Values gone', c.categoriesRemoved, 'removed'),
      h('h3', {}, 'Statistics'),
      statRows(a, b),
      h(
        'dl',
        { className: 'tests' },
        h('dt', {}, 'PSI'),
        h('dd', {}, fixed(c.psi, 3)),
        h('dt', {}, 'KS statistic'),
        h('dd', {}, c.ks === null ? '–' : fixed(c.ks.statistic, 3)),
        h('dt', {}, 'KS p-value'),
        h('dd', {}, c.ks === null ? '–' : pValue(c.ks.pValue)),
        h('dt', {}, 'missing change'),
        h(
          'dd',
          {},
          num(c.missingRateChange) === '–' ? '–' : percent(decodeNumber(c.missingRateChange) ?? 0),
        ),
      ),
    );
  }
  details.replaceChildren(...present(...parts));
}

// ---- events ----

tbody.addEventListener('click', (e) => {
  const tr = (e.target as Element).closest('tr');
  const i = tr === null ? -1 : Number(tr.dataset.index ?? -1);
  if (i >= 0 && shown[i] !== undefined) {
    select(shown[i].name);
    table.focus();
  }
});
table.addEventListener('keydown', (e) => {
  if (shown.length === 0) return;
  const cur = shown.findIndex((c) => c.name === vs.selected);
  const moves: Record<string, number> = {
    ArrowDown: cur + 1,
    ArrowUp: cur < 0 ? 0 : cur - 1,
    Home: 0,
    End: shown.length - 1,
    PageDown: cur + 10,
    PageUp: cur - 10,
  };
  if (e.key === 'Escape') {
    select(null);
    return;
  }
  const to = moves[e.key];
  if (to === undefined) return;
  e.preventDefault();
  select(shown[Math.max(0, Math.min(shown.length - 1, to))]!.name);
});
search.addEventListener('input', () => {
  vs.filter = search.value;
  saveState();
  renderTable();
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && search.value !== '') {
    search.value = '';
    vs.filter = '';
    saveState();
    renderTable();
  } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
    e.preventDefault();
    table.focus();
    if (shown.length > 0 && !shown.some((c) => c.name === vs.selected)) select(shown[0]!.name);
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && !isTextEntry(e.target)) {
    e.preventDefault();
    search.focus();
  }
});
onlyBox.addEventListener('change', () => {
  vs.onlyDrifted = onlyBox.checked;
  saveState();
  renderTable();
});
reloadButton.addEventListener('click', () => post({ type: 'drift/report/reload' }));

function setStatus(text: string, kind: 'busy' | 'error' | 'none'): void {
  status.textContent = text;
  status.className = `status ${kind}`;
  reloadButton.disabled = kind === 'busy';
}

function onMessage(m: DriftHostMessage): void {
  switch (m.type) {
    case 'drift/load/didStart':
      setStatus(state === undefined ? 'Comparing the two versions…' : 'Comparing again…', 'busy');
      break;
    case 'drift/state/didChange':
      state = m.state;
      setStatus('', 'none');
      renderHeader(m.state);
      // The first time, show the most drifted column unless the user had chosen one.
      if (
        firstState &&
        (vs.selected === null || !m.state.columns.some((c) => c.name === vs.selected))
      ) {
        vs.selected = m.state.columns[0]?.name ?? null;
        saveState();
      }
      firstState = false;
      renderTable();
      select(vs.selected, false);
      break;
    case 'drift/load/didFail':
      setStatus(m.error, 'error');
      break;
    default:
      assertNever(m);
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isDriftHostMessage(e.data)) onMessage(e.data);
});

renderDetails();
post({ type: 'webview/ready' });
