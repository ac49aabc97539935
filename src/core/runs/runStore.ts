import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, writeFileAtomic } from '../fsSafe.js';
import type { Project } from '../project/project.js';
import { metricValue, type MetricRecord } from './metricParser.js';
import { isForbiddenKey } from './paramKeys.js';
import { isPidAlive, recoverParamsFiles } from './paramsFile.js';
import type { MetricSummary, RunRecord, RunSummary } from './runRecord.js';
import { isSummaryRow, parseRunRecord, RunRecordProblem } from './runRecordSchema.js';
import { isRunId } from './runId.js';
import { writeAllSync } from './writeAll.js';

/*
 * A run lives in .cairn/runs/<id>/: run.json (the record, rewritten atomically), metrics.jsonl
 * (appended live while the program runs: one JSON object per line), log (the program's output as
 * it was printed) and diff.patch (uncommitted changes at start). run.json is the truth;
 * .cairn/runs/index.jsonl is an append-only cache of one compact row per change, so that listing
 * ten thousand runs reads one file. Numbers that are not finite are written as the strings
 * "NaN", "Infinity" and "-Infinity" (JSON has no spelling for them) and read back as numbers.
 */

/** A metric's step series: parallel arrays. */
export interface MetricSeries {
  readonly step: number[];
  readonly value: number[];
  readonly timeMs: number[];
}

/** A run with its step series (`runs show --json`). */
export interface RunDetail extends RunRecord {
  readonly series: Record<string, MetricSeries>;
}

export const RUN_FILES = {
  record: 'run.json',
  metrics: 'metrics.jsonl',
  log: 'log',
  diff: 'diff.patch',
  /** Where the Python and JS helpers append their batches (merged into metrics.jsonl live). */
  helperMetrics: 'helper-metrics.jsonl',
  /** Every param the program sees, as JSON (CAIRN_PARAMS_FILE): too many for the environment. */
  params: 'params.json',
  /** Space held back while the run runs, freed to save the final record on a full disk. */
  reserve: '.reserve',
} as const;

const INDEX = 'index.jsonl';

/** JSON.stringify replacer that spells non-finite numbers as strings. */
export function runJsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

/** The directory of a run. */
export function runDir(project: Project, id: string): string {
  if (!isRunId(id)) throw new CairnError('usage', `'${String(id)}' is not a run id`);
  return path.join(project.runsDir, id);
}

