// Runs sent to an executor: submitting and following them, the node's side, and stopping runs.
import * as path from 'node:path';
import { CairnError } from '../core/errors.js';
import type { ExecutorConfig } from '../core/executors/executorConfig.js';
import { followJobRuns, runJob, submitRuns } from '../core/executors/jobs.js';
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
  return `SLURM job ${e.jobId ?? '?'} on ${e.name}${e.partition ? ` (partition ${e.partition})` : ''}`;
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
    `cairn: ${runs.length === 1 ? `run ${runs[0]!.id} is` : `${runs.length} runs are`} queued as SLURM job ${jobId} on ${executor.name}`,
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
      `cairn: stopped following; SLURM job ${jobId} goes on. Stop it with 'cairn runs stop ${runs.length === 1 ? runs[0]!.id : '<id>'}'`,
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
    const record = await runJob(projectAt(root), batch, Number(index));
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

export const jobCommands: readonly Command[] = [runsStop, job];
