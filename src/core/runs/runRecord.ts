import type { Goal, MetricSource, ParamValue, TaskOut } from './taskConfig.js';

// The shape of a recorded run (run.json) and of its row in the run index. Kept apart from the store
// that reads and writes them so that the schema that checks them, the recorder that fills them
// and the store can all share the types without importing one another.

/**
 * Where a run stands: `queued` while a scheduler holds it (a cluster run before its job starts),
 * `running` until its program ends and the record is completed.
 */
export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'stopped';

/** Where a run that did not run here ran: the executor from cairn.yaml and the scheduler's job. */
export interface RunExecutor {
  /** The executor's name in cairn.yaml (`executors.<name>`). */
  readonly name: string;
  readonly type: 'slurm' | 'ssh';
  /**
   * The scheduler's job id (`123`, or `123_4` for an element of a job array); on an SSH host,
   * the process id of the job's Cairn there.
   */
  readonly jobId?: string;
  readonly partition?: string;
  /** The resources asked for, as sbatch options say them (`gpus=1 mem=16G time=02:00:00`). */
  readonly resources?: string;
  /** The node the job ran on, once it started. */
  readonly node?: string;
  /** The scheduler's last known state of the job (PENDING, RUNNING, COMPLETED, TIMEOUT, ...). */
  readonly state?: string;
  /** The machine the run was submitted from, the one that asks the scheduler about it. */
  readonly submittedFrom: string;
  /** The job's folder under the executor's workdir (`<batch>/w<index>`). */
  readonly jobDir: string;
  /** Set once the job has ended and its outputs came back: nothing more to ask the scheduler. */
  readonly settled?: boolean;
}

/** One version of a tracked artifact, as a run used or produced it. */
export interface ArtifactVersion {
  readonly path: string;
  /** The pointer file's `hash`. */
  readonly hash: string;
  readonly kind: 'data' | 'model';
}

/** Per-metric summary; `last` is the value compared between runs. */
export interface MetricSummary {
  readonly last: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
  readonly lastStep: number;
}

/** What was run: the task as it was at start (so reproduce needs no cairn.yaml). */
export interface RunSpec {
  readonly cmd: string;
  readonly paramsFile?: string;
  readonly deps: readonly string[];
  readonly outs: readonly TaskOut[];
  readonly metrics: readonly MetricSource[];
  readonly goal: Record<string, Goal>;
}

/** Everything recorded about one run (run.json). Plain JSON; times are epoch ms. */
export interface RunRecord {
  readonly id: string;
  readonly name: string;
  /** The task name, or null for `cairn run -- <command>`. */
  readonly task: string | null;
  readonly command: string;
  /** Project-relative directory the program ran in ('' for the root). */
  readonly cwd: string;
  /** Every parameter the program saw (params file, defaults, overrides), flat `a.b` keys. */
  readonly params: Record<string, ParamValue>;
  /** The `-p` overrides alone. */
  readonly overrides: Record<string, ParamValue>;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly status: RunStatus;
  readonly host: string;
  /** Who ran it (Git's user.name, else the login name): runs travel between teammates. */
  readonly user?: string;
  readonly pid: number;
  readonly git: {
    readonly commit: string | null;
    readonly branch: string | null;
    readonly dirty: boolean;
    /** File in the run directory with the uncommitted diff, or null when clean. */
    readonly diffFile: string | null;
  };
  readonly inputs: readonly ArtifactVersion[];
  readonly outputs: readonly ArtifactVersion[];
  readonly summary: Record<string, MetricSummary>;
  readonly metricPoints: number;
  /** Output lines that looked like metrics but could not be parsed. */
  readonly skippedLines: number;
  readonly spec: RunSpec;
  readonly sweep?: string;
  readonly reproduces?: string;
  /** Set for a run sent to an executor (`cairn run --on <name>`). */
  readonly executor?: RunExecutor;
  /** Why a run failed before or after its program (a sentence), when it did. */
  readonly error?: string;
}

/** A compact row for lists: the `ls --json` item. */
export interface RunSummary {
  readonly id: string;
  readonly name: string;
  readonly task: string | null;
  readonly command: string;
  readonly status: RunStatus;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly params: Record<string, ParamValue>;
  /** The last value of each metric. */
  readonly metrics: Record<string, number>;
  readonly commit: string | null;
  readonly host: string;
  /** Who ran it (Git's user.name, else the login name): runs travel between teammates. */
  readonly user?: string;
  readonly pid: number;
  /** The artifact versions the run used (absent in index rows older than this field). */
  readonly inputs?: readonly ArtifactVersion[];
  readonly sweep?: string;
  readonly reproduces?: string;
  readonly executor?: RunExecutor;
  /** Why it failed, when it did. */
  readonly error?: string;
}