/** The files of a run, for watchers: metrics.jsonl grows while the run is running. */
export function runFiles(
  project: Project,
  id: string,
): { dir: string; record: string; metrics: string; log: string; diff: string } {
  const dir = runDir(project, id);
  return {
    dir,
    record: path.join(dir, RUN_FILES.record),
    metrics: path.join(dir, RUN_FILES.metrics),
    log: path.join(dir, RUN_FILES.log),
    diff: path.join(dir, RUN_FILES.diff),
  };
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Creates a new, empty run directory with a sortable unique id (YYYYMMDD-HHMMSS-xxxxxx). */
export function allocateRunDir(project: Project, startMs: number): { id: string; dir: string } {
  fs.mkdirSync(project.runsDir, { recursive: true });
  const d = new Date(startMs);
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  for (;;) {
    const id = `${stamp}-${randomBytes(3).toString('hex')}`;
    const dir = path.join(project.runsDir, id);
    try {
      fs.mkdirSync(dir);
      return { id, dir };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw fromSystemError(err, dir, 'Could not create the run directory');
    }
  }
}

function toSummary(r: RunRecord): RunSummary {
  const metrics = Object.create(null) as Record<string, number>;
  for (const [k, s] of Object.entries(r.summary)) metrics[k] = s.last;
  return {
    id: r.id,
    name: r.name,
    task: r.task,
    command: r.command,
    status: r.status,
    startMs: r.startMs,
    endMs: r.endMs,
    durationMs: r.durationMs,
    exitCode: r.exitCode,
    params: r.params,
    metrics,
    commit: r.git.commit,
    host: r.host,
    ...(r.user ? { user: r.user } : {}),
    pid: r.pid,
    inputs: r.inputs,
    ...(r.sweep ? { sweep: r.sweep } : {}),
    ...(r.reproduces ? { reproduces: r.reproduces } : {}),
    ...(r.executor ? { executor: r.executor } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

function reviveNumbers(obj: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    const n = metricValue(v);
    if (n !== undefined) obj[k] = n;
  }
}

function reviveSummary(s: RunSummary): RunSummary {
  reviveNumbers(s.metrics);
  return s;
}

/** Writes run.json atomically and appends its row to the index. */
export function saveRun(project: Project, record: RunRecord): void {
  const dir = runDir(project, record.id);
  writeFileAtomic(
    path.join(dir, RUN_FILES.record),
    JSON.stringify(record, runJsonReplacer, 2) + '\n',
  );
  appendIndex(project, toSummary(record));
}

function appendIndex(project: Project, row: RunSummary | { id: string; deleted: true }): void {
  // One write() with O_APPEND: concurrent runs never interleave inside a line.
  fs.appendFileSync(path.join(project.runsDir, INDEX), JSON.stringify(row, runJsonReplacer) + '\n');
}

/** Reads one run's record; errors say which run does not exist. */
export function readRun(project: Project, id: string): RunRecord {
  const file = path.join(runDir(project, id), RUN_FILES.record);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isEnoent(err))
      throw new CairnError(
        'not-found',
        `No run '${id}'; 'cairn runs ls' lists the runs there are`,
        file,
      );
    throw fromSystemError(err, file, 'Could not read');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRecord(file, id, 'it is not valid JSON');
  }
  try {
    return parseRunRecord(value, id);
  } catch (e) {
    if (e instanceof RunRecordProblem) throw badRecord(file, id, e.message);
    throw e;
  }
}

function badRecord(file: string, id: string, problem: string): CairnError {
  return new CairnError(
    'bad-config',
    `${file}: not a run record Cairn can use (${problem}); remove the run with 'cairn runs rm ${id}'`,
    file,
  );
}

/**
 * A run whose recorder died (SIGKILL, power loss) is failed, not running forever; its metrics
 * summary is rebuilt from metrics.jsonl, which the recorder appended to as the program ran.
 */
function repairIfDead(project: Project, r: RunRecord): RunRecord {
  if (r.status !== 'running' || r.host !== os.hostname() || isPidAlive(r.pid)) return r;
  // A copy of a record an SSH host keeps: the host's process is not this machine's to judge.
  if (r.executor?.type === 'ssh' && !r.executor.settled) return r;
  const fixed = endedWithoutRecorder(project, r, {
    status: 'failed',
    error: 'the recorder stopped without finishing the run (killed or crashed)',
  });
  try {
    saveRun(project, fixed);
  } catch {
    /* a read-only store still lists */
  }
  return fixed;
}

/**
 * The final record of a run whose recorder is gone (killed, or its job ended by a scheduler):
 * the metrics summary is rebuilt from metrics.jsonl, which the recorder appended to as the
 * program ran, and the space held back for the final record is freed.
 */
export function endedWithoutRecorder(
  project: Project,
  r: RunRecord,
  end: Pick<RunRecord, 'status' | 'error'> & Partial<Pick<RunRecord, 'endMs' | 'durationMs'>>,
): RunRecord {
  let summary = r.summary;
  let metricPoints = r.metricPoints;
  try {
    const series = readSeries(project, r.id);
    summary = summaryOfSeries(series);
    metricPoints = Object.values(series).reduce((n, s) => n + s.value.length, 0);
  } catch {
    /* an unreadable metrics file leaves the summary as it was */
  }
  try {
    fs.rmSync(path.join(runDir(project, r.id), RUN_FILES.reserve), { force: true });
  } catch {
    /* a read-only store */
  }
  return { ...r, ...end, summary, metricPoints };
}

/** The summary of step series: last, min and max (NaN aside), count and last step per metric. */
export function summaryOfSeries(
  series: Record<string, MetricSeries>,
): Record<string, MetricSummary> {
  const out = Object.create(null) as Record<string, MetricSummary>;
  for (const [name, s] of Object.entries(series)) {
    const n = s.value.length;
    if (n === 0) continue;
    let min = NaN;
    let max = NaN;
    for (const v of s.value) {
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(min) || v < min) min = v;
      if (Number.isNaN(max) || v > max) max = v;
    }
    out[name] = { last: s.value[n - 1]!, min, max, count: n, lastStep: s.step[n - 1]! };
  }
  return out;
}

