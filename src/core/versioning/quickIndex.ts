import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AtomicFileWriter } from '../fsSafe.js';
import { STAT_FIELDS, statInto } from './statFiles.js';
import { canStartWorkers, releaseWorker, startWorker } from './workers.js';

type Hash = string;

/** The parts of a saved artifact state (stateCache.ts) that the quick index is made from. */
interface SavedState {
  readonly version?: Hash;
  readonly files: Record<string, string>;
  readonly dirs: Record<string, string>;
}

/*
 * The quick index: what a no-op `status` needs to say "unchanged" of a directory artifact, in a
 * binary file read in one go. It holds the version the work tree matched, each directory's times
 * and each file's stat (device, inode, size, mtime, ctime) as float64s, and the paths as one
 * string; no hashes (a clean check never needs one) and no object per entry. If every directory
 * and file still has its recorded stat, the artifact is unchanged; anything else falls back to
 * the full state (stateCache.ts), which says what changed. It is written beside the full state
 * whenever that is saved for a work tree that matched its version with every time settled.
 *
 *   "CAIRNQI1" · u32 files · u32 dirs · f64 savedAtMs · 32-byte version ·
 *   f64 × 5 per file · f64 × 2 per dir · file paths joined by "\n" · "\0" · dir paths by "\n"
 */

const MAGIC = Buffer.from('CAIRNQI1');
const HEADER = 56;
const FILE_FIELDS = 5;
const DIR_FIELDS = 2;

/**
 * Writes the quick index for a state saved at `savedAtMs`, or removes it when the state cannot
 * answer quickly (no matched version, or a time too recent to trust: `settled`).
 */
export function saveQuickIndex(
  file: string,
  state: SavedState,
  savedAtMs: number,
  settled: (timeMs: number) => boolean,
  tmpDir: string,
): void {
  if (state.version === undefined) {
    fs.rmSync(file, { force: true });
    return;
  }
  const files = Object.keys(state.files);
  const fileNumbers = new Float64Array(files.length * FILE_FIELDS);
  // One pass: each entry's numbers, stopping at the first time too recent to trust.
  const filled = files.every((rel, i) => {
    const parts = state.files[rel]!.split(':');
    for (let k = 0; k < FILE_FIELDS; k++) fileNumbers[i * FILE_FIELDS + k] = Number(parts[k]);
    return settled(fileNumbers[i * FILE_FIELDS + FILE_FIELDS - 1]!); // the ctime comes last
  });
  if (!filled) {
    fs.rmSync(file, { force: true });
    return;
  }
  saveQuickIndexFrom(
    file,
    { version: state.version, files, fileNumbers, dirs: state.dirs },
    savedAtMs,
    settled,
    tmpDir,
  );
}

/** What a quick index is made of, with the files as columns (as add has them). */
export interface QuickIndexSource {
  readonly version: Hash | undefined;
  readonly files: readonly string[];
  /** FILE_FIELDS numbers per file: dev, ino, size, mtimeMs, ctimeMs. */
  readonly fileNumbers: Float64Array;
  readonly dirs: Record<string, string>;
}

/** Paths are written in pieces of about this many characters. */
const PATH_CHUNK_CHARS = 1 << 20;

