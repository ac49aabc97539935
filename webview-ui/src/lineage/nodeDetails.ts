// The lineage page's details of the selected node: its facts, what one can do with it (open,
// reproduce, compare, check out) and where it came from and what used it, as links to those nodes.
import type {
  LineageNode,
  LineageState,
  LineageWebviewMessage,
} from '../../../src/protocol/lineage.js';
import { codiconButton } from '../shared/codiconButton.js';
import { h, present } from '../shared/dom.js';
import type { GraphView } from './graphView.js';

export interface NodeDetailsActions {
  post(message: LineageWebviewMessage): void;
  /** Focuses and selects the node at index i. */
  goTo(i: number): void;
}

function runsAmong(state: LineageState, indices: Iterable<number>): string[] {
  const ids: string[] = [];
  for (const i of indices) {
    const n = state.nodes[i]!;
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
  const b = codiconButton(icon, label, { primary });
  b.addEventListener('click', onClick);
  return b;
}

/** The hint shown while no node is selected, with the count of stale nodes. */
function overview(state: LineageState | undefined): Node[] {
  const stale = state?.nodes.filter((n) => n.stale) ?? [];
  return present(
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
  );
}

function facts(node: LineageNode): HTMLElement {
  const dl = h('dl', {});
  const fact = (k: string, v: string | null): void => {
    if (v === null || v === '') return;
    dl.append(h('dt', {}, k), h('dd', {}, v));
  };
  fact('kind', node.kind);
  fact('path', node.path);
  fact(node.kind === 'commit' ? 'commit' : 'version', node.hash);
  fact('run', node.runId);
  fact('status', node.status);
  fact('time', node.timeMs === null ? null : new Date(node.timeMs).toLocaleString());
  fact('detail', node.detail);
  return dl;
}

function nodeActions(
  state: LineageState,
  graph: GraphView,
  i: number,
  act: NodeDetailsActions,
): HTMLElement {
  const node = state.nodes[i]!;
  const l = graph.layout!;
  const actions = h('div', { className: 'actions' });
  const usedBy = runsAmong(state, graph.downstreamOfSelected);
  if (node.kind === 'run' && node.runId !== null) {
    const runId = node.runId;
    actions.append(
      actionButton(
        'Open run',
        'go-to-file',
        () => act.post({ type: 'lineage/run/open', runId }),
        true,
      ),
      actionButton('Reproduce', 'debug-rerun', () =>
        act.post({ type: 'lineage/run/reproduce', runId }),
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
          () => act.post({ type: 'lineage/runs/compare', runIds: [...siblings] }),
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
        () => act.post({ type: 'lineage/artifact/checkout', path, hash }),
        true,
      ),
    );
  }
  if (node.kind !== 'run' && usedBy.length > 0) {
    actions.append(
      actionButton(
        `Compare the ${usedBy.length} run${usedBy.length === 1 ? '' : 's'} downstream`,
        'diff-multiple',
        () => act.post({ type: 'lineage/runs/compare', runIds: usedBy }),
      ),
    );
  }
  return actions;
}

/** The details panel's content for the graph's selected node, or the overview when none is. */
export function nodeDetails(
  state: LineageState | undefined,
  graph: GraphView,
  act: NodeDetailsActions,
): Node[] {
  const i = graph.selected;
  if (state === undefined || i < 0) return overview(state);
  const node = state.nodes[i]!;
  const up = graph.upstreamOfSelected;
  const down = graph.downstreamOfSelected;
  const nodeLink = (k: number): HTMLElement => {
    const n = state.nodes[k]!;
    const b = h('button', { className: 'link', title: n.detail }, `${n.kind}: ${n.label}`);
    b.addEventListener('click', () => act.goTo(k));
    return h('li', {}, b);
  };
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
  const usedBy = runsAmong(state, down);
  const upNodes = [...up];
  return present(
    h('h2', { className: `kind-${node.kind}` }, node.label),
    node.stale
      ? h(
          'p',
          { className: 'stale-note' },
          '⚠ Stale: an input has a newer version than the one this was made from.',
        )
      : null,
    facts(node),
    nodeActions(state, graph, i, act),
    node.kind === 'data'
      ? section(
          `Runs that used this version (${usedBy.length})`,
          [...down].filter((k) => state.nodes[k]!.kind === 'run'),
          'No run used this version.',
        )
      : section(
          `Where it came from (${upNodes.length})`,
          upNodes,
          'Nothing upstream: this is a source.',
        ),
    section(`Downstream (${down.size})`, [...down], 'Nothing downstream.'),
  );
}
