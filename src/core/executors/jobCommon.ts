// What the executors share: a run is prepared on this machine as a work tree of its own (the
// commit, the uncommitted diff, the params) and recorded `queued`; once its job ended it is
// settled by one process at a time, and its outputs' pointer files come into the project.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { createExclusive, tmpSuffix } from '../fsSafe.js';
import { gitMaybe } from '../git/git.js';
import { isProcessAlive, POINTER_SUFFIX, type Project } from '../project/project.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { ensureGitignored } from '../versioning/add.js';
import { inputVersions, prepareRun } from '../runs/runPreparation.js';
import type { RunExecutor, RunRecord } from '../runs/runRecord.js';
import type { RunRequest } from '../runs/runRequest.js';
import { deleteRun } from '../runs/runStore.js';
import { createRunWorkTree, removeRunWorkTree } from '../runs/runWorkTree.js';
import { resourcesText, type ExecutorConfig } from './executorConfig.js';

export interface SubmitOptions {
  /** How a node starts this Cairn when the executor does not say (`cairn:`): argv. */
  readonly cairnCommand: readonly string[];
  /** A sweep runs at most this many at once (`-j`). */
  readonly parallel?: number;
  readonly onStep?: (message: string) => void;
}

export interface Submission {
  /** The scheduler's job id, or the SSH host's process id of the batch. */
  readonly jobId: string;
  readonly runs: RunRecord[];
}

export interface QueuedRuns {
  /** `b-<random>`: the batch's folder name, the same here and where the jobs run. */
  readonly token: string;
  /** The folder here that holds the runs' work trees (`w<index>`). */
  readonly batch: string;
  readonly commit: string;
  /** The branch the user is on (the work trees are detached at the commit). */
  readonly branch: string | null;
  /** The uncommitted diff, as a file in the batch folder, when there is one. */
  readonly patchFile?: string;
  readonly runs: RunRecord[];
  /** Deletes the records and the work trees: what a failed submission leaves. */
  cleanUp(): Promise<void>;
}

/** A run's work tree in a batch folder. */
export function workFolder(batch: string, index: number): string {
  return path.join(batch, `w${index}`);
}

/**
 * Makes each request a work tree of its own in a new batch folder under `root` and records it
 * `queued`. Files Git does not track are not sent (onStep says which). On failure nothing is
 * left.
 */
export async function prepareQueuedRuns(
  project: Project,
  executor: ExecutorConfig,
  requests: readonly RunRequest[],
  options: { root: string; checkoutInputs: boolean; onStep?: (message: string) => void },
): Promise<QueuedRuns> {
  if (requests.length === 0) throw new CairnError('usage', 'Nothing to submit');
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
  const batch = path.join(options.root, token);
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
      await removeRunWorkTree(project, workFolder(batch, i));
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
    const resources = resourcesText(executor);
    for (let i = 0; i < requests.length; i++) {
      const req = requests[i]!;
      const spec = req.task?.spec;
      options.onStep?.(`Preparing run ${i + 1} of ${requests.length} in ${workFolder(batch, i)}`);
      const work = await createRunWorkTree(project, {
        at: workFolder(batch, i),
        commit,
        ...(diff ? { patchFile } : {}),
        inputs: spec ? inputVersions(project, spec.deps) : [],
        checkoutInputs: options.checkoutInputs,
      });
      const queue: RunExecutor = {
        name: executor.name,
        type: executor.type,
        submittedFrom: os.hostname(),
        jobDir: `${token}/w${i}`,
        ...(executor.type === 'slurm' && executor.partition
          ? { partition: executor.partition }
          : {}),
        ...(resources ? { resources } : {}),
      };
      const run = await prepareRun(project, {
        ...req,
        workProject: work,
        ownsWorkTree: true,
        queue,
      });
      made.push(run.record);
    }
    const branch =
      (await gitMaybe(project.root, ['symbolic-ref', '--short', '--quiet', 'HEAD']))?.trim() ||
      null;
    return {
      token,
      batch,
      commit,
      branch,
      ...(diff ? { patchFile } : {}),
      runs: made,
      cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** Takes a settler's claim file, or one a settler that died left behind. */
export function takeClaim(claim: string): boolean {
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
 * The outputs' pointer files into the project (read from where the job ran), and their versions
 * checked out from the cache.
 */
export async function bringOutputs(
  project: Project,
  record: RunRecord,
  pointerOf: (pointerPath: string) => Promise<Buffer>,
): Promise<void> {
  for (const o of record.outputs) {
    const rel = o.path + POINTER_SUFFIX;
    const to = path.join(project.root, rel);
    const bytes = await pointerOf(rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, bytes);
    ensureGitignored(project, o.path);
  }
  await checkoutArtifacts(
    project,
    record.outputs.map((o) => o.path),
    { force: true },
  );
}

/** Removes a settled job's work tree here, and its batch folder once no job of it is left. */
export async function removeWorkFolder(project: Project, folder: string): Promise<void> {
  await removeRunWorkTree(project, folder);
  const batch = path.dirname(folder);
  let left: string[] = [];
  try {
    left = fs.readdirSync(batch).filter((n) => /^w\d+$/.test(n));
  } catch {
    return;
  }
  if (left.length === 0) fs.rmSync(batch, { recursive: true, force: true });
}
