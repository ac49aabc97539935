// Test support: a real one-node SLURM cluster (Debian's slurm-wlm and munge) started as root from
// a temporary folder, with a slurm.conf generated for this machine's CPUs and memory, on free
// loopback ports. The machine's own /etc/slurm and munge are never used. For *.test.ts only.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './sshServer.js';
import { tempDir } from './tempProject.js';

export interface SlurmCluster {
  /** The partition jobs go to. */
  readonly partition: string;
  /** The node's name (what squeue and the run record show). */
  readonly node: string;
  /** SLURM_CONF for the client commands (sbatch, squeue, scontrol, scancel). */
  readonly env: Record<string, string>;
  readonly dir: string;
  /** Stops the node's daemon (slurmd), as a node that goes down; its jobs' processes go on. */
  stopNode(): void;
  /** Restarts the controller without its saved state: it forgets every job. */
  restartControllerClean(): Promise<void>;
  stop(): Promise<void>;
}

/** Whether a cluster can be started here: root, and the daemons installed. */
export function canStartSlurm(): boolean {
  return (
    process.getuid?.() === 0 &&
    ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged'].every((f) => fs.existsSync(f))
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function startSlurmCluster(): Promise<SlurmCluster> {
  const dir = tempDir('cairn-slurm-');
  fs.chmodSync(dir, 0o700);
  for (const d of ['state', 'spool']) fs.mkdirSync(path.join(dir, d));
  const file = (name: string): string => path.join(dir, name);
  fs.writeFileSync(file('munge.key'), Buffer.from(crypto.getRandomValues(new Uint8Array(1024))), {
    mode: 0o400,
  });
  run('/usr/sbin/munged', [
    `--key-file=${file('munge.key')}`,
    `--socket=${file('munge.sock')}`,
    `--pid-file=${file('munged.pid')}`,
    `--log-file=${file('munged.log')}`,
    `--seed-file=${file('munge.seed')}`,
    '--force',
  ]);
  const node = os.hostname().split('.')[0]!;
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const memMb = Math.max(1024, Math.floor(os.totalmem() / 2 ** 20) - 2048);
  const conf = [
    'ClusterName=cairntest',
    `SlurmctldHost=${node}(127.0.0.1)`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    'AuthType=auth/munge',
    `AuthInfo=socket=${file('munge.sock')}`,
    'CredType=cred/munge',
    'SlurmUser=root',
    'SlurmdUser=root',
    `StateSaveLocation=${file('state')}`,
    `SlurmdSpoolDir=${file('spool')}`,
    `SlurmctldPidFile=${file('slurmctld.pid')}`,
    `SlurmdPidFile=${file('slurmd.pid')}`,
    `SlurmctldLogFile=${file('slurmctld.log')}`,
    `SlurmdLogFile=${file('slurmd.log')}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    'MpiDefault=none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    // Finished jobs stay visible to scontrol for 5 minutes (what a run's end is read from).
    'MinJobAge=300',
    // A node that stops answering is declared down soon (the node-failure test), and a job
    // past its time limit or cancelled is killed 5 s after its SIGTERM.
    'SlurmdTimeout=10',
    'KillWait=5',
    'JobRequeue=0',
    `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${os.cpus().length} RealMemory=${memMb} State=UNKNOWN`,
    `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
  fs.writeFileSync(file('slurm.conf'), conf);
  const env = { SLURM_CONF: file('slurm.conf') };
  const withConf = { ...process.env, ...env };
  run('/usr/sbin/slurmctld', ['-f', file('slurm.conf'), '-i'], withConf);
  run('/usr/sbin/slurmd', ['-f', file('slurm.conf')], withConf);
  // Ready when the node is idle.
  for (let i = 0; ; i++) {
    const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env: withConf });
    if (r.status === 0 && /^idle/m.test(r.stdout)) break;
    if (i > 200) {
      const log = (f: string): string =>
        fs.existsSync(file(f)) ? fs.readFileSync(file(f), 'utf8') : '';
      throw new Error(
        `SLURM did not start: ${r.stderr}\n${log('slurmctld.log')}\n${log('slurmd.log')}`,
      );
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    partition: 'debug',
    node,
    env,
    dir,
    async restartControllerClean() {
      const pid = Number(fs.readFileSync(file('slurmctld.pid'), 'utf8').trim());
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      fs.rmSync(file('state'), { recursive: true, force: true });
      fs.mkdirSync(file('state'));
      run('/usr/sbin/slurmctld', ['-f', file('slurm.conf'), '-i'], withConf);
      for (let i = 0; i < 200; i++) {
        const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', env: withConf });
        if (r.status === 0 && r.stdout.trim() !== '') return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the SLURM controller did not come back');
    },
    stopNode() {
      process.kill(Number(fs.readFileSync(file('slurmd.pid'), 'utf8').trim()), 'SIGKILL');
    },
    async stop() {
      for (const pidFile of ['slurmd.pid', 'slurmctld.pid', 'munged.pid']) {
        try {
          process.kill(Number(fs.readFileSync(file(pidFile), 'utf8').trim()), 'SIGTERM');
        } catch {
          // not running
        }
      }
      await new Promise((res) => setTimeout(res, 500));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
