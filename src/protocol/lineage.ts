// Messages between the extension host and the lineage webview, and the graph it shows.
import {
  isArrayOf,
  isBoolean,
  isNullable,
  isOneOf,
  isShape,
  isString,
  isTagged,
  isFiniteNumber,
  isWebviewReady,
  literal,
  type Guard,
  type WebviewReady,
} from './guards.js';
import { runStatuses, type RunStatus } from './compare.js';

export const lineageNodeKinds = ['data', 'model', 'run', 'commit'] as const;
export type LineageNodeKind = (typeof lineageNodeKinds)[number];

/** One artifact version, run or commit. */
export interface LineageNode {
  id: string;
  kind: LineageNodeKind;
  /** Short text on the node: artifact path, run name or short commit. */
  label: string;
  /** Longer text for the details panel: hash, command, commit message. */
  detail: string;
  /** Artifact path (data and model nodes). */
  path: string | null;
  /** Content hash (data and model) or full commit hash (commit). */
  hash: string | null;
  /** Run id (run nodes). */
  runId: string | null;
  status: RunStatus | null;
  timeMs: number | null;
  /**
   * A model made from inputs that have newer versions since, or a run whose inputs changed;
   * computed by the host.
   */
  stale: boolean;
  /** The version that the workspace's pointer file names (data and model nodes). */
  current: boolean;
}

/** Data flows from `from` to `to`: artifact → run (input), run → artifact (output), commit → run. */
export interface LineageEdge {
  from: string;
  to: string;
  kind: 'input' | 'output' | 'commit';
}

export interface LineageState {
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** A node to select when the state arrives (e.g. the artifact the user asked about). */
  focusId: string | null;
}

// ---- webview → host (imperative) ----

export type LineageWebviewMessage =
  | WebviewReady
  | { type: 'lineage/run/open'; runId: string }
  | { type: 'lineage/runs/compare'; runIds: string[] }
  | { type: 'lineage/artifact/checkout'; path: string; hash: string }
  | { type: 'lineage/run/reproduce'; runId: string };

// ---- host → webview (past tense) ----

export type LineageHostMessage = { type: 'lineage/state/didChange'; state: LineageState };

// ---- guards ----

export const isLineageNode: Guard<LineageNode> = isShape<LineageNode>({
  id: isString,
  kind: isOneOf(lineageNodeKinds),
  label: isString,
  detail: isString,
  path: isNullable(isString),
  hash: isNullable(isString),
  runId: isNullable(isString),
  status: isNullable(isOneOf(runStatuses)),
  timeMs: isNullable(isFiniteNumber),
  stale: isBoolean,
  current: isBoolean,
});

export const isLineageEdge: Guard<LineageEdge> = isShape<LineageEdge>({
  from: isString,
  to: isString,
  kind: isOneOf(['input', 'output', 'commit'] as const),
});

export const isLineageState: Guard<LineageState> = isShape<LineageState>({
  nodes: isArrayOf(isLineageNode),
  edges: isArrayOf(isLineageEdge),
  focusId: isNullable(isString),
});

type Variant<U, K> = Extract<U, { type: K }>;

/** Checks a message from the lineage webview before the host acts on it. */
export const isLineageWebviewMessage: Guard<LineageWebviewMessage> =
  isTagged<LineageWebviewMessage>({
    'webview/ready': isWebviewReady,
    'lineage/run/open': isShape<Variant<LineageWebviewMessage, 'lineage/run/open'>>({
      type: literal('lineage/run/open'),
      runId: isString,
    }),
    'lineage/runs/compare': isShape<Variant<LineageWebviewMessage, 'lineage/runs/compare'>>({
      type: literal('lineage/runs/compare'),
      runIds: isArrayOf(isString),
    }),
    'lineage/artifact/checkout': isShape<
      Variant<LineageWebviewMessage, 'lineage/artifact/checkout'>
    >({
      type: literal('lineage/artifact/checkout'),
      path: isString,
      hash: isString,
    }),
    'lineage/run/reproduce': isShape<Variant<LineageWebviewMessage, 'lineage/run/reproduce'>>({
      type: literal('lineage/run/reproduce'),
      runId: isString,
    }),
  });

/** Checks a message from the host before the lineage webview uses it. */
export const isLineageHostMessage: Guard<LineageHostMessage> = isTagged<LineageHostMessage>({
  'lineage/state/didChange': isShape<LineageHostMessage>({
    type: literal('lineage/state/didChange'),
    state: isLineageState,
  }),
});
