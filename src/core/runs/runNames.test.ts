// Runs a user can tell apart: default names say the task (or script), what was overridden and
// the run's number; a sweep is labelled by what it sweeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, tempProject } from '../testing/tempProject.js';
import { sweepLabel } from './sweepLabel.js';

test('default run names are readable and unique: task, overrides, number; the script of an ad-hoc command', () => {
  const p = tempProject();
  fs.writeFileSync(path.join(p.root, 'train.js'), 'console.log(JSON.stringify({loss: 1}))\n');
  fs.writeFileSync(
    path.join(p.root, 'cairn.yaml'),
    `tasks:\n  train:\n    cmd: ${process.execPath} train.js {{lr}}\n    params: {defaults: {lr: 0.1}}\n`,
  );
  assert.equal(cairn(p.root, 'run', 'train').code, 0);
  assert.equal(cairn(p.root, 'run', 'train', '-p', 'lr=0.5').code, 0);
  assert.equal(cairn(p.root, 'run', 'train', '-p', 'lr=0.5').code, 0);
  assert.equal(cairn(p.root, 'run', '--', process.execPath, 'train.js').code, 0);
  const runs = (
    JSON.parse(cairn(p.root, 'runs', 'ls', '--json').stdout) as { runs: { name: string }[] }
  ).runs;
  assert.deepEqual(runs.map((r) => r.name).sort(), [
    'train #1',
    'train lr=0.5 #2',
    'train lr=0.5 #3',
    'train.js #1',
  ]);
});

test('a sweep is labelled by the params it varies', () => {
  const runs = [
    { params: { lr: 0.1, hidden: 8, seed: 1 } },
    { params: { lr: 0.5, hidden: 8, seed: 1 } },
    { params: { lr: 0.1, hidden: 16, seed: 1 } },
    { params: { lr: 0.5, hidden: 16, seed: 1 } },
  ];
  assert.equal(sweepLabel(runs), 'lr × hidden (4)');
  assert.equal(sweepLabel([{ params: { lr: 1 } }]), 'sweep (1)');
});
