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
import { canStartWorkers, releaseWorker, startWorker } from './workers.js';

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

/** Jobs given one at a time, so that a million of them need not exist at once. */
export interface HashJobList {
  readonly length: number;
  job(i: number): HashJob;
  /** The file's size as last seen (it balances the batches), or 0. */
  sizeBytes(i: number): number;
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
  const { sizes, ...rest } = options;
  const results: HashOutcome[] = new Array<HashOutcome>(jobs.length);
  const list: HashJobList = {
    length: jobs.length,
    job: (i) => jobs[i]!,
    sizeBytes: (i) => sizes?.[i] ?? 0,
  };
  await hashEach(list, cacheDir, tmpDir, rest, (i, outcome) => (results[i] = outcome));
  return results;
}

/**
 * hashMany for many files: each outcome goes to `onResult` (job number, outcome) as it arrives,
 * in no particular order, and no array of jobs or outcomes is kept. Packs are in the cache when
 * this returns.
 */
export async function hashEach(
  jobs: HashJobList,
  cacheDir: string,
  tmpDir: string,
  options: {
    onProgress?: (p: HashProgress) => void;
    pack?: boolean;
  },
  onResult: (i: number, outcome: HashOutcome) => void,
): Promise<void> {
  let totalBytes = 0;
  for (let i = 0; i < jobs.length; i++) totalBytes += jobs.sizeBytes(i);
  let doneFiles = 0;
  let doneBytes = 0;
  const report = (indices: Uint32Array): void => {
    doneFiles += indices.length;
    for (const i of indices) doneBytes += jobs.sizeBytes(i);
    options.onProgress?.({ doneFiles, totalFiles: jobs.length, doneBytes, totalBytes });
  };

  // Batches: big files alone, small files grouped, biggest first for balance. Each batch is a
  // run of `order`, which ends where the next begins.
  const order = new Uint32Array(jobs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => jobs.sizeBytes(b) - jobs.sizeBytes(a));
  const ends: number[] = [];
  let currentFiles = 0;
  let currentBytes = 0;
  for (let k = 0; k < order.length; k++) {
    currentFiles++;
    currentBytes += jobs.sizeBytes(order[k]!);
    if (currentFiles >= BATCH_FILES || currentBytes >= BATCH_BYTES) {
      ends.push(k + 1);
      currentFiles = 0;
      currentBytes = 0;
    }
  }
  if (currentFiles > 0) ends.push(order.length);
  const batch = (b: number): Uint32Array => order.subarray(b === 0 ? 0 : ends[b - 1], ends[b]);
  const batchJobs = (indices: Uint32Array): HashJob[] => Array.from(indices, (i) => jobs.job(i));
  const deliver = (indices: Uint32Array, results: readonly HashOutcome[]): void => {
    indices.forEach((jobIndex, k) => onResult(jobIndex, results[k]!));
    report(indices);
  };

  const workerCount = Math.min(os.availableParallelism(), ends.length);
  // A few files are cheaper as files of their own than as a pack and its index.
  let stored = 0;
  for (let i = 0; i < jobs.length && stored < PACK_MIN_FILES; i++) if (jobs.job(i).store) stored++;
  const pack = options.pack === true && stored >= PACK_MIN_FILES;
  if (jobs.length <= IN_PROCESS_MAX_FILES || !canStartWorkers() || workerCount <= 1) {
    const writer = pack ? new PackWriter(cacheDir, tmpDir) : undefined;
    try {
      for (let b = 0; b < ends.length; b++) {
        const indices = batch(b);
        const res = await runBatch({ id: 0, jobs: batchJobs(indices), cacheDir, tmpDir }, writer);
        deliver(indices, res.results);
      }
      writer?.finish();
    } finally {
      writer?.abort();
    }
    return;
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
          if (batchIndex >= ends.length) return;
          const indices = batch(batchIndex);
          const req: HashRequest = {
            kind: 'hash',
            id: batchIndex,
            jobs: batchJobs(indices),
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
          deliver(indices, res.results);
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
    await Promise.all(workers.map((w) => w.terminate()));
    throw err;
  }
  for (const w of workers) releaseWorker(w);
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
