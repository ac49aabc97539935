// executors: in cairn.yaml as users write it, mistakes included: each error names the line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { projectAt } from '../project/project.js';
import { readTasks } from '../runs/taskConfig.js';
import { tempDir } from '../testing/tempProject.js';
import { getExecutor, readExecutors, resourcesText } from './executorConfig.js';

function projectWith(yaml: string) {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'cairn.yaml'), yaml);
  return projectAt(root);
}

test('a slurm executor reads its resources, setup and workdir', () => {
  const p = projectWith(`executors:
  gpu:
    type: slurm
    partition: gpu
    gpus: 1
    time: "02:00:00"
    mem: 16G
    setup: |
      module load python/3.11
    sbatch_args: [--qos=short]
    workdir: /scratch/cairn
tasks:
  train: {cmd: python train.py, on: gpu}
`);
  const [gpu] = readExecutors(p);
  assert.ok(gpu?.type === 'slurm');
  assert.equal(gpu.partition, 'gpu');
  assert.equal(gpu?.setup, 'module load python/3.11\n');
  assert.deepEqual(gpu?.sbatchArgs, ['--qos=short']);
  assert.equal(gpu?.workdir, '/scratch/cairn');
  assert.equal(resourcesText(gpu), 'gpus=1 mem=16G time=02:00:00');
  assert.equal(readTasks(p)[0]?.on, 'gpu');
  // Without a workdir, jobs go under .cairn/jobs of the project.
  const q = projectWith('executors:\n  cpu: {type: slurm}\n');
  assert.equal(readExecutors(q)[0]?.workdir, path.join(q.root, '.cairn', 'jobs'));
});

test('an ssh executor: host with user and port, workdir, setup and cairn', () => {
  const p = projectWith(`executors:
  box:
    type: ssh
    host: alice@trainbox:2222
    workdir: /scratch/cairn
    setup: source ~/venv/bin/activate
    cairn: /opt/cairn/bin/cairn
  lab: {type: ssh, host: lab}
`);
  const [box, lab] = readExecutors(p);
  assert.ok(box?.type === 'ssh' && lab?.type === 'ssh');
  assert.deepEqual(
    { host: box.remote.host, user: box.remote.user, port: box.remote.port, path: box.remote.path },
    { host: 'trainbox', user: 'alice', port: 2222, path: '/scratch/cairn' },
  );
  assert.equal(box.cairn, '/opt/cairn/bin/cairn');
  assert.equal(box.setup, 'source ~/venv/bin/activate');
  // Without a workdir, jobs go under .cairn-jobs in the login folder; the user from ~/.ssh/config.
  assert.equal(lab.workdir, '.cairn-jobs');
  assert.equal(lab.remote.user, undefined);
  assert.equal(resourcesText(lab), '');
});

test('mistakes in executors: name the line and what to write', () => {
  const cases: [string, RegExp][] = [
    [
      'executors:\n  gpu: {partition: gpu}\n',
      /cairn\.yaml:2: executors\.gpu needs type: slurm or type: ssh/,
    ],
    [
      'executors:\n  box:\n    type: ssh\n',
      /cairn\.yaml:2: executors\.box needs host: \[user@\]host/,
    ],
    [
      'executors:\n  box:\n    type: ssh\n    host: a@b@c\n',
      /cairn\.yaml:4: executors\.box\.host must be \[user@\]host\[:port\]/,
    ],
    [
      'executors:\n  box:\n    type: ssh\n    host: box\n    partition: gpu\n',
      /cairn\.yaml:5: executors\.box\.partition is not a ssh executor field; use type, host, workdir/,
    ],
    [
      'executors:\n  gpu:\n    type: slurm\n    time: two hours\n',
      /cairn\.yaml:4: executors\.gpu\.time must be a SLURM time such as 02:00:00/,
    ],
    [
      'executors:\n  gpu:\n    type: slurm\n    gpu: 1\n',
      /cairn\.yaml:4: executors\.gpu\.gpu is not a slurm executor field; use type, partition, gpus/,
    ],
    ['executors:\n  local: {type: slurm}\n', /executors\.local is not a valid executor name/],
    [
      'executors:\n  gpu:\n    type: slurm\n    sbatch_args: --qos=short\n',
      /executors\.gpu\.sbatch_args must be a list of sbatch options/,
    ],
  ];
  for (const [yaml, message] of cases)
    assert.throws(() => readExecutors(projectWith(yaml)), message, yaml);
  assert.throws(
    () => readTasks(projectWith('tasks:\n  train:\n    cmd: x\n    on: 3\n')),
    /cairn\.yaml:4: tasks\.train\.on must name an executor/,
  );
});

test('an unknown executor lists those there are', () => {
  const p = projectWith('executors:\n  gpu: {type: slurm}\n  cpu: {type: slurm}\n');
  assert.throws(
    () => getExecutor(p, 'gpus'),
    /No executor 'gpus' in cairn\.yaml; the executors are: local, gpu, cpu/,
  );
  assert.throws(
    () => getExecutor(projectWith('tasks: {}\n'), 'gpu'),
    /declare it under executors:/,
  );
});
