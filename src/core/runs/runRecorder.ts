import * as os from 'node:os';
import { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import { completeRun } from './runCompletion.js';
import { RunCapture } from './runCapture.js';
import { spawnRunChild, watchProcessGroup, type RunChild } from './runChild.js';
import { prepareRun, type PreparedRun } from './runPreparation.js';
import type { RunRecord, RunSpec } from './runRecord.js';
import type { RunRequest } from './runRequest.js';
import type { TaskSpec } from './taskConfig.js';

/** A run in progress. */
export interface RunHandle {
  readonly id: string;
  readonly dir: string;
  /**
   * Stops the program and its children (SIGTERM, then SIGKILL after 5 s); the run is `stopped`,
   * or `failed` with the given reason (a scheduler ended the job).
   */
  stop(failure?: string): void;
  /** Settles with the final record once the run is saved. */
  readonly done: Promise<RunRecord>;
}

/** The spec of a task as recorded in run.json. */
export function specOf(task: TaskSpec): RunSpec {
  return {
    cmd: task.cmd,
    ...(task.paramsFile ? { paramsFile: task.paramsFile } : {}),
    deps: task.deps,
    outs: task.outs,
    metrics: task.metrics,
    goal: task.goal,
  };
}

/**
 * Starts a recorded run: prepares it (params under the params file's lock, Git state, input
 * versions, the record), runs the program (in a pseudo-terminal when asked, attached to the
 * caller's terminal when given), captures its output and metrics, and completes the record.
 */
export async function startRun(project: Project, req: RunRequest): Promise<RunHandle> {
  return executeRun(project, await prepareRun(project, req), req);
}

/** Runs the program of a prepared run and completes its record (see startRun). */
export async function executeRun(
  project: Project,
  run: PreparedRun,
  req: Pick<RunRequest, 'echo' | 'tty' | 'terminal'>,
): Promise<RunHandle> {
  const { id, dir, spec } = run;
  let failure: CairnError | string | undefined;
  let child: RunChild | undefined;
  let stopRequested = false;
  let killTimer: NodeJS.Timeout | undefined;
  const endChild = () => {
    if (!child || killTimer) return;
    child.signal('SIGTERM');
    const c = child;
    killTimer = setTimeout(() => c.signal('SIGKILL'), 5000);
    killTimer.unref();
  };
  const capture = new RunCapture(dir, {
    generic: spec.metrics.some((m) => m.type === 'stdout'),
    patterns: spec.metrics.flatMap((m) => (m.type === 'pattern' ? [new RegExp(m.pattern)] : [])),
    echo: req.echo ?? true,
    onWriteError: (e) => {
      // Without a log the run's record would be a lie: end the program, keep what is known.
      failure ??= e;
      endChild();
    },
  });
  const terminal = req.terminal;
  const useTty = req.tty ?? terminal !== undefined;
  try {
    child = await spawnRunChild({
      file: run.file,
      args: run.args,
      cwd: run.cwd,
      env: run.env,
      ...(useTty ? { pty: terminal?.size() ?? { cols: 80, rows: 24 } } : {}),
      onData: (b, stream) => capture.data(b, stream),
    });
  } catch (err) {
    capture.end();
    const message = (err as Error).message;
    await completeRun(project, run, capture, {
      exit: { exitCode: null, signal: null },
      stopped: false,
      failure: `could not start the program: ${message}`,
    });
    throw new CairnError('run', `Could not start '${run.record.command}': ${message}`);
  }
  const started = child;
  capture.bind(started);
  const watchdog = watchProcessGroup(started.pid);
  // Keystrokes go to the program; Ctrl-C reaches it through its terminal as SIGINT.
  const detach =
    terminal && useTty
      ? terminal.attach({
          input: (d) => {
            if (d.includes(3)) stopRequested = true;
            started.write(d);
          },
          resize: (cols, rows) => started.resize(cols, rows),
        })
      : undefined;
  const stop = (reason?: string) => {
    if (reason !== undefined) failure ??= reason;
    else stopRequested = true;
    endChild();
  };
  const done = (async (): Promise<RunRecord> => {
    const exit = await started.exited;
    if (killTimer) clearTimeout(killTimer);
    detach?.();
    watchdog.release();
    capture.end();
    return completeRun(project, run, capture, {
      exit,
      stopped: stopRequested,
      ...(failure ? { failure } : {}),
    });
  })();
  return { id, dir, stop, done };
}

/** The exit code `cairn run` passes on: the program's, or 128 + signal number. */
export function exitCodeOf(record: RunRecord): number {
  if (record.exitCode !== null)
    return record.status === 'completed' || record.exitCode !== 0 ? record.exitCode : 1;
  if (record.signal) {
    const n = (os.constants.signals as Record<string, number>)[record.signal];
    return n ? 128 + n : 1;
  }
  return record.status === 'completed' ? 0 : 1;
}
