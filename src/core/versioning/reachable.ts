import { hasObject, type Hash } from './cache.js';
import { isFileEntry, isManifestObject, loadManifest } from './manifest.js';
import type { ArtifactType } from './pointerFile.js';

/** An artifact version: what a pointer file names. */
export interface VersionRef {
  /** Unknown for hashes recorded without their type (run records): the object tells. */
  readonly type: ArtifactType | undefined;
  readonly hash: Hash;
  /** Shown in errors. */
  readonly source: string;
}

/**
 * Every cache object the versions need: each version's own object and, for directories, every
 * file object its manifest lists. Manifests not in `cacheDir` are returned separately.
 */
export function objectsOf(
  cacheDir: string,
  versions: Iterable<VersionRef>,
): { objects: Set<Hash>; missingManifests: VersionRef[] } {
  const objects = new Set<Hash>();
  const missingManifests: VersionRef[] = [];
  const seenDirs = new Set<Hash>();
  for (const v of versions) {
    objects.add(v.hash);
    const type = v.type ?? (isManifestObject(cacheDir, v.hash) ? 'dir' : 'file');
    if (type !== 'dir' || seenDirs.has(v.hash)) continue;
    seenDirs.add(v.hash);
    if (!hasObject(cacheDir, v.hash)) {
      missingManifests.push(v);
      continue;
    }
    for (const e of loadManifest(cacheDir, v.hash, v.source).entries)
      if (isFileEntry(e)) objects.add(e.hash);
  }
  return { objects, missingManifests };
}
