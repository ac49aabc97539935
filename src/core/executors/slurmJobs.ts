// Runs sent to a SLURM executor. The submitting side makes each run a work tree of its own in the
// executor's workdir on a file system the nodes share, records it `queued` and submits one batch
// job (a job array for a sweep). On the node, `cairn _job` runs the program exactly as a local
// run does, writing the log and metrics into the project's run folder as it goes, so every view
// is live. The submitting side settles each run once SLURM says its job ended: the reason SLURM
// gives for a job it ended, the outputs' pointer files brought into the project, the work tree
// removed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { isProcessAlive, projectAt, type Project } from '../project/project.js';
import { shellQuote } from '../shell.js';
import { executeRun, type RunHandle } from '../runs/runRecorder.js';
import { preparedFromRecord } from '../runs/runPreparation.js';
import type { RunRecord, RunSummary } from '../runs/runRecord.js';
import type { RunRequest } from '../runs/runRequest.js';
import { endedWithoutRecorder, readRun, runDir, RUN_FILES, saveRun } from '../runs/runStore.js';
import { getExecutor, type ExecutorConfig, type SlurmExecutor } from './executorConfig.js';
import {
  bringOutputs,
  prepareQueuedRuns,
  removeWorkFolder,
  takeClaim,
  workFolder,
  type SubmitOptions,
  type Submission,
} from './jobCommon.js';
import * as slurm from './slurm.js';

const RUNS_LIST = 'runs';
const SCRIPT = 'job.sh';

/** The folder of a run's job: `<workdir>/<batch>/w<index>`. */
function jobFolder(executor: SlurmExecutor, jobDir: string): string {
  return path.join(executor.workdir, ...jobDir.split('/'));
}

/** A marker beside the job's folder: the run was stopped on request, not ended by SLURM. */
function stopMarker(folder: string): string {
  return `${folder}.stop`;
}

function sbatchLines(
  executor: SlurmExecutor,
  batch: string,
  name: string,
  count: number,
  parallel?: number,
): string[] {
  const lines = [
    '#!/bin/sh',
    `#SBATCH --job-name=${name.replace(/[^\w.-]/g, '_')}`,
    `#SBATCH --output=${path.join(batch, count > 1 ? 'slurm-%A_%a.out' : 'slurm-%j.out')}`,
    `#SBATCH --chdir=${batch}`,
  ];
  if (executor.partition) lines.push(`#SBATCH --partition=${executor.partition}`);
  if (executor.gpus !== undefined) lines.push(`#SBATCH --gres=gpu:${executor.gpus}`);
  if (executor.cpus !== undefined) lines.push(`#SBATCH --cpus-per-task=${executor.cpus}`);
  if (executor.mem) lines.push(`#SBATCH --mem=${executor.mem}`);
  if (executor.time) lines.push(`#SBATCH --time=${executor.time}`);
  if (count > 1) lines.push(`#SBATCH --array=0-${count - 1}${parallel ? `%${parallel}` : ''}`);
  for (const a of executor.sbatchArgs) lines.push(`#SBATCH ${a}`);
  return lines;
}

/**
 * Submits runs to a SLURM executor as one job (a job array when there are several). Each run is
 * recorded `queued` with its job id. When SLURM refuses the job, nothing is left recorded.
 */
