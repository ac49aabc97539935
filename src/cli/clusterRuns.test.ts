// Runs sent to a real one-node SLURM cluster (Debian's slurm-wlm and munge, started by the test
// as root from a temporary folder): the built CLI submits, the job runs `cairn _job` on the node,
// and the record comes back as a local run's would. Skipped, with the reason, where the daemons
// cannot start (not root, or SLURM not installed: scripts/setup.sh installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  canStartSlurm,
  startSlurmCluster,
  type SlurmCluster,
} from '../core/testing/slurmCluster.js';
import {
  assertSameRun,
  makeTrainingRepo,
  runIds,
  show,
  until,
} from '../core/testing/executorProject.js';
import { cairn, cairnAsync, gitSync, tempDir } from '../core/testing/tempProject.js';

function executorsYaml(partition: string): string {
  return `  gpu:
    type: slurm
    partition: ${partition}
    time: "00:10:00"
  short:
    type: slurm
    partition: ${partition}
    time: "1"
  nowhere:
    type: slurm
    partition: no-such-partition
  broken:
    type: slurm
    partition: ${partition}
    setup: |
      echo "module: python/9.9 not found" >&2
      exit 3
`;
}

function squeue(cluster: SlurmCluster): string[] {
  const r = spawnSync('squeue', ['-h', '-r', '-o', '%i %T'], {
    encoding: 'utf8',
    env: { ...process.env, ...cluster.env },
  });
  return r.stdout.split('\n').filter(Boolean);
}

const skip = canStartSlurm() ? false : 'needs root and slurm-wlm + munge (scripts/setup.sh)';

