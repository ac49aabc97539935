// The lineage webview: artifact versions, runs and commits laid out left to right, with details
// and actions for the chosen node. The host owns the graph; this page keeps only view state.
import { assertNever, isObject } from '../../../src/protocol/guards';
import {
  isLineageHostMessage,
  type LineageHostMessage,
  type LineageNode,
  type LineageState,
  type LineageWebviewMessage,
} from '../../../src/protocol/lineage';
import { frameThrottle, h, present } from '../shared/dom';
import { vscodeApi } from '../shared/vscodeApi';
import { GraphView, type Highlight, type Transform } from './graphView';

interface LineageViewState {
  version: 1;
  transform: Transform | null;
  selectedId: string | null;
  focusId: string | null;
  highlight: Highlight;
}

function restore(saved: unknown): LineageViewState {
  const s: LineageViewState = {
    version: 1,
    transform: null,
    selectedId: null,
    focusId: null,
    highlight: 'lineage',
  };
  if (!isObject(saved) || saved.version !== 1) return s;
  const t = saved.transform;
  if (
    isObject(t) &&
    [t.scale, t.tx, t.ty].every((v) => typeof v === 'number' && Number.isFinite(v)) &&
    (t.scale as number) > 0
  ) {
    s.transform = { scale: t.scale as number, tx: t.tx as number, ty: t.ty as number };
  }
  if (typeof saved.selectedId === 'string') s.selectedId = saved.selectedId;
  if (typeof saved.focusId === 'string') s.focusId = saved.focusId;
  if (saved.highlight === 'stale') s.highlight = 'stale';
  return s;
}

const api = vscodeApi<LineageViewState>();
const post = (m: LineageWebviewMessage): void => api.postMessage(m);
const vs = restore(api.getState());
const saveState = frameThrottle(() => api.setState(vs));
let state: LineageState | undefined;
let indexById = new Map<string, number>();
let firstState = true;

const search = h('input', {
  type: 'search',
  placeholder: 'Find a node (Enter for the next match)',
  'aria-label': 'Find a node',
  spellcheck: 'false',
});
const staleButton = h('button', { className: 'secondary', 'aria-pressed': 'false' });
const fitButton = h(
  'button',
  { className: 'icon', title: 'Fit (0)', 'aria-label': 'Fit the graph' },
  h('span', { className: 'codicon codicon-screen-full', 'aria-hidden': 'true' }),
);
const zoomIn = h(
  'button',
  { className: 'icon', title: 'Zoom in (+)', 'aria-label': 'Zoom in' },
  h('span', { className: 'codicon codicon-zoom-in', 'aria-hidden': 'true' }),
);
const zoomOut = h(
  'button',
  { className: 'icon', title: 'Zoom out (-)', 'aria-label': 'Zoom out' },
  h('span', { className: 'codicon codicon-zoom-out', 'aria-hidden': 'true' }),
);
const legend = h(
  'span',
  { className: 'legend muted' },
  h('span', { className: 'swatch data' }),
  'data ',
  h('span', { className: 'swatch model' }),
  'model ',
  h('span', { className: 'swatch run' }),
  'run ',
  h('span', { className: 'swatch commit' }),
  'commit ',
  h('span', { className: 'swatch up' }),
  'came from ',
  h('span', { className: 'swatch down' }),
  'used by',
);
const countText = h('span', { className: 'muted' });
const announce = h('div', { className: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
const details = h('aside', { className: 'details', 'aria-label': 'Details' });

const graph = new GraphView({
  focusChanged: (i) => {
    const node = state?.nodes[i];
    vs.focusId = node?.id ?? null;
    saveState();
    if (node !== undefined) announce.textContent = describe(node, i);
  },
  activate: (i) => selectNode(i),
  transformChanged: (t) => {
    vs.transform = { ...t };
    saveState();
  },
});
graph.canvas.addEventListener('focus', () => graph.draw());
graph.canvas.addEventListener('blur', () => graph.draw());
graph.canvas.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') selectNode(-1);
});

document.body.append(
  h(
    'div',
    { className: 'app' },
    h(
      'div',
      { className: 'toolbar' },
      search,
      staleButton,
      zoomOut,
      zoomIn,
      fitButton,
      legend,
      h('span', { className: 'grow' }),
      countText,
    ),
    h('div', { className: 'main' }, graph.element, details),
    announce,
  ),
);

