import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { tmpSuffix } from '../fsSafe.js';
import { git, gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, projectAt, type Project } from '../project/project.js';
import { fetchVersions } from '../remotes/transfer.js';
import { hasObject } from '../versioning/cache.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { objectsOf, type VersionRef } from '../versioning/reachable.js';
import { readPointer } from '../versioning/pointerFile.js';
import { compareRecords, type Comparison } from './compare.js';
import { startRun, type RunHandle } from './runRecorder.js';
import type { RunRecord } from './runRecord.js';
import { readRun, runFiles } from './runStore.js';
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
  fs.mkdirSync(project.tmpRoot, { recursive: true });
  options.onStep?.(`Checking out commit ${shortHash(commit)} in a separate worktree`);
  await git(project.root, ['worktree', 'add', '--detach', wt, commit], 'creating a worktree');
  try {
    if (original.git.diffFile) {
      const patch = path.join(runFiles(project, runId).dir, original.git.diffFile);
      options.onStep?.('Applying the uncommitted changes recorded with the run');
      await git(
        wt,
        ['apply', '--binary', '--whitespace=nowarn', patch],
        'applying the recorded diff',
      );
    }
    // The worktree shares the project's cache: data versions come from the same objects.
    const wtData = path.join(wt, '.cairn');
    fs.mkdirSync(wtData, { recursive: true });
    fs.writeFileSync(path.join(wtData, '.gitignore'), '*\n');
    fs.symlinkSync(project.cacheDir, path.join(wtData, 'cache'));
    if (!fs.existsSync(path.join(wt, 'cairn.yaml')))
      fs.writeFileSync(path.join(wt, 'cairn.yaml'), 'tasks: {}\n');
    const work = projectAt(wt);
    for (const input of original.inputs) {
      const wtPointer = path.join(wt, input.path + POINTER_SUFFIX);
      const have = fs.existsSync(wtPointer) ? readPointer(wtPointer).hash : undefined;
      if (have !== input.hash) {
        const mainPointer = path.join(project.root, input.path + POINTER_SUFFIX);
        if (fs.existsSync(mainPointer) && readPointer(mainPointer).hash === input.hash) {
          fs.mkdirSync(path.dirname(wtPointer), { recursive: true });
          fs.copyFileSync(mainPointer, wtPointer);
        } else {
          throw new CairnError(
            'not-found',
            `The pointer file for ${input.path} version ${shortHash(input.hash)} is neither in commit ${shortHash(commit)} nor in the work tree, so the run's data cannot be restored`,
          );
        }
      }
    }
    await fetchLackingInputs(project, original, options);
    if (original.inputs.length > 0) {
      options.onStep?.(
        `Checking out ${original.inputs.map((i) => i.path).join(', ')} from the cache`,
      );
      await checkoutArtifacts(
        work,
        original.inputs.map((i) => i.path),
        { force: true },
      );
    }
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
    await gitMaybe(project.root, ['worktree', 'remove', '--force', wt]);
    fs.rmSync(wt, { recursive: true, force: true });
    await gitMaybe(project.root, ['worktree', 'prune']);
  }
}

/** Fetches from the remote the input versions the cache lacks (a run a teammate pushed). */
async function fetchLackingInputs(
  project: Project,
  original: RunRecord,
  options: ReproduceOptions,
): Promise<void> {
  const refs: VersionRef[] = original.inputs.map((i) => ({
    type: undefined,
    hash: i.hash,
    source: i.path,
  }));
  const { objects, missingManifests } = objectsOf(project.cacheDir, refs);
  if (missingManifests.length === 0 && [...objects].every((h) => hasObject(project.cacheDir, h)))
    return;
  options.onStep?.("Fetching the run's data from the remote");
  await fetchVersions(project, refs);
}
