// A work tree of a run's own: a Git worktree at a commit with a recorded diff applied, sharing
// the project's cache, with the run's input data versions checked out. Reproduce runs in one;
// a cluster job runs in one on its node.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { shortHash } from '../format.js';
import { git, gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, projectAt, type Project } from '../project/project.js';
import { fetchLacking } from '../remotes/transfer.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { readPointer } from '../versioning/pointerFile.js';
import type { ArtifactVersion } from './runRecord.js';

export interface RunWorkTreeOptions {
  /** The folder to create (it must not exist). */
  readonly at: string;
  readonly commit: string;
  /** A `git diff --binary` to apply over the commit. */
  readonly patchFile?: string;
  /** The data versions to check out (fetched from the remote when the cache lacks them). */
  readonly inputs: readonly ArtifactVersion[];
  /** False: the inputs' pointers and cache objects are made sure of, not their files (default true). */
  readonly checkoutInputs?: boolean;
  readonly onStep?: (message: string) => void;
}

/** Creates the work tree; on failure nothing of it is left. */
export async function createRunWorkTree(
  project: Project,
  options: RunWorkTreeOptions,
): Promise<Project> {
  const { at, commit, inputs, onStep } = options;
  fs.mkdirSync(path.dirname(at), { recursive: true });
  onStep?.(`Checking out commit ${shortHash(commit)} in a separate worktree`);
  await git(project.root, ['worktree', 'add', '--detach', at, commit], 'creating a worktree');
  try {
    if (options.patchFile) {
      onStep?.('Applying the uncommitted changes');
      await git(
        at,
        ['apply', '--binary', '--whitespace=nowarn', options.patchFile],
        'applying the recorded diff',
      );
    }
    // The worktree shares the project's cache: data versions come from the same objects.
    const data = path.join(at, '.cairn');
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, '.gitignore'), '*\n');
    fs.symlinkSync(project.cacheDir, path.join(data, 'cache'));
    if (!fs.existsSync(path.join(at, 'cairn.yaml')))
      fs.writeFileSync(path.join(at, 'cairn.yaml'), 'tasks: {}\n');
    const work = projectAt(at);
    for (const input of inputs) placePointer(project, at, commit, input);
    await fetchLacking(
      project,
      inputs.map((i) => ({ type: undefined, hash: i.hash, source: i.path })),
      () => onStep?.("Fetching the run's data from the remote"),
    );
    if (inputs.length > 0 && options.checkoutInputs !== false) {
      onStep?.(`Checking out ${inputs.map((i) => i.path).join(', ')} from the cache`);
      await checkoutArtifacts(
        work,
        inputs.map((i) => i.path),
        { force: true },
      );
    }
    return work;
  } catch (err) {
    await removeRunWorkTree(project, at);
    throw err;
  }
}

/** Removes a work tree made by createRunWorkTree (and Git's note of it). */
export async function removeRunWorkTree(project: Project, at: string): Promise<void> {
  await gitMaybe(project.root, ['worktree', 'remove', '--force', at]);
  fs.rmSync(at, { recursive: true, force: true });
  await gitMaybe(project.root, ['worktree', 'prune']);
}

/** The input's pointer file in the work tree: from the commit, else the project's work tree. */
function placePointer(project: Project, at: string, commit: string, input: ArtifactVersion): void {
  const pointer = path.join(at, input.path + POINTER_SUFFIX);
  const have = fs.existsSync(pointer) ? readPointer(pointer).hash : undefined;
  if (have === input.hash) return;
  const main = path.join(project.root, input.path + POINTER_SUFFIX);
  if (fs.existsSync(main) && readPointer(main).hash === input.hash) {
    fs.mkdirSync(path.dirname(pointer), { recursive: true });
    fs.copyFileSync(main, pointer);
    return;
  }
  throw new CairnError(
    'not-found',
    `The pointer file for ${input.path} version ${shortHash(input.hash)} is neither in commit ${shortHash(commit)} nor in the work tree, so the run's data cannot be restored`,
  );
}
