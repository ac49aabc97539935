import { shortHash } from '../format.js';
import type { Project } from '../project/project.js';
import { quantile } from './columnStats.js';
import { datasetAt, type DatasetVersion } from './datasetVersion.js';
import {
  folderContents,
  folderError,
  profileImages,
  profileTable,
  type ColumnProfile,
  type DataFile,
  type ImageFolderProfile,
} from './profile.js';

/** Thresholds a column is flagged at; the common rules of thumb. */
export const DRIFT_THRESHOLDS = {
  psi: 0.2,
  ksPValue: 0.01,
  ksStatistic: 0.1,
  missingRateChange: 0.05,
  categoryShare: 0.01,
} as const;

export interface ColumnDrift {
  readonly name: string;
  readonly type: ColumnProfile['type'];
  readonly from?: Omit<ColumnProfile, 'sample'>;
  readonly to?: Omit<ColumnProfile, 'sample'>;
  /** Population stability index (numeric: deciles of `from`; categorical: per value). */
  readonly psi: number | null;
  /** Two-sample Kolmogorov–Smirnov test (numeric columns). */
  readonly ks: { readonly statistic: number; readonly pValue: number } | null;
  readonly missingRateChange: number;
  readonly categoriesAdded: string[];
  readonly categoriesRemoved: string[];
  readonly drifted: boolean;
  /** Why it was flagged, in words. */
  readonly reasons: string[];
}

export interface DriftReport {
  readonly path: string;
  readonly from: { readonly rev: string; readonly commit?: string; readonly rows: number };
  readonly to: { readonly rev: string; readonly commit?: string; readonly rows: number };
  /** Flagged columns first. */
  readonly columns: ColumnDrift[];
  readonly images?: { readonly from: ImageFolderProfile; readonly to: ImageFolderProfile };
  readonly summary: string;
}

/** A revision in a sentence: the work tree, or a full commit hash shortened as everywhere else. */
function revName(rev: string): string {
  if (rev === 'workspace') return 'the work tree';
  return /^[0-9a-f]{40,64}$/.test(rev) ? shortHash(rev) : rev;
}

/** Compares two versions of a dataset column by column. `to` undefined = the work tree. */
export async function driftBetween(
  project: Project,
  rel: string,
  from: string,
  to?: string,
): Promise<DriftReport> {
  const [a, b] = await Promise.all([datasetAt(project, rel, from), datasetAt(project, rel, to)]);
  const sides = { from: { rev: a.rev, commit: a.commit }, to: { rev: b.rev, commit: b.commit } };
  if (!a.isDirectory && !b.isDirectory)
    return tableDrift(rel, a.files[0]!, b.files[0]!, sides.from, sides.to);
  // A folder: its images, or the one table it holds in both versions; never a verdict on nothing.
  const ca = folderContents(a.files);
  const cb = folderContents(b.files);
  if (ca.tables.length === 0 && cb.tables.length === 0 && (ca.images.length || cb.images.length))
    return imageDrift(rel, a, b);
  const ta = ca.tables[0];
  const tb = cb.tables[0];
  if (ca.tables.length === 1 && cb.tables.length === 1 && ta!.rel === tb!.rel && !ca.images.length)
    return tableDrift(`${rel}/${ta!.rel}`, ta!, tb!, sides.from, sides.to);
  throw folderError(rel, cb.tables.length || cb.images.length ? cb : ca, 'drift');
}

/** Drift between two versions of one table, given where each version's bytes are. */
export async function tableDrift(
  rel: string,
  a: DataFile,
  b: DataFile,
  from: { rev: string; commit?: string | undefined },
  to: { rev: string; commit?: string | undefined },
): Promise<DriftReport> {
  const [pa, pb] = await Promise.all([
    profileTable(a, { keepSample: true }),
    profileTable(b, { keepSample: true }),
  ]);
  const names = [...new Set([...pa.columns.map((c) => c.name), ...pb.columns.map((c) => c.name)])];
  const columns = names.map((name) =>
    columnDrift(
      name,
      pa.columns.find((c) => c.name === name),
      pb.columns.find((c) => c.name === name),
    ),
  );
  columns.sort((x, y) => Number(y.drifted) - Number(x.drifted) || (y.psi ?? 0) - (x.psi ?? 0));
  const flagged = columns.filter((c) => c.drifted);
  const between = `between ${revName(from.rev)} and ${revName(to.rev)}`;
  const summary =
    flagged.length === 0
      ? `No column of ${rel} drifted ${between} (${pa.rows} → ${pb.rows} rows).`
      : `${flagged.length} of ${columns.length} columns of ${rel} drifted ${between} (${pa.rows} → ${pb.rows} rows): ` +
        flagged.map((c) => `${c.name} (${c.reasons.join('; ')})`).join(', ') +
        '. Models trained on the old version may be stale; retrain and compare.';
  return {
    path: rel,
    from: { rev: from.rev, ...(from.commit ? { commit: from.commit } : {}), rows: pa.rows },
    to: { rev: to.rev, ...(to.commit ? { commit: to.commit } : {}), rows: pb.rows },
    columns,
    summary,
  };
}