function describe(node: LineageNode, i: number): string {
  const l = graph.layout!;
  return `${node.kind} ${node.label}${node.stale ? ', stale' : ''}${node.current ? ', current version' : ''}; ${
    l.preds[i]!.length
  } in, ${l.succs[i]!.length} out`;
}

function runsAmong(indices: Iterable<number>): string[] {
  const ids: string[] = [];
  for (const i of indices) {
    const n = state!.nodes[i]!;
    if (n.kind === 'run' && n.runId !== null) ids.push(n.runId);
  }
  return ids;
}

function actionButton(
  label: string,
  icon: string,
  onClick: () => void,
  primary = false,
): HTMLElement {
  const b = h(
    'button',
    { className: primary ? '' : 'secondary' },
    h('span', { className: `codicon codicon-${icon}`, 'aria-hidden': 'true' }),
    ` ${label}`,
  );
  b.addEventListener('click', onClick);
  return b;
}

function nodeLink(i: number): HTMLElement {
  const n = state!.nodes[i]!;
  const b = h('button', { className: 'link', title: n.detail }, `${n.kind}: ${n.label}`);
  b.addEventListener('click', () => {
    graph.setFocus(i);
    selectNode(i);
  });
  return h('li', {}, b);
}

function renderDetails(): void {
  const i = graph.selected;
  if (state === undefined || i < 0) {
    const stale = state?.nodes.filter((n) => n.stale) ?? [];
    details.replaceChildren(
      ...present(
        h('h2', {}, 'Lineage'),
        h(
          'p',
          { className: 'muted' },
          'Click a node, or focus the graph and use the arrow keys and Enter, to see where it came from and what used it.',
        ),
        stale.length > 0
          ? h(
              'p',
              {},
              `${stale.length} stale node${stale.length === 1 ? '' : 's'}: made from data that has newer versions.`,
            )
          : null,
      ),
    );
    return;
  }
  const node = state.nodes[i]!;
  const l = graph.layout!;
  const up = graph.upstreamOfSelected;
  const down = graph.downstreamOfSelected;
  const facts = h('dl', {});
  const fact = (k: string, v: string | null): void => {
    if (v === null || v === '') return;
    facts.append(h('dt', {}, k), h('dd', {}, v));
  };
  fact('kind', node.kind);
  fact('path', node.path);
  fact(node.kind === 'commit' ? 'commit' : 'version', node.hash);
  fact('run', node.runId);
  fact('status', node.status);
  fact('time', node.timeMs === null ? null : new Date(node.timeMs).toLocaleString());
  fact('detail', node.detail);
  const actions = h('div', { className: 'actions' });
  const usedBy = runsAmong(down);
  if (node.kind === 'run' && node.runId !== null) {
    const runId = node.runId;
    actions.append(
      actionButton('Open run', 'go-to-file', () => post({ type: 'lineage/run/open', runId }), true),
      actionButton('Reproduce', 'debug-rerun', () =>
        post({ type: 'lineage/run/reproduce', runId }),
      ),
    );
    // Runs that share an input with this one are the natural comparison.
    const siblings = new Set<string>([runId]);
    for (const p of l.preds[i]!)
      for (const s of l.succs[p]!) {
        const sn = state.nodes[s]!;
        if (sn.kind === 'run' && sn.runId !== null) siblings.add(sn.runId);
      }
    if (siblings.size > 1) {
      actions.append(
        actionButton(
          `Compare with ${siblings.size - 1} run${siblings.size === 2 ? '' : 's'} on the same inputs`,
          'diff-multiple',
          () => post({ type: 'lineage/runs/compare', runIds: [...siblings] }),
        ),
      );
    }
  }
  if ((node.kind === 'data' || node.kind === 'model') && node.path !== null && node.hash !== null) {
    const path = node.path;
    const hash = node.hash;
    actions.append(
      actionButton(
        'Check out this version',
        'cloud-download',
        () => post({ type: 'lineage/artifact/checkout', path, hash }),
        true,
      ),
    );
  }
  if (node.kind !== 'run' && usedBy.length > 0) {
    actions.append(
      actionButton(
        `Compare the ${usedBy.length} run${usedBy.length === 1 ? '' : 's'} downstream`,
        'diff-multiple',
        () => post({ type: 'lineage/runs/compare', runIds: usedBy }),
      ),
    );
  }
  const section = (title: string, items: number[], empty: string): HTMLElement =>
    h(
      'section',
      {},
      h('h3', {}, title),
      items.length === 0
        ? h('p', { className: 'muted' }, empty)
        : h('ul', {}, ...items.slice(0, 200).map(nodeLink)),
      items.length > 200 ? h('p', { className: 'muted' }, `and ${items.length - 200} more`) : null,
    );
  const upRuns = [...up];
  details.replaceChildren(
    ...present(
      h('h2', { className: `kind-${node.kind}` }, node.label),
      node.stale
        ? h(
            'p',
            { className: 'stale-note' },
            '⚠ Stale: an input has a newer version than the one this was made from.',
          )
        : null,
      facts,
      actions,
      node.kind === 'data'
        ? section(
            `Runs that used this version (${usedBy.length})`,
            [...down].filter((k) => state!.nodes[k]!.kind === 'run'),
            'No run used this version.',
          )
        : section(
            `Where it came from (${upRuns.length})`,
            upRuns,
            'Nothing upstream: this is a source.',
          ),
      section(`Downstream (${down.size})`, [...down], 'Nothing downstream.'),
    ),
  );
}

