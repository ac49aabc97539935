// Test support for runs sent to executors: a Git repository with a real Python training script,
// its data versioned, and what the tests read back from the built CLI. Used by *.test.ts only.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempDir } from './tempProject.js';

export const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Fits a line to data/train.csv, logs a metric per epoch, writes models/model.pkl. */
export const TRAIN_PY = String.raw`
import json, os, pickle, time
import cairn

params = dict(l.split(':', 1) for l in open('params.yaml').read().split('\n') if ':' in l)
lr = float(params['lr'])
epochs = int(params['epochs'])
rows = [tuple(map(float, l.split(','))) for l in open('data/train.csv').read().split()[1:]]
w, b = 0.0, 0.0
for epoch in range(epochs):
    gw = sum((w * x + b - y) * x for x, y in rows) / len(rows)
    gb = sum((w * x + b - y) for x, y in rows) / len(rows)
    w, b = w - lr * gw, b - lr * gb
    loss = sum((w * x + b - y) ** 2 for x, y in rows) / len(rows)
    print(f"epoch {epoch} loss={loss:.6f}", flush=True)
    cairn.log(step=epoch, val_loss=round(loss * 1.1, 9))
    time.sleep(float(os.environ.get('EPOCH_SECONDS', '0')))
os.makedirs('models', exist_ok=True)
with open('models/model.pkl', 'wb') as f:
    pickle.dump({'w': round(w, 6), 'b': round(b, 6)}, f, protocol=4)
`;

/** The tasks the executor tests run: `train` (the script above) and `wait` (prints n ticks). */
export const TASKS_YAML = `tasks:
  train:
    cmd: ${python} train.py
    params: params.yaml
    deps: [data/train.csv, train.py]
    outs: [models/model.pkl]
  wait:
    cmd: ${python} -c "import time; [print(f'step={i} tick={i}', flush=True) or time.sleep(0.2) for i in range({{n}})]"
    params: {defaults: {n: 10}}
`;

export interface RunJson {
  id: string;
  status: string;
  error?: string;
  params: Record<string, unknown>;
  outputs: { path: string; hash: string }[];
  sweep?: string;
  git: { commit: string; branch: string | null };
  series: Record<string, { step: number[]; value: number[] }>;
  executor?: { name: string; jobId?: string; node?: string; state?: string; settled?: boolean };
}

/** The same run, wherever it ran: params, metric series, model version, commit and branch. */
export function assertSameRun(here: RunJson, there: RunJson): void {
  assert.equal(there.status, 'completed', there.error);
  assert.deepEqual(there.params, here.params);
  const steps = (r: RunJson) =>
    Object.fromEntries(Object.entries(r.series).map(([k, s]) => [k, [s.step, s.value]]));
  assert.deepEqual(steps(there), steps(here));
  assert.equal(there.outputs[0]?.hash, here.outputs[0]?.hash, 'the same model version');
  assert.deepEqual(there.git, here.git, 'the same commit and branch');
}

export function show(dir: string, id: string): RunJson {
  const r = cairn(dir, 'runs', 'show', id, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

export function runIds(dir: string): string[] {
  const r = cairn(dir, 'runs', 'ls', '--json');
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { runs: { id: string }[] }).runs.map((x) => x.id);
}

/** A committed repository with TASKS_YAML and `executors` (YAML lines after `executors:`). */
export function makeTrainingRepo(executors = ''): string {
  const dir = tempDir('cairn-executor-');
  gitSync(dir, 'init', '-q', '-b', 'main');
  gitSync(dir, 'config', 'user.email', 'test@example.com');
  gitSync(dir, 'config', 'user.name', 'Test');
  assert.equal(cairn(dir, 'init').code, 0);
  fs.writeFileSync(path.join(dir, 'cairn.yaml'), `${TASKS_YAML}executors:\n${executors}`);
  fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.05\nepochs: 5\n');
  fs.writeFileSync(path.join(dir, 'train.py'), TRAIN_PY);
  fs.mkdirSync(path.join(dir, 'data'));
  const rows = ['x,y'];
  for (let i = 0; i < 40; i++) rows.push(`${(i / 10).toFixed(1)},${(3 * (i / 10) - 1).toFixed(1)}`);
  fs.writeFileSync(path.join(dir, 'data', 'train.csv'), rows.join('\n') + '\n');
  assert.equal(cairn(dir, 'add', 'data/train.csv').code, 0);
  gitSync(dir, 'add', '-A');
  gitSync(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

export async function until<T>(
  what: string,
  seconds: number,
  probe: () => T | undefined,
): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
