import * as os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CairnError, type CairnErrorCode } from '../errors.js';
import type { HashJob, HashOutcome, HashResult } from './hashFile.js';
import {
  runBatch,
  type FinishPackResponse,
  type HashRequest,
  type HashResponse,
} from './ioWorker.js';
import { invalidatePacks, PackWriter } from './pack.js';
import { canStartWorkers, startWorker } from './workers.js';

const BATCH_FILES = 64;
const BATCH_BYTES = 16 << 20;
/** Below this many files a worker's start-up costs more than it saves. */
const IN_PROCESS_MAX_FILES = 8;
/** Fewer files than this are stored as files of their own, not as a pack (gc packs them later). */
const PACK_MIN_FILES = 16;

export interface HashProgress {
  readonly doneFiles: number;
  readonly totalFiles: number;
  readonly doneBytes: number;
  readonly totalBytes: number;
}

/**
 * Hashes files on every core (worker threads), storing them in the cache when asked. Returns one
 * outcome per job, in order. `sizes` (optional) helps balance the batches. With `pack`, small
 * files are stored in pack files (one per thread), all in the cache when this returns.
 */
export async function hashMany(
  jobs: readonly HashJob[],
  cacheDir: string,
  tmpDir: string,
  options: {
    sizes?: readonly number[];
    onProgress?: (p: HashProgress) => void;
    pack?: boolean;
  } = {},
): Promise<HashOutcome[]> {
  const sizes = options.sizes ?? jobs.map(() => 0);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const results: HashOutcome[] = new Array<HashOutcome>(jobs.length);
  let doneFiles = 0;
  let doneBytes = 0;
  const report = (indices: readonly number[]): void => {
    doneFiles += indices.length;
    for (const i of indices) doneBytes += sizes[i] ?? 0;
    options.onProgress?.({ doneFiles, totalFiles: jobs.length, doneBytes, totalBytes });
  };

  // Batches: big files alone, small files grouped, biggest first for balance.
  const order = jobs.map((_, i) => i).sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0));
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const i of order) {
    current.push(i);
    currentBytes += sizes[i] ?? 0;
    if (current.length >= BATCH_FILES || currentBytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);

  const workerCount = Math.min(os.availableParallelism(), batches.length);
  // A few files are cheaper as files of their own than as a pack and its index.
  const pack = options.pack === true && jobs.filter((j) => j.store).length >= PACK_MIN_FILES;
  if (jobs.length <= IN_PROCESS_MAX_FILES || !canStartWorkers() || workerCount <= 1) {
    const writer = pack ? new PackWriter(cacheDir, tmpDir) : undefined;
    try {
      for (const batch of batches) {
        const res = await runBatch(
          { id: 0, jobs: batch.map((i) => jobs[i]!), cacheDir, tmpDir },
          writer,
        );
        batch.forEach((jobIndex, k) => (results[jobIndex] = res.results[k]!));
        report(batch);
      }
      writer?.finish();
    } finally {
      writer?.abort();
    }
    return results;
  }

  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: workerCount }, async () => {
        const worker = startWorker();
        workers.push(worker);
        for (;;) {
          const batchIndex = next++;
          const batch = batches[batchIndex];
          if (!batch) return;
          const req: HashRequest = {
            kind: 'hash',
            id: batchIndex,
            jobs: batch.map((i) => jobs[i]!),
            cacheDir,
            tmpDir,
            pack,
          };
          const res = await new Promise<HashResponse>((resolve, reject) => {
            const onMessage = (m: HashResponse): void => {
              worker.off('error', onError);
              resolve(m);
            };
            const onError = (err: Error): void => {
              worker.off('message', onMessage);
              reject(err);
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.postMessage(req);
          });
          batch.forEach((jobIndex, k) => (results[jobIndex] = res.results[k]!));
          report(batch);
        }
      }),
    );
    if (pack) {
      const errors = await Promise.all(workers.map((w) => finishPack(w, false)));
      invalidatePacks(cacheDir);
      const error = errors.find((e) => e !== undefined);
      if (error !== undefined) throw new CairnError('io', error);
    }
  } catch (err) {
    if (pack) await Promise.all(workers.map((w) => finishPack(w, true).catch(() => undefined)));
    throw err;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/** Asks a worker to move its pack into the cache (or drop it); resolves to its error, if any. */
function finishPack(worker: Worker, abort: boolean): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: FinishPackResponse) => resolve(m.error));
    worker.once('error', reject);
    worker.postMessage({ kind: 'finish-pack', id: -1, abort });
  });
}

/** The result of a hash job, or its failure thrown as a CairnError. */
export function unwrap(outcome: HashOutcome): HashResult {
  if ('error' in outcome) {
    throw new CairnError(
      outcome.error.code as CairnErrorCode,
      outcome.error.message,
      outcome.error.file,
    );
  }
  return outcome;
}
