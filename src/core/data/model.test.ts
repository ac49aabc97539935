import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempProject } from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { inspectModel, saveLayersModelToDisk, scoreModel } from './model.js';
import { loadTf } from './tfjs.js';

/** A 3 → 4 → 1 network whose output is sigmoid(10·(x0 − 0.5)): it "knows" the label is x0 > 0.5. */
async function thresholdModel(dir: string): Promise<void> {
  const tf = await loadTf();
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'linear', name: 'hidden' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }));
  model.layers[0]!.setWeights([
    tf.tensor2d([
      [1, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]),
    tf.zeros([4]),
  ]);
  model.layers[1]!.setWeights([tf.tensor2d([[10], [0], [0], [0]]), tf.tensor1d([-5])]);
  await saveLayersModelToDisk(model, dir);
  model.dispose();
}

test('model inspect: layers, shapes, parameter counts and size', async () => {
  const project = tempProject();
  const dir = path.join(project.root, 'models/net');
  await thresholdModel(dir);
  const info = await inspectModel(dir, 'models/net');
  assert.deepEqual(
    info.layers.map((l) => [l.name, l.className, l.params]),
    [
      ['hidden', 'Dense', 3 * 4 + 4],
      ['out', 'Dense', 4 + 1],
    ],
  );
  assert.equal(info.totalParams, 21);
  assert.equal(info.trainableParams, 21);
  assert.deepEqual(info.inputShape, [null, 3]);
  assert.deepEqual(info.outputShape, [null, 1]);
  assert.equal(info.sizeBytes, fs.statSync(path.join(dir, 'model.json')).size + 21 * 4);
});

test('model score and model eval: metrics on a dataset version, recorded as a run with its inputs', async () => {
  const project = tempProject();
  await thresholdModel(path.join(project.root, 'models/net'));
  const rows = ['x0,x1,x2,label'];
  for (let i = 0; i < 100; i++) {
    const x0 = (i + 0.5) / 100;
    // 90 rows follow the rule the model knows, 10 contradict it
    const label = i % 10 === 0 ? Number(x0 <= 0.5) : Number(x0 > 0.5);
    rows.push(`${x0},${i % 7},${i % 3},${label}`);
  }
  fs.mkdirSync(path.join(project.root, 'data'));
  fs.writeFileSync(path.join(project.root, 'data/test.csv'), rows.join('\n') + '\n');
  const score = await scoreModel(
    path.join(project.root, 'models/net'),
    'models/net',
    path.join(project.root, 'data/test.csv'),
    'data/test.csv',
    'label',
  );
  assert.equal(score.task, 'binary');
  assert.equal(score.rows, 100);
  assert.ok(
    Math.abs(score.metrics['accuracy']! - 0.9) < 1e-9,
    `accuracy ${score.metrics['accuracy']}`,
  );

  await addArtifacts(project, ['data', 'models/net']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data and model');
  const r = cairn(
    project.root,
    'model',
    'eval',
    'models/net',
    '--data',
    'data/test.csv',
    '--label',
    'label',
  );
  assert.equal(r.code, 0, r.stderr);
  const listed = JSON.parse(cairn(project.root, 'runs', 'ls', '--json').stdout) as {
    runs: { id: string }[];
  };
  assert.equal(listed.runs.length, 1);
  const ls = JSON.parse(
    cairn(project.root, 'runs', 'show', listed.runs[0]!.id, '--json').stdout,
  ) as { task: string; inputs: { path: string }[]; summary: Record<string, { last: number }> };
  assert.equal(ls.task, 'evaluate');
  assert.ok(Math.abs(ls.summary['accuracy']!.last - 0.9) < 1e-6);
  assert.deepEqual(ls.inputs.map((i) => i.path).sort(), ['data', 'models/net']);

  const bad = cairn(
    project.root,
    'model',
    'score',
    'models/net',
    '--data',
    'data/test.csv',
    '--label',
    'nope',
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /data\/test\.csv has no column 'nope' \(columns: x0, x1, x2, label\)/);
});
