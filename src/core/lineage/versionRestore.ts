import * as path from 'node:path';
import { assertNoSymlinkEscape, assertSafeRelativePath, writeFileAtomic } from '../fsSafe.js';
import { git } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { parsePointer } from '../versioning/pointerFile.js';
import { buildLineage } from './lineageGraph.js';

/** The newest commit whose pointer file named this version of the artifact, or undefined. */
export async function commitNamingVersion(
  project: Project,
  artifactPath: string,
  hash: string,
): Promise<string | undefined> {
  const graph = await buildLineage(project, artifactPath);
  const node = graph.nodes.find(
    (n) => n.type === 'artifact' && n.path === artifactPath && n.hash === hash,
  );
  return node?.type === 'artifact' ? node.commits[0] : undefined;
}

/**
 * Writes an artifact's pointer file as `commit` had it (a checkout then puts that version's data
 * in place). The path comes from a webview, so it must be a safe project path, and the text must
 * be a valid pointer before anything is written.
 */
export async function restorePointerFile(
  project: Project,
  artifactPath: string,
  commit: string,
): Promise<void> {
  const pointerRel = assertSafeRelativePath(artifactPath, 'the lineage view') + POINTER_SUFFIX;
  const text = await git(
    project.root,
    ['show', `${commit}:./${pointerRel}`],
    `reading ${pointerRel} at ${commit.slice(0, 8)}`,
  );
  parsePointer(text, `${pointerRel} at ${commit.slice(0, 8)}`);
  const abs = path.join(project.root, pointerRel);
  assertNoSymlinkEscape(project.root, abs, pointerRel);
  writeFileAtomic(abs, text);
}
