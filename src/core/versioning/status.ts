import * as fs from 'node:fs';
import { processTmpDir, type Project } from '../project/project.js';
import { listArtifacts, type TrackedArtifact } from './artifacts.js';
import { hasLooseOrPacked } from './cache.js';
import { quicklyUnchanged } from './quickIndex.js';
import type { ArtifactKind, ArtifactType } from './pointerFile.js';
import { quickIndexFile, saveState } from './stateCache.js';
import { compareWorkspace, isClean } from './workspace.js';

export type ArtifactStatus = 'ok' | 'modified' | 'missing' | 'not-in-cache';

/** One artifact's state in `cairn status --json`. */
export interface StatusEntry {
  readonly path: string;
  readonly kind: ArtifactKind;
  readonly type: ArtifactType;
  readonly status: ArtifactStatus;
  readonly hash: string;
  readonly sizeBytes: number;
  readonly fileCount: number;
  /** For modified directories: which files were added, removed or modified (relative paths). */
  readonly changes?: {
    readonly added: string[];
    readonly removed: string[];
    readonly modified: string[];
  };
}

/** The state of every tracked artifact (or those named), without re-hashing unchanged files. */
export async function artifactStatus(
  project: Project,
  only?: readonly string[],
): Promise<StatusEntry[]> {
  const artifacts = await listArtifacts(project, only);
  if (artifacts.length === 0) return [];
  const tmpDir = processTmpDir(project);
  try {
    const out: StatusEntry[] = [];
    for (const a of artifacts) {
      const { pointer } = a;
      if (
        pointer.type === 'dir' &&
        hasLooseOrPacked(project.cacheDir, pointer.hash) &&
        (await quicklyUnchanged(quickIndexFile(project.stateDir, a.path), a.abs, pointer.hash))
      ) {
        out.push(entryOf(a, 'ok'));
        continue;
      }
      const c = await compareWorkspace(project, a, tmpDir);
      // A state from before quick indexes is saved once more, to write its quick index.
      const noQuickIndex =
        pointer.type === 'dir' && !fs.existsSync(quickIndexFile(project.stateDir, a.path));
      if (c.present && (c.stateChanged || (noQuickIndex && isClean(c))))
        saveStateQuietly(project, a.path, c.state, tmpDir);
      const status: ArtifactStatus = !c.versionInCache
        ? 'not-in-cache'
        : !c.present
          ? 'missing'
          : isClean(c)
            ? 'ok'
            : 'modified';
      out.push(
        entryOf(
          a,
          status,
          status === 'modified'
            ? { added: c.added, removed: c.removed, modified: c.modified }
            : undefined,
        ),
      );
    }
    return out;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

function entryOf(
  a: TrackedArtifact,
  status: ArtifactStatus,
  changes?: StatusEntry['changes'],
): StatusEntry {
  const { pointer } = a;
  return {
    path: a.path,
    kind: pointer.kind,
    type: pointer.type,
    status,
    hash: pointer.hash,
    sizeBytes: pointer.sizeBytes,
    fileCount: pointer.fileCount,
    ...(changes ? { changes } : {}),
  };
}

/** The state cache only saves time: a read-only project still gets its status. */
function saveStateQuietly(
  project: Project,
  rel: string,
  state: Parameters<typeof saveState>[2],
  tmpDir: string,
): void {
  try {
    saveState(project.stateDir, rel, state, tmpDir);
  } catch {
    // ignored on purpose
  }
}