/** saveQuickIndex from columns: written out in pieces, with no object or string per file. */
export function saveQuickIndexFrom(
  file: string,
  source: QuickIndexSource,
  savedAtMs: number,
  settled: (timeMs: number) => boolean,
  tmpDir: string,
): void {
  const { files, fileNumbers } = source;
  const dirs = Object.entries(source.dirs);
  const dirNumbers = new Float64Array(dirs.length * DIR_FIELDS);
  let allSettled = source.version !== undefined;
  for (let i = 0; allSettled && i < files.length; i++)
    allSettled = settled(fileNumbers[i * FILE_FIELDS + FILE_FIELDS - 1]!);
  for (let i = 0; allSettled && i < dirs.length; i++) {
    const parts = dirs[i]![1].split(':');
    for (let k = 0; k < DIR_FIELDS; k++) dirNumbers[i * DIR_FIELDS + k] = Number(parts[k]);
    allSettled = settled(dirNumbers[i * DIR_FIELDS + DIR_FIELDS - 1]!);
  }
  if (!allSettled) {
    fs.rmSync(file, { force: true });
    return;
  }
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(files.length, 8);
  header.writeUInt32LE(dirs.length, 12);
  header.writeDoubleLE(savedAtMs, 16);
  header.write(source.version!, 24, 32, 'hex');
  const out = new AtomicFileWriter(file, { tmpDir });
  try {
    out.write(header);
    const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    out.write(bytes(fileNumbers.subarray(0, files.length * FILE_FIELDS)));
    out.write(bytes(dirNumbers));
    let chunk = '';
    for (let i = 0; i < files.length; i++) {
      chunk += (i === 0 ? '' : '\n') + files[i]!;
      if (chunk.length >= PATH_CHUNK_CHARS) {
        out.write(chunk);
        chunk = '';
      }
    }
    out.write(chunk + '\0' + dirs.map(([rel]) => rel).join('\n'));
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

/** A quick index as read: the numbers in place, the paths as two lists. */
export interface QuickIndex {
  readonly version: Hash;
  /** The paths of files [filesFrom, filesFrom + files.length): all of them unless read in part. */
  readonly files: readonly string[];
  readonly filesFrom: number;
  readonly dirs: readonly string[];
  readonly numbers: Float64Array;
}

/** A quick index's bytes with the header checked, before any path is decoded. */
interface QuickIndexBytes {
  readonly buf: Buffer;
  readonly nFiles: number;
  readonly nDirs: number;
  readonly numbersEnd: number;
}

function readQuickIndexBytes(file: string): QuickIndexBytes | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (buf.length < HEADER || !buf.subarray(0, 8).equals(MAGIC)) return undefined;
  const nFiles = buf.readUInt32LE(8);
  const nDirs = buf.readUInt32LE(12);
  const numbersEnd = HEADER + (nFiles * FILE_FIELDS + nDirs * DIR_FIELDS) * 8;
  return buf.length < numbersEnd ? undefined : { buf, nFiles, nDirs, numbersEnd };
}

/**
 * The index with the paths of files [from, to) decoded (all of them by default): the threads of a
 * parallel check each decode their own share.
 */
function parseQuickIndex(b: QuickIndexBytes, from = 0, to = b.nFiles): QuickIndex | undefined {
  const { buf, nFiles, nDirs, numbersEnd } = b;
  // Read in place when aligned (a file this size is not in Node's buffer pool), else copied out.
  const numbers =
    (buf.byteOffset + HEADER) % 8 === 0
      ? new Float64Array(buf.buffer, buf.byteOffset + HEADER, (numbersEnd - HEADER) / 8)
      : new Float64Array(buf.buffer.slice(buf.byteOffset + HEADER, buf.byteOffset + numbersEnd));
  let start = numbersEnd;
  for (let i = 0; i < from && start > 0; i++) start = buf.indexOf(10, start) + 1;
  const end = start > 0 ? buf.indexOf(0, start) : -1;
  if (end < 0) return undefined;
  const files =
    from === to
      ? []
      : buf.toString('utf8', start, end).split('\n', to === nFiles ? undefined : to - from);
  const dirs = nDirs === 0 ? [] : buf.toString('utf8', end + 1).split('\n');
  if (files.length !== to - from || dirs.length !== nDirs) return undefined;
  return { version: buf.toString('hex', 24, 56), files, filesFrom: from, dirs, numbers };
}

/** Reads a quick index; undefined when there is none or it is not one. */
export function readQuickIndex(file: string): QuickIndex | undefined {
  const b = readQuickIndexBytes(file);
  return b && parseQuickIndex(b);
}

/** Whether files [start, end) of the index still have their recorded stat (following links). */
export function filesUnchanged(q: QuickIndex, root: string, start: number, end: number): boolean {
  const n = q.numbers;
  const from = q.filesFrom;
  const got = new Float64Array(STAT_FIELDS);
  try {
    for (let i = start; i < end; i++) {
      statInto(root + '/' + q.files[i - from]!, got, 0);
      const at = i * FILE_FIELDS;
      // The ctime first: it is what changes whenever anything else does.
      if (
        got[5] === -1 ||
        got[4] !== n[at + 4] ||
        got[3] !== n[at + 3] ||
        got[2] !== n[at + 2] ||
        got[1] !== n[at + 1] ||
        got[0] !== n[at]
      )
        return false;
    }
  } catch {
    return false; // ENOTDIR and the like: something changed
  }
  return true;
}

/** Whether every directory of the index still has its recorded times. */
export function dirsUnchanged(q: QuickIndex, root: string): boolean {
  const base = q.numbers.length - q.dirs.length * DIR_FIELDS; // the dirs' numbers come last
  for (let i = 0; i < q.dirs.length; i++) {
    const rel = q.dirs[i]!;
    const st = fs.lstatSync(rel === '' ? root : path.join(root, rel), { throwIfNoEntry: false });
    if (
      st === undefined ||
      !st.isDirectory() ||
      st.mtimeMs !== q.numbers[base + i * DIR_FIELDS] ||
      st.ctimeMs !== q.numbers[base + i * DIR_FIELDS + 1]
    )
      return false;
  }
  return true;
}

/*
 * A worker thread takes about 30 ms to start, and a stat takes about 1.5 µs: below
 * PARALLEL_MIN_FILES this thread is done before a worker could help. Above, this thread takes the
 * files the worker could have statted while it started, plus half of the rest, so that both end
 * together.
 */
const PARALLEL_MIN_FILES = 50_000;
const WORKER_START_MS = 30;
const STAT_MS = 0.0015;

/**
 * Whether a directory artifact is unchanged since the work tree last matched `version`, judged
 * from the quick index alone: false means "look closer", not "changed". The files are statted on
 * this thread and, for large artifacts, a worker thread that reads the index itself.
 */
export async function quicklyUnchanged(
  file: string,
  root: string,
  version: Hash,
): Promise<boolean> {
  const b = readQuickIndexBytes(file);
  if (!b) return false;
  const n = b.nFiles;
  if (n < PARALLEL_MIN_FILES || os.availableParallelism() < 2 || !canStartWorkers()) {
    const q = parseQuickIndex(b);
    return (
      q !== undefined &&
      q.version === version &&
      dirsUnchanged(q, root) &&
      filesUnchanged(q, root, 0, n)
    );
  }
  const first = Math.ceil((n + WORKER_START_MS / STAT_MS) / 2);
  // Started before anything else, as it takes the longest to get going.
  const worker = startWorker();
  let answered = false;
  try {
    const theirs = new Promise<boolean>((resolve, reject) => {
      worker.once('message', (m: QuickCheckResponse) => {
        answered = true;
        resolve(m.unchanged);
      });
      worker.once('error', reject);
      worker.postMessage({
        kind: 'quick-check',
        id: 0,
        file,
        root,
        start: first,
        end: n,
      } satisfies QuickCheckRequest);
    });
    const q = parseQuickIndex(b, 0, first);
    if (!q || q.version !== version || !dirsUnchanged(q, root)) return false;
    if (!filesUnchanged(q, root, 0, first)) return false;
    return await theirs;
  } finally {
    // A worker still at its share is stopped; one that answered waits for the next work.
    if (answered) releaseWorker(worker);
    else void worker.terminate();
  }
}

export interface QuickCheckRequest {
  readonly kind: 'quick-check';
  readonly id: number;
  readonly file: string;
  readonly root: string;
  readonly start: number;
  readonly end: number;
}

export interface QuickCheckResponse {
  readonly id: number;
  readonly unchanged: boolean;
}

/** The worker's side of quicklyUnchanged. */
export function quickCheck(req: QuickCheckRequest): QuickCheckResponse {
  const b = readQuickIndexBytes(req.file);
  const q = b && parseQuickIndex(b, req.start, req.end);
  return {
    id: req.id,
    unchanged: q !== undefined && filesUnchanged(q, req.root, req.start, req.end),
  };
}