/**
 * Lists every run, newest first, from the index (one file read), adding runs the index does not
 * know (copied in by a pull) and repairing runs whose recorder died.
 */
export function listRuns(project: Project): RunSummary[] {
  recoverParamsFiles(project);
  let names: string[];
  try {
    names = fs.readdirSync(project.runsDir);
  } catch (err) {
    if (isEnoent(err)) return [];
    throw fromSystemError(err, project.runsDir, 'Could not list');
  }
  const dirs = new Set(names.filter((n) => !n.startsWith('.') && n !== INDEX));
  const rows = new Map<string, RunSummary>();
  let lineCount = 0;
  let text = '';
  try {
    text = fs.readFileSync(path.join(project.runsDir, INDEX), 'utf8');
  } catch (err) {
    if (!isEnoent(err)) throw fromSystemError(err, INDEX, 'Could not read');
  }
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      lineCount++;
      try {
        const row = JSON.parse(text.slice(start, end)) as unknown;
        if (isDeletedRow(row)) rows.delete(row.id);
        else if (isSummaryRow(row)) rows.set(row.id, row);
      } catch {
        /* a line cut by a crash: run.json still has the truth */
      }
    }
    start = end + 1;
  }
  const out: RunSummary[] = [];
  for (const id of dirs) {
    let row = rows.get(id);
    if (!row || (row.status === 'running' && row.host === os.hostname() && !isPidAlive(row.pid))) {
      try {
        const rec = repairIfDead(project, readRun(project, id));
        row = toSummary(rec);
        if (!rows.has(id)) appendIndex(project, row);
      } catch {
        continue; // a directory without a readable run.json is not a run
      }
    } else reviveSummary(row);
    out.push(row);
  }
  if (lineCount > 2 * out.length + 1000) compactIndex(project, out);
  return out.sort((a, b) => b.startMs - a.startMs || (a.id < b.id ? 1 : -1));
}

function isDeletedRow(row: unknown): row is { id: string; deleted: true } {
  return (
    typeof row === 'object' &&
    row !== null &&
    (row as { deleted?: unknown }).deleted === true &&
    typeof (row as { id?: unknown }).id === 'string'
  );
}

function compactIndex(project: Project, rows: readonly RunSummary[]): void {
  try {
    writeFileAtomic(
      path.join(project.runsDir, INDEX),
      rows.map((r) => JSON.stringify(r, runJsonReplacer)).join('\n') + '\n',
    );
  } catch {
    /* compaction is an optimization */
  }
}

/** Finds a run by id, unique id prefix, or unique name. */
export function resolveRunId(project: Project, given: string): string {
  if (/^[\w.-]+$/.test(given) && fs.existsSync(path.join(project.runsDir, given, RUN_FILES.record)))
    return given;
  const runs = listRuns(project);
  const byPrefix = runs.filter((r) => r.id.startsWith(given));
  const matches = byPrefix.length > 0 ? byPrefix : runs.filter((r) => r.name === given);
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1)
    throw new CairnError(
      'usage',
      `'${given}' matches ${matches.length} runs (${matches
        .slice(0, 3)
        .map((r) => r.id)
        .join(', ')}...); give more of the id`,
    );
  throw new CairnError('not-found', `No run '${given}'; 'cairn runs ls' lists the runs there are`);
}

