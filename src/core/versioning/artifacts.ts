import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { assertSafeRelativePath, toProjectPath } from '../fsSafe.js';
import { listPointerFiles } from '../git/git.js';
import { artifactOfPointerPath, POINTER_SUFFIX, type Project } from '../project/project.js';
import { readPointer, type Pointer } from './pointerFile.js';

/** A tracked artifact in the work tree: its path and the version its pointer file names. */
export interface TrackedArtifact {
  /** Project-relative, '/'-separated. */
  readonly path: string;
  readonly abs: string;
  readonly pointerFile: string;
  readonly pointer: Pointer;
}

/** Normalizes a user-given path (the artifact or its pointer file) to a project path. */
export function artifactPathFrom(project: Project, given: string, cwd: string): string {
  const rel = toProjectPath(project.root, path.resolve(cwd, given));
  const first = rel.split('/')[0];
  if (first === '.cairn' || first === '.git') {
    throw new CairnError(
      'bad-path',
      `${given} is inside ${first}/, which Cairn manages itself; track your own data and models`,
    );
  }
  // A pointer file given for its artifact (`data.cairn` for `data`).
  return artifactOfPointerPath(rel) ?? rel;
}

/** Reads one tracked artifact by project path. */
export function readArtifact(project: Project, rel: string): TrackedArtifact {
  assertSafeRelativePath(rel, 'artifact path');
  const abs = path.join(project.root, rel);
  const pointerFile = abs + POINTER_SUFFIX;
  if (!fs.existsSync(pointerFile)) {
    throw new CairnError(
      'not-found',
      `${rel} is not tracked (no ${rel}${POINTER_SUFFIX}); run 'cairn add ${rel}' first`,
      rel,
    );
  }
  return { path: rel, abs, pointerFile, pointer: readPointer(pointerFile) };
}

/** Every tracked artifact in the work tree, or those named. */
export async function listArtifacts(
  project: Project,
  only?: readonly string[],
): Promise<TrackedArtifact[]> {
  if (only && only.length > 0) return only.map((rel) => readArtifact(project, rel));
  const pointers = await listPointerFiles(project.root);
  return pointers
    .filter((p) => fs.existsSync(path.join(project.root, p)))
    .map((p) => readArtifact(project, artifactOfPointerPath(p)!));
}