describe('runs on a SLURM cluster', { skip }, () => {
  let cluster: SlurmCluster;
  let dir: string;
  before(async () => {
    cluster = await startSlurmCluster();
    Object.assign(process.env, cluster.env, { CAIRN_JOB_POLL_MS: '300' });
    dir = makeTrainingRepo(executorsYaml(cluster.partition));
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a Python training run --on the cluster records what the same run records here', async () => {
    const local = cairn(dir, 'run', 'train', '-p', 'lr=0.1');
    assert.equal(local.code, 0, local.stderr);
    const localModel = fs.readFileSync(path.join(dir, 'models/model.pkl'));
    fs.rmSync(path.join(dir, 'models/model.pkl'));
    const [localId] = runIds(dir);

    const remote = await cairnAsync(dir, 'run', 'train', '-p', 'lr=0.1', '--on', 'gpu');
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stderr, /queued as SLURM job \d+ on gpu/);
    assert.match(remote.stderr, new RegExp(`(is running|ran) on ${cluster.node}`));
    assert.match(remote.stdout, /epoch 4 loss=/, 'the log streams back');
    const [remoteId] = runIds(dir);
    assert.notEqual(remoteId, localId);
    const a = show(dir, localId!);
    const b = show(dir, remoteId!);
    assertSameRun(a, b);
    assert.equal(b.executor?.node, cluster.node);
    assert.equal(b.executor?.state, 'COMPLETED');
    // The model came back into the work tree, and the job's folder is gone.
    assert.deepEqual(fs.readFileSync(path.join(dir, 'models/model.pkl')), localModel);
    assert.deepEqual(fs.readdirSync(path.join(dir, '.cairn', 'jobs')), []);
    const ls = cairn(dir, 'runs', 'ls');
    assert.match(ls.stdout, new RegExp(`${remoteId}\\s+completed\\s+\\S+\\s+gpu:${cluster.node}`));
  });

  test('a sweep of 4 is one job array that runs at most 2 at once, and records all 4', async () => {
    const sweep = cairnAsync(dir, 'sweep', 'wait', '-p', 'n=10,11,12,13', '--on', 'gpu', '-j', '2');
    let most = 0;
    let seen = 0;
    let done = false;
    void sweep.then(() => (done = true));
    while (!done) {
      const running = squeue(cluster).filter((l) => l.endsWith(' RUNNING')).length;
      most = Math.max(most, running);
      if (running > 0) seen++;
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await sweep;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(seen > 0, 'squeue showed the array running');
    assert.equal(most, 2, 'at most 2 at once, and 2 did run at once');
    const ids = runIds(dir).slice(0, 4);
    const records = ids.map((id) => show(dir, id));
    assert.deepEqual(
      records.map((x) => x.status),
      ['completed', 'completed', 'completed', 'completed'],
    );
    assert.equal(new Set(records.map((x) => x.sweep)).size, 1);
    assert.deepEqual(records.map((x) => x.params['n']).sort(), [10, 11, 12, 13]);
    assert.deepEqual(records.map((x) => x.series['tick']?.value.length).sort(), [10, 11, 12, 13]);
    const jobs = new Set(records.map((x) => x.executor?.jobId?.split('_')[0]));
    assert.equal(jobs.size, 1, 'one job array');
  });

  test('runs stop cancels the job; the run ends stopped', async () => {
    const r = cairn(dir, 'run', 'wait', '-p', 'n=600', '--on', 'gpu', '--detach');
    assert.equal(r.code, 0, r.stderr);
    const [id] = runIds(dir);
    await until('the job to run', 60, () =>
      show(dir, id!).status === 'running' ? true : undefined,
    );
    await until('a metric', 30, () => (show(dir, id!).series['tick'] ? true : undefined));
    const stop = cairn(dir, 'runs', 'stop', id!);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, /cancelled SLURM job/);
    const end = await until('the run to end', 60, () => {
      const x = show(dir, id!);
      return x.executor?.settled ? x : undefined;
    });
    assert.equal(end.status, 'stopped');
    assert.ok(!squeue(cluster).some((l) => l.endsWith(' RUNNING')), squeue(cluster).join('\n'));
  });

  test('a job past its time limit ends failed with TIMEOUT', { timeout: 240_000 }, async () => {
    const r = cairn(dir, 'run', 'wait', '-p', 'n=2000', '--on', 'short', '--detach');
    assert.equal(r.code, 0, r.stderr);
    const [id] = runIds(dir);
    const end = await until('the time limit', 200, () => {
      const x = show(dir, id!);
      return x.executor?.settled ? x : undefined;
    });
    assert.equal(end.status, 'failed');
    assert.match(end.error ?? '', /TIMEOUT/);
    assert.ok((end.series['tick']?.value.length ?? 0) > 0, 'the metrics until then are kept');
  });

  test("a job that fails before its run starts ends failed with the job's own output", async () => {
    const r = await cairnAsync(dir, 'run', 'train', '--on', 'broken');
    assert.equal(r.code, 1);
    const [id] = runIds(dir);
    const x = show(dir, id!);
    assert.equal(x.status, 'failed');
    assert.match(
      x.error ?? '',
      /before its run started; the job printed: module: python\/9\.9 not found/,
    );
    const log = cairn(dir, 'runs', 'show', id!);
    assert.match(log.stdout, /error\s+SLURM|error\s+the job ended/);
  });

  test('bad input: an unknown executor, a partition SLURM does not have, no sbatch', () => {
    const before = runIds(dir);
    const unknown = cairn(dir, 'run', 'train', '--on', 'gpuu');
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /No executor 'gpuu' in cairn\.yaml; the executors are: local, gpu, short, nowhere, broken/,
    );
    const partition = cairn(dir, 'run', 'train', '--on', 'nowhere');
    assert.equal(partition.code, 1);
    assert.match(partition.stderr, /Invalid partition name specified/);
    // A machine without SLURM's commands: a PATH with git and nothing else.
    const bin = tempDir('cairn-bin-');
    fs.symlinkSync(
      spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim(),
      path.join(bin, 'git'),
    );
    const noSbatch = spawnSync(
      process.execPath,
      [path.resolve(__dirname, '../../dist/cli.js'), 'run', 'train', '--on', 'gpu'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PATH: bin },
      },
    );
    assert.equal(noSbatch.status, 1);
    assert.match(noSbatch.stderr, /sbatch is not on this machine's PATH/);
    assert.deepEqual(runIds(dir), before, 'nothing recorded');
    assert.deepEqual(fs.readdirSync(path.join(dir, '.cairn', 'jobs')), []);
    assert.equal(gitSync(dir, 'worktree', 'list').trim().split('\n').length, 1);
  });

  test('a job the controller forgot (restarted without its state) ends failed, not running forever', async () => {
    const r = cairn(dir, 'run', 'wait', '-p', 'n=2000', '--on', 'gpu', '--detach');
    assert.equal(r.code, 0, r.stderr);
    const [id] = runIds(dir);
    await until('the job to run', 60, () =>
      show(dir, id!).status === 'running' ? true : undefined,
    );
    const pid = show(dir, id!) as unknown as { pid: number };
    await cluster.restartControllerClean();
    const end = await until('the run to end', 60, () => {
      const x = show(dir, id!);
      return x.executor?.settled ? x : undefined;
    });
    assert.equal(end.status, 'failed');
    assert.match(end.error ?? '', /SLURM no longer knows job \d+/);
    process.kill(pid.pid, 'SIGTERM'); // the program SLURM lost runs on; end it
  });

  // Last: it takes the node down.
  test(
    'a node that goes down mid-run ends the run failed with NODE_FAIL',
    { timeout: 240_000 },
    async () => {
      const r = cairn(dir, 'run', 'wait', '-p', 'n=2000', '--on', 'gpu', '--detach');
      assert.equal(r.code, 0, r.stderr);
      const [id] = runIds(dir);
      await until('the job to run', 60, () =>
        show(dir, id!).status === 'running' ? true : undefined,
      );
      cluster.stopNode();
      const end = await until('the node to be declared down', 200, () => {
        const x = show(dir, id!);
        return x.executor?.settled ? x : undefined;
      });
      assert.equal(end.status, 'failed');
      assert.match(end.error ?? '', /NODE_FAIL/);
      // The program outlives its node's daemon here; it must not overwrite the settled record.
      const pid = (
        JSON.parse(fs.readFileSync(path.join(dir, '.cairn', 'runs', id!, 'run.json'), 'utf8')) as {
          pid: number;
        }
      ).pid;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(show(dir, id!).status, 'failed');
    },
  );
});
