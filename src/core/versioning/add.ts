import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { assertNoSymlinkEscape } from '../fsSafe.js';
import { POINTER_SUFFIX, processTmpDir, type Project } from '../project/project.js';
import { hasObject } from './cache.js';
import { withCacheWriter } from './cacheLock.js';
import type { HashOutcome } from './hashFile.js';
import { hashEach, hashMany, unwrap, type HashProgress } from './hashPool.js';
import { storeManifestFrom, type ManifestEntry } from './manifest.js';
import {
  pointerPathFor,
  readPointer,
  writePointer,
  type ArtifactKind,
  type Pointer,
} from './pointerFile.js';
import { scanTree } from './scan.js';
import { warmWorkers } from './workers.js';
import {
  cachedHash,
  KEY_FIELDS,
  loadState,
  readStatKey,
  saveState,
  saveStateColumns,
  statKey,
  type ArtifactState,
} from './stateCache.js';

export interface AddOptions {
  readonly kind?: ArtifactKind;
  /** The run that produced this version (set by the run recorder). */
  readonly run?: string;
  readonly onProgress?: (artifact: string, p: HashProgress) => void;
}

export interface AddResult {
  readonly path: string;
  readonly pointerFile: string;
  readonly pointer: Pointer;
  /** The version differs from what the pointer file named before (or it is new). */
  readonly changed: boolean;
  /** Files that were read and hashed (the others were unchanged since last seen). */
  readonly hashedFiles: number;
}

const MODEL_EXTENSIONS = new Set([
  '.pkl',
  '.pt',
  '.pth',
  '.h5',
  '.keras',
  '.onnx',
  '.joblib',
  '.safetensors',
  '.ckpt',
  '.pb',
  '.tflite',
  '.bin',
]);

function defaultKind(rel: string): ArtifactKind {
  const lower = rel.toLowerCase();
  if (lower.split('/').some((seg) => seg === 'models' || seg === 'model')) return 'model';
  return MODEL_EXTENSIONS.has(path.extname(lower)) ? 'model' : 'data';
}

/**
 * Tracks or re-versions artifacts: hashes their files on every core (skipping files whose stat is
 * unchanged), stores new content in the cache, writes `<path>.cairn` and git-ignores the data.
 * Paths are project-relative.
 */
export async function addArtifacts(
  project: Project,
  rels: readonly string[],
  options: AddOptions = {},
): Promise<AddResult[]> {
  return withCacheWriter(project, async () => {
    const tmpDir = processTmpDir(project);
    try {
      const results: AddResult[] = [];
      for (const rel of rels) results.push(await addOne(project, rel, tmpDir, options));
      return results;
    } finally {
      fs.rmSync(tmpDir, { recursive: true, force: true });
    }
  });
}

