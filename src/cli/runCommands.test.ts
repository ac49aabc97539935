// End-to-end tests of the training-run commands: the built CLI (dist/cli.js), real Git
// repositories in temp dirs, a real Python training script and a real Node script.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectAt } from '../core/project/project.js';
import { runReferencedHashes } from '../core/runs/runStore.js';

const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'dist', 'cli.js');
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cairn(cwd: string, ...args: string[]): Result {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cairnJson<T>(cwd: string, ...args: string[]): T {
  const r = cairn(cwd, ...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function sh(cwd: string, cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const TRAIN_PY = String.raw`
import json, os, pickle, sys, time
import cairn

params = {}
for line in open('params.yaml'):
    line = line.split('#')[0]
    if ':' in line:
        k, v = line.split(':', 1)
        params[k.strip()] = v.strip()
lr = float(params['lr'])
epochs = int(params['epochs'])
print('isatty', sys.stdout.isatty(), 'opt', params.get('opt'))
rows = [tuple(map(float, l.split(','))) for l in open('data/train.csv').read().split()[1:]]
w, b = 0.0, 0.0
for epoch in range(epochs):
    gw = sum((w * x + b - y) * x for x, y in rows) / len(rows)
    gb = sum((w * x + b - y) for x, y in rows) / len(rows)
    w, b = w - lr * gw, b - lr * gb
    loss = sum((w * x + b - y) ** 2 for x, y in rows) / len(rows)
    acc = sum(abs(w * x + b - y) < 0.5 for x, y in rows) / len(rows)
    print(f"epoch {epoch} loss={loss:.6f} acc={acc:.4f}", flush=True)
    cairn.log(step=epoch, val_loss=loss * 1.1)
print(json.dumps({"weird": float('nan'), "step": epochs}))
print('{"loss": oops}')
os.makedirs('models', exist_ok=True)
with open('models/model.pkl', 'wb') as f:
    pickle.dump({'w': round(w, 6), 'b': round(b, 6)}, f, protocol=4)
json.dump({'final_acc': acc}, open('metrics.json', 'w'))
if os.environ.get('SLOW'):
    time.sleep(60)
`;

const TRAIN_JS = `
const cairn = require('cairn');
for (let step = 0; step < 5; step++) {
  console.log('step=' + step + ' loss=' + (1 / (step + 1)));
  cairn.log({ reward: step * 2 }, step);
}
cairn.log({ odd: NaN });
process.exitCode = Number(process.argv[2] || 0);
`;

const CAIRN_YAML = `tasks:
  train:
    cmd: ${python} train.py
    params: params.yaml
    deps: [data/train.csv, train.py]
    outs: [models/model.pkl]
    metrics:
      - stdout
      - file: metrics.json
    goal: {final_acc: max}
  slow:
    cmd: ${python} -c "import time; [print(f'step={i} loss={1/(i+1)}', flush=True) or time.sleep(0.05) for i in range(2000)]"
    params: params.yaml
`;

const NODE_TASK = `  node:
    cmd: ${process.execPath} train.js {{code}}
    params: {defaults: {code: 0}}
`;

const PARAMS = 'lr: 0.05 # learning rate\nepochs: 4\nopt: sgd\n';

function makeRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-runs-'));
  sh(dir, 'git', 'init', '-q', '-b', 'main');
  sh(dir, 'git', 'config', 'user.email', 'test@example.com');
  sh(dir, 'git', 'config', 'user.name', 'Test');
  assert.equal(cairn(dir, 'init').code, 0);
  fs.writeFileSync(path.join(dir, 'cairn.yaml'), CAIRN_YAML + NODE_TASK);
  fs.writeFileSync(path.join(dir, 'params.yaml'), PARAMS);
  fs.writeFileSync(path.join(dir, 'train.py'), TRAIN_PY);
  fs.writeFileSync(path.join(dir, 'train.js'), TRAIN_JS);
  fs.mkdirSync(path.join(dir, 'data'));
  const rows = ['x,y'];
  for (let i = 0; i < 50; i++) rows.push(`${(i / 10).toFixed(1)},${(2 * (i / 10) + 1).toFixed(1)}`);
  fs.writeFileSync(path.join(dir, 'data', 'train.csv'), rows.join('\n') + '\n');
  const add = cairn(dir, 'add', 'data/train.csv');
  assert.equal(add.code, 0, add.stderr);
  sh(dir, 'git', 'add', '-A');
  sh(dir, 'git', 'commit', '-q', '-m', 'initial');
  return dir;
}

interface RunJson {
  id: string;
  name: string;
  status: string;
  exitCode: number | null;
  params: Record<string, unknown>;
  overrides: Record<string, unknown>;
  git: { commit: string | null; dirty: boolean; diffFile: string | null };
  inputs: { path: string; hash: string }[];
  outputs: { path: string; hash: string; kind: string }[];
  summary: Record<string, { last: number | string; count: number }>;
  series: Record<string, { step: number[]; value: (number | string)[] }>;
  skippedLines: number;
  sweep?: string;
  reproduces?: string;
}

before(() => {
  if (!fs.existsSync(cli)) sh(repoRoot, process.execPath, 'scripts/build.mjs');
});

describe('cairn run with a Python training script', { timeout: 120_000 }, () => {
  let dir: string;
  let runId: string;
  before(() => {
    dir = makeRepo();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('records params, code, data, metrics, log and a model version', () => {
    const r = cairn(dir, 'run', 'train', '-p', 'lr=0.1', '-p', 'opt=adam', '--name', 'first');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /epoch 3 loss=/); // output shown live
    assert.match(r.stdout, /isatty False opt adam/);
    assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), PARAMS);
    const { runs } = cairnJson<{ runs: { id: string; params: object; metrics: object }[] }>(
      dir,
      'runs',
      'ls',
    );
    assert.equal(runs.length, 1);
    runId = runs[0]!.id;
    assert.deepEqual(runs[0]!.params, { lr: 0.1, epochs: 4, opt: 'adam' });
    const run = cairnJson<RunJson>(dir, 'runs', 'show', runId);
    assert.equal(run.name, 'first');
    assert.equal(run.status, 'completed');
    assert.equal(run.exitCode, 0);
    assert.deepEqual(run.overrides, { lr: 0.1, opt: 'adam' });
    assert.equal(run.git.commit, sh(dir, 'git', 'rev-parse', 'HEAD').trim());
    const dataPointer = fs.readFileSync(path.join(dir, 'data/train.csv.cairn'), 'utf8');
    assert.deepEqual(
      run.inputs.map((i) => i.path),
      ['data/train.csv'],
    );
    assert.ok(dataPointer.includes(`hash: ${run.inputs[0]!.hash}`));
    const modelPointer = fs.readFileSync(path.join(dir, 'models/model.pkl.cairn'), 'utf8');
    assert.equal(run.outputs.length, 1);
    assert.equal(run.outputs[0]!.kind, 'model');
    assert.ok(modelPointer.includes(`hash: ${run.outputs[0]!.hash}`));
    assert.ok(modelPointer.includes(`run: ${runId}`), modelPointer);
    assert.equal(run.summary['loss']!.count, 4);
    assert.deepEqual(run.series['loss']!.step, [0, 1, 2, 3]);
    assert.deepEqual(run.series['val_loss']!.step, [0, 1, 2, 3]); // from the Python helper
    assert.equal(run.summary['weird']!.last, 'NaN');
    assert.equal(run.summary['final_acc']!.count, 1); // from metrics.json
    assert.equal(run.skippedLines, 1);
    const log = fs.readFileSync(path.join(dir, '.cairn/runs', runId, 'log'), 'utf8');
    assert.match(log, /epoch 0 loss=/);
  });

  test('lineage links the data version, the run and the model version', () => {
    const g = cairnJson<{
      nodes: { id: string; type: string }[];
      edges: { from: string; to: string; type: string }[];
    }>(dir, 'lineage', runId);
    const run = `run:${runId}`;
    const input = g.edges.find((e) => e.to === run && e.type === 'input');
    const output = g.edges.find((e) => e.from === run && e.type === 'output');
    assert.match(input!.from, /^artifact:data\/train\.csv@/);
    assert.match(output!.to, /^artifact:models\/model\.pkl@/);
    const text = cairn(dir, 'lineage');
    assert.match(text.stdout, /<- data\/train\.csv@/);
  });

  test('uncommitted changes are saved with the run; reproduce gets the same result', async () => {
    fs.appendFileSync(path.join(dir, 'train.py'), '\n# a local change\n');
    const r = cairn(dir, 'run', 'train', '-p', 'epochs=3');
    assert.equal(r.code, 0, r.stderr);
    const id = cairnJson<{ runs: { id: string }[] }>(dir, 'runs', 'ls').runs[0]!.id;
    const run = cairnJson<RunJson>(dir, 'runs', 'show', id);
    assert.equal(run.git.dirty, true);
    assert.match(
      fs.readFileSync(path.join(dir, '.cairn/runs', id, run.git.diffFile!), 'utf8'),
      /a local change/,
    );
    fs.writeFileSync(path.join(dir, 'train.py'), TRAIN_PY.replace('lr * gw', 'lr * gw * 0'));
    const rep = cairn(dir, 'reproduce', id);
    assert.equal(rep.code, 0, rep.stderr);
    assert.match(rep.stdout, /Every metric matches the original run/);
    assert.match(rep.stdout, /Every output has the same version/);
    const again = cairnJson<{ runs: { id: string; reproduces?: string }[] }>(dir, 'runs', 'ls');
    assert.equal(again.runs[0]!.reproduces, id);
    assert.equal(sh(dir, 'git', 'worktree', 'list').trim().split('\n').length, 1);
    const hashes = await runReferencedHashes(projectAt(dir));
    assert.ok(hashes.has(run.inputs[0]!.hash) && hashes.has(run.outputs[0]!.hash));
    fs.writeFileSync(path.join(dir, 'train.py'), TRAIN_PY);
  });

  test('a sweep runs the grid with two jobs; compare shows differing params and the best run', () => {
    const r = cairn(dir, 'sweep', 'train', '-p', 'lr=0.01,0.1', '-p', 'epochs=2,3', '-j', '2');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), PARAMS);
    const { runs } = cairnJson<{ runs: RunJson[] }>(dir, 'runs', 'ls');
    const swept = runs.filter((x) => x.sweep);
    assert.equal(swept.length, 4);
    assert.equal(new Set(swept.map((x) => x.sweep)).size, 1);
    assert.deepEqual(
      swept.map((x) => `${String(x.params['lr'])}/${String(x.params['epochs'])}`).sort(),
      ['0.01/2', '0.01/3', '0.1/2', '0.1/3'],
    );
    assert.ok(swept.every((x) => x.status === 'completed'));
    const c = cairnJson<{
      params: { name: string; differs: boolean }[];
      metrics: { name: string; goal: string; goalSource: string; best: string; values: number[] }[];
      runs: { id: string }[];
    }>(dir, 'runs', 'compare', ...swept.map((x) => x.id));
    assert.deepEqual(
      c.params.filter((p) => p.differs).map((p) => p.name),
      ['epochs', 'lr'],
    );
    assert.equal(c.params[0]!.differs, true);
    const loss = c.metrics.find((m) => m.name === 'loss')!;
    assert.equal(loss.goal, 'min');
    assert.equal(loss.goalSource, 'inferred');
    const best = c.runs[loss.values.indexOf(Math.min(...loss.values))]!.id;
    assert.equal(loss.best, best);
    assert.equal(c.metrics.find((m) => m.name === 'final_acc')!.goalSource, 'declared');
    const random = cairn(dir, 'sweep', 'train', '-p', 'lr=0.01,0.02,0.03', '--random', '1');
    assert.equal(random.code, 0, random.stderr);
    const rm = cairn(dir, 'runs', 'rm', swept[0]!.id);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(cairnJson<{ runs: unknown[] }>(dir, 'runs', 'ls').runs.length, runs.length);
  });
});

