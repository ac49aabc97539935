// Messages between the extension host and the drift webview, and the comparison of two versions
// of a dataset that it shows. Column statistics are the profile view's (protocol/profile.ts).
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
import {
  columnTypes,
  isColumnStats,
  isImageProfileView,
  type ColumnStats,
  type ColumnType,
  type ImageProfileView,
} from './profile.js';

export interface DriftVersion {
  /** The revision as given ('workspace' for the work tree). */
  rev: string;
  commit: string | null;
  /** The version as people read it: 'work tree', `3f2a9c1d0e · v1.2` or `3f2a9c1d0e · "add March data"`. */
  label: string;
  rows: number;
}

export interface ColumnDriftView {
  name: string;
  type: ColumnType;
  /** The column in each version; null when it is not in that version (added or removed). */
  from: ColumnStats | null;
  to: ColumnStats | null;
  /** Population stability index; null when it does not apply. */
  psi: JsonNumber;
  /** Two-sample Kolmogorov–Smirnov test (numeric columns). */
  ks: { statistic: JsonNumber; pValue: JsonNumber } | null;
  /** to.missingRate − from.missingRate */
  missingRateChange: JsonNumber;
  categoriesAdded: string[];
  categoriesRemoved: string[];
  drifted: boolean;
  /** Why the column was flagged, in words. */
  reasons: string[];
}

/** The limits a column is flagged at, so the view can explain the numbers. */
export interface DriftThresholds {
  psi: number;
  ksPValue: number;
  ksStatistic: number;
  missingRateChange: number;
}

export interface DriftState {
  path: string;
  from: DriftVersion;
  to: DriftVersion;
  /** Flagged columns first. */
  columns: ColumnDriftView[];
  /** For a folder of images: both profiles (the class balance is the one column). */
  images: { from: ImageProfileView; to: ImageProfileView } | null;
  /** One or two plain sentences. */
  summary: string;
  thresholds: DriftThresholds;
}

export const driftSides = ['from', 'to'] as const;
export type DriftSide = (typeof driftSides)[number];

// ---- webview → host (imperative) ----

export type DriftWebviewMessage =
  | WebviewReady
  /** The user chose a column (view state; the host may follow it, e.g. in a status line). */
  | { type: 'drift/column/select'; column: string | null }
  /** Open the profile of one of the two versions (the host knows which revision each side is). */
  | { type: 'drift/profile/open'; side: DriftSide }
  /** Compare again (the work tree changed). */
  | { type: 'drift/report/reload' };

// ---- host → webview (past tense) ----

export type DriftHostMessage =
  | { type: 'drift/load/didStart' }
  | { type: 'drift/state/didChange'; state: DriftState }
  | { type: 'drift/load/didFail'; error: string };

// ---- guards ----

const isCount: Guard<number> = (v): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0;

export const isDriftVersion: Guard<DriftVersion> = isShape<DriftVersion>({
  rev: isString,
  commit: isNullable(isString),
  label: isString,
  rows: isCount,
});

export const isColumnDriftView: Guard<ColumnDriftView> = isShape<ColumnDriftView>({
  name: isString,
  type: isOneOf(columnTypes),
  from: isNullable(isColumnStats),
  to: isNullable(isColumnStats),
  psi: isJsonNumber,
  ks: isNullable(
    isShape<{ statistic: JsonNumber; pValue: JsonNumber }>({
      statistic: isJsonNumber,
      pValue: isJsonNumber,
    }),
  ),
  missingRateChange: isJsonNumber,
  categoriesAdded: isArrayOf(isString),
  categoriesRemoved: isArrayOf(isString),
  drifted: isBoolean,
  reasons: isArrayOf(isString),
});

export const isDriftThresholds: Guard<DriftThresholds> = isShape<DriftThresholds>({
  psi: isFiniteNumber,
  ksPValue: isFiniteNumber,
  ksStatistic: isFiniteNumber,
  missingRateChange: isFiniteNumber,
});

export const isDriftState: Guard<DriftState> = isShape<DriftState>({
  path: isString,
  from: isDriftVersion,
  to: isDriftVersion,
  columns: isArrayOf(isColumnDriftView),
  images: isNullable(
    isShape<{ from: ImageProfileView; to: ImageProfileView }>({
      from: isImageProfileView,
      to: isImageProfileView,
    }),
  ),
  summary: isString,
  thresholds: isDriftThresholds,
});

type Variant<U, K> = Extract<U, { type: K }>;

/** Checks a message from the drift webview before the host acts on it. */
export const isDriftWebviewMessage: Guard<DriftWebviewMessage> = isTagged<DriftWebviewMessage>({
  'webview/ready': isWebviewReady,
  'drift/column/select': isShape<Variant<DriftWebviewMessage, 'drift/column/select'>>({
    type: literal('drift/column/select'),
    column: isNullable(isString),
  }),
  'drift/profile/open': isShape<Variant<DriftWebviewMessage, 'drift/profile/open'>>({
    type: literal('drift/profile/open'),
    side: isOneOf(driftSides),
  }),
  'drift/report/reload': isShape<Variant<DriftWebviewMessage, 'drift/report/reload'>>({
    type: literal('drift/report/reload'),
  }),
});

/** Checks a message from the host before the drift webview uses it. */
export const isDriftHostMessage: Guard<DriftHostMessage> = isTagged<DriftHostMessage>({
  'drift/load/didStart': isShape<Variant<DriftHostMessage, 'drift/load/didStart'>>({
    type: literal('drift/load/didStart'),
  }),
  'drift/state/didChange': isShape<Variant<DriftHostMessage, 'drift/state/didChange'>>({
    type: literal('drift/state/didChange'),
    state: isDriftState,
  }),
  'drift/load/didFail': isShape<Variant<DriftHostMessage, 'drift/load/didFail'>>({
    type: literal('drift/load/didFail'),
    error: isString,
  }),
});
