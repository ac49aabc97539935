import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import { git } from '../git/git.js';
import { artifactOfPointerPath, type Project } from '../project/project.js';
import { listObjects, type Hash } from './cache.js';
import { listArtifacts } from './artifacts.js';
import { withCacheExclusive } from './cacheLock.js';
import { parsePointer } from './pointerFile.js';
import { objectsOf, type VersionRef } from './reachable.js';
import { runReferencedHashes } from '../runs/runStore.js';

export interface GcResult {
  /** Objects removed (or, with dryRun, that would be). */
  readonly removed: { readonly hash: Hash; readonly sizeBytes: number }[];
  readonly removedBytes: number;
  readonly keptObjects: number;
  readonly dryRun: boolean;
}

/** Every version a pointer file names in any commit reachable from a branch, tag or other ref. */
async function versionsInHistory(project: Project): Promise<VersionRef[]> {
  const listing = await git(
    project.root,
    // Blobs only: a folder whose name ends in .cairn is a tree, not a pointer file.
    ['rev-list', '--all', '--objects', '--filter=object:type=blob'],
    'listing the files of every branch and tag',
  );
  const blobs = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const name = line.slice(space + 1);
    if (artifactOfPointerPath(name) !== undefined) blobs.set(line.slice(0, space), name);
  }
  const out: VersionRef[] = [];
  await Promise.all(
    [...blobs].map(async ([blob, name]) => {
      const text = await git(project.root, ['cat-file', 'blob', blob], `reading ${name}`);
      try {
        const p = parsePointer(text, `${name} (blob ${shortHash(blob)})`);
        out.push({ type: p.type, hash: p.hash, source: name });
      } catch {
        // a file that only looks like a pointer (or an old broken one) keeps nothing alive
      }
    }),
  );
  return out;
}

/**
 * Removes cache objects that no commit on any branch or tag, no pointer file in the work tree and
 * no kept run (a run record in .cairn/runs) needs. With dryRun, only lists them.
 */
export async function gc(project: Project, options: { dryRun?: boolean } = {}): Promise<GcResult> {
  // What to keep is decided and acted on while no add or pull is half-way through.
  return options.dryRun
    ? collect(project, true)
    : withCacheExclusive(project, () => collect(project, false));
}

async function collect(project: Project, dryRun: boolean): Promise<GcResult> {
  const runVersions = [...(await runReferencedHashes(project))].map((hash) => ({
    type: undefined,
    hash,
    source: 'a run record',
  }));
  const versions = [
    ...(await versionsInHistory(project)),
    ...runVersions,
    ...(await listArtifacts(project)).map((a) => ({
      type: a.pointer.type,
      hash: a.pointer.hash,
      source: a.pointerFile,
    })),
  ];
  const { objects: keep } = objectsOf(project.cacheDir, versions);
  const removed: { hash: Hash; sizeBytes: number }[] = [];
  let removedBytes = 0;
  let kept = 0;
  for (const [hash, file] of listObjects(project.cacheDir)) {
    if (keep.has(hash)) {
      kept++;
      continue;
    }
    const sizeBytes = fs.statSync(file).size;
    removed.push({ hash, sizeBytes });
    removedBytes += sizeBytes;
    if (!dryRun) fs.rmSync(file, { force: true });
  }
  return { removed, removedBytes, keptObjects: kept, dryRun };
}
