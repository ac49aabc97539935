import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRun, listRuns } from '../runs/runStore.js';
import { normals } from '../testing/samples.js';
import { cairn, gitSync, tempProject } from '../testing/tempProject.js';
import { assessRunInputs, runInputStates } from './runDrift.js';

function table(shift: number, seed: number): string {
  const a = normals(3000, shift, 1, seed);
  const b = normals(3000, 0, 1, seed + 7);
  return 'a,b\n' + a.map((v, i) => `${v.toFixed(4)},${b[i]!.toFixed(4)}`).join('\n') + '\n';
}

test('a run whose input data drifted since it ran says so, with the columns', async () => {
  const project = tempProject();
  fs.mkdirSync(path.join(project.root, 'data'));
  fs.writeFileSync(path.join(project.root, 'data/train.csv'), table(0, 1));
  fs.writeFileSync(
    project.configFile,
    `tasks:\n  train:\n    cmd: node -e "console.log('acc=0.9')"\n    deps: [data/train.csv]\n    metrics: [stdout]\n`,
  );
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const r = cairn(project.root, 'run', 'train');
  assert.equal(r.code, 0, r.stderr);
  const record = readRun(project, listRuns(project)[0]!.id);
  assert.deepEqual(
    runInputStates(project, record).map((s) => [s.path, s.state]),
    [['data', 'current']],
  );

  // The same rows shuffled a little: changed, but not drifted.
  fs.writeFileSync(path.join(project.root, 'data/train.csv'), table(0, 101));
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  assert.deepEqual(
    runInputStates(project, record).map((s) => s.state),
    ['changed'],
  );
  assert.deepEqual(
    (await assessRunInputs(project, record)).map((s) => s.state),
    ['stable'],
  );

  // Column a moves by one standard deviation: drifted.
  fs.writeFileSync(path.join(project.root, 'data/train.csv'), table(1, 201));
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  const [state] = await assessRunInputs(project, record);
  assert.equal(state!.state, 'drifted');
  assert.deepEqual(state!.columns, ['data/train.csv: a']);
  assert.match(state!.summary!, /1 of 2 columns of data\/train\.csv drifted/);
  // The verdict is kept: the cheap call now knows it too.
  assert.equal(runInputStates(project, record)[0]!.state, 'drifted');
});
