import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { ColumnAccumulator, quantiles, reservoirCapacity, sampleRankError } from './columnStats.js';
import { imageInfo } from './imageHeader.js';
import {
  profileCsvSegments,
  type SegmentedOptions,
  type TableAccumulators,
} from './segmentedProfile.js';
import {
  openTabular,
  tabularFormatOf,
  type TabularFormat,
  type TabularStream,
} from './tabularReader.js';

export type ColumnType = 'number' | 'boolean' | 'string' | 'empty';

/** One column of a table profile (`cairn profile --json` prints these). */
export interface ColumnProfile {
  readonly name: string;
  readonly type: ColumnType;
  /** Values present (not missing). */
  readonly count: number;
  readonly missing: number;
  readonly missingRate: number;
  readonly distinct: number;
  /** False once there were too many distinct values to count exactly (then an estimate). */
  readonly distinctExact: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Sample standard deviation (n − 1). */
  readonly std?: number;
  readonly quantiles?: {
    readonly p01: number;
    readonly p05: number;
    readonly p25: number;
    readonly p50: number;
    readonly p75: number;
    readonly p95: number;
    readonly p99: number;
  };
  readonly histogram?: { readonly edges: number[]; readonly counts: number[] };
  readonly topValues?: { readonly value: string; readonly count: number }[];
  /** Values of a numeric column kept for two-sample tests (a uniform sample, bounded). */
  readonly sample?: number[];
  /** True when quantiles and histogram come from a sample (more rows than it holds). */
  readonly sampled?: boolean;
  /** How many values the quantiles and histogram were computed from. */
  readonly sampleSize?: number;
  /**
   * True when a figure of this column is an estimate: its quantiles and histogram come from a
   * sample (`sampled`), or its distinct count from a sketch (`distinctExact` false). Count,
   * missing, mean, std, min and max are always exact.
   */
  readonly approximate: boolean;
  /**
   * The most the rank of any quantile can be off, as a fraction of the column's values (0.005:
   * p50 lies between the true p49.5 and p50.5), with 99% confidence; 0 when the quantiles are
   * exact (the column fitted the sample).
   */
  readonly quantileRankError?: number;
}

export interface TableProfile {
  readonly kind: 'table';
  readonly path: string;
  readonly format: TabularFormat;
  readonly rows: number;
  readonly sizeBytes: number;
  readonly columns: ColumnProfile[];
  /** How the moments were computed. */
  readonly backend: string;
  /** What was assumed about the file's layout (a preamble, no header, unnamed columns). */
  readonly notes: string[];
  readonly durationMs: number;
}

export interface ImageFolderProfile {
  readonly kind: 'images';
  readonly path: string;
  readonly count: number;
  readonly sizeBytes: number;
  readonly unreadable: number;
  readonly formats: Record<string, number>;
  readonly width: { readonly min: number; readonly max: number; readonly mean: number };
  readonly height: { readonly min: number; readonly max: number; readonly mean: number };
  readonly channels: Record<string, number>;
  /** Per-class counts: the first-level sub-folders. */
  readonly classes: { readonly name: string; readonly count: number }[];
  readonly durationMs: number;
}

export type DataProfile = TableProfile | ImageFolderProfile;

/** A file to profile: where its bytes are (the work tree or a cache object) and its name. */
export interface DataFile {
  readonly rel: string;
  readonly abs: string;
}

const HISTOGRAM_BINS = 20;

/** How to profile a table. */
export interface ProfileOptions extends SegmentedOptions {
  /** Keep each numeric column's sample in the profile (for two-sample tests). */
  readonly keepSample?: boolean;
}

/**
 * Profiles a table (CSV/TSV/JSON lines, gzipped or not), streamed in bounded memory. A plain CSV
 * is read from its bytes, in segments shared with worker threads (segmentedProfile.ts); a gzipped
 * one and JSON lines are read as a stream of text.
 */
export async function profileTable(
  file: DataFile,
  options: ProfileOptions = {},
): Promise<TableProfile> {
  const started = Date.now();
  const table = await openTabular(file.abs, file.rel);
  let read: TableAccumulators;
  if (table.csv) {
    await table.close();
    read = await profileCsvSegments(
      file.abs,
      file.rel,
      { ...table.csv, columns: table.columns, notes: table.notes },
      options,
    );
  } else read = await readStream(table);
  const columns = read.accumulators.map((a, c) =>
    finishColumn(read.columns[c]!, a, read.rows, options.keepSample === true),
  );
  return {
    kind: 'table',
    path: file.rel,
    format: table.format,
    rows: read.rows,
    sizeBytes: fs.statSync(file.abs).size,
    columns,
    backend: 'float64',
    notes: read.notes,
    durationMs: Date.now() - started,
  };
}