function strip(c: ColumnProfile | undefined): Omit<ColumnProfile, 'sample'> | undefined {
  if (!c) return undefined;
  const { sample: _sample, ...rest } = c;
  return rest;
}

export function columnDrift(
  name: string,
  a: ColumnProfile | undefined,
  b: ColumnProfile | undefined,
): ColumnDrift {
  const reasons: string[] = [];
  const missingRateChange = (b?.missingRate ?? 1) - (a?.missingRate ?? 1);
  if (!a || !b) {
    return {
      name,
      type: (a ?? b)!.type,
      ...(a ? { from: strip(a) } : {}),
      ...(b ? { to: strip(b) } : {}),
      psi: null,
      ks: null,
      missingRateChange: 0,
      categoriesAdded: [],
      categoriesRemoved: [],
      drifted: true,
      reasons: [a ? 'column removed' : 'column added'],
    };
  }
  let psi: number | null = null;
  let ks: ColumnDrift['ks'] = null;
  let categoriesAdded: string[] = [];
  let categoriesRemoved: string[] = [];
  if (a.type === 'number' && b.type === 'number' && a.sample && b.sample) {
    psi = numericPsi(a.sample, b.sample);
    ks = ksTest(a.sample, b.sample);
    if (ks.pValue < DRIFT_THRESHOLDS.ksPValue && ks.statistic >= DRIFT_THRESHOLDS.ksStatistic) {
      reasons.push(
        `distribution shifted: KS ${ks.statistic.toFixed(2)}, p ${ks.pValue < 1e-4 ? '< 0.0001' : ks.pValue.toFixed(4)}`,
      );
    }
    if (a.mean !== undefined && b.mean !== undefined && a.std) {
      const shift = (b.mean - a.mean) / a.std;
      if (Math.abs(shift) >= 0.25)
        reasons.push(
          `mean ${fmt(a.mean)} → ${fmt(b.mean)} (${shift > 0 ? '+' : ''}${shift.toFixed(2)} std)`,
        );
    }
  } else {
    const ca = new Map((a.topValues ?? []).map((v) => [v.value, v.count / Math.max(1, a.count)]));
    const cb = new Map((b.topValues ?? []).map((v) => [v.value, v.count / Math.max(1, b.count)]));
    psi = categoricalPsi(ca, cb);
    categoriesAdded = [...cb]
      .filter(([v, share]) => !ca.has(v) && share >= DRIFT_THRESHOLDS.categoryShare)
      .map(([v]) => v);
    categoriesRemoved = [...ca]
      .filter(([v, share]) => !cb.has(v) && share >= DRIFT_THRESHOLDS.categoryShare)
      .map(([v]) => v);
    if (categoriesAdded.length)
      reasons.push(`new values ${categoriesAdded.slice(0, 3).join(', ')}`);
    if (categoriesRemoved.length)
      reasons.push(`values gone ${categoriesRemoved.slice(0, 3).join(', ')}`);
  }
  if (psi !== null && psi >= DRIFT_THRESHOLDS.psi) reasons.unshift(`PSI ${psi.toFixed(2)}`);
  if (Math.abs(missingRateChange) >= DRIFT_THRESHOLDS.missingRateChange) {
    reasons.push(
      `missing ${(a.missingRate * 100).toFixed(1)}% → ${(b.missingRate * 100).toFixed(1)}%`,
    );
  }
  if (a.type !== b.type) reasons.push(`type ${a.type} → ${b.type}`);
  const drifted =
    (psi !== null && psi >= DRIFT_THRESHOLDS.psi) ||
    (ks !== null &&
      ks.pValue < DRIFT_THRESHOLDS.ksPValue &&
      ks.statistic >= DRIFT_THRESHOLDS.ksStatistic) ||
    Math.abs(missingRateChange) >= DRIFT_THRESHOLDS.missingRateChange ||
    categoriesAdded.length > 0 ||
    categoriesRemoved.length > 0 ||
    a.type !== b.type;
  return {
    name,
    type: b.type,
    from: strip(a)!,
    to: strip(b)!,
    psi,
    ks,
    missingRateChange,
    categoriesAdded,
    categoriesRemoved,
    drifted,
    reasons: drifted ? reasons : [],
  };
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

const EPS = 1e-4;

/** PSI over ten bins at the deciles of the reference sample. */
export function numericPsi(ref: readonly number[], cur: readonly number[]): number {
  const sortedRef = Float64Array.from(ref).sort();
  const edges = [
    ...new Set(Array.from({ length: 9 }, (_, i) => quantile(sortedRef, (i + 1) / 10))),
  ];
  const share = (values: readonly number[]): number[] => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) {
      let k = 0;
      while (k < edges.length && v > edges[k]!) k++;
      counts[k]!++;
    }
    return counts.map((c) => c / Math.max(1, values.length));
  };
  const p = share(ref);
  const q = share(cur);
  return p.reduce((sum, pi, i) => {
    const a = Math.max(pi, EPS);
    const b = Math.max(q[i]!, EPS);
    return sum + (b - a) * Math.log(b / a);
  }, 0);
}

