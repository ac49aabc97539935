// Runs sent to a SLURM executor. The submitting side makes each run a work tree of its own (the
// commit, the uncommitted diff, the params, the data versions) in the executor's workdir on a
// file system the nodes share, records it `queued` and submits one batch job (a job array for a
// sweep). On the node, `cairn _job` runs the program exactly as a local run does, writing the
// log and metrics into the project's run folder as it goes, so every view is live. The
// submitting side settles each run once SLURM says its job ended: the reason SLURM gives for a
// job it ended, the outputs' pointer files brought into the project, the work tree removed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { createExclusive, tmpSuffix } from '../fsSafe.js';
import { gitMaybe } from '../git/git.js';
import { isProcessAlive, POINTER_SUFFIX, projectAt, type Project } from '../project/project.js';
import { shellQuote } from '../shell.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { ensureGitignored } from '../versioning/add.js';
import { executeRun, type RunHandle } from '../runs/runRecorder.js';
import { inputVersions, prepareRun, preparedFromRecord } from '../runs/runPreparation.js';
import type { RunExecutor, RunRecord } from '../runs/runRecord.js';
import type { RunRequest } from '../runs/runRequest.js';
import {
  deleteRun,
  endedWithoutRecorder,
  listRuns,
  readRun,
  runDir,
  RUN_FILES,
  saveRun,
} from '../runs/runStore.js';
import { createRunWorkTree, removeRunWorkTree } from '../runs/runWorkTree.js';
import { getExecutor, resourcesText, type ExecutorConfig } from './executorConfig.js';
import * as slurm from './slurm.js';

export interface SubmitOptions {
  /** How a node starts this Cairn when the executor does not say (`cairn:`): argv. */
  readonly cairnCommand: readonly string[];
  /** A sweep's array runs at most this many at once (`-j`). */
  readonly parallel?: number;
  readonly onStep?: (message: string) => void;
}

export interface Submission {
  readonly jobId: string;
  readonly runs: RunRecord[];
}

const RUNS_LIST = 'runs';
const SCRIPT = 'job.sh';

/** The folder of a run's job: `<workdir>/<batch>/w<index>`. */
function jobFolder(executor: ExecutorConfig, jobDir: string): string {
  return path.join(executor.workdir, ...jobDir.split('/'));
}

/** A marker beside the job's folder: the run was stopped on request, not ended by SLURM. */
function stopMarker(folder: string): string {
  return `${folder}.stop`;
}

