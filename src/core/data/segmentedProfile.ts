// A plain CSV profiled in fixed-size segments, on this thread and on worker threads side by side,
// merged in file order. The profile does not depend on how many threads read it: segments are cut
// at the same places whatever the thread count, each is profiled with seeds of its own, and they
// merge one after another in the same order. A segment that starts inside a quoted field (known
// once the one before it is read) is read again from the start of that field's record.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { fromSystemError } from '../errors.js';
import { spawnWorkerScript, workerScriptIn } from '../versioning/workers.js';
import { segmentSeed, type ColumnAccumulator } from './columnStats.js';
import {
  fromSegmentResult,
  profileSegment,
  rowsStart,
  type ProfiledSegment,
  type SegmentRequest,
  type SegmentContext,
} from './csvSegments.js';
import type { ProfileWorkerMessage, SegmentResponse } from './profileWorker.js';
import { columnRange } from './tableLayout.js';

/**
 * Bytes per segment: a 32nd of the file, within 1 to 8 MB. Many segments share the work evenly
 * (the threads finish together), few cost less to merge; the size depends on the file alone,
 * never on the number of threads.
 */
function segmentBytesOf(size: number): number {
  return Math.min(8 << 20, Math.max(1 << 20, Math.ceil(size / 32)));
}
/**
 * Bytes of the first segment, read before any other: the values its columns count exactly past
 * the limit of exact distinct counts are counted in every other segment too. Small, so that the
 * workers barely wait for it.
 */
const FIRST_SEGMENT_BYTES = 1 << 20;
/** Segments a worker is given ahead, so that it never waits for this thread to hand it more. */
const AHEAD = 2;
/**
 * Segments handed out past the first one not yet merged, per thread: profiled segments wait for
 * the ones before them, and this bounds how many wait (and the memory they hold).
 */
const WINDOW_PER_THREAD = 4;

export interface SegmentedOptions {
  /** Bytes per segment (tests make it small, for many segments in a small file). */
  readonly segmentBytes?: number;
  /** Worker threads besides this one: by default one per other core; 0 reads on this thread. */
  readonly workers?: number;
  /** Told of each segment profiled, and on which thread (for tests). */
  readonly onSegment?: (index: number, thread: 'this' | 'worker') => void;
}

/** Every column's accumulator after reading the whole table. */
export interface TableAccumulators {
  readonly columns: string[];
  readonly accumulators: ColumnAccumulator[];
  readonly rows: number;
  readonly notes: string[];
}

/** The layout of the CSV, as openTabular found it. */
export interface CsvLayout {
  readonly columns: readonly string[];
  readonly notes: readonly string[];
  readonly delimiter: string;
  readonly recordsBeforeRows: number;
}

