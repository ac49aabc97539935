// Remote benchmarks (issue 11): push and pull through real servers on loopback, each against a
// reference tool on the same data and the same server in the same run:
//   SSH (Debian's sshd, started here)  vs  rsync -a over the same sshd
//   S3 (s3rver, started here)          vs  aws s3 sync (Debian's awscli) on the same endpoint
//   BENCH_SCALE=0.1 npm run bench   a tenth of the data (a quick check)
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './lib/run.mjs';
import { startS3Server } from '../src/core/testing/s3Server.ts';
import { startSshServer } from '../src/core/testing/sshServer.ts';

const CLI = path.resolve('dist/cli.js');
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ROOT = fs.mkdtempSync(
  path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'cairn-bench-remotes-'),
);
const AWS = '/usr/bin/aws';

const cairn = (cwd, env, ...args) => run(process.execPath, [CLI, ...args], cwd, env);

function report(name, value, target, ok, detail) {
  console.log(
    `${ok ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(2)}×  (target ${target}; ${detail})`,
  );
}

/** A project whose data is tracked and committed, ready to push (its remote set by the caller). */
function project(name, fill) {
  const dir = path.join(ROOT, name);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['config', 'user.email', 'b@example.com'], { cwd: dir });
  execFileSync('git', ['config', 'user.name', 'Bench'], { cwd: dir });
  cairn(dir, {}, 'init');
  fill(dir);
  cairn(dir, {}, 'add', 'data');
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-qm', 'data'], { cwd: dir });
  return dir;
}

/** 20,000 files of 1–64 KB (at scale 1), of random bytes so that nothing compresses. */
function smallFiles(dir) {
  const n = Math.max(200, Math.round(20_000 * SCALE));
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const size = 1024 + (seed % (63 * 1024));
    const sub = path.join(dir, 'data', String(i % 100));
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${i}.bin`), crypto.getRandomValues(Buffer.alloc(size)));
  }
  return n;
}

function bigFile(dir) {
  const bytes = Math.round((1 << 30) * SCALE);
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const fd = fs.openSync(path.join(dir, 'data', 'big.bin'), 'w');
  const chunk = Buffer.alloc(8 << 20);
  for (let done = 0; done < bytes; done += chunk.length) {
    crypto.getRandomValues(chunk.subarray(0, 65536));
    for (let o = 65536; o < chunk.length; o *= 2) chunk.copy(chunk, o, 0, o);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
  }
  fs.closeSync(fd);
  return bytes;
}

/**
 * Each timed transfer starts with nothing dirty in the page cache: otherwise whichever runs
 * second is throttled by the writeback of the gigabytes the one before it wrote.
 */
const settle = () => execFileSync('sync');

function remote(dir, yaml) {
  fs.appendFileSync(path.join(dir, 'cairn.yaml'), yaml);
  execFileSync('git', ['commit', '-qam', 'remote'], { cwd: dir });
}

const ssh = await startSshServer();
const s3 = await startS3Server('bench');
try {
  const sshArgs = [
    'ssh',
    '-F',
    ssh.sshConfig,
    '-p',
    String(ssh.port),
    '-o',
    `UserKnownHostsFile=${ssh.knownHosts}`,
    '-i',
    ssh.clientKey,
  ].join(' ');
  const sshUrl = (sub) => `ssh://cairn-test${path.join(ssh.root, sub)}`;
  const rsync = (src, dest) => run('rsync', ['-a', '-e', sshArgs, src, dest], ROOT);

  // --- SSH: 20,000 small files ---
  const small = project('small', smallFiles);
  remote(small, `remotes:\n  box:\n    url: ${sshUrl('small')}\n`);
  settle();
  const tCairn = cairn(small, ssh.env, 'push');
  settle();
  const tRsync = rsync(
    path.join(small, 'data') + '/',
    `${ssh.user}@${ssh.host}:${path.join(ssh.root, 'rsync-small')}/`,
  );
  report(
    `SSH push of ${fs.readdirSync(path.join(small, 'data'), { recursive: true }).length - 100} small files vs rsync -a`,
    tCairn / tRsync,
    '≤ 1.0×',
    tCairn <= tRsync,
    `cairn ${(tCairn / 1000).toFixed(2)} s, rsync ${(tRsync / 1000).toFixed(2)} s`,
  );

  // --- SSH: one 1 GB file, push and pull ---
  const big = project('big', bigFile);
  remote(big, `remotes:\n  box:\n    url: ${sshUrl('big')}\n`);
  const bytes = fs.statSync(path.join(big, 'data', 'big.bin')).size;
  settle();
  const pushMs = cairn(big, ssh.env, 'push');
  settle();
  const rsyncUp = rsync(
    path.join(big, 'data', 'big.bin'),
    `${ssh.user}@${ssh.host}:${path.join(ssh.root, 'rsync-big.bin')}`,
  );
  report(
    `SSH push of ${(bytes / 1e9).toFixed(2)} GB, throughput vs rsync -a`,
    rsyncUp / pushMs,
    '≥ 0.8×',
    rsyncUp / pushMs >= 0.8,
    `cairn ${((bytes / pushMs) * 1e-3).toFixed(0)} MB/s, rsync ${((bytes / rsyncUp) * 1e-3).toFixed(0)} MB/s`,
  );
  const cloneDir = path.join(ROOT, 'big-clone');
  execFileSync('git', ['clone', '-q', big, cloneDir]);
  settle();
  const pullMs = cairn(cloneDir, ssh.env, 'pull');
  settle();
  const rsyncDown = rsync(
    `${ssh.user}@${ssh.host}:${path.join(ssh.root, 'rsync-big.bin')}`,
    path.join(ROOT, 'rsync-down.bin'),
  );
  report(
    `SSH pull of ${(bytes / 1e9).toFixed(2)} GB, throughput vs rsync -a`,
    rsyncDown / pullMs,
    '≥ 0.8×',
    rsyncDown / pullMs >= 0.8,
    `cairn ${((bytes / pullMs) * 1e-3).toFixed(0)} MB/s (with checkout), rsync ${((bytes / rsyncDown) * 1e-3).toFixed(0)} MB/s`,
  );
  fs.rmSync(path.join(ROOT, 'big'), { recursive: true, force: true });
  fs.rmSync(cloneDir, { recursive: true, force: true });

  // --- S3: the same small files ---
  remote(small, `  lake:\n    url: s3://${s3.bucket}/cairn\n    endpoint: ${s3.endpoint}\n`);
  settle();
  const tS3 = cairn(small, s3.env, 'push', '--remote', 'lake');
  settle();
  const tAws = run(
    AWS,
    [
      's3',
      'sync',
      '--only-show-errors',
      '--endpoint-url',
      s3.endpoint,
      path.join(small, 'data'),
      `s3://${s3.bucket}/aws-sync`,
    ],
    ROOT,
    s3.env,
  );
  report(
    'S3 push of the small files vs aws s3 sync',
    tS3 / tAws,
    '≤ 0.5×',
    tS3 <= 0.5 * tAws,
    `cairn ${(tS3 / 1000).toFixed(2)} s, aws s3 sync ${(tAws / 1000).toFixed(2)} s`,
  );
} finally {
  await ssh.stop();
  await s3.stop();
  fs.rmSync(ROOT, { recursive: true, force: true });
}
