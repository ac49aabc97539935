import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { isEnoent } from '../fsSafe.js';
import { POINTER_SUFFIX } from '../project/project.js';
import { FileTable } from './fileTable.js';
import { KEY_FIELDS, settledBefore, type ArtifactState } from './stateCache.js';
import { STAT_FIELDS, statFiles } from './statFiles.js';

export interface TreeScan {
  /** The regular files (and links to them), pointer files (`*.cairn`) left out. */
  readonly files: FileTable;
  /** Directories with nothing in them (they are part of a version too). */
  readonly emptyDirs: string[];
  /** rel dir → `mtimeMs:ctimeMs`, taken before the directory was read. */
  readonly dirs: Record<string, string>;
}

const join = (a: string, b: string): string => (a === '' ? b : `${a}/${b}`);

/**
 * Lists the files under a directory. With the previous state, a directory whose mtime and ctime
 * have not changed is not read again (its entries are the ones recorded), so an unchanged tree
 * costs one stat per file, spread over both cores.
 */
export async function scanTree(
  absDir: string,
  projectRoot: string,
  source: string,
  state?: ArtifactState,
): Promise<TreeScan> {
  const realRoot = fs.realpathSync(projectRoot);
  const knownFiles = new Map<string, string[]>();
  const knownDirs = new Map<string, string[]>();
  if (state) {
    for (const rel of Object.keys(state.files)) push(knownFiles, parentOf(rel), rel);
    for (const rel of Object.keys(state.dirs)) if (rel !== '') push(knownDirs, parentOf(rel), rel);
  }
  const fileRels: string[] = [];
  const emptyDirs: string[] = [];
  const dirs: Record<string, string> = {};
  const queue: string[] = [''];
  while (queue.length > 0) {
    const d = queue.pop()!;
    const absD = d === '' ? absDir : path.join(absDir, d);
    const st = fs.lstatSync(absD, { throwIfNoEntry: false });
    if (!st || !st.isDirectory()) continue;
    // The ctime too: an entry added with the directory's mtime put back still moves it.
    const mtime = `${st.mtimeMs}:${st.ctimeMs}`;
    dirs[d] = mtime;
    // A directory changed in the very moment it was last read may hide a new entry: read it again.
    if (state && state.dirs[d] === mtime && settledBefore(state, st.ctimeMs)) {
      const files = knownFiles.get(d) ?? [];
      const subdirs = knownDirs.get(d) ?? [];
      fileRels.push(...files);
      queue.push(...subdirs);
      if (files.length === 0 && subdirs.length === 0 && d !== '') emptyDirs.push(d);
      continue;
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absD, { withFileTypes: true });
    } catch (err) {
      if (isEnoent(err)) continue;
      throw err;
    }
    if (entries.length === 0 && d !== '') emptyDirs.push(d);
    for (const e of entries) {
      const rel = join(d, e.name);
      if (e.isDirectory()) queue.push(rel);
      else if (e.isFile()) fileRels.push(rel);
      else if (e.isSymbolicLink()) {
        const target = resolveLink(
          path.join(absD, e.name),
          projectRoot,
          realRoot,
          `${source}/${rel}`,
        );
        if (target === 'dir') {
          throw new CairnError(
            'bad-path',
            `${source}/${rel} is a symlink to a directory; Cairn tracks files and real directories, so replace the link with the directory or track its target`,
            `${source}/${rel}`,
          );
        }
        fileRels.push(rel);
      }
      // sockets, FIFOs and devices are not data: skipped
    }
  }
  const stats = await statFiles(absDir, fileRels);
  // Moved down in place: what was statted, without the files that vanished and the pointer files.
  const rels: string[] = [];
  const executable = new Uint8Array(fileRels.length);
  for (let i = 0; i < fileRels.length; i++) {
    const mode = stats[i * STAT_FIELDS + 5]!;
    const rel = fileRels[i]!;
    if (mode < 0 || rel.endsWith(POINTER_SUFFIX)) continue;
    const n = rels.length;
    stats.copyWithin(n * KEY_FIELDS, i * STAT_FIELDS, i * STAT_FIELDS + KEY_FIELDS);
    executable[n] = (mode & 0o100) !== 0 ? 1 : 0;
    rels.push(rel);
  }
  const files = new FileTable(
    rels,
    stats.subarray(0, rels.length * KEY_FIELDS),
    executable.subarray(0, rels.length),
  );
  return { files, emptyDirs, dirs };
}

/**
 * What a symlink under an artifact leads to. A link into the project's cache is a symlink
 * checkout's (cairn.yaml `cache: { type: symlink }`): followed like any link inside the project,
 * and when its object is gone the file counts as missing (checkout then says the cache lacks it).
 */
function resolveLink(
  abs: string,
  projectRoot: string,
  realRoot: string,
  shown: string,
): 'file' | 'dir' | 'missing' {
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    const to = path.resolve(path.dirname(abs), fs.readlinkSync(abs));
    const intoCache = [projectRoot, realRoot].some((root) =>
      to.startsWith(path.join(root, '.cairn', 'cache') + path.sep),
    );
    if (intoCache) return 'missing';
    throw new CairnError(
      'bad-path',
      `${shown} is a broken symlink; remove it or fix its target`,
      shown,
    );
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new CairnError(
      'bad-path',
      `${shown} is a symlink that points outside the project (${real}); copy the data into the project or track it where it is`,
      shown,
    );
  }
  return fs.statSync(real).isDirectory() ? 'dir' : 'file';
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
