import { randomInt } from 'node:crypto';
import { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import { specOf, startRun, type RunHandle } from './runRecorder.js';
import { assertParamKey, splitNewParamMark } from './paramKeys.js';
import type { RunRecord } from './runRecord.js';
import { parseParamValue, type ParamValue, type TaskSpec } from './taskConfig.js';
import type { TerminalAttachment } from './terminalAttachment.js';

/** Sweep axes: each param's values, and the params given as `+key`, which may be new. */
export interface SweepAxes {
  readonly axes: Record<string, ParamValue[]>;
  readonly newParams: string[];
}

/** Parses `-p key=v1,v2` sweep axes (`+key=...` for a new param) into typed value lists. */
export function parseSweepArgs(items: readonly string[]): SweepAxes {
  // A plain object is safe: keys that reach a prototype are refused below.
  const axes: Record<string, ParamValue[]> = {};
  const newParams: string[] = [];
  for (const item of items) {
    const { added, text } = splitNewParamMark(item);
    const eq = text.indexOf('=');
    const key = eq > 0 ? text.slice(0, eq).trim() : '';
    const values = eq > 0 ? text.slice(eq + 1).split(',') : [];
    if (!/^[A-Za-z_][\w.-]*$/.test(key) || values.some((v) => v.trim() === '')) {
      throw new CairnError(
        'usage',
        `-p ${item}: a sweep parameter is given as key=v1,v2,... (for example -p lr=0.001,0.01; -p +key=... adds a new one)`,
      );
    }
    assertParamKey(key, `-p ${item}`);
    axes[key] = [...(axes[key] ?? []), ...values.map((v) => parseParamValue(v))];
    if (added && !newParams.includes(key)) newParams.push(key);
  }
  return { axes, newParams };
}

/** Every combination of the axes (the grid), in a stable order. */
export function sweepGrid(
  axes: Record<string, readonly ParamValue[]>,
): Record<string, ParamValue>[] {
  let grid: Record<string, ParamValue>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    grid = grid.flatMap((combo) => values.map((v) => ({ ...combo, [key]: v })));
  }
  return grid;
}

/** N distinct combinations drawn at random from the grid (all of it when N is larger). */
export function sampleRandom<T>(grid: readonly T[], n: number): T[] {
  const pool = [...grid];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, Math.min(n, pool.length));
}

export interface SweepOptions {
  /** Runs at a time (default 1). */
  readonly jobs?: number;
  /** Show the program's output live (only with one job at a time). */
  readonly echo?: boolean;
  readonly onRunStart?: (id: string, params: Record<string, ParamValue>) => void;
  readonly onRunEnd?: (record: RunRecord) => void;
  readonly onWait?: (holderRunId: string) => void;
  /** Params of the axes that are new to the task (`-p +key=...`). */
  readonly newParams?: readonly string[];
  /** The caller's terminal, given to the program when one run goes at a time. */
  readonly terminal?: TerminalAttachment;
}

/** A sweep in progress. */
export interface SweepHandle {
  readonly sweepId: string;
  /** Stops the running runs and starts no more. */
  stop(): void;
  /** The records of the runs that were started, in the order of the combinations. */
  readonly done: Promise<RunRecord[]>;
}

/** A fresh id for the runs of one sweep. */
export function newSweepId(): string {
  return `sweep-${Date.now().toString(36)}-${randomInt(1 << 24).toString(16)}`;
}

/** Runs a task once per combination, N at a time; each run is a normal recorded run. */
export function runSweep(
  project: Project,
  task: TaskSpec,
  combos: readonly Record<string, ParamValue>[],
  options: SweepOptions = {},
): SweepHandle {
  const jobs = Math.max(1, options.jobs ?? 1);
  const sweepId = newSweepId();
  const active = new Set<RunHandle>();
  const results = new Array<RunRecord | undefined>(combos.length);
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && next < combos.length) {
      const i = next++;
      const overrides = combos[i]!;
      const handle = await startRun(project, {
        task: { name: task.name, spec: specOf(task) },
        overrides,
        paramDefaults: task.paramDefaults,
        sweep: sweepId,
        echo: jobs === 1 && options.echo !== false,
        ...(jobs === 1 && options.terminal ? { terminal: options.terminal } : {}),
        ...(options.newParams ? { newParams: options.newParams } : {}),
        ...(options.onWait ? { onWait: options.onWait } : {}),
      });
      active.add(handle);
      if (stopped) handle.stop();
      options.onRunStart?.(handle.id, overrides);
      const record = await handle.done;
      active.delete(handle);
      results[i] = record;
      options.onRunEnd?.(record);
    }
  };
  const done = Promise.all(Array.from({ length: Math.min(jobs, combos.length) }, worker)).then(() =>
    results.filter((r): r is RunRecord => r !== undefined),
  );
  return {
    sweepId,
    stop() {
      stopped = true;
      for (const h of active) h.stop();
    },
    done,
  };
}