async function addOne(
  project: Project,
  rel: string,
  tmpDir: string,
  options: AddOptions,
): Promise<AddResult> {
  const abs = path.join(project.root, rel);
  assertTrackableName(rel);
  assertNoSymlinkEscape(project.root, abs, rel);
  assertNotInsideArtifact(project, rel);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    throw fromSystemError(err, rel, 'Cannot add');
  }
  if (fs.lstatSync(abs).isSymbolicLink()) {
    const real = fs.realpathSync(abs);
    const realRoot = fs.realpathSync(project.root);
    if (!real.startsWith(realRoot + path.sep)) {
      throw new CairnError(
        'bad-path',
        `${rel} is a symlink to ${real}, outside the project; copy the data into the project instead`,
        rel,
      );
    }
  }
  const pointerFile = pointerPathFor(abs);
  const previous = fs.existsSync(pointerFile) ? tryReadPointer(pointerFile) : undefined;
  const state = loadState(project.stateDir, rel);
  const report = options.onProgress ? (p: HashProgress) => options.onProgress?.(rel, p) : undefined;

  let pointer: Pointer;
  let hashedFiles: number;
  let saveNewState: () => void;
  const kind = options.kind ?? previous?.kind ?? defaultKind(rel);
  if (st.isFile()) {
    const key = statKey(st);
    let hash = cachedHash(state, '', key);
    let newState: ArtifactState;
    hashedFiles = 0;
    if (hash === undefined || !hasObject(project.cacheDir, hash)) {
      const [outcome] = await hashMany([{ file: abs, store: true }], project.cacheDir, tmpDir, {
        sizes: [st.size],
        pack: true,
        ...(report ? { onProgress: report } : {}),
      });
      const r = unwrap(outcome!);
      hash = r.hash;
      hashedFiles = 1;
      newState = { version: hash, files: { '': `${r.key}:${hash}` }, dirs: {} };
    } else {
      newState = { version: hash, files: { '': `${key}:${hash}` }, dirs: {} };
    }
    saveNewState = () => saveState(project.stateDir, rel, newState, tmpDir);
    const executable = (st.mode & 0o100) !== 0;
    pointer = {
      kind,
      type: 'file',
      hash,
      sizeBytes: st.size,
      fileCount: 1,
      ...(executable ? { executable: true } : {}),
      ...(options.run !== undefined ? { run: options.run } : {}),
    };
  } else if (st.isDirectory()) {
    // The hashing threads start while the folder is scanned.
    warmWorkers();
    const scan = await scanTree(abs, project.root, rel, state);
    const files = scan.files;
    const n = files.length;
    // Columns, not an object per file: each file's hash (32 bytes), and the stats the state
    // records (those taken while hashing, for the files that were hashed).
    const hashes = Buffer.alloc(n * 32);
    const sizes = new Float64Array(n);
    const stateStats = files.stats;
    const toHash: number[] = [];
    // A first add has no state to ask; asking would still make V8 keep a second, internalized
    // copy of every path it looked up.
    const known = hasAnyKey(state.files);
    for (let i = 0; i < n; i++) {
      sizes[i] = files.sizeBytes(i);
      const h = known ? cachedHash(state, files.rels[i]!, files.key(i)) : undefined;
      if (h !== undefined && hasObject(project.cacheDir, h)) hashes.write(h, i * 32, 32, 'hex');
      else toHash.push(i);
    }
    let failed: { k: number; outcome: HashOutcome } | undefined;
    await hashEach(
      {
        length: toHash.length,
        job: (k) => ({ file: path.join(abs, files.rels[toHash[k]!]!), store: true }),
        sizeBytes: (k) => sizes[toHash[k]!]!,
      },
      project.cacheDir,
      tmpDir,
      { pack: true, ...(report ? { onProgress: report } : {}) },
      (k, outcome) => {
        // The first failure in the files' order is the one reported, once all are done.
        if ('error' in outcome) {
          if (failed === undefined || k < failed.k) failed = { k, outcome };
          return;
        }
        const i = toHash[k]!;
        hashes.write(outcome.hash, i * 32, 32, 'hex');
        readStatKey(outcome.key, stateStats, i * KEY_FIELDS);
      },
    );
    if (failed) unwrap(failed.outcome);
    const hashAt = (i: number): string => hashes.toString('hex', i * 32, i * 32 + 32);
    let sizeBytes = 0;
    for (let i = 0; i < n; i++) sizeBytes += sizes[i]!;
    const { emptyDirs } = scan;
    // The manifest's entries are made one at a time as it is written out.
    const hash = storeManifestFrom(project.cacheDir, tmpDir, {
      length: n + emptyDirs.length,
      path: (i) => (i < n ? files.rels[i]! : emptyDirs[i - n]!),
      entry: (i): ManifestEntry => {
        if (i >= n) return { path: emptyDirs[i - n]!, dir: true };
        const entry = { path: files.rels[i]!, hash: hashAt(i), size: sizes[i]! };
        return files.isExecutable(i) ? { ...entry, exec: true } : entry;
      },
    });
    hashedFiles = toHash.length;
    saveNewState = () =>
      saveStateColumns(
        project.stateDir,
        rel,
        { version: hash, rels: files.rels, stats: stateStats, hashes, dirs: scan.dirs },
        tmpDir,
      );
    pointer = {
      kind,
      type: 'dir',
      hash,
      sizeBytes,
      fileCount: n,
      ...(options.run !== undefined ? { run: options.run } : {}),
    };
  } else {
    throw new CairnError(
      'bad-path',
      `${rel} is neither a file nor a directory; Cairn tracks files and directories`,
      rel,
    );
  }

  const changed =
    previous === undefined || previous.hash !== pointer.hash || previous.kind !== pointer.kind;
  // Keep the producing run of an unchanged version when re-adding by hand.
  if (!changed && options.run === undefined && previous?.run !== undefined)
    pointer = { ...pointer, run: previous.run };
  if (
    changed ||
    previous === undefined ||
    previous.run !== pointer.run ||
    previous.executable !== pointer.executable
  ) {
    writePointer(pointerFile, pointer, tmpDir);
  }
  saveNewState();
  ensureGitignored(project, rel);
  return { path: rel, pointerFile, pointer, changed, hashedFiles };
}

