import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import { git } from '../git/git.js';
import { artifactOfPointerPath, processTmpDir, type Project } from '../project/project.js';
import {
  listLooseObjects,
  listObjects,
  readObjectVerified,
  sourceSize,
  unpackedDir,
  type Hash,
} from './cache.js';
import { listArtifacts } from './artifacts.js';
import { withCacheExclusive } from './cacheLock.js';
import { listPacks, orphanPacks, PACK_MAX_OBJECT_BYTES, PackWriter, removePack } from './pack.js';
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

/**
 * Every version a pointer file names in the commits `rev-list <revArgs>` walks: by default every
 * commit reachable from a branch, tag or other ref; `['--no-walk', '--branches']` for the tips of
 * the branches, `['--no-walk', <commit>]` for one commit.
 */
export async function versionsInHistory(
  project: Project,
  revArgs: readonly string[] = ['--all'],
): Promise<VersionRef[]> {
  const listing = await git(
    project.root,
    // Blobs only: a folder whose name ends in .cairn is a tree, not a pointer file.
    ['rev-list', ...revArgs, '--objects', '--filter=object:type=blob'],
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
  const seen = new Set<Hash>();
  let removedBytes = 0;
  for (const [hash, src] of listObjects(project.cacheDir)) {
    if (keep.has(hash) || seen.has(hash)) continue;
    seen.add(hash);
    const sizeBytes = sourceSize(src);
    removed.push({ hash, sizeBytes });
    removedBytes += sizeBytes;
  }
  if (!dryRun) {
    repack(project, keep);
    fs.rmSync(unpackedDir(project), { recursive: true, force: true });
  }
  const kept = new Set([...listObjects(project.cacheDir)].map(([h]) => h)).size;
  return { removed, removedBytes, keptObjects: dryRun ? kept - removed.length : kept, dryRun };
}

/**
 * Keeps only the objects in `keep`: loose objects not kept are deleted; packs that hold an object
 * not kept, and small loose objects (a cache from before packs, or pulled one by one), are
 * written anew as packs of what is kept, then the old packs and files are deleted. Runs under
 * the exclusive cache lock, so no writer is between its renames.
 */
function repack(project: Project, keep: ReadonlySet<Hash>): void {
  const { cacheDir } = project;
  for (const orphan of orphanPacks(cacheDir)) fs.rmSync(orphan, { force: true });
  const packs = listPacks(cacheDir);
  const loose = [...listLooseObjects(cacheDir)];
  const rewrite = packs.filter((p) => p.hashes.some((h) => !keep.has(h)) || p.hashes.length < 64);
  const small = loose.filter(
    ([h, file]) => keep.has(h) && fs.statSync(file).size <= PACK_MAX_OBJECT_BYTES,
  );
  // Nothing to gain from rewriting a single small pack as itself.
  if (rewrite.length === 1 && small.length === 0 && rewrite[0]!.hashes.every((h) => keep.has(h)))
    rewrite.length = 0;
  const tmpDir = processTmpDir(project);
  const writer = new PackWriter(cacheDir, tmpDir);
  try {
    const moved = new Set<Hash>();
    for (const p of rewrite) {
      for (const h of p.hashes) {
        if (!keep.has(h) || moved.has(h)) continue;
        writer.add(h, readObjectVerified(cacheDir, h));
        moved.add(h);
      }
    }
    for (const [h] of small) {
      if (moved.has(h)) continue;
      writer.add(h, readObjectVerified(cacheDir, h));
      moved.add(h);
    }
    writer.finish();
    // Only now, with the new packs in place, do the old ones and the loose copies go.
    for (const p of rewrite) removePack(p.packFile, cacheDir);
    for (const [h, file] of loose)
      if (!keep.has(h) || moved.has(h)) fs.rmSync(file, { force: true });
  } finally {
    writer.abort();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
