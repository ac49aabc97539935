import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

// The I/O worker threads (ioWorker.ts) that hashing, statting and quick checks share the work
// with; and how to start the other worker entries bundled beside it (data/profileWorker.ts).

/**
 * The script of the worker entry `name` in `dir`: the bundle's `name.js`, or, running from source
 * (tests through tsx), `name.ts`.
 */
export function workerScriptIn(dir: string, name: string): string | undefined {
  for (const file of [`${name}.js`, `${name}.ts`]) {
    const p = path.join(dir, file);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export function workerScript(): string | undefined {
  return workerScriptIn(__dirname, 'ioWorker');
}

/** Starts a worker thread on a script; a TypeScript one (from source) with tsx loaded in it. */
export function spawnWorkerScript(script: string): Worker {
  if (!script.endsWith('.ts')) return new Worker(script);
  const boot = `require('tsx/cjs'); require(${JSON.stringify(script)});`;
  return new Worker(boot, { eval: true });
}

/** Whether worker threads can be started (the bundle ships ioWorker.js beside it). */
export function canStartWorkers(): boolean {
  return workerScript() !== undefined;
}

/**
 * Starts an I/O worker thread: the bundled ioWorker.js, or, when running from source (tests
 * through tsx), the TypeScript file with tsx loaded in the worker.
 */
function spawnWorker(): Worker {
  const script = workerScript();
  if (script === undefined) throw new Error('ioWorker script not found beside the bundle');
  return spawnWorkerScript(script);
}

/*
 * A worker takes about 30 ms to start. Workers started ahead of work (warmWorkers) or done with
 * theirs (releaseWorker) wait here, at most one per core, to be handed the next piece of work.
 * A waiting worker does not keep the process alive, and is stopped after IDLE_MS without work
 * (the extension host never exits).
 */
const idle: Worker[] = [];
const IDLE_MS = 2000;
let idleTimer: NodeJS.Timeout | undefined;
const forget = (w: Worker) => (): void => {
  const i = idle.indexOf(w);
  if (i >= 0) idle.splice(i, 1);
};
const forgetters = new WeakMap<Worker, () => void>();

function park(w: Worker): void {
  w.unref();
  const f = forget(w);
  forgetters.set(w, f);
  w.once('exit', f);
  idle.push(w);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    for (const x of idle.splice(0)) void x.terminate();
  }, IDLE_MS).unref();
}

/** Starts workers now for work about to come, so that their start-up overlaps what comes first. */
export function warmWorkers(count = os.availableParallelism()): void {
  if (!canStartWorkers()) return;
  while (idle.length < Math.min(count, os.availableParallelism())) park(spawnWorker());
}

/** A worker for a piece of work: a waiting one, or a new one. Give it back with releaseWorker. */
export function startWorker(): Worker {
  const w = idle.pop();
  if (w === undefined) return spawnWorker();
  w.off('exit', forgetters.get(w)!);
  w.ref();
  return w;
}

/**
 * Gives back a worker whose work is done and answered (nothing of it left in flight), to wait for
 * the next piece; one that failed is stopped instead (`worker.terminate()`).
 */
export function releaseWorker(w: Worker): void {
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  if (idle.length >= os.availableParallelism()) void w.terminate();
  else park(w);
}
