import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

// The I/O worker threads (ioWorker.ts) that hashing, statting and quick checks share the work with.

export function workerScript(): string | undefined {
  for (const name of ['ioWorker.js', 'ioWorker.ts']) {
    const p = path.join(__dirname, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** Whether worker threads can be started (the bundle ships ioWorker.js beside it). */
export function canStartWorkers(): boolean {
  return workerScript() !== undefined;
}

/**
 * Starts an I/O worker thread: the bundled ioWorker.js, or, when running from source (tests
 * through tsx), the TypeScript file with tsx loaded in the worker.
 */
export function startWorker(): Worker {
  const script = workerScript();
  if (script === undefined) throw new Error('ioWorker script not found beside the bundle');
  if (!script.endsWith('.ts')) return new Worker(script);
  const boot = `require('tsx/cjs'); require(${JSON.stringify(script)});`;
  return new Worker(boot, { eval: true });
}
