// Messages between the extension host and the compare webview, and the view model it shows.
// Plain JSON only: times are epoch ms, non-finite numbers are encoded (see JsonNumber).
import {
  isArrayOf,
  isBoolean,
  isFiniteNumber,
  isJsonNumber,
  isNull,
  isNullable,
  isOneOf,
  isRecordOf,
  isShape,
  isString,
  isTagged,
  isTuple2,
  isEither,
  isWebviewReady,
  literal,
  type Guard,
  type JsonNumber,
  type WebviewReady,
} from './guards.js';
import {
  isPackedNumbers,
  packFloat32,
  packSteps,
  packedLength,
  type PackedNumbers,
} from './packedNumbers.js';

export const runStatuses = [
  'queued',
  'running',
  'completed',
  'failed',
  'stopped',
  'cancelled',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export type ParamValue = number | string | boolean | null;
export type Goal = 'max' | 'min';

/** One run as a table row. Keys of params and metrics are shown as they are (escaped). */
export interface RunRow {
  id: string;
  name: string;
  task: string | null;
  status: RunStatus;
  startedMs: number;
  durationMs: number | null;
  params: Record<string, ParamValue>;
  /** Summary value per metric (usually the last or best step). */
  metrics: Record<string, JsonNumber>;
  commit: string | null;
  /** True when the run started with uncommitted changes. */
  dirty: boolean;
  /** Artifact path → content hash of each input and output the run recorded. */
  dataVersions: Record<string, string>;
}

/**
 * One metric of one run over steps; steps and values have the same length. Long series should be
 * packed (packSeries): a packed array is one string, which postMessage copies ~100× faster than
 * an array of numbers.
 */
export interface MetricSeries {
  runId: string;
  metric: string;
  steps: number[] | PackedNumbers;
  values: JsonNumber[] | PackedNumbers;
}

/** A series packed for sending: steps as a range when regular, values as float32. */
export function packSeries(
  runId: string,
  metric: string,
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
): MetricSeries {
  return { runId, metric, steps: packSteps(steps), values: packFloat32(values) };
}

/** The length of a series' steps or values, packed or not. */
export function seriesLength(a: number[] | JsonNumber[] | PackedNumbers): number {
  return Array.isArray(a) ? a.length : packedLength(a);
}

export interface CompareState {
  runs: RunRow[];
  /** Whether a larger value is better, per metric; metrics not listed get a guess by name. */
  goals: Record<string, Goal>;
  /** Series the host has loaded (usually those of the selected runs). */
  series: MetricSeries[];
}

/** Code and data differences of two runs, computed by the host on request. */
export interface RunDiff {
  runIds: [string, string];
  /** `git diff` between the two runs' commits; null when a commit is unknown or they are equal. */
  commitDiff: string | null;
  /** Each run's uncommitted changes at start, as a unified diff; null when it had none. */
  uncommitted: [string | null, string | null];
}

// ---- webview → host (imperative) ----

export type CompareWebviewMessage =
  | WebviewReady
  | { type: 'compare/selection/set'; runIds: string[] }
  | { type: 'compare/run/open'; runId: string }
  | { type: 'compare/csv/export'; fileName: string; csv: string }
  | { type: 'compare/diff/get'; requestId: number; runIds: [string, string] };

// ---- host → webview (past tense) ----

export type CompareHostMessage =
  | { type: 'compare/state/didChange'; state: CompareState }
  | { type: 'compare/series/didChange'; series: MetricSeries[] }
  | {
      type: 'compare/series/didAppend';
      /** Points appended to running series; steps continue the existing ones. */
      points: MetricSeries[];
    }
  | {
      type: 'compare/diff/get/response';
      requestId: number;
      diff: RunDiff | null;
      error: string | null;
    };

// ---- guards ----

export const isParamValue: Guard<ParamValue> = (v): v is ParamValue =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v));