function sbatchLines(
  executor: ExecutorConfig,
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
 * recorded `queued` with its job id. When SLURM refuses the job, nothing is left recorded. Files Git does not track are not sent.
 */
export async function submitRuns(
  project: Project,
  executor: ExecutorConfig,
  requests: readonly RunRequest[],
  options: SubmitOptions,
): Promise<Submission> {
  if (requests.length === 0) throw new CairnError('usage', 'Nothing to submit');
  for (const cmd of ['sbatch', 'squeue', 'scancel', 'scontrol'])
    if (!slurm.onPath(cmd))
      throw new CairnError(
        'run',
        `executor '${executor.name}' is a SLURM cluster, but ${cmd} is not on this machine's PATH; run Cairn where SLURM's client commands are installed (Debian: slurm-client), or add them to the PATH`,
        project.configFile,
      );
  const commit = (
    await gitMaybe(project.root, ['rev-parse', '--verify', '--quiet', 'HEAD'])
  )?.trim();
  if (!commit)
    throw new CairnError(
      'run',
      `A run sent to executor '${executor.name}' runs a commit, and this repository has none yet; commit your code first`,
    );
  const token = `b-${tmpSuffix()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`.slice(0, 26);
  const batch = path.join(executor.workdir, token);
  try {
    fs.mkdirSync(batch, { recursive: true });
  } catch (err) {
    throw fromSystemError(
      err,
      batch,
      `Could not create the job folder of executor '${executor.name}' in`,
    );
  }
  const made: RunRecord[] = [];
  const cleanUp = async () => {
    for (const r of made) {
      try {
        deleteRun(project, r.id, true);
      } catch {
        // already gone
      }
    }
    for (let i = 0; i < requests.length; i++)
      await removeRunWorkTree(project, path.join(batch, `w${i}`));
    fs.rmSync(batch, { recursive: true, force: true });
  };
  try {
    const diff = await gitMaybe(project.root, ['diff', '--binary', 'HEAD', '--']);
    const untracked = (
      (await gitMaybe(project.root, ['ls-files', '--others', '--exclude-standard'])) ?? ''
    )
      .split('\n')
      .filter(Boolean);
    if (untracked.length > 0)
      options.onStep?.(
        `Not sent: ${untracked.length} file(s) Git does not track (${untracked.slice(0, 3).join(', ')}${untracked.length > 3 ? ', ...' : ''}); git add them to send them`,
      );
    const patchFile = path.join(batch, 'diff.patch');
    if (diff) fs.writeFileSync(patchFile, diff);
    for (let i = 0; i < requests.length; i++) {
      const req = requests[i]!;
      const spec = req.task?.spec;
      options.onStep?.(
        `Preparing run ${i + 1} of ${requests.length} in ${path.join(batch, `w${i}`)}`,
      );
      const work = await createRunWorkTree(project, {
        at: path.join(batch, `w${i}`),
        commit,
        ...(diff ? { patchFile } : {}),
        inputs: spec ? inputVersions(project, spec.deps) : [],
      });
      const queue: RunExecutor = {
        name: executor.name,
        type: 'slurm',
        submittedFrom: os.hostname(),
        jobDir: `${token}/w${i}`,
        ...(executor.partition ? { partition: executor.partition } : {}),
        ...(resourcesText(executor) ? { resources: resourcesText(executor) } : {}),
      };
      const run = await prepareRun(project, {
        ...req,
        workProject: work,
        ownsWorkTree: true,
        queue,
      });
      made.push(run.record);
    }
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
    // The records know their job ids before the job can start (it is held until then). The
    // work tree is detached at the commit; the branch is the one the user is on.
    const branch =
      (await gitMaybe(project.root, ['symbolic-ref', '--short', '--quiet', 'HEAD']))?.trim() ||
      null;
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
    await cleanUp();
    throw err;
  }
}

/**
 * The node's side (`cairn _job <project> <batch> <index>`): runs the queued run the batch lists
 * at `index` in its work tree, recording it as a local run is recorded. SIGTERM (scancel, the
 * time limit, preemption) ends the program; the run is `stopped` when a user asked for it.
 */
export async function runJob(project: Project, batch: string, index: number): Promise<RunRecord> {
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
  const folder = path.join(batch, `w${index}`);
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

/** Stops a run sent to an executor: cancels its job; the run ends `stopped`. */
export async function stopJobRun(project: Project, record: RunRecord): Promise<void> {
  const e = record.executor;
  if (!e?.jobId) throw new CairnError('run', `Run ${record.id} has no SLURM job to cancel`);
  const folder = jobFolder(getExecutor(project, e.name), e.jobDir);
  fs.writeFileSync(stopMarker(folder), '');
  await slurm.cancel(e.jobId);
}

/**
 * Asks SLURM about the runs this machine submitted that are not settled, and settles those whose
 * job ended: a run whose program could not finish its record ends `failed` with SLURM's reason
 * (or `stopped`, when cancelled on request); outputs come into the project. Returns the runs it
 * settled.
 */
export async function reconcileJobs(project: Project): Promise<RunRecord[]> {
  const open = listRuns(project).filter(
    (r) => r.executor && !r.executor.settled && r.executor.submittedFrom === os.hostname(),
  );
  if (open.length === 0) return [];
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
        await bringOutputs(project, projectAt(folder), final);
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
    if (folder) await removeJobFolder(project, folder);
    return final;
  } finally {
    if (claim) fs.rmSync(claim, { force: true });
  }
}

/** Takes a settler's claim file, or one a settler that died left behind. */
function takeClaim(claim: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (createExclusive(claim, `${os.hostname()} ${process.pid}`)) return true;
    } catch {
      return false;
    }
    let holder: string[] = [];
    try {
      holder = fs.readFileSync(claim, 'utf8').split(' ');
    } catch {
      continue; // released in between
    }
    if (holder[0] !== os.hostname() || isProcessAlive(Number(holder[1]))) return false;
    fs.rmSync(claim, { force: true });
  }
  return false;
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

/** The outputs' pointer files into the project, and their versions checked out from the cache. */
async function bringOutputs(project: Project, work: Project, record: RunRecord): Promise<void> {
  for (const o of record.outputs) {
    const from = path.join(work.root, o.path + POINTER_SUFFIX);
    const to = path.join(project.root, o.path + POINTER_SUFFIX);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
    ensureGitignored(project, o.path);
  }
  await checkoutArtifacts(
    project,
    record.outputs.map((o) => o.path),
    { force: true },
  );
}

/** Removes a settled job's work tree, and its batch folder once no job of it is left. */
async function removeJobFolder(project: Project, folder: string): Promise<void> {
  await removeRunWorkTree(project, folder);
  fs.rmSync(stopMarker(folder), { force: true });
  const batch = path.dirname(folder);
  let left: string[] = [];
  try {
    left = fs.readdirSync(batch).filter((n) => /^w\d+$/.test(n));
  } catch {
    return;
  }
  if (left.length === 0) fs.rmSync(batch, { recursive: true, force: true });
}

export interface FollowOptions {
  /** Called with what a run's log gained since the last call. */
  readonly onLog?: (runId: string, text: string) => void;
  /** Called when a run's status or node changes (queued → running on a node → ended). */
  readonly onChange?: (record: RunRecord) => void;
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
  for (;;) {
    await reconcileJobs(project);
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
