// The recorder in-process, against real programs (Python and Node), real files and real Git.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import { tempProject, writeTree } from '../testing/tempProject.js';
import { startRun } from './runRecorder.js';
import type { RunRequest } from './runRequest.js';
import type { RunSpec } from './runRecord.js';
import { getRun, listRuns } from './runStore.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function spec(cmd: string, extra: Partial<RunSpec> = {}): RunSpec {
  return { cmd, deps: [], outs: [], metrics: [{ type: 'stdout' }], goal: {}, ...extra };
}

async function run(project: Project, req: RunRequest) {
  const handle = await startRun(project, { echo: false, tty: false, ...req });
  return handle.done;
}

// A progress bar on stderr the way tqdm draws one when piped: '\r' refreshes, no newline, while
// the training loop prints its metrics on stdout.
const PROGRESS = String.raw`
import sys, time
for epoch in range(8):
    for i in range(3):
        sys.stderr.write('\repoch %d:  %d%%|###   | %d/3' % (epoch + 1, i * 33, i))
        sys.stderr.flush()
        time.sleep(0.002)
    print('step=%d loss=%.3f' % (epoch, 1.0 / (epoch + 1)), flush=True)
    time.sleep(0.002)
sys.stderr.write('\n')
`;

test('a progress bar on stderr never joins a stdout line: every step is recorded as printed', async () => {
  const project = tempProject();
  writeTree(project.root, { 'bar.py': PROGRESS });
  const hasTqdm =
    (await import('node:child_process')).spawnSync(python, ['-c', 'import tqdm']).status === 0;
  const script = hasTqdm
    ? String.raw`
import time
from tqdm import tqdm
for epoch in range(8):
    for _ in tqdm(range(3), desc='epoch %d' % (epoch + 1)):
        time.sleep(0.002)
    print('step=%d loss=%.3f' % (epoch, 1.0 / (epoch + 1)), flush=True)
`
    : PROGRESS;
  writeTree(project.root, { 'bar.py': script });
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await run(project, { task: { name: 'bar', spec: spec(`${python} bar.py`) } });
    assert.equal(r.status, 'completed', r.error);
    const detail = getRun(project, r.id);
    assert.deepEqual(detail.series['loss']?.step, [0, 1, 2, 3, 4, 5, 6, 7]);
  }
});

const SHOW_PARAMS = String.raw`
import json, os, sys, time
import cairn
text = open('params.yaml').read()
print('file', ' '.join(l.strip() for l in text.splitlines()), flush=True)
print('env', json.dumps(cairn.params(), sort_keys=True), flush=True)
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
`;

/**
 * Starts a run that overrides lr in params.yaml and sleeps, then a second run of the same task
 * with `overrides` while the first holds the file; returns both records and the second's log.
 */
async function secondRunWhileOverridden(overrides: Record<string, number>) {
  const project = tempProject();
  writeTree(project.root, { 'params.yaml': 'lr: 0.5\nepochs: 3\n', 'show.py': SHOW_PARAMS });
  const task = (sleep: number) => ({
    name: 'show',
    spec: spec(`${python} show.py ${sleep}`, { paramsFile: 'params.yaml' }),
  });
  const first = await startRun(project, {
    task: task(1.5),
    overrides: { lr: 0.9 },
    echo: false,
    tty: false,
  });
  let waitedFor = '';
  const second = await startRun(project, {
    task: task(0),
    overrides,
    echo: false,
    tty: false,
    onWait: (holder) => (waitedFor = holder),
  });
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(waitedFor, a.id, 'the second run waited for the first');
  assert.equal(
    fs.readFileSync(path.join(project.root, 'params.yaml'), 'utf8'),
    'lr: 0.5\nepochs: 3\n',
  );
  return { a, b, log: fs.readFileSync(path.join(second.dir, 'log'), 'utf8') };
}

test('a run that waited for the params file records the params its program read', async () => {
  const { a, b, log } = await secondRunWhileOverridden({ epochs: 5 });
  assert.deepEqual({ ...a.params }, { lr: 0.9, epochs: 3 });
  assert.deepEqual({ ...b.params }, { lr: 0.5, epochs: 5 });
  assert.match(log, /file lr: 0.5 epochs: 5/);
  assert.match(log, /env \{"epochs": 5, "lr": 0.5\}/);
});

test("a run without overrides waits for one that overrode the params file, and runs with the user's values", async () => {
  const { b, log } = await secondRunWhileOverridden({});
  assert.deepEqual({ ...b.params }, { lr: 0.5, epochs: 3 });
  assert.match(log, /file lr: 0.5 epochs: 3/);
});

