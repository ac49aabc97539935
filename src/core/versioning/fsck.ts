import * as fs from 'node:fs';
import { processTmpDir, type Project } from '../project/project.js';
import { describeSource, hasObject, listObjects, sourceSize, type Hash } from './cache.js';
import { listArtifacts } from './artifacts.js';
import { hashMany, type HashProgress } from './hashPool.js';
import { objectsOf } from './reachable.js';

export interface FsckResult {
  readonly checkedObjects: number;
  readonly checkedBytes: number;
  /** Objects whose content does not match their name. */
  readonly corrupt: {
    readonly hash: Hash;
    readonly path: string;
    readonly actual?: Hash;
    readonly error?: string;
  }[];
  /** Objects the work tree's pointer files need that the cache lacks. */
  readonly missing: { readonly hash: Hash; readonly neededBy: string }[];
}

/** Re-hashes every cache object (on every core) and checks that current versions are complete. */
export async function fsck(
  project: Project,
  onProgress?: (p: HashProgress) => void,
): Promise<FsckResult> {
  const objects = [...listObjects(project.cacheDir)];
  const sizes = objects.map(([, src]) => sourceSize(src));
  const tmpDir = processTmpDir(project);
  try {
    const outcomes = await hashMany(
      objects.map(([, src]) => ({ ...src, store: false, noFollow: true })),
      project.cacheDir,
      tmpDir,
      { sizes, ...(onProgress ? { onProgress } : {}) },
    );
    const corrupt: FsckResult['corrupt'][number][] = [];
    outcomes.forEach((o, i) => {
      const [hash, src] = objects[i]!;
      const file = describeSource(src);
      if ('error' in o) corrupt.push({ hash, path: file, error: o.error.message });
      else if (o.hash !== hash) corrupt.push({ hash, path: file, actual: o.hash });
    });
    const corruptSet = new Set(corrupt.map((c) => c.hash));
    const missing: FsckResult['missing'][number][] = [];
    for (const a of await listArtifacts(project)) {
      const ref = { type: a.pointer.type, hash: a.pointer.hash, source: a.pointerFile };
      if (
        a.pointer.type === 'dir' &&
        (!hasObject(project.cacheDir, a.pointer.hash) || corruptSet.has(a.pointer.hash))
      ) {
        missing.push({ hash: a.pointer.hash, neededBy: a.path });
        continue;
      }
      for (const h of objectsOf(project.cacheDir, [ref]).objects) {
        if (!hasObject(project.cacheDir, h)) missing.push({ hash: h, neededBy: a.path });
      }
    }
    return {
      checkedObjects: objects.length,
      checkedBytes: sizes.reduce((a, b) => a + b, 0),
      corrupt,
      missing,
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
