// The waiting I/O workers: handed out again, and never what keeps a command's process alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { tempDir } from '../testing/tempProject.js';
import { STAT_FIELDS } from './statFiles.js';
import { releaseWorker, startWorker, warmWorkers } from './workers.js';

function statOn(worker: Worker, dir: string, rels: string[]): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { stats: Float64Array }) => resolve(m.stats));
    worker.once('error', reject);
    worker.postMessage({ kind: 'stat', id: 0, dir, rels });
  });
}

test('a warmed worker is the one handed out, and serves again once given back', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'abc');
  warmWorkers(1);
  const first = startWorker();
  const stats = await statOn(first, dir, ['a.txt', 'missing']);
  assert.equal(stats[2], 3, 'the size of a.txt');
  assert.equal(stats[STAT_FIELDS + 5], -1, 'missing');
  releaseWorker(first);
  const again = startWorker();
  assert.equal(again.threadId, first.threadId);
  assert.equal((await statOn(again, dir, ['a.txt']))[2], 3);
  await again.terminate();
});

test('waiting workers do not keep the process alive', () => {
  const script = `
    const { warmWorkers, startWorker, releaseWorker } = require(${JSON.stringify(require.resolve('./workers.ts'))});
    warmWorkers(2);
    const w = startWorker();
    w.once('online', () => { releaseWorker(w); console.log('done ' + Date.now()); });
  `;
  // A waiting worker that held the process would hold it until the idle timer (2 s) stops it.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  const ended = Date.now();
  assert.equal(r.status, 0, r.stderr);
  const done = Number(/done (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(ended - done < 1500, `the process lived ${ended - done} ms after its work was done`);
});
