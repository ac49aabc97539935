import { shortHash } from '../format.js';
import * as path from 'node:path';
import { git, gitMaybe, listPointerFiles, resolveRev } from '../git/git.js';
import { artifactOfPointerPath, POINTER_SUFFIX, type Project } from '../project/project.js';
import { hasObject } from './cache.js';
import { readArtifact } from './artifacts.js';
import { isFileEntry, loadManifest } from './manifest.js';
import { parsePointer, type Pointer } from './pointerFile.js';
import { artifactStatus } from './status.js';

/** One commit that changed an artifact's pointer file. */
export interface LogEntry {
  readonly commit: string;
  readonly author: string;
  readonly dateMs: number;
  readonly subject: string;
  /** The version at this commit; undefined where the commit removed the pointer file. */
  readonly pointer?: Pointer;
  readonly sizeDeltaBytes: number;
  readonly fileCountDelta: number;
}

const SEP = '\x1f';

/** Versions of an artifact across Git history, newest first. */
export async function artifactLog(project: Project, rel: string): Promise<LogEntry[]> {
  const pointerRel = rel + POINTER_SUFFIX;
  const out = await git(
    project.root,
    ['log', `--format=%H${SEP}%an${SEP}%at${SEP}%s`, '--', pointerRel],
    `reading the history of ${pointerRel}`,
  );
  const commits = out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [commit = '', author = '', at = '0', subject = ''] = l.split(SEP);
      return { commit, author, dateMs: Number(at) * 1000, subject };
    });
  const pointers = await Promise.all(commits.map((c) => pointerAt(project, c.commit, pointerRel)));
  return commits.map((c, i) => {
    const p = pointers[i];
    const older = pointers[i + 1];
    return {
      ...c,
      ...(p ? { pointer: p } : {}),
      sizeDeltaBytes: (p?.sizeBytes ?? 0) - (older?.sizeBytes ?? 0),
      fileCountDelta: (p?.fileCount ?? 0) - (older?.fileCount ?? 0),
    };
  });
}

/** The pointer file as it is at a commit, or undefined if the commit does not have it. */
export async function pointerAt(
  project: Project,
  commit: string,
  pointerRel: string,
): Promise<Pointer | undefined> {
  const text = await gitMaybe(project.root, ['show', `${commit}:./${pointerRel}`]);
  if (text === undefined) return undefined;
  return parsePointer(text, `${pointerRel} at ${shortHash(commit)}`);
}

/** One artifact that differs between two revisions. */
export interface DiffEntry {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'modified';
  readonly a?: Pointer;
  readonly b?: Pointer;
  readonly sizeDeltaBytes: number;
  readonly fileCountDelta: number;
  /** For directories whose both versions are in the cache: which files differ. */
  readonly files?: {
    readonly added: string[];
    readonly removed: string[];
    readonly modified: string[];
  };
  /**
   * Against the work tree only: edits not yet versioned with `cairn add` (the work tree differs
   * from the version its pointer file names), or the artifact missing from the work tree.
   */
  readonly workTree?: {
    readonly status: 'modified' | 'missing';
    readonly added: string[];
    readonly removed: string[];
    readonly modified: string[];
  };
}

/** A revision, or the work tree when undefined. */
async function pointersOf(
  project: Project,
  rev: string | undefined,
): Promise<Map<string, Pointer>> {
  const map = new Map<string, Pointer>();
  if (rev === undefined) {
    for (const p of await listPointerFiles(project.root)) {
      const rel = artifactOfPointerPath(p)!;
      try {
        map.set(rel, readArtifact(project, rel).pointer);
      } catch (err) {
        if ((err as { code?: string }).code !== 'not-found') throw err;
      }
    }
    return map;
  }
  const commit = await resolveRev(project.root, rev);
  const listing = await git(
    project.root,
    ['ls-tree', '-r', '-z', '--name-only', commit, '--', '.'],
    `listing ${rev}`,
  );
  const files = listing.split('\0').filter((p) => artifactOfPointerPath(p) !== undefined);
  const pointers = await Promise.all(files.map((f) => pointerAt(project, commit, f)));
  files.forEach((f, i) => {
    const p = pointers[i];
    if (p) map.set(artifactOfPointerPath(f)!, p);
  });
  return map;
}

/**
 * Artifact versions that differ between two revisions (`undefined` = the work tree's pointer
 * files). With no revisions: HEAD against the work tree.
 */
export async function artifactDiff(
  project: Project,
  revA = 'HEAD',
  revB?: string,
): Promise<DiffEntry[]> {
  const [a, b] = await Promise.all([pointersOf(project, revA), pointersOf(project, revB)]);
  const edits =
    revB === undefined
      ? await workTreeEdits(project, [...b.keys()])
      : new Map<string, NonNullable<DiffEntry['workTree']>>();
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: DiffEntry[] = [];
  for (const p of paths) {
    const pa = a.get(p);
    const pb = b.get(p);
    const workTree = edits.get(p);
    if (pa && pb && pa.hash === pb.hash && !workTree) continue;
    const change = !pa ? 'added' : !pb ? 'removed' : 'modified';
    const files =
      pa && pb && pa.type === 'dir' && pb.type === 'dir'
        ? fileChanges(project, p, pa, pb)
        : undefined;
    out.push({
      path: p,
      change,
      ...(pa ? { a: pa } : {}),
      ...(pb ? { b: pb } : {}),
      sizeDeltaBytes: (pb?.sizeBytes ?? 0) - (pa?.sizeBytes ?? 0),
      fileCountDelta: (pb?.fileCount ?? 0) - (pa?.fileCount ?? 0),
      ...(files ? { files } : {}),
      ...(workTree ? { workTree } : {}),
    });
  }
  return out;
}

/** Artifacts whose work tree differs from the version their pointer file names. */
async function workTreeEdits(
  project: Project,
  rels: readonly string[],
): Promise<Map<string, NonNullable<DiffEntry['workTree']>>> {
  const out = new Map<string, NonNullable<DiffEntry['workTree']>>();
  if (rels.length === 0) return out;
  for (const e of await artifactStatus(project, rels)) {
    if (e.status === 'modified') out.set(e.path, { status: 'modified', ...e.changes! });
    else if (e.status === 'missing')
      out.set(e.path, { status: 'missing', added: [], removed: [], modified: [] });
  }
  return out;
}

function fileChanges(project: Project, rel: string, a: Pointer, b: Pointer): DiffEntry['files'] {
  if (!hasObject(project.cacheDir, a.hash) || !hasObject(project.cacheDir, b.hash))
    return undefined;
  const source = path.join(rel + POINTER_SUFFIX);
  const ma = new Map(
    loadManifest(project.cacheDir, a.hash, source)
      .entries.filter(isFileEntry)
      .map((e) => [e.path, e.hash]),
  );
  const mb = new Map(
    loadManifest(project.cacheDir, b.hash, source)
      .entries.filter(isFileEntry)
      .map((e) => [e.path, e.hash]),
  );
  const added = [...mb.keys()].filter((k) => !ma.has(k)).sort();
  const removed = [...ma.keys()].filter((k) => !mb.has(k)).sort();
  const modified = [...mb.keys()].filter((k) => ma.has(k) && ma.get(k) !== mb.get(k)).sort();
  return { added, removed, modified };
}
