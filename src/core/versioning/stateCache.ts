import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { sha256, type Hash } from './cache.js';
import { AtomicFileWriter, writeFileAtomic } from '../fsSafe.js';
import { saveQuickIndex, saveQuickIndexFrom } from './quickIndex.js';
import { V8StreamWriter } from './v8StreamWriter.js';

/**
 * What Cairn last saw of an artifact in the workspace: for each file its stat key
 * (device, inode, size, mtime and ctime) and content hash, and each directory's mtime and ctime.
 * A file whose stat key is unchanged is not re-hashed; an unchanged directory is not re-read.
 */
export interface ArtifactState {
  /** The version the workspace matched when this was written, if it matched one. */
  version?: Hash;
  /** rel path ('' for a single-file artifact) → `dev:ino:size:mtimeMs:ctimeMs:hash` */
  files: Record<string, string>;
  /** rel dir path ('' for the root) → `mtimeMs:ctimeMs` */
  dirs: Record<string, string>;
  /** When the state was saved (epoch ms); set by saveState. */
  savedAtMs?: number;
}

/**
 * What identifies an unchanged file: device, inode, size, mtime and ctime. The ctime matters: a
 * file rewritten in place at the same size with its mtime put back (`touch -r`, rsync -t, some
 * tools that restore times) keeps every other field, but no program can set its ctime. The times
 * are Node's mtimeMs/ctimeMs, doubles derived from the nanosecond timestamps (sub-microsecond
 * steps at today's dates); plain number stats cost a fraction of bigint ones, which matters at
 * 100,000 files.
 */
export function statKey(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Numbers in a stat key: dev, ino, size, mtimeMs, ctimeMs. */
export const KEY_FIELDS = 5;

/** The stat key of KEY_FIELDS numbers at `at` (the very string statKey makes of those stats). */
export function statKeyAt(numbers: Float64Array, at: number): string {
  return `${numbers[at]}:${numbers[at + 1]}:${numbers[at + 2]}:${numbers[at + 3]}:${numbers[at + 4]}`;
}

/** Writes a stat key's KEY_FIELDS numbers into `numbers` at `at`. */
export function readStatKey(key: string, numbers: Float64Array, at: number): void {
  let start = 0;
  for (let k = 0; k < KEY_FIELDS; k++) {
    const colon = key.indexOf(':', start);
    const end = colon < 0 ? key.length : colon;
    numbers[at + k] = Number(key.slice(start, end));
    start = end + 1;
  }
}

/**
 * How close to the state's save time a file's or a directory's ctime makes an entry
 * suspicious. The kernel stamps files with a coarse clock (a tick, a few ms), so a file written
 * again within the tick in which it was hashed keeps its stat; file systems with whole-second
 * times (no fraction) widen the window to seconds. Such an entry is treated as changed, and
 * re-hashed once, as Git does with its "racily clean" index entries.
 */
function racyWindowMs(timeMs: number): number {
  return timeMs % 1000 === 0 ? 2000 : 50;
}

export function stateFile(stateDir: string, artifact: string): string {
  return path.join(stateDir, `${sha256(artifact).slice(0, 24)}.v8`);
}

/** The artifact's quick index (quickIndex.ts), saved with its state. */
export function quickIndexFile(stateDir: string, artifact: string): string {
  return path.join(stateDir, `${sha256(artifact).slice(0, 24)}.qi`);
}

/** Loads an artifact's state; a missing or unreadable state is an empty one (it is only a cache). */
export function loadState(stateDir: string, artifact: string): ArtifactState {
  try {
    // V8's serialization reads a 100,000-file state several times faster than JSON.parse.
    const raw = v8.deserialize(fs.readFileSync(stateFile(stateDir, artifact))) as ArtifactState & {
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
  const saved = { artifact, ...state, savedAtMs: Date.now() };
  writeFileAtomic(stateFile(stateDir, artifact), v8.serialize(saved), { tmpDir });
  saveQuickIndex(
    quickIndexFile(stateDir, artifact),
    state,
    saved.savedAtMs,
    (t) => settledBefore(saved, t),
    tmpDir,
  );
}

/** An artifact's state with its files as columns (as add has them), for saveStateColumns. */
export interface StateColumns {
  readonly version: Hash;
  /** Paths relative to the artifact directory. */
  readonly rels: readonly string[];
  /** KEY_FIELDS numbers per file: its stat key's. */
  readonly stats: Float64Array;
  /** 32 bytes per file: its content hash. */
  readonly hashes: Buffer;
  readonly dirs: Record<string, string>;
}

/**
 * saveState for a million files: the same files (loadState reads them as ever), written out
 * piece by piece from columns, never as one object of a million strings and its serialization.
 */
export function saveStateColumns(
  stateDir: string,
  artifact: string,
  state: StateColumns,
  tmpDir: string,
): void {
  fs.mkdirSync(stateDir, { recursive: true });
  const savedAtMs = Date.now();
  const out = new AtomicFileWriter(stateFile(stateDir, artifact), { tmpDir });
  try {
    const v8w = new V8StreamWriter((bytes) => out.write(bytes));
    // As saveState's `{ artifact, version, files, dirs, savedAtMs }`.
    v8w.beginObject();
    v8w.string('artifact');
    v8w.string(artifact);
    v8w.string('version');
    v8w.string(state.version);
    v8w.string('files');
    v8w.beginObject();
    for (let i = 0; i < state.rels.length; i++) {
      v8w.string(state.rels[i]!);
      v8w.string(
        `${statKeyAt(state.stats, i * KEY_FIELDS)}:${state.hashes.toString('hex', i * 32, i * 32 + 32)}`,
      );
    }
    v8w.endObject(state.rels.length);
    v8w.string('dirs');
    v8w.beginObject();
    const dirs = Object.entries(state.dirs);
    for (const [rel, times] of dirs) {
      v8w.string(rel);
      v8w.string(times);
    }
    v8w.endObject(dirs.length);
    v8w.string('savedAtMs');
    v8w.double(savedAtMs);
    v8w.endObject(5);
    v8w.end();
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  saveQuickIndexFrom(
    quickIndexFile(stateDir, artifact),
    { version: state.version, files: state.rels, fileNumbers: state.stats, dirs: state.dirs },
    savedAtMs,
    (t) => settledBefore({ savedAtMs }, t),
    tmpDir,
  );
}

/**
 * The hash recorded for a file whose stat key is unchanged, or undefined: also for an entry
 * whose ctime is too close to when the state was saved to be sure (see racyWindowMs).
 */
export function cachedHash(state: ArtifactState, rel: string, key: string): Hash | undefined {
  const v = state.files[rel];
  if (v === undefined) return undefined;
  const cut = v.lastIndexOf(':');
  if (v.slice(0, cut) !== key) return undefined;
  const ctimeMs = Number(key.slice(key.lastIndexOf(':') + 1));
  return settledBefore(state, ctimeMs) ? v.slice(cut + 1) : undefined;
}

/** Whether a file or directory time lies safely before the state was saved (see racyWindowMs). */
export function settledBefore(state: { savedAtMs?: number }, timeMs: number): boolean {
  return state.savedAtMs !== undefined && timeMs <= state.savedAtMs - racyWindowMs(timeMs);
}

export function dropState(stateDir: string, artifact: string): void {
  fs.rmSync(quickIndexFile(stateDir, artifact), { force: true });
  fs.rmSync(stateFile(stateDir, artifact), { force: true });
}
