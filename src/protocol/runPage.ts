// Messages between the extension host and the run page webview (one run: its params, metric
// charts, inputs and outputs, code, log and actions), and the view model it shows.
// Plain JSON only: times are epoch ms, non-finite numbers are encoded (see JsonNumber).
import {
  isMetricSeries,
  isParamValue,
  runStatuses,
  type MetricSeries,
  type ParamValue,
} from './compare.js';
import {
  isArrayOf,
  isBoolean,
  isFiniteNumber,
  isJsonNumber,
  isNullable,
  isOneOf,
  isShape,
  isString,
  isTagged,
  isWebviewReady,
  literal,
  type Guard,
  type JsonNumber,
  type WebviewReady,
} from './guards.js';

/** One artifact version the run used or produced. */
export interface RunPageArtifact {
  path: string;
  kind: 'data' | 'model';
  hash: string;
  /** The run that produced this version, when known: its id and name. */
  producedBy: { id: string; name: string } | null;
  /** Whether the work tree holds this version now. */
  current: boolean;
}

export interface RunPageMetric {
  name: string;
  last: JsonNumber;
  min: JsonNumber;
  max: JsonNumber;
  /** Points recorded. */
  count: number;
  goal: 'max' | 'min' | null;
}

export interface RunPageParam {
  key: string;
  value: ParamValue;
  /** Set for this run (a `-p` override or a sweep value), not the task's default. */
  overridden: boolean;
}

export interface RunPageState {
  run: {
    id: string;
    name: string;
    task: string | null;
    status: (typeof runStatuses)[number];
    command: string;
    startedMs: number;
    durationMs: number | null;
    exitCode: number | null;
    host: string;
    user: string | null;
    /** Why the run failed, in a sentence, when it did. */
    error: string | null;
    sweep: string | null;
    /** The run this one reproduces, by id and name. */
    reproduces: { id: string; name: string } | null;
  };
  params: RunPageParam[];
  metrics: RunPageMetric[];
  series: MetricSeries[];
  inputs: RunPageArtifact[];
  outputs: RunPageArtifact[];
  code: {
    commit: string | null;
    /** The commit's subject line, when Git knows the commit. */
    subject: string | null;
    branch: string | null;
    dirty: boolean;
    /** The uncommitted changes the run started with, as a unified diff. */
    diff: string | null;
  };
  log: {
    /** The last lines of the output. */
    tail: string;
    /** Lines before the tail that are not shown (open the log for them). */
    hiddenLines: number;
  };
  /** The newest earlier finished run of the same task, to compare with. */
  previous: { id: string; name: string } | null;
}

// ---- webview → host (imperative) ----

/** What the page's buttons ask the host to do with the run. */
export const runPageActions = ['rerun', 'reproduce', 'lineage', 'log', 'comparePrevious'] as const;
export type RunPageAction = (typeof runPageActions)[number];

export type RunPageWebviewMessage =
  | WebviewReady
  | { type: 'run/action/run'; action: RunPageAction }
  | { type: 'run/run/open'; runId: string }
  | { type: 'run/artifact/reveal'; path: string };

// ---- host → webview (past tense) ----

export type RunPageHostMessage = { type: 'run/state/didChange'; state: RunPageState };

// ---- guards ----

const isNamedRun = isShape<{ id: string; name: string }>({ id: isString, name: isString });

const isArtifact: Guard<RunPageArtifact> = isShape<RunPageArtifact>({
  path: isString,
  kind: isOneOf(['data', 'model'] as const),
  hash: isString,
  producedBy: isNullable(isNamedRun),
  current: isBoolean,
});

export const isRunPageState: Guard<RunPageState> = isShape<RunPageState>({
  run: isShape<RunPageState['run']>({
    id: isString,
    name: isString,
    task: isNullable(isString),
    status: isOneOf(runStatuses),
    command: isString,
    startedMs: isFiniteNumber,
    durationMs: isNullable(isFiniteNumber),
    exitCode: isNullable(isFiniteNumber),
    host: isString,
    user: isNullable(isString),
    error: isNullable(isString),
    sweep: isNullable(isString),
    reproduces: isNullable(isNamedRun),
  }),
  params: isArrayOf(
    isShape<RunPageParam>({ key: isString, value: isParamValue, overridden: isBoolean }),
  ),
  metrics: isArrayOf(
    isShape<RunPageMetric>({
      name: isString,
      last: isJsonNumber,
      min: isJsonNumber,
      max: isJsonNumber,
      count: isFiniteNumber,
      goal: isNullable(isOneOf(['max', 'min'] as const)),
    }),
  ),
  series: isArrayOf(isMetricSeries),
  inputs: isArrayOf(isArtifact),
  outputs: isArrayOf(isArtifact),
  code: isShape<RunPageState['code']>({
    commit: isNullable(isString),
    subject: isNullable(isString),
    branch: isNullable(isString),
    dirty: isBoolean,
    diff: isNullable(isString),
  }),
  log: isShape<RunPageState['log']>({ tail: isString, hiddenLines: isFiniteNumber }),
  previous: isNullable(isNamedRun),
});

type Variant<U, K> = Extract<U, { type: K }>;

/** Checks a message from the run page before the host acts on it. */
export const isRunPageWebviewMessage: Guard<RunPageWebviewMessage> =
  isTagged<RunPageWebviewMessage>({
    'webview/ready': isWebviewReady,
    'run/action/run': isShape<Variant<RunPageWebviewMessage, 'run/action/run'>>({
      type: literal('run/action/run'),
      action: isOneOf(runPageActions),
    }),
    'run/run/open': isShape<Variant<RunPageWebviewMessage, 'run/run/open'>>({
      type: literal('run/run/open'),
      runId: isString,
    }),
    'run/artifact/reveal': isShape<Variant<RunPageWebviewMessage, 'run/artifact/reveal'>>({
      type: literal('run/artifact/reveal'),
      path: isString,
    }),
  });

/** Checks a message from the host before the run page uses it. */
export const isRunPageHostMessage: Guard<RunPageHostMessage> = isTagged<RunPageHostMessage>({
  'run/state/didChange': isShape<Variant<RunPageHostMessage, 'run/state/didChange'>>({
    type: literal('run/state/didChange'),
    state: isRunPageState,
  }),
});
