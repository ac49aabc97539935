import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256, type Hash } from './cache.js';
import { writeFileAtomic } from '../fsSafe.js';

/**
 * What Cairn last saw of an artifact in the workspace: for each file its stat key
 * (device, inode, size, mtime in ns) and content hash, and each directory's mtime. A file whose
 * stat key is unchanged is not re-hashed; a directory whose mtime is unchanged is not re-read.
 */
export interface ArtifactState {
  /** The version the workspace matched when this was written, if it matched one. */
  version?: Hash;
  /** rel path ('' for a single-file artifact) → `dev:ino:size:mtimeNs:hash` */
  files: Record<string, string>;
  /** rel dir path ('' for the root) → mtimeNs */
  dirs: Record<string, string>;
}

export function statKey(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

export function stateFile(stateDir: string, artifact: string): string {
  return path.join(stateDir, `${sha256(artifact).slice(0, 24)}.json`);
}

/** Loads an artifact's state; a missing or unreadable state is an empty one (it is only a cache). */
export function loadState(stateDir: string, artifact: string): ArtifactState {
  try {
    const raw = JSON.parse(
      fs.readFileSync(stateFile(stateDir, artifact), 'utf8'),
    ) as ArtifactState & {
      artifact?: string;
    };
    if (raw.artifact === artifact && raw.files && raw.dirs) return raw;
  } catch {
    // no state yet, or a torn write from an older version: start afresh
  }
  return { files: {}, dirs: {} };
}

export function saveState(
  stateDir: string,
  artifact: string,
  state: ArtifactState,
  tmpDir: string,
): void {
  fs.mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(stateFile(stateDir, artifact), JSON.stringify({ artifact, ...state }), {
    tmpDir,
  });
}

/** The hash recorded for a file whose stat key is unchanged, or undefined. */
export function cachedHash(state: ArtifactState, rel: string, key: string): Hash | undefined {
  const v = state.files[rel];
  if (v === undefined) return undefined;
  const cut = v.lastIndexOf(':');
  return v.slice(0, cut) === key ? v.slice(cut + 1) : undefined;
}

export function dropState(stateDir: string, artifact: string): void {
  fs.rmSync(stateFile(stateDir, artifact), { force: true });
}
