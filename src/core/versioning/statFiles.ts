import * as fs from 'node:fs';
import * as os from 'node:os';
import { statKey } from './stateCache.js';
import { startWorker, workerScript } from './workers.js';

/** [stat key, size in bytes, mode] of a file, as returned across threads. */
export type FileStatTuple = [key: string, sizeBytes: number, mode: number];

/** Stats files (following symlinks); null for a path that is missing or not a regular file. */
export function statFilesSync(files: readonly string[]): (FileStatTuple | null)[] {
  const out: (FileStatTuple | null)[] = new Array<FileStatTuple | null>(files.length);
  for (let i = 0; i < files.length; i++) {
    const st = fs.statSync(files[i]!, { throwIfNoEntry: false });
    out[i] = st && st.isFile() ? [statKey(st), st.size, st.mode] : null;
  }
  return out;
}

/** Below this many files a second thread costs more than it saves. */
const PARALLEL_MIN_FILES = 20_000;

/** Stats many files on every core: this thread takes one share, worker threads the others. */
export async function statFiles(files: readonly string[]): Promise<(FileStatTuple | null)[]> {
  const script = workerScript();
  const threads = Math.min(
    os.availableParallelism(),
    Math.ceil(files.length / (PARALLEL_MIN_FILES / 2)),
  );
  if (script === undefined || threads <= 1) return statFilesSync(files);
  // This thread starts at once while a worker needs tens of milliseconds to start: it takes
  // a larger share.
  const first = Math.ceil((files.length / threads) * 1.15);
  const share = Math.ceil((files.length - first) / (threads - 1));
  const parts = [files.slice(0, first)];
  for (let t = 0; t < threads - 1; t++)
    parts.push(files.slice(first + t * share, first + (t + 1) * share));
  const workers = parts.slice(1).map((part, t) => {
    const worker = startWorker();
    return new Promise<(FileStatTuple | null)[]>((resolve, reject) => {
      worker.once('message', (m: { stats: (FileStatTuple | null)[] }) => resolve(m.stats));
      worker.once('error', reject);
      worker.postMessage({ kind: 'stat', id: t, files: part });
    }).finally(() => void worker.terminate());
  });
  const mine = statFilesSync(parts[0]!);
  const rest = await Promise.all(workers);
  return mine.concat(...rest);
}
