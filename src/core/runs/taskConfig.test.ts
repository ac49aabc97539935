import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import { projectAt } from '../project/project.js';
import { applyOverridesToText, overrideParamsFile, recoverParamsFiles } from './paramsFile.js';
import { getTask, parseOverrides, readTasks } from './taskConfig.js';

function withProject(yaml: string, fn: (root: string) => void | Promise<void>) {
  return async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-task-'));
    try {
      fs.writeFileSync(path.join(root, 'cairn.yaml'), yaml);
      await fn(root);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  };
}

function errorOf(fn: () => unknown): CairnError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CairnError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

test(
  'tasks are validated with their defaults',
  withProject(
    'tasks:\n  train:\n    cmd: python train.py\n    params: params.yaml\n    deps: [data, train.py]\n    outs: [models/m.pkl]\n    metrics:\n      - stdout\n      - file: metrics.json\n    goal: {val_acc: max}\n',
    (root) => {
      const t = getTask(projectAt(root), 'train');
      assert.equal(t.cmd, 'python train.py');
      assert.equal(t.paramsFile, 'params.yaml');
      assert.deepEqual(t.deps, ['data', 'train.py']);
      assert.deepEqual(t.outs, [{ path: 'models/m.pkl' }]);
      assert.deepEqual(t.metrics, [{ type: 'stdout' }, { type: 'file', file: 'metrics.json' }]);
      assert.deepEqual(t.goal, { val_acc: 'max' });
      assert.equal(t.line, 2);
    },
  ),
);

test(
  'errors name the file, the line and the field',
  withProject(
    'remotes: {}\ntasks:\n  train:\n    cmd: python train.py\n    outs: [../escape]\n',
    (root) => {
      const e = errorOf(() => readTasks(projectAt(root)));
      assert.match(
        e.message,
        /^cairn\.yaml:5: tasks\.train\.outs\.0 must be a path inside the project/,
      );
      assert.equal(e.line, 5);
    },
  ),
);

test(
  'unknown fields, bad goals and a missing cmd are reported at their line',
  withProject(
    'tasks:\n  a:\n    cmd: x\n    comand: y\n  b:\n    cmd: x\n    goal: {loss: down}\n  c:\n    deps: [x]\n',
    (root) => {
      const e = errorOf(() => readTasks(projectAt(root)));
      assert.match(e.message, /^cairn\.yaml:4: tasks\.a\.comand is not a task field/);
      fs.writeFileSync(
        path.join(root, 'cairn.yaml'),
        'tasks:\n  b:\n    cmd: x\n    goal: {loss: down}\n',
      );
      assert.match(
        errorOf(() => readTasks(projectAt(root))).message,
        /^cairn\.yaml:4: tasks\.b\.goal\.loss must be min or max/,
      );
      fs.writeFileSync(path.join(root, 'cairn.yaml'), 'tasks:\n  c:\n    deps: [x]\n');
      assert.match(
        errorOf(() => readTasks(projectAt(root))).message,
        /^cairn\.yaml:2: tasks\.c needs cmd:/,
      );
      fs.writeFileSync(path.join(root, 'cairn.yaml'), 'tasks:\n  c:\n    cmd: [x\n');
      assert.match(errorOf(() => readTasks(projectAt(root))).message, /cairn\.yaml:\d+: /);
    },
  ),
);

test('overrides are typed', () => {
  assert.deepEqual(
    parseOverrides(['lr=0.1', 'opt=adam', 'epochs=10', 'aug=true', 'x=1e-3', 'v=']),
    {
      lr: 0.1,
      opt: 'adam',
      epochs: 10,
      aug: true,
      x: 0.001,
      v: '',
    },
  );
  assert.throws(() => parseOverrides(['novalue']), /key=value/);
});

test('YAML overrides keep comments and nesting; JSON too', () => {
  const yaml = '# training\nlr: 0.1 # learning rate\nmodel:\n  depth: 3\n';
  assert.equal(
    applyOverridesToText(yaml, 'p.yaml', { lr: 0.5, 'model.depth': 5, opt: 'adam' }),
    '# training\nlr: 0.5 # learning rate\nmodel:\n  depth: 5\nopt: adam\n',
  );
  assert.equal(
    applyOverridesToText('{"lr": 0.1, "m": {"d": 1}}', 'p.json', { 'm.d': 2 }),
    '{\n  "lr": 0.1,\n  "m": {\n    "d": 2\n  }\n}\n',
  );
  const e = errorOf(() => applyOverridesToText('lr: [0.1\n', 'params.yaml', { lr: 1 }));
  assert.equal(e.code, 'bad-params');
  assert.match(e.message, /^params\.yaml:\d+: /);
  const j = errorOf(() => applyOverridesToText('{\n "lr": 0.1,\n}', 'params.json', { lr: 1 }));
  assert.match(j.message, /^params\.json:3: /);
});

test(
  'a params file is restored byte for byte, and the user edits made during a run are kept',
  withProject('tasks: {}\n', async (root) => {
    const project = projectAt(root);
    const file = path.join(root, 'params.yaml');
    const original = 'lr: 0.1   # odd  spacing\r\nopt: sgd\r\n';
    fs.writeFileSync(file, original);
    const o = await overrideParamsFile(project, 'params.yaml', { lr: 0.5 }, 'run1');
    assert.match(fs.readFileSync(file, 'utf8'), /lr: 0.5/);
    // A second override of the same file waits for the first.
    let waited = '';
    const second = overrideParamsFile(
      project,
      'params.yaml',
      { lr: 0.7 },
      'run2',
      (h) => (waited = h),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(waited, 'run1');
    o.restore();
    const o2 = await second;
    assert.match(fs.readFileSync(file, 'utf8'), /lr: 0.7/);
    o2.restore();
    assert.equal(fs.readFileSync(file, 'utf8'), original);

    const o3 = await overrideParamsFile(project, 'params.yaml', { lr: 0.9 }, 'run3');
    fs.writeFileSync(file, 'lr: 42 # edited by the user during the run\n');
    o3.restore();
    assert.equal(fs.readFileSync(file, 'utf8'), 'lr: 42 # edited by the user during the run\n');
    assert.equal(
      fs.readFileSync(path.join(project.runsDir, 'run3', 'params.before-run'), 'utf8'),
      original,
    );
    recoverParamsFiles(project); // nothing left to do
    assert.deepEqual(fs.readdirSync(path.join(project.runsDir, '.params')), []);
  }),
);
