// Maps core's data profiles and drift reports to the plain JSON the profile and drift webviews
// take. Pure and type-only on core, so it costs nothing at activation and is unit-tested in Node.
import type { ColumnDrift, DriftReport } from '../../core/data/drift.js';
import type { ColumnProfile, DataProfile, ImageFolderProfile } from '../../core/data/profile.js';
import type {
  ColumnDriftView,
  DriftState,
  DriftThresholds,
  DriftVersion,
} from '../../protocol/drift.js';
import { encodeNumber, encodeNumbers } from '../../protocol/guards.js';
import type {
  ColumnStats,
  DataProfileView,
  ImageProfileView,
  ProfileState,
} from '../../protocol/profile.js';

/** One column's statistics as the webviews show them (a missing statistic becomes null). */
export function columnStats(c: Omit<ColumnProfile, 'sample'>): ColumnStats {
  const q = c.quantiles;
  return {
    name: c.name,
    type: c.type,
    count: c.count,
    missing: c.missing,
    missingRate: Number.isFinite(c.missingRate) ? c.missingRate : 0,
    distinct: c.distinct,
    distinctExact: c.distinctExact,
    min: encodeNumber(c.min),
    max: encodeNumber(c.max),
    mean: encodeNumber(c.mean),
    std: encodeNumber(c.std),
    quantiles:
      q === undefined
        ? null
        : {
            p01: encodeNumber(q.p01),
            p05: encodeNumber(q.p05),
            p25: encodeNumber(q.p25),
            p50: encodeNumber(q.p50),
            p75: encodeNumber(q.p75),
            p95: encodeNumber(q.p95),
            p99: encodeNumber(q.p99),
          },
    histogram:
      c.histogram === undefined || c.histogram.edges.length !== c.histogram.counts.length + 1
        ? null
        : { edges: encodeNumbers(c.histogram.edges), counts: [...c.histogram.counts] },
    topValues: (c.topValues ?? []).map((v) => ({ value: v.value, count: v.count })),
    sampled: c.sampled === true,
  };
}

/** An image folder's profile as the webviews show it. */
export function imageProfileView(p: ImageFolderProfile): ImageProfileView {
  return {
    kind: 'images',
    path: p.path,
    count: p.count,
    sizeBytes: p.sizeBytes,
    unreadable: p.unreadable,
    formats: { ...p.formats },
    width: { ...p.width },
    height: { ...p.height },
    channels: { ...p.channels },
    classes: p.classes.map((c) => ({ name: c.name, count: c.count })),
    durationMs: p.durationMs,
  };
}

/** A table's or an image folder's profile as the webviews show it. */
export function dataProfileView(p: DataProfile): DataProfileView {
  if (p.kind === 'images') return imageProfileView(p);
  return {
    kind: 'table',
    path: p.path,
    format: p.format,
    rows: p.rows,
    sizeBytes: p.sizeBytes,
    columns: p.columns.map(columnStats),
    backend: p.backend,
    durationMs: p.durationMs,
  };
}

/** The profile view's state for a profile of one version ('workspace' unless given). */
export function profileState(
  p: DataProfile,
  version: { rev?: string; commit?: string | null; canCompare?: boolean } = {},
): ProfileState {
  return {
    profile: dataProfileView(p),
    rev: version.rev ?? 'workspace',
    commit: version.commit ?? null,
    canCompare: version.canCompare ?? false,
  };
}

function columnDriftView(c: ColumnDrift): ColumnDriftView {
  return {
    name: c.name,
    type: c.type,
    from: c.from === undefined ? null : columnStats(c.from),
    to: c.to === undefined ? null : columnStats(c.to),
    psi: encodeNumber(c.psi),
    ks:
      c.ks === null
        ? null
        : { statistic: encodeNumber(c.ks.statistic), pValue: encodeNumber(c.ks.pValue) },
    missingRateChange: encodeNumber(c.missingRateChange),
    categoriesAdded: [...c.categoriesAdded],
    categoriesRemoved: [...c.categoriesRemoved],
    drifted: c.drifted,
    reasons: [...c.reasons],
  };
}

/**
 * The drift view's state for a report. The thresholds are core's DRIFT_THRESHOLDS, passed in so
 * that this module needs no core code at run time (the extension loads core lazily); `labels`
 * names each commit as people read it (core's versionLabel), else the revision as given is shown.
 */
export function driftState(
  report: DriftReport,
  thresholds: DriftThresholds,
  labels: ReadonlyMap<string, string> = new Map(),
): DriftState {
  const version = (v: DriftReport['from']): DriftVersion => ({
    rev: v.rev,
    commit: v.commit ?? null,
    label:
      v.rev === 'workspace'
        ? 'work tree'
        : ((v.commit === undefined ? undefined : labels.get(v.commit)) ?? v.rev),
    rows: v.rows,
  });
  return {
    path: report.path,
    from: version(report.from),
    to: version(report.to),
    columns: report.columns.map(columnDriftView),
    images:
      report.images === undefined
        ? null
        : { from: imageProfileView(report.images.from), to: imageProfileView(report.images.to) },
    summary: report.summary,
    thresholds: {
      psi: thresholds.psi,
      ksPValue: thresholds.ksPValue,
      ksStatistic: thresholds.ksStatistic,
      missingRateChange: thresholds.missingRateChange,
    },
  };
}
