import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../project/project.js';
import { hasObject, type Hash } from './cache.js';
import type { TrackedArtifact } from './artifacts.js';
import type { HashJob } from './hashFile.js';
import { hashMany, unwrap } from './hashPool.js';
import { isFileEntry, loadManifest, type Manifest } from './manifest.js';
import { scanTree } from './scan.js';
import { cachedHash, loadState, statKey, type ArtifactState } from './stateCache.js';

/** A workspace file as it is now. */
export interface CurrentFile {
  readonly abs: string;
  readonly hash: Hash;
  readonly key: string;
  readonly sizeBytes: number;
  readonly executable: boolean;
}

/** How the work tree differs from the version an artifact's pointer file names. */
export interface WorkspaceComparison {
  /** The artifact exists in the work tree (as a file or a directory). */
  readonly present: boolean;
  /** The version's content (the file object, or the manifest) is in the cache. */
  readonly versionInCache: boolean;
  /** Relative paths ('' for a file artifact). */
  readonly added: string[];
  readonly removed: string[];
  readonly modified: string[];
  /** Workspace files with their hashes (empty when the comparison is clean by the fast path). */
  readonly current: Map<string, CurrentFile>;
  /** The version's manifest, when it had to be read. */
  readonly manifest?: Manifest;
  /** The state to save when the comparison refreshed hashes. */
  readonly state: ArtifactState;
  /** The state differs from the saved one and is worth saving. */
  readonly stateChanged: boolean;
  /** Directory mtimes seen (for dirs). */
  readonly dirs: Record<string, string>;
}

export function isClean(c: WorkspaceComparison): boolean {
  return c.present && c.added.length === 0 && c.removed.length === 0 && c.modified.length === 0;
}

/**
 * Compares an artifact in the work tree with the version its pointer names. Files whose stat key
 * is unchanged keep their recorded hash; others are hashed (on every core) but not stored.
 */
