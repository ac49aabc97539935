import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { tmpSuffix } from '../fsSafe.js';
import type { Project } from '../project/project.js';
import { compareRecords, type Comparison } from './compare.js';
import { startRun, type RunHandle } from './runRecorder.js';
import type { RunRecord } from './runRecord.js';
import { readRun, runFiles } from './runStore.js';
import { createRunWorkTree, removeRunWorkTree } from './runWorkTree.js';
import type { TerminalAttachment } from './terminalAttachment.js';

export interface ReproduceOptions {
  readonly echo?: boolean;
  readonly tty?: boolean;
  /** The caller's terminal, given to the program. */
  readonly terminal?: TerminalAttachment;
  /** Called with the new run once it has started (so a caller can stop it). */
  readonly onStart?: (handle: RunHandle) => void;
  readonly onStep?: (message: string) => void;
}

export interface Reproduction {
  readonly original: RunRecord;
  readonly reproduction: RunRecord;
  readonly comparison: Comparison;
  /** Metrics whose last value differs from the original's (NaN equals NaN here). */
  readonly differingMetrics: string[];
  /** Outputs whose version differs from the original's. */
  readonly differingOutputs: string[];
}

/**
 * Runs a recorded run again: a separate Git worktree at the run's commit with its uncommitted
 * diff applied, the same input data versions checked out from the same cache, the same params;
 * recorded as a new run (`reproduces` names the original), then compared with the original.
 */
export async function reproduceRun(
  project: Project,
  runId: string,
  options: ReproduceOptions = {},
): Promise<Reproduction> {
  const original = readRun(project, runId);
  const commit = original.git.commit;
  if (!commit)
    throw new CairnError(
      'run',
      `Run ${runId} was recorded before the repository had a commit, so its code cannot be checked out again`,
    );
  const wt = path.join(project.tmpRoot, `reproduce-${tmpSuffix()}`);
  const work = await createRunWorkTree(project, {
    at: wt,
    commit,
    ...(original.git.diffFile
      ? { patchFile: path.join(runFiles(project, runId).dir, original.git.diffFile) }
      : {}),
    inputs: original.inputs,
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  try {
    const handle = await startRun(project, {
      task: { name: original.task, spec: original.spec },
      overrides: original.overrides,
      paramDefaults: original.params,
      name: `reproduce ${original.name}`,
      reproduces: original.id,
      workProject: work,
      cwd: original.cwd,
      ...(options.echo !== undefined ? { echo: options.echo } : {}),
      ...(options.tty !== undefined ? { tty: options.tty } : {}),
      ...(options.terminal ? { terminal: options.terminal } : {}),
    });
    options.onStart?.(handle);
    const reproduction = await handle.done;
    const comparison = compareRecords([original, reproduction]);
    const differingMetrics = comparison.metrics
      .filter((m) => {
        const [a, b] = m.values;
        return !(a === b || (a !== null && b !== null && Number.isNaN(a) && Number.isNaN(b)));
      })
      .map((m) => m.name);
    const differingOutputs = original.outputs
      .filter((o) => reproduction.outputs.find((r) => r.path === o.path)?.hash !== o.hash)
      .map((o) => o.path);
    return { original, reproduction, comparison, differingMetrics, differingOutputs };
  } finally {
    await removeRunWorkTree(project, wt);
  }
}