test('a metrics file left by an earlier run does not count for a run that did not write it', async () => {
  const project = tempProject();
  writeTree(project.root, { 'metrics.json': '{"acc": 0.99}\n' });
  const metrics = [{ type: 'stdout' as const }, { type: 'file' as const, file: 'metrics.json' }];
  const failed = await run(project, {
    task: {
      name: 'fail',
      spec: spec(`${python} -c "print('loss=1'); raise SystemExit(3)"`, { metrics }),
    },
  });
  assert.equal(failed.status, 'failed');
  assert.deepEqual(Object.keys(failed.summary), ['loss']);
  const wrote = await run(project, {
    task: {
      name: 'ok',
      spec: spec(`${python} -c "open('metrics.json', 'w').write('{\\"acc\\": 0.5}')"`, { metrics }),
    },
  });
  assert.equal(wrote.summary['acc']?.last, 0.5);
});

test('an unknown -p key is refused, naming the known ones; +key adds a new param', async () => {
  const project = tempProject();
  writeTree(project.root, {
    'params.yaml': 'lr: 0.5\nmodel:\n  depth: 3\n',
    'show.py': SHOW_PARAMS,
  });
  const task = { name: 'show', spec: spec(`${python} show.py`, { paramsFile: 'params.yaml' }) };
  await assert.rejects(
    run(project, { task, overrides: { lrr: 0.1 }, paramDefaults: { seed: 1 } }),
    (e: unknown) =>
      e instanceof CairnError &&
      e.code === 'usage' &&
      /-p lrr: the task has no param 'lrr' \(params\.yaml has lr, model\.depth, seed\).*-p \+lrr=0\.1/.test(
        e.message,
      ),
  );
  assert.equal(
    fs.readFileSync(path.join(project.root, 'params.yaml'), 'utf8'),
    'lr: 0.5\nmodel:\n  depth: 3\n',
  );
  assert.equal(listRuns(project).length, 0);
  assert.deepEqual(
    fs.readdirSync(project.runsDir).filter((n) => !n.startsWith('.') && n !== 'index.jsonl'),
    [],
  );
  const added = await run(project, {
    task,
    overrides: { 'model.width': 8 },
    newParams: ['model.width'],
  });
  assert.equal(added.status, 'completed', added.error);
  assert.equal(added.params['model.width'], 8);
  assert.match(fs.readFileSync(path.join(project.runsDir, added.id, 'log'), 'utf8'), /width: 8/);
});

test('params of 200 KB reach the program through a file, not the environment', async () => {
  const project = tempProject();
  const big = 'x'.repeat(200 * 1024);
  writeTree(project.root, {
    'params.yaml': `lr: 0.1\nvocab: ${big}\n`,
    'size.py':
      'import cairn, os\np = cairn.params()\nprint("vocab", len(p["vocab"]), "lr", p["lr"], "env", "CAIRN_PARAMS" in os.environ)\n',
    'size.js':
      "const p = require('cairn').params(); console.log('js vocab', p.vocab.length, p.lr);\n",
  });
  const paramsFile = { paramsFile: 'params.yaml' };
  const py = await run(project, {
    task: { name: 'size', spec: spec(`${python} size.py`, paramsFile) },
    overrides: { lr: 0.2 },
  });
  assert.equal(py.status, 'completed', py.error);
  assert.match(
    fs.readFileSync(path.join(project.runsDir, py.id, 'log'), 'utf8'),
    /vocab 204800 lr 0.2 env False/,
  );
  const js = await run(project, {
    task: { name: 'size', spec: spec(`${JSON.stringify(process.execPath)} size.js`, paramsFile) },
  });
  assert.equal(js.status, 'completed', js.error);
  assert.match(
    fs.readFileSync(path.join(project.runsDir, js.id, 'log'), 'utf8'),
    /js vocab 204800 0.1/,
  );
});

test('the run log holds no NUL bytes, in a terminal or through pipes', async () => {
  const project = tempProject();
  // A NUL first, as a terminal's input echoed by the pty can put there, and one mid-line.
  writeTree(project.root, {
    'nul.py': "import sys\nsys.stdout.write('\\0epoch 1 loss=0.5\\n\\0done\\0\\n')\n",
  });
  for (const tty of [true, false]) {
    const record = await run(project, {
      task: { name: 'nul', spec: spec(`${python} nul.py`) },
      tty,
    });
    const log = fs.readFileSync(path.join(project.root, '.cairn', 'runs', record.id, 'log'));
    assert.equal(log.indexOf(0), -1, `a NUL in the ${tty ? 'terminal' : 'piped'} log`);
    assert.match(log.toString(), /^epoch 1 loss=0\.5\r?\ndone\r?\n$/);
    assert.equal(getRun(project, record.id).summary['loss']?.last, 0.5);
  }
});
