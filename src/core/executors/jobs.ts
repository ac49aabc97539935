// Runs sent to an executor, whichever kind: submitting, stopping, settling and following them.
// The kinds are slurmJobs.ts (a cluster on a shared file system) and sshJobs.ts (one machine
// over SSH); jobCommon.ts is what they share.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import type { RunRecord } from '../runs/runRecord.js';
import type { RunRequest } from '../runs/runRequest.js';
import { listRuns, readRun, runDir, RUN_FILES } from '../runs/runStore.js';
import { getExecutor, type ExecutorConfig } from './executorConfig.js';
import type { SubmitOptions, Submission } from './jobCommon.js';
import { reconcileSlurmRuns, stopSlurmRun, submitSlurmRuns } from './slurmJobs.js';
import { reconcileSshRuns, stopSshRun, submitSshRuns } from './sshJobs.js';

export type { SubmitOptions, Submission } from './jobCommon.js';
export { runSlurmJob } from './slurmJobs.js';
export { runSshJob } from './sshJobs.js';

/** Submits runs to an executor: recorded `queued`, or nothing recorded and an error. */
export function submitRuns(
  project: Project,
  executor: ExecutorConfig,
  requests: readonly RunRequest[],
  options: SubmitOptions,
): Promise<Submission> {
  return executor.type === 'ssh'
    ? submitSshRuns(project, executor, requests, options)
    : submitSlurmRuns(project, executor, requests, options);
}

/** Stops a run sent to an executor: cancels its job; the run ends `stopped`. */
export async function stopJobRun(project: Project, record: RunRecord): Promise<void> {
  const e = record.executor;
  if (!e) throw new CairnError('run', `Run ${record.id} was not sent to an executor`);
  const executor = getExecutor(project, e.name);
  if (executor.type !== e.type)
    throw new CairnError(
      'run',
      `Run ${record.id} went to ${e.type} executor '${e.name}', which cairn.yaml now declares as type ${executor.type}; stop its job by hand`,
      project.configFile,
    );
  if (executor.type === 'ssh') await stopSshRun(executor, record);
  else await stopSlurmRun(project, executor, record);
}

/**
 * Asks the executors about the runs this machine sent them that are not settled, and settles
 * those whose job ended. Returns the runs it settled.
 */
export async function reconcileJobs(project: Project): Promise<RunRecord[]> {
  const open = listRuns(project).filter(
    (r) => r.executor && !r.executor.settled && r.executor.submittedFrom === os.hostname(),
  );
  if (open.length === 0) return [];
  const slurmRuns = open.filter((r) => r.executor!.type === 'slurm');
  const sshRuns = open.filter((r) => r.executor!.type === 'ssh');
  // One executor that does not answer does not keep the others' runs from settling.
  const settled: RunRecord[] = [];
  let failure: unknown;
  if (slurmRuns.length > 0)
    await reconcileSlurmRuns(project, slurmRuns).then(
      (r) => settled.push(...r),
      (err: unknown) => (failure ??= err),
    );
  if (sshRuns.length > 0)
    await reconcileSshRuns(project, sshRuns, (err) => (failure ??= err)).then((r) =>
      settled.push(...r),
    );
  if (failure !== undefined) throw failure as Error;
  return settled;
}

export interface FollowOptions {
  /** Called with what a run's log gained since the last call. */
  readonly onLog?: (runId: string, text: string) => void;
  /** Called when a run's status or node changes (queued → running on a node → ended). */
  readonly onChange?: (record: RunRecord) => void;
  /** Called when the executor cannot be asked (a host that does not answer); following goes on. */
  readonly onTrouble?: (message: string) => void;
  /** Stops following (the jobs go on). */
  readonly signal?: AbortSignal;
  /** How often SLURM is asked (default 2 s; CAIRN_JOB_POLL_MS). */
  readonly pollMs?: number;
}

/** Follows submitted runs until every one is settled; returns their final records. */
export async function followJobRuns(
  project: Project,
  ids: readonly string[],
  options: FollowOptions = {},
): Promise<RunRecord[]> {
  const pollMs = options.pollMs ?? (Number(process.env['CAIRN_JOB_POLL_MS']) || 2000);
  const logAt = new Map<string, number>();
  const seen = new Map<string, string>();
  const readLog = (id: string) => {
    if (!options.onLog) return;
    const file = path.join(runDir(project, id), RUN_FILES.log);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const at = logAt.get(id) ?? 0;
      const size = fs.fstatSync(fd).size;
      if (size <= at) return;
      const buf = Buffer.alloc(size - at);
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      logAt.set(id, at + n);
      options.onLog(id, buf.subarray(0, n).toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  };
  let trouble: string | undefined;
  for (;;) {
    try {
      await reconcileJobs(project);
      trouble = undefined;
    } catch (err) {
      if (!(err instanceof CairnError) || err.code !== 'remote') throw err;
      if (err.message !== trouble) options.onTrouble?.(err.message);
      trouble = err.message;
    }
    const records = ids.map((id) => readRun(project, id));
    for (const r of records) {
      readLog(r.id);
      const key = `${r.status} ${r.executor?.node ?? ''} ${r.executor?.settled === true}`;
      if (seen.get(r.id) !== key) {
        seen.set(r.id, key);
        options.onChange?.(r);
      }
    }
    if (records.every((r) => r.executor?.settled === true)) return records;
    if (options.signal?.aborted) return records;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, pollMs);
      options.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), {
        once: true,
      });
    });
  }
}
