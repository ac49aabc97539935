import * as fs from 'node:fs';
import { hasObject, objectPath, type Hash } from './cache.js';
import { isFileEntry, loadManifest, MANIFEST_HEADER } from './manifest.js';
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

function isManifestObject(cacheDir: string, hash: Hash): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(objectPath(cacheDir, hash), 'r');
    const head = Buffer.alloc(MANIFEST_HEADER.length);
    fs.readSync(fd, head, 0, head.length, 0);
    return head.toString('utf8') === MANIFEST_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