function hasAnyKey(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

function tryReadPointer(file: string): Pointer | undefined {
  try {
    return readPointer(file);
  } catch {
    return undefined; // a broken pointer is replaced by the new version
  }
}

/** Bytes in one file name on Linux, macOS and Windows file systems alike. */
const NAME_MAX_BYTES = 255;

/** A name the pointer file and the .gitignore line can hold, or a clear refusal. */
function assertTrackableName(rel: string): void {
  const name = path.basename(rel);
  // A .gitignore line cannot hold a line break (Git has no escape for it): the entry would split
  // in two and leave the data visible to Git.
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')) {
    throw new CairnError(
      'bad-path',
      `${JSON.stringify(rel)} has a line break or another control character in its name, which a .gitignore entry cannot hold; rename it and add it again`,
      rel,
    );
  }
  const bytes = Buffer.byteLength(name + POINTER_SUFFIX);
  if (bytes > NAME_MAX_BYTES) {
    throw new CairnError(
      'bad-path',
      `${rel}: its pointer file name would be ${bytes} bytes, more than the ${NAME_MAX_BYTES} a file system allows; rename it to at most ${NAME_MAX_BYTES - POINTER_SUFFIX.length} bytes and add it again`,
      rel,
    );
  }
}

/** An artifact inside another one would be versioned twice; refuse it with the reason. */
function assertNotInsideArtifact(project: Project, rel: string): void {
  const parts = rel.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if (fs.existsSync(path.join(project.root, parent + POINTER_SUFFIX))) {
      throw new CairnError(
        'bad-path',
        `${rel} is inside the tracked artifact ${parent}; run 'cairn add ${parent}' to version it with its parent`,
        rel,
      );
    }
  }
}

/** Adds `/<name>` to the .gitignore beside the artifact, once, so Git keeps only the pointer. */
export function ensureGitignored(project: Project, rel: string): void {
  const abs = path.join(project.root, rel);
  const ignoreFile = path.join(path.dirname(abs), '.gitignore');
  const entry = '/' + gitignoreEscape(path.basename(abs));
  let text = '';
  try {
    text = fs.readFileSync(ignoreFile, 'utf8');
  } catch {
    // none yet
  }
  const lines = text.split(/\r?\n/);
  if (lines.includes(entry) || lines.includes(entry + '/')) return;
  // Appended (O_APPEND, one write) rather than rewritten: adds running at once in one folder
  // each read the file before the others wrote it, and a rewrite would drop their lines.
  const line = (text === '' || text.endsWith('\n') ? '' : '\n') + entry + '\n';
  try {
    fs.appendFileSync(ignoreFile, line);
  } catch (err) {
    throw fromSystemError(err, ignoreFile, 'Could not write');
  }
}

/** Escapes a file name for a .gitignore line (wildcards, a leading # or !, trailing spaces). */
function gitignoreEscape(name: string): string {
  return name
    .replace(/[\\*?[\]]/g, (c) => `\\${c}`)
    .replace(/^([#!])/, '\\$1')
    .replace(/ +$/, (m) => m.replace(/ /g, '\\ '));
}