/** Every column's accumulator from a table read as a stream of rows of text. */
async function readStream(table: TabularStream): Promise<TableAccumulators> {
  const accs: ColumnAccumulator[] = [];
  const ensure = (): void => {
    const capacity = reservoirCapacity(table.columns.length);
    while (accs.length < table.columns.length) accs.push(new ColumnAccumulator(capacity));
  };
  ensure();
  let rows = 0;
  for await (const batch of table.rows()) {
    ensure();
    for (const row of batch) {
      for (let c = 0; c < accs.length; c++) accs[c]!.add(row[c]);
    }
    // Columns seen later in JSON lines count as missing in the rows before.
    rows += batch.length;
    for (const a of accs) {
      const known = a.missing + a.present;
      if (known < rows) a.missing += rows - known;
    }
  }
  return { columns: table.columns, accumulators: accs, rows, notes: table.notes };
}

function finishColumn(
  name: string,
  a: ColumnAccumulator,
  rows: number,
  keepSample: boolean,
): ColumnProfile {
  const base = {
    name,
    count: a.present,
    missing: a.missing,
    missingRate: rows === 0 ? 0 : a.missing / rows,
    distinct: a.distinct(),
    distinctExact: a.distinctExact,
    approximate: !a.distinctExact,
  };
  if (a.present === 0) return { ...base, type: 'empty' };
  const isNumber = a.numeric >= 0.95 * a.present;
  const isBoolean = !isNumber && a.booleanLike === a.present;
  if (!isNumber)
    return { ...base, type: isBoolean ? 'boolean' : 'string', topValues: a.topValues() };
  const m = a.finalMoments();
  // The quantiles by selection (a sort of the whole sample only when it is kept).
  const sample = keepSample ? a.reservoir.sorted() : a.reservoir.sample();
  const [p01, p05, p25, p50, p75, p95, p99] = quantiles(
    sample,
    [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99],
  ) as [number, number, number, number, number, number, number];
  const sampled = a.reservoir.seen > a.reservoir.size;
  return {
    ...base,
    approximate: base.approximate || sampled,
    quantileRankError: sampled ? sampleRankError(a.reservoir.size) : 0,
    type: 'number',
    min: m.min,
    max: m.max,
    mean: m.mean,
    std: m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : 0,
    quantiles: { p01, p05, p25, p50, p75, p95, p99 },
    histogram: histogram(sample, m.min, m.max, a.reservoir.seen),
    topValues: a.topValues().slice(0, 10),
    sampled,
    sampleSize: a.reservoir.size,
    ...(keepSample ? { sample: Array.from(sample) } : {}),
  };
}

/** Equal-width bins from min to max; counts scaled from the sample to the whole column. */
function histogram(
  sample: Float64Array,
  min: number,
  max: number,
  total: number,
): { edges: number[]; counts: number[] } {
  const bins = min === max ? 1 : HISTOGRAM_BINS;
  const width = (max - min) / bins || 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of sample) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - min) / width)))]!++;
  const scale = sample.length === 0 ? 0 : total / sample.length;
  return { edges, counts: scale === 1 ? counts : counts.map((c) => Math.round(c * scale)) };
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.bmp', '.webp']);