export const isRunRow: Guard<RunRow> = isShape<RunRow>({
  id: isString,
  name: isString,
  task: isNullable(isString),
  status: isOneOf(runStatuses),
  startedMs: isFiniteNumber,
  durationMs: isNullable(isFiniteNumber),
  params: isRecordOf(isParamValue),
  metrics: isRecordOf(isJsonNumber),
  commit: isNullable(isString),
  dirty: isBoolean,
  dataVersions: isRecordOf(isString),
});

/** Series arrays can hold 10^5 points; a plain loop keeps their check cheap. */
const isFiniteNumberArray: Guard<number[]> = (v): v is number[] => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
};

const isJsonNumberArray: Guard<JsonNumber[]> = (v): v is JsonNumber[] => {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) return false;
    } else if (!isJsonNumber(x)) return false;
  }
  return true;
};

export const isMetricSeries: Guard<MetricSeries> = (v): v is MetricSeries =>
  isShape<MetricSeries>({
    runId: isString,
    metric: isString,
    steps: isEither(isFiniteNumberArray, isPackedNumbers),
    values: isEither(isJsonNumberArray, isPackedNumbers),
  })(v) && seriesLength(v.steps) === seriesLength(v.values);

export const isCompareState: Guard<CompareState> = isShape<CompareState>({
  runs: isArrayOf(isRunRow),
  goals: isRecordOf(isOneOf(['max', 'min'] as const)),
  series: isArrayOf(isMetricSeries),
});

const isNullableString = isEither(isString, isNull);

export const isRunDiff: Guard<RunDiff> = isShape<RunDiff>({
  runIds: isTuple2(isString, isString),
  commitDiff: isNullableString,
  uncommitted: isTuple2(isNullableString, isNullableString),
});

type Variant<U, K> = Extract<U, { type: K }>;

/** Checks a message from the compare webview before the host acts on it. */
export const isCompareWebviewMessage: Guard<CompareWebviewMessage> =
  isTagged<CompareWebviewMessage>({
    'webview/ready': isWebviewReady,
    'compare/selection/set': isShape<Variant<CompareWebviewMessage, 'compare/selection/set'>>({
      type: literal('compare/selection/set'),
      runIds: isArrayOf(isString),
    }),
    'compare/run/open': isShape<Variant<CompareWebviewMessage, 'compare/run/open'>>({
      type: literal('compare/run/open'),
      runId: isString,
    }),
    'compare/csv/export': isShape<Variant<CompareWebviewMessage, 'compare/csv/export'>>({
      type: literal('compare/csv/export'),
      fileName: isString,
      csv: isString,
    }),
    'compare/diff/get': isShape<Variant<CompareWebviewMessage, 'compare/diff/get'>>({
      type: literal('compare/diff/get'),
      requestId: isFiniteNumber,
      runIds: isTuple2(isString, isString),
    }),
  });

/** Checks a message from the host before the compare webview uses it. */
export const isCompareHostMessage: Guard<CompareHostMessage> = isTagged<CompareHostMessage>({
  'compare/state/didChange': isShape<Variant<CompareHostMessage, 'compare/state/didChange'>>({
    type: literal('compare/state/didChange'),
    state: isCompareState,
  }),
  'compare/series/didChange': isShape<Variant<CompareHostMessage, 'compare/series/didChange'>>({
    type: literal('compare/series/didChange'),
    series: isArrayOf(isMetricSeries),
  }),
  'compare/series/didAppend': isShape<Variant<CompareHostMessage, 'compare/series/didAppend'>>({
    type: literal('compare/series/didAppend'),
    points: isArrayOf(isMetricSeries),
  }),
  'compare/diff/get/response': isShape<Variant<CompareHostMessage, 'compare/diff/get/response'>>({
    type: literal('compare/diff/get/response'),
    requestId: isFiniteNumber,
    diff: isNullable(isRunDiff),
    error: isNullableString,
  }),
});
