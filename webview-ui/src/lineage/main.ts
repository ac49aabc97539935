// The lineage webview: artifact versions, runs and commits laid out left to right, with details
// and actions for the chosen node. The host owns the graph; this page keeps only view state.
import { assertNever } from '../../../src/protocol/guards.js';
import {
  isLineageHostMessage,
  type LineageHostMessage,
  type LineageNode,
  type LineageState,
  type LineageWebviewMessage,
} from '../../../src/protocol/lineage.js';
import { startApp, type AppShell } from '../shared/appShell.js';
import { h } from '../shared/dom.js';
import { GraphView, type Highlight } from './graphView.js';
import { restoreLineageViewState, type LineageViewState } from './lineageViewState.js';
import { nodeDetails } from './nodeDetails.js';

function iconButton(icon: string, title: string, label: string, onClick: () => void): HTMLElement {
  const b = h(
    'button',
    { className: 'icon', title, 'aria-label': label },
    h('span', { className: `codicon codicon-${icon}`, 'aria-hidden': 'true' }),
  );
  b.addEventListener('click', onClick);
  return b;
}

function legend(): HTMLElement {
  const items: [string, string][] = [
    ['data', 'data '],
    ['model', 'model '],
    ['run', 'run '],
    ['commit', 'commit '],
    ['up', 'came from '],
    ['down', 'used by'],
  ];
  return h(
    'span',
    { className: 'legend muted' },
    ...items.flatMap(([swatch, text]) => [h('span', { className: `swatch ${swatch}` }), text]),
  );
}

function mountLineage(
  shell: AppShell<LineageViewState, LineageWebviewMessage>,
): (m: LineageHostMessage) => void {
  const vs = shell.view;
  let state: LineageState | undefined;
  let indexById = new Map<string, number>();
  let firstState = true;
  let searchFrom = -1;

  const search = h('input', {
    type: 'search',
    placeholder: 'Find a node (Enter for the next match)',
    'aria-label': 'Find a node',
    spellcheck: 'false',
  });
  const staleButton = h('button', { className: 'secondary', 'aria-pressed': 'false' });
  const countText = h('span', { className: 'muted' });
  const announce = h('div', {
    className: 'visually-hidden',
    'aria-live': 'polite',
    role: 'status',
  });
  const details = h('aside', { className: 'details', 'aria-label': 'Details' });

  const graph = new GraphView({
    focusChanged: (i) => {
      const node = state?.nodes[i];
      vs.focusId = node?.id ?? null;
      shell.save();
      if (node !== undefined) announce.textContent = describe(node, i);
    },
    activate: (i) => selectNode(i),
    transformChanged: (t) => {
      vs.transform = { ...t };
      shell.save();
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
        iconButton('zoom-out', 'Zoom out (-)', 'Zoom out', () => graph.zoomBy(0.8)),
        iconButton('zoom-in', 'Zoom in (+)', 'Zoom in', () => graph.zoomBy(1.25)),
        iconButton('screen-full', 'Fit (0)', 'Fit the graph', () => graph.fit()),
        legend(),
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

  function renderDetails(): void {
    details.replaceChildren(
      ...nodeDetails(state, graph, {
        post: shell.post,
        goTo: (i) => {
          graph.setFocus(i);
          selectNode(i);
        },
      }),
    );
  }

  function selectNode(i: number): void {
    graph.select(i);
    vs.selectedId = i >= 0 ? (state?.nodes[i]?.id ?? null) : null;
    shell.save();
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
    shell.save();
  });

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
  return (m) => {
    switch (m.type) {
      case 'lineage/state/didChange':
        setState(m.state);
        break;
      default:
        assertNever(m.type);
    }
  };
}

startApp({
  restore: restoreLineageViewState,
  isMessage: isLineageHostMessage,
  mount: mountLineage,
});
