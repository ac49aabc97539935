// Runs sent to an executor: submitting and following them, the node's side, and stopping runs.
import * as path from 'node:path';
import { CairnError } from '../core/errors.js';
import type { ExecutorConfig } from '../core/executors/executorConfig.js';
import { followJobRuns, runSlurmJob, runSshJob, submitRuns } from '../core/executors/jobs.js';
import { findProject, projectAt, type Project } from '../core/project/project.js';
import { exitCodeOf } from '../core/runs/runRecorder.js';
import type { RunRecord } from '../core/runs/runRecord.js';
import type { RunRequest } from '../core/runs/runRequest.js';
import { resolveRunId } from '../core/runs/runStore.js';
import { stopRun } from '../core/runs/stopRun.js';
import { defineCommand, type Command } from './command.js';
import { err } from './printer.js';
import { reportRun } from './runReport.js';

/** How a node starts this same Cairn: this Node and this CLI script. */
function thisCairn(): string[] {
  return [process.execPath, path.resolve(process.argv[1] ?? 'cairn')];
}

function where(r: RunRecord): string {
  const e = r.executor!;
  if (e.type === 'ssh') return `process ${e.jobId ?? '?'} on SSH executor ${e.name}`;
  return `SLURM job ${e.jobId ?? '?'} on ${e.name}${e.partition ? ` (partition ${e.partition})` : ''}`;
}

/** The job as a sentence's object: `SLURM job 12`, `process 4711 on trainbox`. */
function jobName(executor: ExecutorConfig, jobId: string): string {
  return executor.type === 'ssh'
    ? `process ${jobId} on ${executor.host}`
    : `SLURM job ${jobId} on ${executor.name}`;
}

/**
 * Submits runs to an executor and, unless detached, follows them to their end: the log of a
 * single run streams here; Ctrl-C stops following and leaves the job running.
 */
export async function submitAndFollow(
  project: Project,
  executor: ExecutorConfig,
  requests: readonly RunRequest[],
  options: { parallel?: number; detach?: boolean; echo?: boolean },
): Promise<{ code: number; records: RunRecord[] }> {
  const { jobId, runs } = await submitRuns(project, executor, requests, {
    cairnCommand: thisCairn(),
    ...(options.parallel ? { parallel: options.parallel } : {}),
    onStep: (m) => err(`cairn: ${m}`),
  });
  err(
    `cairn: ${runs.length === 1 ? `run ${runs[0]!.id} is` : `${runs.length} runs are`} queued as ${jobName(executor, jobId)}`,
  );
  if (options.detach) {
    err(
      `cairn: follow ${runs.length === 1 ? 'it' : 'them'} in the Runs view or with 'cairn runs ls'; stop with 'cairn runs stop <id>'`,
    );
    return { code: 0, records: runs };
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  let records: RunRecord[];
  const placed = new Set<string>();
  try {
    records = await followJobRuns(
      project,
      runs.map((r) => r.id),
      {
        signal: controller.signal,
        onTrouble: (m) => err(`cairn: ${m}; the job goes on there, and Cairn keeps trying`),
        ...(options.echo !== false && runs.length === 1
          ? { onLog: (_id: string, text: string) => process.stdout.write(text) }
          : {}),
        onChange: (r) => {
          // Said once per run, even for a run that started and ended between two looks.
          if (r.executor?.node && !placed.has(r.id)) {
            placed.add(r.id);
            err(
              `cairn: run ${r.id} ${r.status === 'running' ? 'is running' : 'ran'} on ${r.executor.node} (${where(r)})`,
            );
          }
          if (r.executor?.settled) {
            if (runs.length === 1) reportRun(r);
            else err(`cairn: run ${r.id} ${r.status}`);
          }
        },
      },
    );
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  if (controller.signal.aborted) {
    err(
      `cairn: stopped following; ${jobName(executor, jobId)} goes on. Stop it with 'cairn runs stop ${runs.length === 1 ? runs[0]!.id : '<id>'}'`,
    );
    return { code: 130, records };
  }
  const code =
    records.length === 1
      ? exitCodeOf(records[0]!)
      : records.every((r) => r.status === 'completed')
        ? 0
        : 1;
  return { code, records };
}

const job = defineCommand({
  name: '_job',
  usage: 'cairn _job <project> <batch folder> <index>',
  summary: "a cluster job's side of a run (started by the job script, not by hand)",
  options: {},
  hidden: true,
  async run(args) {
    const [root, batch, index] = args.positionals;
    if (!root || !batch || index === undefined || !/^\d+$/.test(index))
      throw new CairnError('usage', 'Usage: cairn _job <project> <batch folder> <index>');
    const record = await runSlurmJob(projectAt(root), batch, Number(index));
    reportRun(record);
    return exitCodeOf(record);
  },
});

const sshJob = defineCommand({
  name: '_ssh-job',
  usage: 'cairn _ssh-job <batch folder> <index>',
  summary: "an SSH host's side of a run (started by the job script, not by hand)",
  options: {},
  hidden: true,
  async run(args) {
    const [batch, index] = args.positionals;
    if (!batch || index === undefined || !/^\d+$/.test(index))
      throw new CairnError('usage', 'Usage: cairn _ssh-job <batch folder> <index>');
    const record = await runSshJob(batch, Number(index));
    if (!record) return 0; // stopped before it started
    reportRun(record);
    return exitCodeOf(record);
  },
});

const runsStop = defineCommand({
  name: 'runs stop',
  usage: 'cairn runs stop <id>',
  summary: 'stop a run: its program here, or its job on a cluster',
  options: {},
  async run(args) {
    const p = findProject(args.cwd);
    if (args.positionals.length !== 1)
      throw new CairnError('usage', 'Give one run id: cairn runs stop <id>');
    const id = resolveRunId(p, args.positionals[0]!);
    const r = await stopRun(p, id);
    err(
      r.executor
        ? `cairn: cancelled ${where(r)}; run ${id} ends stopped`
        : `cairn: asked run ${id} (pid ${r.pid}) to stop`,
    );
    return 0;
  },
});

export const jobCommands: readonly Command[] = [runsStop, job, sshJob];
