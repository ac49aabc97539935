// cairn.yaml as users (and attackers) write it: typos in top-level keys, huge and hostile files.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import { readTasks } from '../runs/taskConfig.js';
import { tempDir, tempProject } from '../testing/tempProject.js';
import { readConfig } from './config.js';
import { projectAt } from './project.js';

function configError(yaml: string): CairnError {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'cairn.yaml'), yaml);
  try {
    readTasks(projectAt(root));
  } catch (e) {
    assert.ok(e instanceof CairnError, `not a CairnError: ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

test('unknown top-level keys are reported with their line and the known keys', () => {
  const e = configError('tasks:\n  train: {cmd: echo}\n\nremotez:\n  shared: {url: /tmp/x}\n');
  assert.equal(e.line, 4);
  assert.match(e.message, /cairn\.yaml:4: unknown key 'remotez' \(did you mean 'remotes'\?\)/);
  assert.match(e.message, /knows remotes:, tasks:, executors: and cache:/);
  assert.match(
    configError('task:\n  train: {cmd: echo}\n').message,
    /:1: unknown key 'task' \(did you mean 'tasks'\?\)/,
  );
  assert.match(configError('remote: x\n').message, /unknown key 'remote'/);
});

test('a repeated key is an error naming its line', () => {
  const e = configError('tasks:\n  a: {cmd: echo}\n  b: {cmd: echo}\n  a: {cmd: ls}\n');
  assert.equal(e.line, 4);
  assert.match(e.message, /cairn\.yaml:4: the key "a" is repeated/);
});

test('40,000 tasks parse in linear time, with the line of each task', () => {
  const n = 40_000;
  const text =
    'tasks:\n' + Array.from({ length: n }, (_, i) => `  t${i}: {cmd: echo ${i}}`).join('\n');
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'cairn.yaml'), text);
  // Measured against a second, quarter-size file in the same run: quadratic work would take 16×
  // as long, linear work about 4×. (14 s for 40,000 keys before.)
  const small = tempDir();
  fs.writeFileSync(
    path.join(small, 'cairn.yaml'),
    text
      .split('\n')
      .slice(0, n / 4 + 1)
      .join('\n'),
  );
  let quarter = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    readTasks(projectAt(small));
    quarter = Math.min(quarter, Number(process.hrtime.bigint() - t0));
  }
  const t = process.hrtime.bigint();
  const tasks = readTasks(projectAt(root));
  const whole = Number(process.hrtime.bigint() - t);
  assert.equal(tasks.length, n);
  assert.equal(tasks[n - 1]!.line, n + 1);
  assert.ok(whole < quarter * 10, `40,000 tasks took ${whole / quarter}× a quarter as many`);
});

test('a file too large for a configuration is refused with its size, not parsed for minutes', () => {
  const root = tempDir();
  fs.writeFileSync(
    path.join(root, 'cairn.yaml'),
    'tasks:\n  a: {cmd: echo}\n# ' + 'x'.repeat(6_000_000),
  );
  assert.throws(
    () => readConfig(projectAt(root)),
    /cairn\.yaml is 6 MB, too large for a configuration file/,
  );
});

test('an alias bomb and deep nesting get a clear error naming the file', () => {
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'tasks: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  ].join('\n');
  assert.match(configError(bomb).message, /cairn\.yaml: its YAML aliases expand to too much/);
  const deepFlow = `tasks: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
  assert.match(configError(deepFlow).message, /cairn\.yaml:1: brackets nested more than 64 levels/);
  let deepBlock = 'tasks:\n';
  for (let i = 0; i < 80; i++) deepBlock += `${' '.repeat(2 * i + 2)}k${i}:\n`;
  assert.match(configError(deepBlock).message, /cairn\.yaml:\d+: nested more than 64 levels/);
});

test('cairn init writes a commented task template that is a valid task once uncommented', () => {
  const root = tempProject().root;
  const text = fs.readFileSync(path.join(root, 'cairn.yaml'), 'utf8');
  assert.deepEqual(readTasks(projectAt(root)), [], 'as written, no tasks');
  // Uncomment the example, as a user would.
  const example = text
    .split('\n')
    .filter((l) => /^# (tasks:|remotes:| {2})/.test(l))
    .map((l) => l.slice(2))
    .join('\n');
  fs.writeFileSync(path.join(root, 'cairn.yaml'), example + '\n');
  const [task] = readTasks(projectAt(root));
  assert.equal(task?.cmd, 'python3 train.py --lr {{lr}}');
  assert.deepEqual(task?.paramDefaults, { lr: 0.01 });
  assert.deepEqual(task?.deps, ['data', 'train.py']);
  assert.deepEqual(
    readConfig(projectAt(root)).remotes.map((r) => r.name),
    ['shared'],
  );
});
