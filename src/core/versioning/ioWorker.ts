// Worker thread entry: hashes (and stores) batches of files, or stats long lists of files, for
// hashPool.ts and scan.ts, so that both cores share the work.
import { parentPort } from 'node:worker_threads';
import { CairnError } from '../errors.js';
import { hashFile, type HashJob, type HashOutcome } from './hashFile.js';
import { statFilesSync, type FileStatTuple } from './statFiles.js';

export interface HashRequest {
  readonly kind: 'hash';
  readonly id: number;
  readonly jobs: readonly HashJob[];
  readonly cacheDir: string;
  readonly tmpDir: string;
}

export interface StatRequest {
  readonly kind: 'stat';
  readonly id: number;
  readonly files: readonly string[];
}

export type WorkerRequest = HashRequest | StatRequest;

export interface HashResponse {
  readonly id: number;
  readonly results: readonly HashOutcome[];
}

export interface StatResponse {
  readonly id: number;
  readonly stats: readonly (FileStatTuple | null)[];
}

/** Hashes a batch one file after another; a failure becomes that file's outcome. */
export async function runBatch(req: Omit<HashRequest, 'kind'>): Promise<HashResponse> {
  const results: HashOutcome[] = [];
  for (const job of req.jobs) {
    try {
      results.push(await hashFile(job, req.cacheDir, req.tmpDir));
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
  port.on('message', (req: WorkerRequest) => {
    switch (req.kind) {
      case 'hash':
        void runBatch(req).then((res) => port.postMessage(res));
        break;
      case 'stat':
        port.postMessage({ id: req.id, stats: statFilesSync(req.files) } satisfies StatResponse);
        break;
    }
  });
}