function selectNode(i: number): void {
  graph.select(i);
  vs.selectedId = i >= 0 ? (state?.nodes[i]?.id ?? null) : null;
  saveState();
  renderDetails();
}

function setState(next: LineageState): void {
  state = next;
  indexById = new Map(next.nodes.map((n, i) => [n.id, i]));
  graph.setGraph(next.nodes, next.edges);
  const stale = next.nodes.filter((n) => n.stale).length;
  staleButton.textContent = `Stale (${stale})`;
  staleButton.disabled = stale === 0 && graph.highlight !== 'stale';
  countText.textContent = `${next.nodes.length} nodes, ${next.edges.length} edges`;
  const focusId = firstState ? (next.focusId ?? vs.selectedId) : vs.selectedId;
  const sel = focusId === null ? -1 : (indexById.get(focusId) ?? -1);
  const foc = vs.focusId === null ? sel : (indexById.get(vs.focusId) ?? sel);
  if (firstState && vs.transform !== null) graph.t = { ...vs.transform };
  else if (firstState) graph.initialView();
  graph.focus = foc;
  selectNode(sel);
  if (firstState && next.focusId !== null && sel >= 0) graph.reveal(sel);
  firstState = false;
  graph.draw();
}

function onMessage(m: LineageHostMessage): void {
  switch (m.type) {
    case 'lineage/state/didChange':
      setState(m.state);
      break;
    default:
      assertNever(m.type);
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isLineageHostMessage(e.data)) onMessage(e.data);
});

let searchFrom = -1;
search.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter' || state === undefined) return;
  const q = search.value.toLowerCase();
  if (q === '') return;
  const n = state.nodes.length;
  for (let k = 1; k <= n; k++) {
    const i = (searchFrom + k) % n;
    const node = state.nodes[i]!;
    if (
      node.label.toLowerCase().includes(q) ||
      (node.hash ?? '').startsWith(q) ||
      node.id.toLowerCase() === q
    ) {
      searchFrom = i;
      graph.setFocus(i);
      selectNode(i);
      return;
    }
  }
  announce.textContent = 'No node matches.';
});
staleButton.addEventListener('click', () => {
  const mode: Highlight = graph.highlight === 'stale' ? 'lineage' : 'stale';
  graph.setHighlight(mode);
  vs.highlight = mode;
  staleButton.setAttribute('aria-pressed', String(mode === 'stale'));
  saveState();
});
fitButton.addEventListener('click', () => graph.fit());
zoomIn.addEventListener('click', () => graph.zoomBy(1.25));
zoomOut.addEventListener('click', () => graph.zoomBy(0.8));

graph.highlight = vs.highlight;
staleButton.setAttribute('aria-pressed', String(vs.highlight === 'stale'));
staleButton.textContent = 'Stale (0)';
renderDetails();
// Read-only hook for the Chromium tests: where a node is drawn, so a test can click it.
(window as unknown as { __cairnLineage: unknown }).__cairnLineage = {
  centreOf: (id: string) => {
    const i = indexById.get(id);
    return i === undefined ? null : graph.centreOf(i);
  },
};
post({ type: 'webview/ready' });