export function categoricalPsi(a: Map<string, number>, b: Map<string, number>): number {
  let sum = 0;
  for (const v of new Set([...a.keys(), ...b.keys()])) {
    const p = Math.max(a.get(v) ?? 0, EPS);
    const q = Math.max(b.get(v) ?? 0, EPS);
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}

/** Two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value. */
export function ksTest(
  x: readonly number[],
  y: readonly number[],
): { statistic: number; pValue: number } {
  const a = Float64Array.from(x).sort();
  const b = Float64Array.from(y).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length && j < b.length) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < a.length && a[i]! <= v) i++;
    while (j < b.length && b[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  const ne = (a.length * b.length) / (a.length + b.length);
  const lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  // The series converges slowly near 0, where the p-value is 1 to many digits anyway.
  if (lambda < 0.2) return { statistic: d, pValue: 1 };
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)) };
}

function imageDrift(rel: string, a: DatasetVersion, b: DatasetVersion): DriftReport {
  const pa = profileImages(rel, a.files);
  const pb = profileImages(rel, b.files);
  const ca = new Map(pa.classes.map((c) => [c.name, c.count / Math.max(1, pa.count)]));
  const cb = new Map(pb.classes.map((c) => [c.name, c.count / Math.max(1, pb.count)]));
  const psi = categoricalPsi(ca, cb);
  const drifted = psi >= DRIFT_THRESHOLDS.psi;
  const column: ColumnDrift = {
    name: 'class',
    type: 'string',
    psi,
    ks: null,
    missingRateChange: 0,
    categoriesAdded: [...cb.keys()].filter((k) => !ca.has(k)),
    categoriesRemoved: [...ca.keys()].filter((k) => !cb.has(k)),
    drifted:
      drifted || [...cb.keys()].some((k) => !ca.has(k)) || [...ca.keys()].some((k) => !cb.has(k)),
    reasons: drifted ? [`class balance PSI ${psi.toFixed(2)}`] : [],
  };
  return {
    path: rel,
    from: { rev: a.rev, ...(a.commit ? { commit: a.commit } : {}), rows: pa.count },
    to: { rev: b.rev, ...(b.commit ? { commit: b.commit } : {}), rows: pb.count },
    columns: [column],
    images: { from: pa, to: pb },
    summary: column.drifted
      ? `The class balance of ${rel} changed (${pa.count} → ${pb.count} images, PSI ${psi.toFixed(2)}).`
      : `The class balance of ${rel} did not change much (${pa.count} → ${pb.count} images, PSI ${psi.toFixed(2)}).`,
  };
}