/** Profiles a folder of images from their headers: count, sizes, channels, classes by sub-folder. */
export function profileImages(root: string, files: readonly DataFile[]): ImageFolderProfile {
  const started = Date.now();
  const formats: Record<string, number> = {};
  const channels: Record<string, number> = {};
  const classes = new Map<string, number>();
  let count = 0;
  let sizeBytes = 0;
  let unreadable = 0;
  const w = { min: Infinity, max: -Infinity, sum: 0 };
  const h = { min: Infinity, max: -Infinity, sum: 0 };
  for (const f of files) {
    if (!IMAGE_EXTENSIONS.has(path.extname(f.rel).toLowerCase())) continue;
    count++;
    sizeBytes += fs.statSync(f.abs).size;
    const cls = f.rel.includes('/') ? f.rel.split('/')[0]! : '(top level)';
    classes.set(cls, (classes.get(cls) ?? 0) + 1);
    const info = imageInfo(f.abs);
    if (!info) {
      unreadable++;
      continue;
    }
    formats[info.format] = (formats[info.format] ?? 0) + 1;
    channels[String(info.channels)] = (channels[String(info.channels)] ?? 0) + 1;
    for (const [acc, v] of [
      [w, info.width],
      [h, info.height],
    ] as const) {
      acc.min = Math.min(acc.min, v);
      acc.max = Math.max(acc.max, v);
      acc.sum += v;
    }
  }
  const read = count - unreadable;
  const dims = (a: typeof w) => ({
    min: read ? a.min : 0,
    max: read ? a.max : 0,
    mean: read ? a.sum / read : 0,
  });
  return {
    kind: 'images',
    path: root,
    count,
    sizeBytes,
    unreadable,
    formats,
    width: dims(w),
    height: dims(h),
    channels,
    classes: [...classes]
      .map(([name, n]) => ({ name, count: n }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    durationMs: Date.now() - started,
  };
}

/** Profiles a table file or a folder of images in the work tree. */
export async function profilePath(
  abs: string,
  shown: string,
  options: ProfileOptions = {},
): Promise<DataProfile> {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    throw fromSystemError(err, shown, 'Cannot profile');
  }
  if (st.isFile()) {
    if (!tabularFormatOf(abs)) {
      throw new CairnError(
        'usage',
        `${shown}: profile reads tables (CSV, TSV, JSON lines) and folders of images; this file is neither`,
        shown,
      );
    }
    return profileTable({ rel: shown, abs }, options);
  }
  return profileFolder(shown, filesUnder(abs), options);
}

/** The tables and images among a folder's files (the rest is counted). */
export interface FolderContents {
  readonly tables: DataFile[];
  readonly images: DataFile[];
  readonly other: number;
}

/** Tables in a folder, by name: not .txt or .json, which are as often notes and metadata. */
const FOLDER_TABLE = /\.(csv|tsv|jsonl|ndjson)(\.gz)?$/i;

/** Sorts a folder's files into tables, images and the rest, by name. */
export function folderContents(files: readonly DataFile[]): FolderContents {
  const tables: DataFile[] = [];
  const images: DataFile[] = [];
  let other = 0;
  for (const f of files) {
    if (FOLDER_TABLE.test(f.rel)) tables.push(f);
    else if (IMAGE_EXTENSIONS.has(path.extname(f.rel).toLowerCase())) images.push(f);
    else other++;
  }
  return { tables, images, other };
}

/**
 * Profiles a folder (in the work tree or a version in the cache): its images, or its one table.
 * A folder of several tables, or of nothing profileable, is an error that lists what is there,
 * never an empty profile that looks like a result.
 */
export async function profileFolder(
  shown: string,
  files: readonly DataFile[],
  options: ProfileOptions = {},
): Promise<DataProfile> {
  const { tables, images, other } = folderContents(files);
  if (tables.length === 0 && images.length > 0) return profileImages(shown, files);
  if (tables.length === 1 && images.length === 0) {
    const t = tables[0]!;
    return profileTable({ rel: `${shown}/${t.rel}`, abs: t.abs }, options);
  }
  throw folderError(shown, { tables, images, other }, 'profile');
}

/** The error for a folder that is not one table or one folder of images, listing what it holds. */
export function folderError(
  shown: string,
  c: FolderContents,
  verb: 'profile' | 'drift',
): CairnError {
  const example = (t: DataFile): string =>
    verb === 'profile'
      ? `cairn profile ${shown}/${t.rel}`
      : `cairn drift ${shown}/${t.rel} --from <rev>`;
  if (c.tables.length === 0) {
    return new CairnError(
      'usage',
      `${shown} holds no tables (CSV, TSV, JSON lines) and no images (${c.other} other ${c.other === 1 ? 'file' : 'files'}); there is nothing to ${verb}`,
      shown,
    );
  }
  const names = c.tables.slice(0, 5).map((t) => `${shown}/${t.rel}`);
  const more = c.tables.length > 5 ? ` and ${c.tables.length - 5} more` : '';
  return new CairnError(
    'usage',
    `${shown} holds ${c.tables.length} ${c.tables.length === 1 ? 'table' : 'tables'}${c.images.length ? ` and ${c.images.length} images` : ''}: ${names.join(', ')}${more}; name one, e.g. ${example(c.tables[0]!)}`,
    shown,
  );
}

/** Every file under a work-tree directory, sorted, with '/'-separated paths relative to it. */
export function filesUnder(abs: string): DataFile[] {
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => {
      const full = path.join(d.parentPath, d.name);
      return { rel: path.relative(abs, full).split(path.sep).join('/'), abs: full };
    })
    .sort((a, b) => (a.rel < b.rel ? -1 : 1));
}
