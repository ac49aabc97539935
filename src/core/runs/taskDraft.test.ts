// Drafting a task from a real argparse training script, and finding params that never reach a
// program: the sweep a new user ran (lr 0.01 and 0.5, identical metrics) must be caught before it
// runs, and the drafted task's sweep must change what the program does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempProject } from '../testing/tempProject.js';
import { unroutedParams } from './paramRoutes.js';
import { scanScript } from './scriptScan.js';
import { addTask, draftTask } from './taskDraft.js';
import { getTask } from './taskConfig.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const TRAIN_PY = `import argparse, json, os
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01, help="learning rate")
parser.add_argument('--hidden-size', type=int, default=16)
parser.add_argument("--verbose", action="store_true")
parser.add_argument("--data", default="data/train.csv")
args = parser.parse_args()
rows = open("data/train.csv").read().split()
loss = 1.0
for epoch in range(3):
    loss = loss * (1 - args.lr)
    print(json.dumps({"step": epoch, "loss": loss}))
os.makedirs("models", exist_ok=True)
with open("models/model.pkl", "wb") as f:
    f.write(str(args.hidden_size).encode())
`;

function project(): ReturnType<typeof tempProject> {
  const p = tempProject();
  fs.writeFileSync(path.join(p.root, 'train.py'), TRAIN_PY);
  fs.mkdirSync(path.join(p.root, 'data'));
  fs.writeFileSync(path.join(p.root, 'data/train.csv'), 'x\n1\n2\n');
  return p;
}

test('the scan finds argparse options with defaults and dest names, data read and models written', () => {
  const scan = scanScript(TRAIN_PY, 'python');
  assert.deepEqual(
    scan.options.map((o) => [o.flag, o.name, o.default, o.isSwitch]),
    [
      ['--lr', 'lr', 0.01, false],
      ['--hidden-size', 'hidden_size', 16, false],
      ['--verbose', 'verbose', false, true],
      ['--data', 'data', 'data/train.csv', false],
    ],
  );
  assert.equal(scan.options[0]!.line, 3);
  assert.ok(scan.reads.includes('data/train.csv'));
  assert.deepEqual(scan.writes, ['models/model.pkl']);
  assert.equal(scan.readsCairnParams, false);
  const reads = scanScript('import cairn\np = cairn.params()\nlr = p.get("lr", 0.1)\n', 'python');
  assert.equal(reads.readsCairnParams, true);
  assert.equal(
    scanScript('params = yaml.safe_load(open("params.yaml"))\nlr = params["lr"]\n', 'python')
      .paramsFiles[0],
    'params.yaml',
  );
});

test('params with no route to the program are found, with the cmd that passes them', () => {
  const p = project();
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    'tasks:\n  train:\n    cmd: python3 train.py\n    params: {defaults: {lr: 0.01, hidden_size: 16, seed: 1}}\n',
  );
  const task = getTask(p, 'train');
  const problem = unroutedParams(p, task, ['lr', 'hidden_size', 'seed'])!;
  assert.deepEqual(problem.params, ['lr', 'hidden_size', 'seed']);
  assert.equal(problem.fixedCmd, 'python3 train.py --lr {{lr}} --hidden-size {{hidden_size}}');
  assert.match(
    problem.message,
    /lr, hidden_size, seed never reach the program: cmd has no \{\{lr\}\}/,
  );
  assert.match(
    problem.message,
    /train\.py takes --lr, --hidden-size: set cmd to "python3 train\.py --lr/,
  );

  // Each route counts: {{name}} in cmd, a params file the script reads, CAIRN_PARAMS.
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    'tasks:\n  train:\n    cmd: python3 train.py --lr {{lr}}\n    params: {defaults: {lr: 0.01}}\n',
  );
  assert.equal(unroutedParams(p, getTask(p, 'train'), ['lr']), undefined);
  fs.writeFileSync(path.join(p.root, 'reads.py'), 'cfg = open("params.yaml").read()\n');
  fs.writeFileSync(path.join(p.root, 'params.yaml'), 'lr: 0.1\n');
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    'tasks:\n  t:\n    cmd: python3 reads.py\n    params: params.yaml\n',
  );
  assert.equal(unroutedParams(p, getTask(p, 't'), ['lr']), undefined);
  fs.writeFileSync(path.join(p.root, 'reads.py'), 'import cairn\nlr = cairn.params()["lr"]\n');
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    'tasks:\n  t:\n    cmd: python3 reads.py\n    params: {defaults: {lr: 1}}\n',
  );
  assert.equal(unroutedParams(p, getTask(p, 't'), ['lr']), undefined);
  // A command whose program Cairn cannot read says nothing rather than guess.
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    'tasks:\n  t:\n    cmd: make train\n    params: {defaults: {lr: 1}}\n',
  );
  assert.equal(unroutedParams(p, getTask(p, 't'), ['lr']), undefined);
});

test('a task drafted from an argparse script is written into cairn.yaml and its sweep changes the program', () => {
  const p = project();
  fs.writeFileSync(path.join(p.root, 'cairn.yaml'), '# my project\ntasks: {}\n');
  gitSync(p.root, 'add', '-A');
  gitSync(p.root, 'commit', '-qm', 'code');
  const draft = draftTask(p, 'train.py');
  assert.equal(draft.name, 'train');
  assert.equal(
    draft.cmd,
    'python3 train.py --lr {{lr}} --hidden-size {{hidden_size}} --data {{data}}',
  );
  assert.deepEqual(draft.params, {
    defaults: { lr: 0.01, hidden_size: 16, data: 'data/train.csv' },
  });
  assert.deepEqual(draft.deps, ['train.py', 'data/train.csv']);
  assert.deepEqual(draft.outs, ['models/model.pkl']);
  addTask(p, { ...draft, cmd: draft.cmd.replace('python3', python) });
  const text = fs.readFileSync(p.configFile, 'utf8');
  assert.match(text, /^# my project/, 'comments are kept');
  assert.match(text, /deps: \[train\.py, data\/train\.csv\]/);
  assert.equal(getTask(p, 'train').paramDefaults['lr'], 0.01);
  assert.throws(() => addTask(p, draft), /already has a task 'train'/);
  assert.equal(draftTask(p, 'train.py').name, 'train-2');

  const r = cairn(p.root, 'sweep', 'train', '-p', 'lr=0.01,0.5');
  assert.equal(r.code, 0, r.stderr);
  const runs = (
    JSON.parse(cairn(p.root, 'runs', 'ls', '--json').stdout) as {
      runs: { metrics: Record<string, number> }[];
    }
  ).runs;
  assert.equal(runs.length, 2);
  const losses = runs.map((run) => run.metrics['loss']);
  assert.notEqual(
    losses[0],
    losses[1],
    `the sweep's lr reached the program: ${JSON.stringify(losses)}`,
  );
});

