import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { tmpPathFor } from '../fsSafe.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { listArtifacts } from './artifacts.js';
import { containingArtifact } from './containingArtifact.js';

/** What `unprotect` did to one work-tree file. */
export interface UnprotectResult {
  /** Project-relative, '/'-separated. */
  readonly path: string;
  /** `copied`: a link to the cache was replaced by a writable copy; `unchanged`: it was a copy. */
  readonly action: 'copied' | 'unchanged';
  /** What the file was before. */
  readonly was: 'hardlink' | 'symlink' | 'copy';
}

/**
 * Replaces every file under the given project paths that checkout linked to the cache (a hard
 * link or a symlink, see cairn.yaml `cache: { type: … }`) with a writable copy of the same
 * content, so it can be edited without touching the cache. A copy (or a reflink, which is its
 * own file) is left as it is. Each path is a tracked artifact, a path inside one, or a directory
 * that holds artifacts.
 */
export async function unprotect(
  project: Project,
  rels: readonly string[],
): Promise<UnprotectResult[]> {
  const files: string[] = [];
  const all = await listArtifacts(project);
  for (const rel of rels) {
    const abs = rel === '' ? project.root : path.join(project.root, rel);
    const owner = rel === '' ? undefined : containingArtifact(project, rel);
    const roots = owner
      ? [rel]
      : all.filter((a) => rel === '' || a.path.startsWith(rel + '/')).map((a) => a.path);
    if (roots.length === 0) {
      throw new CairnError(
        'not-found',
        `${rel || '.'} is not a tracked artifact and holds none; name a dataset or model Cairn tracks (see 'cairn status')`,
        rel,
      );
    }
    if (owner && fs.lstatSync(abs, { throwIfNoEntry: false }) === undefined) {
      throw new CairnError(
        'not-found',
        `${rel} is not in the work tree; run 'cairn checkout ${owner}' to restore it`,
        rel,
      );
    }
    for (const r of roots) files.push(...filesUnder(project, r));
  }
  const results: UnprotectResult[] = [];
  for (const rel of [...new Set(files)].sort()) results.push(await unprotectFile(project, rel));
  return results;
}

/** Work-tree files at or under a project path (pointer files excepted). */
function filesUnder(project: Project, rel: string): string[] {
  const abs = path.join(project.root, rel);
  const st = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) return [rel];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory() && !d.name.endsWith(POINTER_SUFFIX))
    .map((d) =>
      path.relative(project.root, path.join(d.parentPath, d.name)).split(path.sep).join('/'),
    );
}

async function unprotectFile(project: Project, rel: string): Promise<UnprotectResult> {
  const abs = path.join(project.root, rel);
  const st = fs.lstatSync(abs);
  let was: UnprotectResult['was'] = 'copy';
  if (st.isSymbolicLink()) {
    const target = path.resolve(path.dirname(abs), fs.readlinkSync(abs));
    if (!target.startsWith(project.cacheDir + path.sep))
      return { path: rel, action: 'unchanged', was: 'copy' };
    if (!fs.existsSync(target)) {
      throw new CairnError(
        'not-in-cache',
        `${rel} is a symlink to cache object ${path.relative(project.root, target)}, which is gone; run 'cairn pull' to fetch it, then 'cairn checkout' and make it editable again`,
        rel,
      );
    }
    was = 'symlink';
  } else if (st.isFile() && st.nlink > 1 && (st.mode & 0o222) === 0) {
    // A read-only file with other names: a hard link to the cache object (which is read-only).
    was = 'hardlink';
  }
  if (was === 'copy') return { path: rel, action: 'unchanged', was };
  const tmp = tmpPathFor(abs);
  try {
    // Through a symlink, copyFile reads the cache object; a hard link is the object itself.
    // EXCL: the temp file is new, and a truncate of it would make ext4 flush it on close.
    await fs.promises.copyFile(abs, tmp, fs.constants.COPYFILE_EXCL);
    await fs.promises.chmod(tmp, 0o644);
    await fs.promises.rename(tmp, abs);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw fromSystemError(err, rel, 'Could not make an editable copy of');
  }
  return { path: rel, action: 'copied', was };
}