export async function compareWorkspace(
  project: Project,
  artifact: TrackedArtifact,
  tmpDir: string,
): Promise<WorkspaceComparison> {
  const { pointer } = artifact;
  const state = loadState(project.stateDir, artifact.path);
  const st = fs.statSync(artifact.abs, { throwIfNoEntry: false });
  const versionInCache = hasObject(project.cacheDir, pointer.hash);
  const current = new Map<string, CurrentFile>();
  const base = { current, state, dirs: {} as Record<string, string>, stateChanged: true };

  if (!st) {
    const manifest =
      pointer.type === 'dir' && versionInCache
        ? loadManifest(project.cacheDir, pointer.hash, artifact.pointerFile)
        : undefined;
    const removed =
      pointer.type === 'file'
        ? ['']
        : (manifest?.entries.filter(isFileEntry).map((e) => e.path) ?? []);
    return {
      ...base,
      present: false,
      versionInCache,
      added: [],
      removed,
      modified: [],
      ...(manifest ? { manifest } : {}),
    };
  }

  if (pointer.type === 'file' && st.isFile()) {
    const key = statKey(st);
    let hash = cachedHash(state, '', key);
    if (hash === undefined) {
      const [o] = await hashMany([{ file: artifact.abs, store: false }], project.cacheDir, tmpDir);
      hash = unwrap(o!).hash;
    }
    current.set('', {
      abs: artifact.abs,
      hash,
      key,
      sizeBytes: Number(st.size),
      executable: (Number(st.mode) & 0o100) !== 0,
    });
    const newState: ArtifactState = {
      ...(hash === pointer.hash ? { version: hash } : {}),
      files: { '': `${key}:${hash}` },
      dirs: {},
    };
    return {
      ...base,
      state: newState,
      // Saved again only when it says something new: a no-op status writes nothing.
      stateChanged:
        state.version !== newState.version ||
        state.files[''] !== newState.files[''] ||
        Object.keys(state.files).length !== 1,
      present: true,
      versionInCache,
      added: [],
      removed: [],
      modified: hash === pointer.hash ? [] : [''],
    };
  }

  if (pointer.type === 'dir' && st.isDirectory()) {
    const scan = await scanTree(artifact.abs, project.root, artifact.path, state);
    const files = scan.files;
    const unknown: number[] = [];
    const hashes = files.rels.map((rel, i) => {
      const h = cachedHash(state, rel, files.key(i));
      if (h === undefined) unknown.push(i);
      return h;
    });
    const stateFiles: Record<string, string> = {};
    const unchanged = {
      dirs: scan.dirs,
      present: true,
      versionInCache,
      added: [],
      removed: [],
      modified: [],
    };
    const sameDirs =
      Object.keys(scan.dirs).length === Object.keys(state.dirs).length &&
      Object.entries(scan.dirs).every(([d, m]) => state.dirs[d] === m);
    // Fast path: nothing changed since the workspace last matched this very version.
    if (
      state.version === pointer.hash &&
      unknown.length === 0 &&
      sameDirs &&
      files.length === Object.keys(state.files).length
    ) {
      // A clean comparison needs no per-file detail: `current` stays empty.
      return { ...base, ...unchanged, state, stateChanged: false };
    }
    const abs = (i: number): string => path.join(artifact.abs, files.rels[i]!);
    if (unknown.length > 0) {
      const jobs: HashJob[] = unknown.map((i) => ({ file: abs(i), store: false }));
      const outcomes = await hashMany(jobs, project.cacheDir, tmpDir, {
        sizes: unknown.map((i) => files.sizeBytes(i)),
      });
      outcomes.forEach((o, k) => (hashes[unknown[k]!] = unwrap(o).hash));
    }
    files.rels.forEach((rel, i) => {
      const hash = hashes[i]!;
      const key = files.key(i);
      stateFiles[rel] = `${key}:${hash}`;
      current.set(rel, {
        abs: abs(i),
        hash,
        key,
        sizeBytes: files.sizeBytes(i),
        executable: files.isExecutable(i),
      });
    });
    if (!versionInCache) {
      // Without the manifest the files cannot be told apart; report it all as not comparable.
      return { ...base, ...unchanged, state: { files: stateFiles, dirs: scan.dirs } };
    }
    const manifest = loadManifest(project.cacheDir, pointer.hash, artifact.pointerFile);
    const added: string[] = [];
    const removed: string[] = [];
    const modified: string[] = [];
    const inVersion = new Set<string>();
    for (const e of manifest.entries) {
      if (!isFileEntry(e)) continue;
      inVersion.add(e.path);
      const cur = current.get(e.path);
      if (!cur) removed.push(e.path);
      else if (cur.hash !== e.hash || cur.executable !== (e.exec === true)) modified.push(e.path);
    }
    for (const rel of current.keys()) if (!inVersion.has(rel)) added.push(rel);
    const versionDirs = new Set(manifest.entries.filter((e) => !isFileEntry(e)).map((e) => e.path));
    const emptyNow = new Set(scan.emptyDirs);
    for (const d of versionDirs)
      if (!emptyNow.has(d) && !hasFileUnder(current, d)) removed.push(d + '/');
    for (const d of emptyNow) if (!versionDirs.has(d)) added.push(d + '/');
    const clean = added.length === 0 && removed.length === 0 && modified.length === 0;
    const newState: ArtifactState = {
      ...(clean ? { version: pointer.hash } : {}),
      files: stateFiles,
      dirs: scan.dirs,
    };
    return {
      ...base,
      state: newState,
      dirs: scan.dirs,
      present: true,
      versionInCache,
      added: added.sort(),
      removed: removed.sort(),
      modified: modified.sort(),
      manifest,
    };
  }

  // The type changed: a file where a directory was versioned, or the other way round.
  return { ...base, present: true, versionInCache, added: [], removed: [], modified: [''] };
}

function hasFileUnder(current: Map<string, CurrentFile>, dir: string): boolean {
  const prefix = dir + '/';
  for (const rel of current.keys()) if (rel.startsWith(prefix)) return true;
  return false;
}