/** Profiles the rows of a plain CSV (file), named `shown` in errors. */
export async function profileCsvSegments(
  file: string,
  shown: string,
  layout: CsvLayout,
  options: SegmentedOptions = {},
): Promise<TableAccumulators> {
  let size: number;
  let start: number;
  try {
    start = rowsStart(file, layout.delimiter, layout.recordsBeforeRows);
    size = Math.max(start, fs.statSync(file).size);
  } catch (err) {
    throw fromSystemError(err, shown, 'Could not read');
  }
  const segmentBytes = Math.max(1, Math.floor(options.segmentBytes ?? segmentBytesOf(size)));
  const first = Math.min(segmentBytes, FIRST_SEGMENT_BYTES);
  const count = 1 + Math.max(0, Math.ceil((size - start - first) / segmentBytes));
  /** Where segment `index` starts (nominally: at the first line start from there). */
  const offset = (index: number): number =>
    index === 0 ? start : start + first + (index - 1) * segmentBytes;
  const request = (index: number, from?: number): SegmentRequest => ({
    file,
    size,
    delimiter: layout.delimiter,
    columns: layout.columns.length,
    index,
    start: from ?? offset(index),
    exactStart: from !== undefined || index === 0,
    end: index === count - 1 ? size : offset(index + 1),
  });
  const context: SegmentContext = {};
  const here = (req: SegmentRequest): ProfiledSegment => {
    options.onSegment?.(req.index, 'this');
    try {
      return profileSegment(req, context);
    } catch (err) {
      throw fromSystemError(err, shown, 'Could not read');
    }
  };

  const merged = new SegmentMerge(layout);
  const done: (ProfiledSegment | undefined)[] = new Array<ProfiledSegment | undefined>(count);
  let merging = 0;
  /** Where the record left open by the last merged segment starts, or -1. */
  let carry = -1;
  const mergeReady = (): void => {
    const before = merging;
    while (merging < count && done[merging]) {
      let part = done[merging]!;
      done[merging] = undefined;
      // The segment began inside a quoted field: read it again from that field's record.
      if (carry >= 0) part = here(request(merging, carry));
      merged.add(part);
      carry = part.openRecord;
      merging++;
    }
    if (merging > before) pool.refill();
  };

  const threads = workerCount(size - start, count, options.workers);
  const pool = new SegmentPool(
    count,
    threads,
    (index) => index < merging + WINDOW_PER_THREAD * (threads + 1),
    (index) => request(index),
    (part) => {
      done[part.index] = part;
      options.onSegment?.(part.index, 'worker');
    },
  );
  try {
    // The first segment first (the workers start meanwhile): the others count what it counted.
    const head = here(request(pool.take()!));
    const counted = head.columns.map((a) => a.countedValues() ?? null);
    if (counted.some((c) => c !== null)) context.counted = counted;
    done[0] = head;
    mergeReady();
    pool.start(context.counted);
    for (;;) {
      mergeReady();
      if (merging >= count) break;
      const index = pool.take();
      if (index !== undefined) {
        done[index] = here(request(index));
        // Let the workers' answers in, and give them more.
        if (pool.size > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      // Nothing this thread may take: what it waits for is in flight on a worker.
      if (!pool.busy()) throw new Error(`segment ${merging} of ${shown} was never profiled`);
      await pool.settled();
    }
  } finally {
    pool.close();
  }
  return merged.result();
}

/**
 * Below this many bytes of rows a worker costs more than it saves: starting one and compiling
 * the profiler in it takes about as long as this thread reading 30 MB.
 */
const WORKERS_MIN_BYTES = 32 << 20;

/** Worker threads for `bytes` of rows in `segments` segments: `wanted`, or one per other core. */
function workerCount(bytes: number, segments: number, wanted: number | undefined): number {
  const n = wanted ?? (bytes < WORKERS_MIN_BYTES ? 0 : os.availableParallelism() - 1);
  return Math.max(0, Math.min(n, segments - 1));
}

/**
 * Worker threads that profile segments handed out in file order; this thread takes its share
 * with `take`. A worker that fails hands its segments back, for this thread to profile.
 */
class SegmentPool {
  private next = 0;
  private started = false;
  /** Segments given back by a failed worker. */
  private readonly returned: number[] = [];
  private readonly inFlight = new Map<Worker, Set<number>>();
  private wake: (() => void) | undefined;

  constructor(
    private readonly count: number,
    workers: number,
    /** Whether a segment may be handed out yet. */
    private readonly allowed: (index: number) => boolean,
    private readonly request: (index: number) => SegmentRequest,
    private readonly onDone: (part: ProfiledSegment) => void,
  ) {
    const script = workers > 0 ? workerScriptIn(__dirname, 'profileWorker') : undefined;
    for (let i = 0; script !== undefined && i < workers; i++) {
      let worker: Worker;
      try {
        worker = spawnWorkerScript(script);
      } catch {
        break; // this thread reads what the workers would have
      }
      this.inFlight.set(worker, new Set());
      worker.on('message', (m: SegmentResponse) => {
        this.inFlight.get(worker)?.delete(m.index);
        if ('error' in m) this.returned.push(m.index);
        else this.onDone(fromSegmentResult(m.result));
        this.refill();
        this.notify();
      });
      const fail = (): void => this.fail(worker);
      worker.on('error', fail);
      worker.on('exit', fail);
    }
  }

  /** Tells each worker what the first segment counted, and hands it its first segments. */
  start(counted: SegmentContext['counted']): void {
    if (counted)
      for (const worker of this.inFlight.keys())
        worker.postMessage({ kind: 'counted', counted } satisfies ProfileWorkerMessage);
    this.started = true;
    this.refill();
  }

  /** Gives each worker segments, up to AHEAD in flight, as far as they are allowed yet. */
  refill(): void {
    if (!this.started) return;
    for (const [worker, set] of this.inFlight) while (set.size < AHEAD && this.feed(worker));
  }

  /** Worker threads still working. */
  get size(): number {
    return this.inFlight.size;
  }

  /** The next segment for this thread, if any is left and allowed yet. */
  take(): number | undefined {
    if (this.returned.length > 0) return this.returned.shift();
    return this.next < this.count && this.allowed(this.next) ? this.next++ : undefined;
  }

  /** Whether a worker still has segments in flight. */
  busy(): boolean {
    for (const set of this.inFlight.values()) if (set.size > 0) return true;
    return false;
  }

  /** Resolves when a worker answers or fails. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  close(): void {
    for (const worker of [...this.inFlight.keys()]) {
      this.inFlight.delete(worker);
      worker.removeAllListeners();
      void worker.terminate();
    }
    this.notify();
  }

  /** Hands a worker the next segment, if one is left and allowed yet. */
  private feed(worker: Worker): boolean {
    const set = this.inFlight.get(worker);
    if (!set || this.next >= this.count || !this.allowed(this.next)) return false;
    const index = this.next++;
    set.add(index);
    worker.postMessage({
      kind: 'segment',
      request: this.request(index),
    } satisfies ProfileWorkerMessage);
    return true;
  }

  private fail(worker: Worker): void {
    const set = this.inFlight.get(worker);
    if (!set) return;
    this.inFlight.delete(worker);
    this.returned.push(...set);
    worker.removeAllListeners();
    void worker.terminate();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** The segments' accumulators merged one after another, in file order. */
class SegmentMerge {
  private readonly named: readonly string[];
  private readonly notes: string[];
  private readonly accumulators: ColumnAccumulator[] = [];
  private rows = 0;

  constructor(layout: CsvLayout) {
    this.named = layout.columns;
    this.notes = [...layout.notes];
  }

  add(part: ProfiledSegment): void {
    const seed = segmentSeed(part.index);
    const n = Math.max(this.accumulators.length, part.columns.length);
    for (let c = 0; c < n; c++) {
      const mine = this.accumulators[c];
      const theirs = part.columns[c];
      if (!theirs) mine!.missing += part.rows;
      else if (!mine) {
        // A column first seen in this segment: missing in every row before.
        theirs.missing += this.rows;
        this.accumulators[c] = theirs;
      } else mine.merge(theirs, seed);
    }
    this.rows += part.rows;
  }

  result(): TableAccumulators {
    // A row wider than the header still has every field profiled, as column_N.
    const columns = [...this.named];
    const widest = this.accumulators.length;
    if (widest > columns.length) {
      this.notes.push(
        `some rows have ${widest} fields, more than the ${columns.length} columns named: the others are named ${columnRange(columns.length, widest)}`,
      );
      while (columns.length < widest) columns.push(`column_${columns.length + 1}`);
    }
    return {
      columns,
      accumulators: this.accumulators,
      rows: this.rows,
      notes: this.notes,
    };
  }
}