describe('cairn run -- <command> with a Node script', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('metrics from stdout and the JS helper; the exit code passes through', () => {
    const ok = cairn(dir, 'run', '--', process.execPath, 'train.js');
    assert.equal(ok.code, 0, ok.stderr);
    const failed = cairn(dir, 'run', '--', process.execPath, 'train.js', '3');
    assert.equal(failed.code, 3);
    const { runs } = cairnJson<{ runs: RunJson[] }>(dir, 'runs', 'ls');
    assert.deepEqual(
      runs.map((r) => r.status),
      ['failed', 'completed'],
    );
    const run = cairnJson<RunJson>(dir, 'runs', 'show', runs[1]!.id);
    assert.equal(run.summary['loss']!.count, 5);
    assert.deepEqual(run.series['reward']!.value, [0, 2, 4, 6, 8]);
    assert.equal(run.summary['odd']!.last, 'NaN');
  });

  test('params reach a task as {{name}} in its cmd; such sweeps run side by side', () => {
    const r = cairn(dir, 'sweep', 'node', '-p', 'code=0,4', '-j', '2');
    assert.equal(r.code, 1); // one of the runs failed
    const { runs } = cairnJson<{ runs: (RunJson & { command: string })[] }>(dir, 'runs', 'ls');
    const swept = runs
      .filter((x) => x.sweep)
      .sort((a, b) => Number(a.params['code']) - Number(b.params['code']));
    assert.deepEqual(
      swept.map((x) => [x.params['code'], x.status, x.exitCode]),
      [
        [0, 'completed', 0],
        [4, 'failed', 4],
      ],
    );
    assert.match(swept[1]!.command, /train\.js 4$/);
    // A new param, said so, reaches a program through the params file it reads...
    const added = cairn(dir, 'run', 'train', '-p', '+other=1');
    assert.equal(added.code, 0, added.stderr);
    // ...but not one whose command has no {{other}} and that reads no params: refused, not recorded.
    const bad = cairn(dir, 'run', 'node', '-p', '+other=1');
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /other never reaches the program: cmd has no \{\{other\}\}/);
  });
});