test('a sweep whose params never reach the program is refused before any run, with the fix', () => {
  const p = project();
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    `tasks:\n  train:\n    cmd: ${python} train.py\n    params: {defaults: {lr: 0.01}}\n`,
  );
  const r = cairn(p.root, 'sweep', 'train', '-p', 'lr=0.01,0.5');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /-p lr: lr never reaches the program: cmd has no \{\{lr\}\}/);
  assert.match(r.stderr, /train\.py takes --lr: set cmd to ".*train\.py --lr \{\{lr\}\}"/);
  const runs = JSON.parse(cairn(p.root, 'runs', 'ls', '--json').stdout) as { runs: unknown[] };
  assert.equal(runs.runs.length, 0, 'nothing was recorded');
  // Run with its defaults only, it runs: nothing is claimed about params it was not given.
  assert.equal(cairn(p.root, 'run', 'train').code, 0);
});

test('adding a task changes no other line of cairn.yaml', () => {
  const p = project();
  const before = [
    '# the team project',
    'tasks:',
    '    old:   # four-space indent, the user style',
    '        cmd: make train',
    '        deps: [ data ]',
    '',
    '# shared storage',
    'remotes:',
    '  shared: {url: /tmp/x}',
    '',
  ].join('\n');
  fs.writeFileSync(p.configFile, before);
  addTask(p, draftTask(p, 'train.py'));
  const after = fs.readFileSync(p.configFile, 'utf8').split('\n');
  const lines = before.split('\n');
  assert.deepEqual(after.slice(0, 5), lines.slice(0, 5));
  assert.equal(after[5], '    train:');
  assert.deepEqual(after.slice(-5), lines.slice(-5), 'what follows the tasks is as it was');
  assert.deepEqual(getTask(p, 'old').deps, ['data']);
  assert.equal(getTask(p, 'train').paramDefaults['hidden_size'], 16);
});
