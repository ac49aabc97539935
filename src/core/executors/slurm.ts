// SLURM's client commands, as Cairn uses them: sbatch to submit, squeue to follow, scontrol to
// release a held job, scancel to cancel. They talk to the cluster this machine is configured for
// (SLURM_CONF, or /etc/slurm).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';

export interface JobState {
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ... */
  readonly state: string;
  readonly node?: string;
  /** Why a pending job waits, or why a job ended (Resources, Priority, NonZeroExitCode, ...). */
  readonly reason?: string;
}

/** States after which a job runs no more. */
const ENDED = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'SPECIAL_EXIT',
  'REVOKED',
]);

export function hasEnded(state: string): boolean {
  return ENDED.has(state);
}

/** A sentence for a job that SLURM ended, or undefined for one that ended by itself. */
export function endReason(state: string): string | undefined {
  switch (state) {
    case 'COMPLETED':
    case 'FAILED':
      return undefined;
    case 'TIMEOUT':
      return 'SLURM ended the job at its time limit (TIMEOUT); ask for more with time: in the executor';
    case 'OUT_OF_MEMORY':
      return 'the job ran out of memory (OUT_OF_MEMORY); ask for more with mem: in the executor';
    case 'NODE_FAIL':
      return 'the node the job ran on failed (NODE_FAIL)';
    case 'CANCELLED':
      return 'the job was cancelled (CANCELLED)';
    case 'PREEMPTED':
      return 'a job of higher priority preempted the job (PREEMPTED)';
    case 'BOOT_FAIL':
      return 'the node failed to boot (BOOT_FAIL)';
    case 'DEADLINE':
      return 'the job missed its deadline (DEADLINE)';
    default:
      return `SLURM ended the job (${state})`;
  }
}

function run(
  cmd: string,
  args: readonly string[],
  what: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        return reject(
          new CairnError(
            'run',
            `${cmd} is not on this machine's PATH, so Cairn cannot ${what}; run Cairn where SLURM's client commands are installed (slurm-client), or add them to the PATH`,
          ),
        );
      const said = (stderr || stdout || err.message).trim().replace(/\n+/g, '; ');
      reject(new CairnError('run', `${cmd} could not ${what}: ${said}`));
    });
  });
}

/** Whether a command is on the PATH (checked before anything is recorded). */
export function onPath(cmd: string): boolean {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, cmd), fs.constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Submits a batch script held (it starts once released); returns the job id. */
export async function submitHeld(script: string): Promise<string> {
  const { stdout } = await run('sbatch', ['--parsable', '--hold', script], 'submit the job');
  const id = stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id))
    throw new CairnError('run', `sbatch answered '${stdout.trim()}' instead of a job id`);
  return id;
}

export async function release(jobId: string): Promise<void> {
  await run('scontrol', ['release', jobId], `release job ${jobId}`);
}

export async function cancel(jobId: string): Promise<void> {
  await run('scancel', [jobId], `cancel job ${jobId}`);
}

/**
 * The states of jobs (and of array elements, `123_4`) that SLURM still knows; a job it forgot
 * (ended longer ago than MinJobAge, or lost by the controller) is absent from the map.
 */
export async function jobStates(jobIds: readonly string[]): Promise<Map<string, JobState>> {
  const out = new Map<string, JobState>();
  if (jobIds.length === 0) return out;
  const bases = [...new Set(jobIds.map((id) => id.split('_')[0]!))];
  let stdout: string;
  try {
    ({ stdout } = await run(
      'squeue',
      ['-h', '-r', '-t', 'all', '-o', '%i|%T|%N|%r', '-j', bases.join(',')],
      'read the state of the jobs',
    ));
  } catch (err) {
    // One job asked for, and SLURM forgot it.
    if (/Invalid job id/i.test((err as Error).message)) return out;
    throw err;
  }
  for (const line of stdout.split('\n')) {
    const [id, state, node, reason] = line.trim().split('|');
    if (!id || !state) continue;
    out.set(id, {
      state: state.replace(/\+$/, ''),
      ...(node ? { node } : {}),
      ...(reason && reason !== 'None' ? { reason } : {}),
    });
  }
  return out;
}