export async function submitSlurmRuns(
  project: Project,
  executor: SlurmExecutor,
  requests: readonly RunRequest[],
  options: SubmitOptions,
): Promise<Submission> {
  for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol'])
    if (!slurm.onPath(cmd))
      throw new CairnError(
        'run',
        `executor '${executor.name}' is a SLURM cluster, but ${cmd} is not on this machine's PATH; run Cairn where SLURM's client commands are installed (Debian: slurm-client), or add them to the PATH`,
        project.configFile,
      );
  const queued = await prepareQueuedRuns(project, executor, requests, {
    root: executor.workdir,
    checkoutInputs: true,
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const { batch, runs: made, branch } = queued;
  try {
    fs.writeFileSync(path.join(batch, RUNS_LIST), made.map((r) => r.id).join('\n') + '\n');
    const cairn = executor.cairn ?? options.cairnCommand.map(shellQuote).join(' ');
    const script = [
      ...sbatchLines(
        executor,
        batch,
        `cairn-${made[0]!.task ?? 'run'}`,
        made.length,
        options.parallel,
      ),
      ...(executor.setup ? [executor.setup.trimEnd()] : []),
      // Started from VS Code, this Cairn's Node is the editor's runtime, Node only with this.
      ...(process.env['ELECTRON_RUN_AS_NODE'] && !executor.cairn
        ? ['export ELECTRON_RUN_AS_NODE=1']
        : []),
      `exec ${cairn} _job ${shellQuote(project.root)} ${shellQuote(batch)} "\${SLURM_ARRAY_TASK_ID:-0}"`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(batch, SCRIPT), script, { mode: 0o755 });
    options.onStep?.(
      `Submitting to ${executor.name}${executor.partition ? ` (partition ${executor.partition})` : ''}`,
    );
    const jobId = await slurm.submitHeld(path.join(batch, SCRIPT));
    // The records know their job ids before the job can start (it is held until then).
    const runs = made.map((r, i) => {
      const withId: RunRecord = {
        ...r,
        git: { ...r.git, branch },
        executor: {
          ...r.executor!,
          jobId: made.length > 1 ? `${jobId}_${i}` : jobId,
          state: 'PENDING',
        },
      };
      saveRun(project, withId);
      return withId;
    });
    try {
      await slurm.release(jobId);
    } catch (err) {
      await slurm.cancel(jobId).catch(() => undefined);
      throw err;
    }
    return { jobId, runs };
  } catch (err) {
    await queued.cleanUp();
    throw err;
  }
}

/**
 * The node's side (`cairn _job <project> <batch> <index>`): runs the queued run the batch lists
 * at `index` in its work tree, recording it as a local run is recorded. SIGTERM (scancel, the
 * time limit, preemption) ends the program; the run is `stopped` when a user asked for it.
 */
export async function runSlurmJob(
  project: Project,
  batch: string,
  index: number,
): Promise<RunRecord> {
  const listFile = path.join(batch, RUNS_LIST);
  let ids: string[];
  try {
    ids = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  } catch (err) {
    throw fromSystemError(err, listFile, 'Could not read the job list');
  }
  const id = ids[index];
  if (!id) throw new CairnError('run', `${listFile} has no run number ${index}`);
  const queued = readRun(project, id);
  const executor = queued.executor;
  if (queued.status !== 'queued' || !executor) return queued; // cancelled before it started
  const folder = workFolder(batch, index);
  const jobId =
    process.env['SLURM_ARRAY_JOB_ID'] && process.env['SLURM_ARRAY_TASK_ID']
      ? `${process.env['SLURM_ARRAY_JOB_ID']}_${process.env['SLURM_ARRAY_TASK_ID']}`
      : (process.env['SLURM_JOB_ID'] ?? executor.jobId);
  const record: RunRecord = {
    ...queued,
    status: 'running',
    startMs: Date.now(),
    host: os.hostname(),
    pid: process.pid,
    executor: {
      ...executor,
      ...(jobId ? { jobId } : {}),
      node: process.env['SLURMD_NODENAME'] ?? os.hostname(),
      state: 'RUNNING',
    },
  };
  saveRun(project, record);
  const handle: RunHandle = await executeRun(
    project,
    preparedFromRecord(record, projectAt(folder), runDir(project, id)),
    { echo: true, tty: false },
  );
  const onTerm = () =>
    fs.existsSync(stopMarker(folder))
      ? handle.stop()
      : handle.stop('SLURM ended the job (SIGTERM: cancelled, at its time limit or preempted)');
  process.on('SIGTERM', onTerm);
  try {
    return await handle.done;
  } finally {
    process.off('SIGTERM', onTerm);
  }
}

/** Stops a run sent to a SLURM executor: cancels its job; the run ends `stopped`. */
export async function stopSlurmRun(
  project: Project,
  executor: SlurmExecutor,
  record: RunRecord,
): Promise<void> {
  const e = record.executor;
  if (!e?.jobId) throw new CairnError('run', `Run ${record.id} has no SLURM job to cancel`);
  const folder = jobFolder(executor, e.jobDir);
  fs.writeFileSync(stopMarker(folder), '');
  await slurm.cancel(e.jobId);
}

/**
 * Asks SLURM about open runs (this machine submitted them, they are not settled), and settles
 * those whose job ended: a run whose program could not finish its record ends `failed` with
 * SLURM's reason (or `stopped`, when cancelled on request); outputs come into the project.
 * Returns the runs it settled.
 */
export async function reconcileSlurmRuns(
  project: Project,
  open: readonly RunSummary[],
): Promise<RunRecord[]> {
  const withIds = open.filter((r) => r.executor!.jobId);
  const states = await slurm.jobStates(withIds.map((r) => r.executor!.jobId!));
  const settled: RunRecord[] = [];
  for (const row of open) {
    const jobId = row.executor!.jobId;
    const state = jobId ? states.get(jobId) : undefined;
    if (state && !slurm.hasEnded(state.state)) continue;
    // A run without a job id whose submitter is still at work is being submitted.
    if (!jobId && row.status === 'queued' && isProcessAlive(row.pid)) continue;
    const r = await settle(project, row.id, state?.state);
    if (r) settled.push(r);
  }
  return settled;
}

async function settle(
  project: Project,
  id: string,
  state: string | undefined,
): Promise<RunRecord | undefined> {
  const rec = readRun(project, id);
  const e = rec.executor;
  if (!e || e.settled) return undefined;
  let executor: ExecutorConfig | undefined;
  try {
    executor = getExecutor(project, e.name);
  } catch {
    executor = undefined; // removed from cairn.yaml: the run still settles, its folder stays
  }
  if (executor?.type !== 'slurm') executor = undefined;
  const folder = executor ? jobFolder(executor, e.jobDir) : undefined;
  // One settler at a time (the CLI following the run, the editor's view).
  const claim = folder ? `${folder}.settling` : undefined;
  if (claim && !takeClaim(claim)) return undefined;
  try {
    const stopped = folder !== undefined && fs.existsSync(stopMarker(folder));
    const reason =
      state === undefined
        ? `SLURM no longer knows job ${e.jobId ?? '(never submitted)'}: the controller lost it, or it ended longer ago than MinJobAge`
        : slurm.endReason(state);
    let final: RunRecord = rec;
    if (rec.status === 'queued' || rec.status === 'running') {
      const endMs = Date.now();
      // What the job printed before Cairn took over (a setup line that failed, no cairn on
      // the node) is all there is to say why a job that never started its run ended.
      const said =
        rec.status === 'queued' && folder ? jobOutput(folder, e.jobId, runDir(project, id)) : '';
      final = endedWithoutRecorder(project, rec, {
        status: stopped ? 'stopped' : 'failed',
        ...(stopped
          ? {}
          : {
              error:
                (reason ?? `the job ended (${state}) before its run started`) +
                (said ? `; the job printed: ${said}` : ''),
            }),
        endMs,
        durationMs: rec.status === 'running' ? endMs - rec.startMs : 0,
      });
    } else if (rec.status === 'failed' && reason && !stopped) final = { ...rec, error: reason };
    let error = final.error;
    if (final.status === 'completed' && folder && final.outputs.length > 0) {
      try {
        const work = folder;
        await bringOutputs(project, final, (rel) =>
          Promise.resolve(fs.readFileSync(path.join(work, rel))),
        );
      } catch (err) {
        error = `the outputs are versioned, but bringing them into the project failed: ${(err as Error).message}`;
      }
    }
    final = {
      ...final,
      ...(error !== undefined ? { error } : {}),
      executor: { ...e, ...(final.executor ?? {}), state: state ?? 'UNKNOWN', settled: true },
    };
    saveRun(project, final);
    if (folder) {
      fs.rmSync(stopMarker(folder), { force: true });
      await removeWorkFolder(project, folder);
    }
    return final;
  } finally {
    if (claim) fs.rmSync(claim, { force: true });
  }
}

/**
 * The job's own output (SLURM's `slurm-<job>.out`), kept as the run's log when the run never
 * started; returns its last lines.
 */
function jobOutput(folder: string, jobId: string | undefined, dir: string): string {
  if (!jobId) return '';
  const file = path.join(path.dirname(folder), `slurm-${jobId}.out`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  try {
    fs.writeFileSync(path.join(dir, RUN_FILES.log), text, { flag: 'a' });
  } catch {
    // the log is a convenience here; the error below says what matters
  }
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
}
