// Runs sent to one machine over SSH: Debian's real sshd on a loopback port (started by the test
// with keys made for it), the built CLI on both sides. The host's workdir is a folder of the
// server's own, not the project: the run's files and data reach it only through the connection.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertSameRun,
  makeTrainingRepo,
  runIds,
  show,
  until,
} from '../core/testing/executorProject.js';
import { freePort, startSshServer, type SshServer } from '../core/testing/sshServer.js';
import { cairn, cairnAsync, CLI, tempDir } from '../core/testing/tempProject.js';

const skip = fs.existsSync('/usr/sbin/sshd') ? false : 'needs openssh-server (scripts/setup.sh)';

/** The processes that run this test's runs on the host (`cairn _ssh-job <workdir>/<batch> <i>`). */
function jobProcesses(workdir: string): { pid: number; args: string }[] {
  return spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes('_ssh-job') && l.includes(workdir))
    .map((l) => ({ pid: Number(l.trim().split(/\s+/)[0]), args: l.trim() }));
}

describe('runs on a machine over SSH', { skip }, () => {
  let ssh: SshServer;
  let dir: string;
  let workdir: string;
  before(async () => {
    ssh = await startSshServer();
    Object.assign(process.env, ssh.env, { CAIRN_JOB_POLL_MS: '300' });
    workdir = path.join(ssh.root, 'jobs');
    const cairnThere = `${process.execPath} ${CLI}`;
    const closed = await freePort();
    dir = makeTrainingRepo(`  box:
    type: ssh
    host: cairn-test
    workdir: ${workdir}
    cairn: ${cairnThere}
  broken:
    type: ssh
    host: cairn-test
    workdir: ${workdir}
    cairn: ${cairnThere}
    setup: |
      echo "venv: /opt/venv/bin/activate: No such file or directory" >&2
      exit 3
  closed:
    type: ssh
    host: 127.0.0.1:${closed}
`);
  });
  after(async () => {
    await ssh?.stop();
  });

  test('a Python training run --on an SSH host records what the same run records here', async () => {
    const local = cairn(dir, 'run', 'train', '-p', 'lr=0.1');
    assert.equal(local.code, 0, local.stderr);
    const localModel = fs.readFileSync(path.join(dir, 'models/model.pkl'));
    fs.rmSync(path.join(dir, 'models/model.pkl'));
    const [localId] = runIds(dir);

    const remote = await cairnAsync(dir, 'run', 'train', '-p', 'lr=0.1', '--on', 'box');
    assert.equal(remote.code, 0, remote.stderr);
    assert.match(remote.stderr, /queued as process \d+ on cairn-test/);
    assert.match(remote.stderr, /Sending the runs' data to cairn-test/);
    assert.match(remote.stdout, /epoch 4 loss=/, 'the log streams back');
    const [remoteId] = runIds(dir);
    assert.notEqual(remoteId, localId);
    const a = show(dir, localId!);
    const b = show(dir, remoteId!);
    assertSameRun(a, b);
    assert.equal(b.executor?.node, os.hostname());
    // The model came back through the connection; the host keeps the data's cache, not the job.
    assert.deepEqual(fs.readFileSync(path.join(dir, 'models/model.pkl')), localModel);
    assert.deepEqual(
      fs.readdirSync(workdir).filter((n) => n.startsWith('b-')),
      [],
      'the job folder on the host is gone',
    );
    assert.ok(fs.readdirSync(path.join(workdir, 'cache')).length > 0, "the host's cache");
    assert.deepEqual(fs.readdirSync(path.join(dir, '.cairn', 'jobs')), []);
    const ls = cairn(dir, 'runs', 'ls');
    assert.match(ls.stdout, new RegExp(`${remoteId}\\s+completed\\s+\\S+\\s+box:${os.hostname()}`));
  });

  test('the run goes on through a dropped connection, and its log streams back on reconnect', async () => {
    const earlier = new Set(runIds(dir));
    const follow = cairnAsync(dir, 'run', 'wait', '-p', 'n=40', '--on', 'box');
    const id = await until('the run to be recorded', 30, () =>
      runIds(dir).find((x) => !earlier.has(x)),
    );
    await until('the run to run', 30, () =>
      show(dir, id).status === 'running' && show(dir, id).series['tick'] ? true : undefined,
    );
    await ssh.restart(2500);
    const r = await follow;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /refused the connection.*the job goes on there, and Cairn keeps trying/);
    const rec = show(dir, id);
    assert.equal(rec.status, 'completed', rec.error);
    assert.equal(rec.series['tick']?.value.length, 40, 'every metric, those printed offline too');
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('step='));
    assert.deepEqual(
      lines,
      Array.from({ length: 40 }, (_, i) => `step=${i} tick=${i}`),
      'the whole log, once, in order',
    );
  });

  test('a sweep of 4 with -j 2 runs at most 2 at once on the host, and records all 4', async () => {
    const sweep = cairnAsync(dir, 'sweep', 'wait', '-p', 'n=10,11,12,13', '--on', 'box', '-j', '2');
    let most = 0;
    let done = false;
    void sweep.then(() => (done = true));
    while (!done) {
      // Runs, not processes: a run's process forking its program shows twice for an instant.
      const runs = new Set(jobProcesses(workdir).map((p) => p.args.split(' ').slice(-2).join(' ')));
      most = Math.max(most, runs.size);
      await new Promise((res) => setTimeout(res, 100));
    }
    const r = await sweep;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(most, 2, 'at most 2 at once, and 2 did run at once');
    const records = runIds(dir)
      .slice(0, 4)
      .map((id) => show(dir, id));
    assert.deepEqual(
      records.map((x) => x.status),
      ['completed', 'completed', 'completed', 'completed'],
    );
    assert.deepEqual(records.map((x) => x.series['tick']?.value.length).sort(), [10, 11, 12, 13]);
  });

  test('runs stop ends the run stopped, and its process on the host', async () => {
    const r = cairn(dir, 'run', 'wait', '-p', 'n=600', '--on', 'box', '--detach');
    assert.equal(r.code, 0, r.stderr);
    const [id] = runIds(dir);
    await until('a metric', 60, () => (show(dir, id!).series['tick'] ? true : undefined));
    const stop = cairn(dir, 'runs', 'stop', id!);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stderr, /cancelled process \d+ on SSH executor box/);
    const end = await until('the run to end', 60, () => {
      const x = show(dir, id!);
      return x.executor?.settled ? x : undefined;
    });
    assert.equal(end.status, 'stopped');
    assert.deepEqual(jobProcesses(workdir), []);
  });

  test('a run whose process is killed on the host ends failed, not running forever', async () => {
    const r = cairn(dir, 'run', 'wait', '-p', 'n=600', '--on', 'box', '--detach');
    assert.equal(r.code, 0, r.stderr);
    const [id] = runIds(dir);
    await until('a metric', 60, () => (show(dir, id!).series['tick'] ? true : undefined));
    for (const p of jobProcesses(workdir)) {
      const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(p.pid)], {
        encoding: 'utf8',
      }).stdout;
      process.kill(p.pid, 'SIGKILL');
      for (const c of children.split('\n').filter(Boolean)) process.kill(Number(c), 'SIGKILL');
    }
    const end = await until('the run to end', 30, () => {
      const x = show(dir, id!);
      return x.executor?.settled ? x : undefined;
    });
    assert.equal(end.status, 'failed');
    assert.match(end.error ?? '', /process on cairn-test ended without finishing its record/);
    assert.ok((end.series['tick']?.value.length ?? 0) > 0, 'the metrics it logged are kept');
  });

  test("a job whose setup fails ends failed with the job's own output", async () => {
    const r = await cairnAsync(dir, 'run', 'wait', '--on', 'broken');
    assert.equal(r.code, 1, r.stderr);
    const rec = show(dir, runIds(dir)[0]!);
    assert.equal(rec.status, 'failed');
    assert.match(
      rec.error ?? '',
      /ended before its run started; the job printed: venv: \/opt\/venv\/bin\/activate: No such file/,
    );
  });

  test('bad input: a closed port, an unknown host key; nothing is recorded', () => {
    const before = runIds(dir);
    const refused = cairn(dir, 'run', 'wait', '--on', 'closed');
    assert.equal(refused.code === 0, false);
    assert.match(refused.stderr, /127\.0\.0\.1 refused the connection on port \d+/);
    const emptyKnownHosts = path.join(tempDir('cairn-kh-'), 'known_hosts');
    fs.writeFileSync(emptyKnownHosts, '');
    const unknown = spawnSync(process.execPath, [CLI, 'run', 'wait', '--on', 'box'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CAIRN_SSH_KNOWN_HOSTS: emptyKnownHosts },
    });
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /is not in .*known_hosts\. Its ssh-ed25519 key's fingerprint is/);
    assert.match(unknown.stderr, /ssh-keyscan -p \d+ 127\.0\.0\.1 >>/);
    assert.deepEqual(runIds(dir), before, 'nothing recorded');
    assert.deepEqual(fs.readdirSync(path.join(dir, '.cairn', 'jobs')), []);
  });
});
