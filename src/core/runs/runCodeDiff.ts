import * as fs from 'node:fs';
import { gitMaybe } from '../git/git.js';
import type { Project } from '../project/project.js';
import type { RunRecord } from './runRecord.js';
import { readRun, runFiles } from './runStore.js';

/** How the code of two runs differs: between their commits, and each one's uncommitted changes. */
export interface RunCodeDiff {
  /** `git diff` of the two commits; null when a commit is unknown or both are the same. */
  readonly commitDiff: string | null;
  /** Each run's uncommitted changes when it started (diff.patch); null when it had none. */
  readonly uncommitted: readonly [string | null, string | null];
}

/** The code diff of two recorded runs (for the compare view's diff). */
export async function runCodeDiff(project: Project, a: string, b: string): Promise<RunCodeDiff> {
  const [ra, rb] = [readRun(project, a), readRun(project, b)];
  const uncommitted = (r: RunRecord): string | null => {
    const file = runFiles(project, r.id).diff;
    return r.git.diffFile && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  };
  let commitDiff: string | null = null;
  if (ra.git.commit && rb.git.commit && ra.git.commit !== rb.git.commit) {
    commitDiff = (await gitMaybe(project.root, ['diff', ra.git.commit, rb.git.commit])) ?? null;
  }
  return { commitDiff, uncommitted: [uncommitted(ra), uncommitted(rb)] };
}