/** Reads a run's step series from metrics.jsonl (a line cut by a crash is skipped). */
export function readSeries(project: Project, id: string): Record<string, MetricSeries> {
  const file = path.join(runDir(project, id), RUN_FILES.metrics);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return {};
    throw fromSystemError(err, file, 'Could not read');
  }
  return parseSeries(text);
}

/** Parses metrics.jsonl text into series; steps missing from a line count per metric. */
export function parseSeries(text: string): Record<string, MetricSeries> {
  // No prototype: a metric named constructor or toString is a metric like any other.
  const series = Object.create(null) as Record<string, MetricSeries>;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      let row: { t: number; s?: number; v: Record<string, unknown> };
      try {
        row = JSON.parse(text.slice(start, end)) as typeof row;
      } catch {
        start = end + 1;
        continue;
      }
      if (typeof row !== 'object' || row === null || typeof row.v !== 'object' || row.v === null) {
        start = end + 1;
        continue;
      }
      for (const name of Object.keys(row.v)) {
        if (isForbiddenKey(name)) continue;
        const value = metricValue(row.v[name]);
        if (value === undefined) continue;
        let s = series[name];
        if (!s) series[name] = s = { step: [], value: [], timeMs: [] };
        s.step.push(typeof row.s === 'number' ? row.s : s.step.length);
        s.value.push(value);
        s.timeMs.push(typeof row.t === 'number' ? row.t : 0);
      }
    }
    start = end + 1;
  }
  return series;
}

/** One line of metrics.jsonl: values at a time, with the step when the program gave one. */
export interface MetricRow {
  readonly timeMs: number;
  readonly step?: number;
  readonly values: Record<string, number>;
}

/**
 * Reads the metrics appended since `fromByte` (for live charts: watch runFiles().metrics and call
 * this with the last nextOffset). Only complete lines are returned. Steps that the program did not
 * give are left out here; readSeries numbers them per metric.
 */
export function readMetricsSince(
  project: Project,
  id: string,
  fromByte: number,
): { rows: MetricRow[]; nextOffset: number } {
  const file = path.join(runDir(project, id), RUN_FILES.metrics);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if (isEnoent(err)) return { rows: [], nextOffset: fromByte };
    throw fromSystemError(err, file, 'Could not read');
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= fromByte) return { rows: [], nextOffset: fromByte };
    const buf = Buffer.alloc(size - fromByte);
    const n = fs.readSync(fd, buf, 0, buf.length, fromByte);
    const end = buf.lastIndexOf(10, n - 1);
    if (end < 0) return { rows: [], nextOffset: fromByte };
    const rows: MetricRow[] = [];
    for (const line of buf.toString('utf8', 0, end).split('\n')) {
      if (line.length === 0) continue;
      try {
        const raw = JSON.parse(line) as { t: number; s?: number; v: Record<string, unknown> };
        reviveNumbers(raw.v);
        rows.push({
          timeMs: raw.t,
          ...(raw.s !== undefined ? { step: raw.s } : {}),
          values: raw.v as Record<string, number>,
        });
      } catch {
        /* a line cut by a crash */
      }
    }
    return { rows, nextOffset: fromByte + end + 1 };
  } finally {
    fs.closeSync(fd);
  }
}

/** A run with its step series. */
export function getRun(project: Project, id: string): RunDetail {
  const record = repairIfDead(project, readRun(project, id));
  return { ...record, series: readSeries(project, id) };
}

/**
 * Deletes a run's directory (refuses a run that is still running or queued, unless `unsubmitted`:
 * a queued run whose submission failed, so that nothing of it stays recorded).
 */