describe('interruptions, terminals and errors', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    dir = makeRepo();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function startSlow(...extra: string[]) {
    const child = spawn(process.execPath, [cli, 'run', 'slow', '-p', 'lr=9', ...extra], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const deadline = Date.now() + 20000;
    while (!output.includes('step=3') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(output, /step=3/);
    return { child, exited };
  }

  test('SIGKILL of the recorder: the next command restores the params file and fails the run', async () => {
    const { child, exited } = await startSlow();
    assert.match(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), /lr: 9/);
    child.kill('SIGKILL');
    await exited;
    const { runs } = cairnJson<{ runs: RunJson[] }>(dir, 'runs', 'ls');
    assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), PARAMS);
    assert.equal(runs[0]!.status, 'failed');
  });

  test('SIGTERM stops the program and marks the run stopped, keeping its metrics', async () => {
    const { child, exited } = await startSlow();
    child.kill('SIGTERM');
    assert.notEqual(await exited, 0);
    assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), PARAMS);
    const { runs } = cairnJson<{ runs: RunJson[] }>(dir, 'runs', 'ls');
    const run = cairnJson<RunJson>(dir, 'runs', 'show', runs[0]!.id);
    assert.equal(run.status, 'stopped');
    assert.ok(run.summary['loss']!.count >= 3);
  });

  test('under a terminal the program sees a TTY, and Ctrl-C stops the run', async () => {
    const pty = await import('node-pty');
    const p = pty.spawn(
      process.execPath,
      [
        cli,
        'run',
        '--',
        python,
        '-c',
        'import sys,time; print("tty", sys.stdout.isatty(), flush=True); time.sleep(30)',
      ],
      { cwd: dir, cols: 80, rows: 24, env: process.env },
    );
    let output = '';
    p.onData((d) => (output += d));
    const exited = new Promise<number>((r) => p.onExit((e) => r(e.exitCode)));
    const deadline = Date.now() + 10000;
    while (!output.includes('tty True') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.match(output, /tty True/);
    p.write('\x03');
    assert.notEqual(await exited, 0);
    const { runs } = cairnJson<{ runs: RunJson[] }>(dir, 'runs', 'ls');
    assert.equal(runs[0]!.status, 'stopped');
    const log = fs.readFileSync(path.join(dir, '.cairn/runs', runs[0]!.id, 'log'), 'utf8');
    assert.match(log, /tty True/);
  });

  test('bad cairn.yaml, bad params files and unknown tasks get one sentence with file:line', () => {
    const yaml = fs.readFileSync(path.join(dir, 'cairn.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'cairn.yaml'), yaml.replace('deps: [', 'depz: ['));
    let r = cairn(dir, 'run', 'train');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^cairn: cairn\.yaml:5: tasks\.train\.depz is not a task field/);
    fs.writeFileSync(path.join(dir, 'cairn.yaml'), yaml);
    fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\n  bad: [\n');
    r = cairn(dir, 'run', 'train', '-p', 'lr=1');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /params\.yaml:\d+: /);
    assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), 'lr: 0.1\n  bad: [\n');
    fs.writeFileSync(path.join(dir, 'params.yaml'), PARAMS);
    r = cairn(dir, 'run', 'nope');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No task 'nope' in cairn\.yaml; the tasks are: train, slow/);
    r = cairn(dir, 'run', 'train', '-p', 'oops');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /key=value/);
  });
});
