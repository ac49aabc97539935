// Cluster-run benchmark (issue 13): the overhead of `--on <executor>` over a local run, for a
// program that prints metrics for one second, on a one-node SLURM cluster started here (root,
// slurm-wlm and munge) and on this machine's own sshd as an SSH executor. Two figures, each
// against the same program run locally:
//   submission → first metric in the record (metrics.jsonl)
//   program exit (its last metric) → a complete record (settled, the model back)
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { canStartSlurm, startSlurmCluster } from '../src/core/testing/slurmCluster.ts';
import { startSshServer } from '../src/core/testing/sshServer.ts';

const CLI = path.resolve('dist/cli.js');
const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');

if (!canStartSlurm()) {
  console.log('SKIP  cluster: needs root and slurm-wlm + munge (scripts/setup.sh)');
  process.exit(0);
}

const cluster = await startSlurmCluster();
const ssh = await startSshServer();
Object.assign(process.env, cluster.env, ssh.env, { CAIRN_JOB_POLL_MS: '250' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-cluster-'));
const git = (...a) => execFileSync('git', a, { cwd: dir });
git('init', '-q', '-b', 'main');
git('config', 'user.email', 'b@example.com');
git('config', 'user.name', 'Bench');
execFileSync(process.execPath, [CLI, 'init'], { cwd: dir });
fs.writeFileSync(
  path.join(dir, 'cairn.yaml'),
  `tasks:
  tick:
    cmd: ${PY} -c "import time; [print(f'step={i} loss={1/(i+1)}', flush=True) or time.sleep(0.05) for i in range(20)]"
executors:
  slurm:
    type: slurm
    partition: ${cluster.partition}
  ssh:
    type: ssh
    host: cairn-test
    workdir: ${path.join(ssh.root, 'jobs')}
    cairn: ${process.execPath} ${CLI}
`,
);
git('add', '-A');
git('commit', '-qm', 'bench');

const runsDir = path.join(dir, '.cairn', 'runs');
const newest = (known) => fs.readdirSync(runsDir).find((n) => /^\d{8}-/.test(n) && !known.has(n));

/** One run: ms from start to the first metric on disk, and from the last metric to the end. */
async function once(args, done) {
  const known = new Set(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []);
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('close', r));
  let id;
  let first;
  let lastSize = 0;
  let lastAt = 0;
  for (;;) {
    id ??= fs.existsSync(runsDir) ? newest(known) : undefined;
    const metrics = id && path.join(runsDir, id, 'metrics.jsonl');
    const size = metrics && fs.existsSync(metrics) ? fs.statSync(metrics).size : 0;
    if (size > 0 && first === undefined) first = performance.now() - t0;
    if (size !== lastSize) {
      lastSize = size;
      lastAt = performance.now();
    }
    const record = id && path.join(runsDir, id, 'run.json');
    if (record && fs.existsSync(record) && done(JSON.parse(fs.readFileSync(record, 'utf8')))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const end = performance.now() - lastAt;
  await exited;
  return { first, end };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const local = [];
const slurm = [];
const overSsh = [];
const settled = (r) => r.executor?.settled === true;
for (let i = 0; i < ROUNDS; i++) {
  local.push(await once(['run', 'tick'], (r) => r.status === 'completed'));
  slurm.push(await once(['run', 'tick', '--on', 'slurm'], settled));
  overSsh.push(await once(['run', 'tick', '--on', 'ssh'], settled));
}
const f = (xs, k) => median(xs.map((x) => x[k]));
for (const [name, xs] of [
  ['slurm', slurm],
  ['ssh', overSsh],
]) {
  console.log(
    `INFO  submission → first metric: local ${f(local, 'first').toFixed(0)} ms, --on ${name} ${f(xs, 'first').toFixed(0)} ms (overhead ${(f(xs, 'first') - f(local, 'first')).toFixed(0)} ms; median of ${ROUNDS})`,
  );
  console.log(
    `INFO  last metric → complete record: local ${f(local, 'end').toFixed(0)} ms, --on ${name} ${f(xs, 'end').toFixed(0)} ms (overhead ${(f(xs, 'end') - f(local, 'end')).toFixed(0)} ms; the executor is asked every 250 ms here, every 2 s by default)`,
  );
}
await cluster.stop();
await ssh.stop();
fs.rmSync(dir, { recursive: true, force: true });
