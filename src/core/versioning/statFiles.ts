import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startWorker, workerScript } from './workers.js';

/**
 * Numbers per file in what statFiles returns: dev, ino, size, mtimeMs, ctimeMs (the stat key's,
 * see stateCache.ts), then the mode, -1 for a path that is missing or not a regular file.
 */
export const STAT_FIELDS = 6;

/** Stats files under `dir` (following symlinks) into `out`, STAT_FIELDS numbers each. */
export function statFilesSync(
  dir: string,
  rels: readonly string[],
  out = new Float64Array(rels.length * STAT_FIELDS),
): Float64Array {
  for (let i = 0; i < rels.length; i++) {
    const st = fs.statSync(path.join(dir, rels[i]!), { throwIfNoEntry: false });
    const at = i * STAT_FIELDS;
    if (st && st.isFile()) {
      out[at] = st.dev;
      out[at + 1] = st.ino;
      out[at + 2] = st.size;
      out[at + 3] = st.mtimeMs;
      out[at + 4] = st.ctimeMs;
      out[at + 5] = st.mode;
    } else out[at + 5] = -1;
  }
  return out;
}

/** Below this many files a second thread costs more than it saves. */
const PARALLEL_MIN_FILES = 20_000;

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
        resolve();
      });
      worker.once('error', reject);
      worker.postMessage({ kind: 'stat', id: t, dir, rels: rels.slice(start, end) });
    }).finally(() => void worker.terminate());
  });
  statFilesSync(dir, rels.slice(0, first), out.subarray(0, first * STAT_FIELDS));
  await Promise.all(workers);
  return out;
}
