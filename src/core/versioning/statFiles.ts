import * as fs from 'node:fs';
import * as os from 'node:os';
import { releaseWorker, startWorker, workerScript } from './workers.js';

/**
 * Numbers per file in what statFiles returns: dev, ino, size, mtimeMs, ctimeMs (the stat key's,
 * see stateCache.ts), then the mode, -1 for a path that is missing or not a regular file.
 */
export const STAT_FIELDS = 6;

/** What Node's fs binding returns for a stat: the numbers fs.Stats is made from. */
type RawStats = Float64Array;

/**
 * Node 20's fs.statSync and fs.fstatSync build a Stats object with four Date objects per call,
 * most of the cost of statting many files. Their internal binding returns the raw numbers (dev,
 * mode, nlink, uid, gid, rdev, blksize, ino, size, blocks, then seconds and nanoseconds of atime,
 * mtime, ctime and birthtime), in an array it reuses. It is used when present and when it agrees
 * with fs.statSync and fs.fstatSync on a real file; else those are. Node 22 makes the dates lazy,
 * and then the two cost about the same.
 */
let binding:
  { stat(file: string): RawStats | undefined; fstat(fd: number): RawStats } | null | undefined;

function rawBinding(): typeof binding {
  if (binding !== undefined) return binding;
  binding = null;
  try {
    const b = (process as unknown as { binding(name: string): unknown }).binding('fs') as {
      stat?: (p: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean) => unknown;
      fstat?: (fd: number, bigint: boolean, req: undefined, shouldNotThrow: boolean) => unknown;
    };
    const { stat, fstat } = b;
    if (typeof stat !== 'function' || typeof fstat !== 'function') return binding;
    const probe = process.execPath;
    const viaPath = Float64Array.from(stat(probe, false, undefined, false) as RawStats);
    const fd = fs.openSync(probe, 'r');
    try {
      const viaFd = Float64Array.from(fstat(fd, false, undefined, false) as RawStats);
      if (!agrees(viaPath, fs.statSync(probe)) || !agrees(viaFd, fs.fstatSync(fd))) return binding;
    } finally {
      fs.closeSync(fd);
    }
    binding = {
      stat: (file) => stat(file, false, undefined, false) as RawStats | undefined,
      fstat: (fd) => fstat(fd, false, undefined, false) as RawStats,
    };
  } catch {
    binding = null;
  }
  return binding;
}

/** Whether the raw binding is what statInto and fstatInto use on this runtime. */
export function usesRawStat(): boolean {
  return rawBinding() !== null;
}

function agrees(r: RawStats, st: fs.Stats): boolean {
  const out = new Float64Array(STAT_FIELDS);
  fromRaw(r, out, 0);
  return (
    r.length >= 16 &&
    out[0] === st.dev &&
    out[1] === st.ino &&
    out[2] === st.size &&
    out[3] === st.mtimeMs &&
    out[4] === st.ctimeMs &&
    out[5] === st.mode
  );
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

function fromRaw(r: RawStats, out: Float64Array, at: number): void {
  out[at] = r[0]!;
  out[at + 1] = r[7]!;
  out[at + 2] = r[8]!;
  out[at + 3] = r[12]! * 1e3 + r[13]! / 1e6; // as fs.Stats computes mtimeMs
  out[at + 4] = r[14]! * 1e3 + r[15]! / 1e6;
  out[at + 5] = (r[1]! & S_IFMT) === S_IFREG ? r[1]! : -1;
}

function fromStats(st: fs.Stats | undefined, out: Float64Array, at: number): void {
  if (st === undefined || !st.isFile()) {
    out[at + 5] = -1;
    return;
  }
  out[at] = st.dev;
  out[at + 1] = st.ino;
  out[at + 2] = st.size;
  out[at + 3] = st.mtimeMs;
  out[at + 4] = st.ctimeMs;
  out[at + 5] = st.mode;
}

/**
 * Stats a file (following links) into STAT_FIELDS numbers of `out` at `at`; the mode is -1 when
 * it is missing or not a regular file. Throws on other errors (ENOTDIR, EACCES).
 */
export function statInto(file: string, out: Float64Array, at: number): void {
  const b = rawBinding();
  if (!b) return fromStats(fs.statSync(file, { throwIfNoEntry: false }), out, at);
  const r = b.stat(file);
  if (r === undefined) out[at + 5] = -1;
  else fromRaw(r, out, at);
}

/** statInto for an open file. */
export function fstatInto(fd: number, out: Float64Array, at: number): void {
  const b = rawBinding();
  if (!b) return fromStats(fs.fstatSync(fd), out, at);
  fromRaw(b.fstat(fd), out, at);
}

/** Stats files under `dir` (following symlinks) into `out`, STAT_FIELDS numbers each. */
export function statFilesSync(
  dir: string,
  rels: readonly string[],
  out = new Float64Array(rels.length * STAT_FIELDS),
): Float64Array {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  for (let i = 0; i < rels.length; i++) statInto(prefix + rels[i]!, out, i * STAT_FIELDS);
  return out;
}

/** A worker takes about 30 ms to start: below this many files this thread is done first. */
const PARALLEL_MIN_FILES = 50_000;

/**
 * Stats many files under `dir` on every core: this thread takes one share, worker threads the
 * others. The numbers come back in one typed array (no object or string per file).
 */
export async function statFiles(dir: string, rels: readonly string[]): Promise<Float64Array> {
  const script = workerScript();
  const threads = Math.min(
    os.availableParallelism(),
    Math.ceil(rels.length / (PARALLEL_MIN_FILES / 2)),
  );
  if (script === undefined || threads <= 1) return statFilesSync(dir, rels);
  // This thread starts at once while a worker needs tens of milliseconds to start: it takes
  // a larger share.
  const first = Math.ceil((rels.length / threads) * 1.15);
  const share = Math.ceil((rels.length - first) / (threads - 1));
  const out = new Float64Array(rels.length * STAT_FIELDS);
  const workers = Array.from({ length: threads - 1 }, (_, t) => {
    const start = Math.min(rels.length, first + t * share);
    const end = Math.min(rels.length, start + share);
    const worker = startWorker();
    return new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { stats: Float64Array }) => {
        out.set(m.stats, start * STAT_FIELDS);
        releaseWorker(worker);
        resolve();
      });
      worker.once('error', (err) => {
        void worker.terminate();
        reject(err);
      });
      worker.postMessage({ kind: 'stat', id: t, dir, rels: rels.slice(start, end) });
    });
  });
  statFilesSync(dir, rels.slice(0, first), out.subarray(0, first * STAT_FIELDS));
  await Promise.all(workers);
  return out;
}