export function deleteRun(project: Project, id: string, unsubmitted = false): void {
  let record: RunRecord | undefined;
  try {
    record = readRun(project, id);
  } catch (e) {
    // A record Cairn cannot use is deleted all the same: that is the way out it names.
    if (!(e instanceof CairnError && e.code === 'bad-config')) throw e;
  }
  const status = record && repairIfDead(project, record).status;
  if (record && (status === 'running' || (status === 'queued' && !unsubmitted)))
    throw new CairnError(
      'usage',
      `Run ${id} is still ${status} (${record.executor?.jobId ? `SLURM job ${record.executor.jobId}` : `pid ${record.pid}`} on ${record.executor?.node ?? record.host}); stop it first (cairn runs stop ${id})`,
    );
  // Rename first so a half-deleted run never looks like a run.
  const trash = path.join(project.runsDir, `.deleted-${id}-${process.pid}`);
  try {
    fs.renameSync(runDir(project, id), trash);
    appendIndex(project, { id, deleted: true });
    fs.rmSync(trash, { recursive: true, force: true });
  } catch (err) {
    throw fromSystemError(err, runDir(project, id), 'Could not delete');
  }
}

/** Every artifact version hash that kept runs used or produced (so `cairn gc` keeps them). */
export function runReferencedHashes(project: Project): Promise<Set<string>> {
  const hashes = new Set<string>();
  for (const r of listRuns(project)) {
    try {
      const rec = readRun(project, r.id);
      for (const a of [...rec.inputs, ...rec.outputs]) hashes.add(a.hash);
    } catch {
      /* unreadable runs reference nothing */
    }
  }
  return Promise.resolve(hashes);
}

/**
 * Appends metric records to metrics.jsonl (flushed at most every 100 ms, so a watcher sees a
 * line within that) and keeps the summary up to date.
 */
export class MetricsWriter {
  readonly summary = Object.create(null) as Record<string, MetricSummary>;
  points = 0;
  private readonly counts = new Map<string, number>();
  private readonly live = new Map<
    string,
    { -readonly [K in keyof MetricSummary]: MetricSummary[K] }
  >();
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly fd: number;
  private broken = false;

  /** With onError, a failed write (a full disk) is reported there and later records are dropped. */
  constructor(
    private readonly file: string,
    private readonly onError?: (error: CairnError) => void,
  ) {
    this.fd = fs.openSync(file, 'a');
  }

  /** Adds one record (steps default to the metric's count so far). */
  add(record: MetricRecord, timeMs = Date.now()): void {
    const v = record.values;
    // Built by hand: JSON.stringify with a replacer is several times slower on this hot path.
    let line =
      record.step === undefined
        ? `{"t":${timeMs},"v":{`
        : `{"t":${timeMs},"s":${Number.isFinite(record.step) ? record.step : 0},"v":{`;
    let first = true;
    for (const name in v) {
      const value = v[name]!;
      line += `${first ? '' : ','}${JSON.stringify(name)}:${Number.isFinite(value) ? value : `"${value}"`}`;
      first = false;
      const n = this.counts.get(name) ?? 0;
      this.counts.set(name, n + 1);
      const step = record.step ?? n;
      const s = this.live.get(name);
      if (!s) {
        const fresh = { last: value, min: value, max: value, count: 1, lastStep: step };
        this.live.set(name, fresh);
        this.summary[name] = fresh;
      } else {
        s.last = value;
        if (!Number.isNaN(value)) {
          if (Number.isNaN(s.min) || value < s.min) s.min = value;
          if (Number.isNaN(s.max) || value > s.max) s.max = value;
        }
        s.count++;
        s.lastStep = step;
      }
      this.points++;
    }
    line += '}}';
    this.buffer.push(line);
    this.bufferedBytes += line.length + 1;
    if (this.bufferedBytes > 256 * 1024) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 100);
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const data = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bufferedBytes = 0;
    if (this.broken) return;
    try {
      writeAllSync(this.fd, data);
    } catch (err) {
      if (!this.onError) throw fromSystemError(err, this.file, 'Could not write');
      this.broken = true;
      this.onError(fromSystemError(err, this.file, 'Could not write the metrics'));
    }
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}
