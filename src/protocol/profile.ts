// Messages between the extension host and the profile webview, and the dataset statistics it
// shows. Plain JSON only: statistics that can be NaN or ±Infinity are JsonNumbers (see guards.ts),
// a statistic a column does not have is null.
import {
  isArrayOf,
  isBoolean,
  isFiniteNumber,
  isJsonNumber,
  isNullable,
  isOneOf,
  isRecordOf,
  isShape,
  isString,
  isTagged,
  isWebviewReady,
  literal,
  type Guard,
  type JsonNumber,
  type WebviewReady,
} from './guards.js';

export const columnTypes = ['number', 'boolean', 'string', 'empty'] as const;
export type ColumnType = (typeof columnTypes)[number];

export const quantileKeys = ['p01', 'p05', 'p25', 'p50', 'p75', 'p95', 'p99'] as const;
export type QuantileKey = (typeof quantileKeys)[number];

/** Equal-width bins: edges has one more entry than counts. */
export interface Histogram {
  edges: JsonNumber[];
  counts: number[];
}

export interface ValueCount {
  value: string;
  count: number;
}

/** The statistics of one column of one dataset version. */
export interface ColumnStats {
  name: string;
  type: ColumnType;
  /** Values present (not missing). */
  count: number;
  missing: number;
  missingRate: number;
  distinct: number;
  /** False when distinct is an estimate (too many values to count exactly). */
  distinctExact: boolean;
  min: JsonNumber;
  max: JsonNumber;
  mean: JsonNumber;
  std: JsonNumber;
  quantiles: Record<QuantileKey, JsonNumber> | null;
  histogram: Histogram | null;
  /** The most frequent values, most frequent first (categories; also numbers, as text). */
  topValues: ValueCount[];
  /** True when quantiles and the histogram come from a uniform sample of the column. */
  sampled: boolean;
}

export interface TableProfileView {
  kind: 'table';
  path: string;
  /** csv, tsv, jsonl … */
  format: string;
  rows: number;
  sizeBytes: number;
  columns: ColumnStats[];
  /** The TensorFlow.js backend that computed the moments. */
  backend: string;
  durationMs: number;
}

export interface Range {
  min: number;
  max: number;
  mean: number;
}

export interface ImageProfileView {
  kind: 'images';
  path: string;
  count: number;
  sizeBytes: number;
  unreadable: number;
  /** Image format → count. */
  formats: Record<string, number>;
  width: Range;
  height: Range;
  /** Channel count (as text) → images. */
  channels: Record<string, number>;
  /** Per-class counts: the first-level sub-folders. */
  classes: ClassCount[];
  durationMs: number;
}

export interface ClassCount {
  name: string;
  count: number;
}

export type DataProfileView = TableProfileView | ImageProfileView;

export interface ProfileState {
  profile: DataProfileView;
  /** The version profiled: 'workspace' or a revision, with its commit when known. */
  rev: string;
  commit: string | null;
  /** Whether the host can open the drift view for this data (it is tracked, with history). */
  canCompare: boolean;
}

// ---- webview → host (imperative) ----

export type ProfileWebviewMessage =
  | WebviewReady
  /** Profile the data again (it changed on disk). */
  | { type: 'profile/data/reload' }
  /** Compare this dataset with another version in the drift view. */
  | { type: 'profile/drift/open' };

// ---- host → webview (past tense) ----

export type ProfileHostMessage =
  | { type: 'profile/load/didStart' }
  | { type: 'profile/state/didChange'; state: ProfileState }
  | { type: 'profile/load/didFail'; error: string };

// ---- guards ----

const isCount: Guard<number> = (v): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

export const isValueCount: Guard<ValueCount> = isShape<ValueCount>({
  value: isString,
  count: isCount,
});

export const isHistogram: Guard<Histogram> = (v): v is Histogram =>
  isShape<Histogram>({ edges: isArrayOf(isJsonNumber), counts: isArrayOf(isCount) })(v) &&
  v.edges.length === v.counts.length + 1;

const isQuantiles = isShape<Record<QuantileKey, JsonNumber>>({
  p01: isJsonNumber,
  p05: isJsonNumber,
  p25: isJsonNumber,
  p50: isJsonNumber,
  p75: isJsonNumber,
  p95: isJsonNumber,
  p99: isJsonNumber,
});

export const isColumnStats: Guard<ColumnStats> = isShape<ColumnStats>({
  name: isString,
  type: isOneOf(columnTypes),
  count: isCount,
  missing: isCount,
  missingRate: isFiniteNumber,
  distinct: isCount,
  distinctExact: isBoolean,
  min: isJsonNumber,
  max: isJsonNumber,
  mean: isJsonNumber,
  std: isJsonNumber,
  quantiles: isNullable(isQuantiles),
  histogram: isNullable(isHistogram),
  topValues: isArrayOf(isValueCount),
  sampled: isBoolean,
});

export const isTableProfileView: Guard<TableProfileView> = isShape<TableProfileView>({
  kind: literal('table'),
  path: isString,
  format: isString,
  rows: isCount,
  sizeBytes: isCount,
  columns: isArrayOf(isColumnStats),
  backend: isString,
  durationMs: isFiniteNumber,
});

const isRange = isShape<Range>({ min: isFiniteNumber, max: isFiniteNumber, mean: isFiniteNumber });

export const isImageProfileView: Guard<ImageProfileView> = isShape<ImageProfileView>({
  kind: literal('images'),
  path: isString,
  count: isCount,
  sizeBytes: isCount,
  unreadable: isCount,
  formats: isRecordOf(isCount),
  width: isRange,
  height: isRange,
  channels: isRecordOf(isCount),
  classes: isArrayOf(isShape<ClassCount>({ name: isString, count: isCount })),
  durationMs: isFiniteNumber,
});

export const isDataProfileView: Guard<DataProfileView> = (v): v is DataProfileView =>
  isTableProfileView(v) || isImageProfileView(v);

export const isProfileState: Guard<ProfileState> = isShape<ProfileState>({
  profile: isDataProfileView,
  rev: isString,
  commit: isNullable(isString),
  canCompare: isBoolean,
});

type Variant<U, K> = Extract<U, { type: K }>;

/** Checks a message from the profile webview before the host acts on it. */
export const isProfileWebviewMessage: Guard<ProfileWebviewMessage> =
  isTagged<ProfileWebviewMessage>({
    'webview/ready': isWebviewReady,
    'profile/data/reload': isShape<Variant<ProfileWebviewMessage, 'profile/data/reload'>>({
      type: literal('profile/data/reload'),
    }),
    'profile/drift/open': isShape<Variant<ProfileWebviewMessage, 'profile/drift/open'>>({
      type: literal('profile/drift/open'),
    }),
  });

/** Checks a message from the host before the profile webview uses it. */
export const isProfileHostMessage: Guard<ProfileHostMessage> = isTagged<ProfileHostMessage>({
  'profile/load/didStart': isShape<Variant<ProfileHostMessage, 'profile/load/didStart'>>({
    type: literal('profile/load/didStart'),
  }),
  'profile/state/didChange': isShape<Variant<ProfileHostMessage, 'profile/state/didChange'>>({
    type: literal('profile/state/didChange'),
    state: isProfileState,
  }),
  'profile/load/didFail': isShape<Variant<ProfileHostMessage, 'profile/load/didFail'>>({
    type: literal('profile/load/didFail'),
    error: isString,
  }),
});
