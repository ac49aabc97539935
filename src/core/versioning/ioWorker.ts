// Worker thread entry: hashes (and stores) batches of files, or stats long lists of files, for
// hashPool.ts and scan.ts, so that both cores share the work.
import { parentPort } from 'node:worker_threads';
import { CairnError } from '../errors.js';
import { hashFile, type HashJob, type HashOutcome } from './hashFile.js';
import { PackWriter } from './pack.js';
import { quickCheck, type QuickCheckRequest } from './quickIndex.js';
import { statFilesSync } from './statFiles.js';

export interface HashRequest {
  readonly kind: 'hash';
  readonly id: number;
  readonly jobs: readonly HashJob[];
  readonly cacheDir: string;
  readonly tmpDir: string;
  /** Store small files in a pack of this worker's, moved into the cache by a 'finish-pack'. */
  readonly pack?: boolean;
}

/** Moves the pack this worker has been writing into the cache (or drops it, with `abort`). */
export interface FinishPackRequest {
  readonly kind: 'finish-pack';
  readonly id: number;
  readonly abort?: boolean;
}

export interface FinishPackResponse {
  readonly id: number;
  readonly error?: string;
}

/** Stats files under a directory (statFiles.ts). */
export interface StatRequest {
  readonly kind: 'stat';
  readonly id: number;
  readonly dir: string;
  readonly rels: readonly string[];
}

export type WorkerRequest = HashRequest | StatRequest | FinishPackRequest | QuickCheckRequest;

export interface HashResponse {
  readonly id: number;
  readonly results: readonly HashOutcome[];
}

export interface StatResponse {
  readonly id: number;
  /** STAT_FIELDS numbers per file (statFiles.ts). */
  readonly stats: Float64Array;
}

/** Hashes a batch one file after another; a failure becomes that file's outcome. */
export async function runBatch(
  req: Omit<HashRequest, 'kind'>,
  pack?: PackWriter,
): Promise<HashResponse> {
  const results: HashOutcome[] = [];
  for (const job of req.jobs) {
    try {
      results.push(await hashFile(job, req.cacheDir, req.tmpDir, pack));
    } catch (err) {
      const e = err as Error & { code?: string };
      results.push({
        error: {
          code: err instanceof CairnError ? err.code : 'io',
          message: e.message,
          file: job.file,
        },
      });
    }
  }
  return { id: req.id, results };
}

if (parentPort) {
  const port = parentPort;
  let writer: PackWriter | undefined;
  port.on('message', (req: WorkerRequest) => {
    switch (req.kind) {
      case 'hash':
        if (req.pack && !writer) writer = new PackWriter(req.cacheDir, req.tmpDir);
        void runBatch(req, req.pack ? writer : undefined).then((res) => port.postMessage(res));
        break;
      case 'finish-pack': {
        let error: string | undefined;
        try {
          if (req.abort) writer?.abort();
          else writer?.finish();
        } catch (err) {
          error = (err as Error).message;
        }
        writer = undefined;
        port.postMessage({ id: req.id, ...(error ? { error } : {}) } satisfies FinishPackResponse);
        break;
      }
      case 'quick-check':
        port.postMessage(quickCheck(req));
        break;
      case 'stat': {
        const stats = statFilesSync(req.dir, req.rels);
        port.postMessage({ id: req.id, stats } satisfies StatResponse, [
          stats.buffer as ArrayBuffer,
        ]);
        break;
      }
    }
  });
}
