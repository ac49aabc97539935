import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { resolveRev } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { hasObject, objectFile, unpackedDir } from '../versioning/cache.js';
import { pointerAt } from '../versioning/history.js';
import { isFileEntry, loadManifest } from '../versioning/manifest.js';
import type { Pointer } from '../versioning/pointerFile.js';
import { filesUnder, type DataFile } from './profile.js';

/** Where the bytes of one version of a dataset (a tracked file, or a path inside a tracked directory) are. */
export interface DatasetVersion {
  /** 'workspace' or the revision as given. */
  readonly rev: string;
  readonly commit?: string;
  /** The artifact version hash the data came from. */
  readonly artifactHash?: string;
  /** One file (a table) or many (a folder of images), each readable at `abs`. */
  readonly files: DataFile[];
  readonly isDirectory: boolean;
}

/**
 * Finds a dataset path as it was at a revision, reading it from the cache: the tracked artifact is
 * the path itself or a directory above it; its pointer at that commit names the version.
 */
export async function datasetAt(
  project: Project,
  rel: string,
  rev: string | undefined,
): Promise<DatasetVersion> {
  if (rev === undefined || rev === 'workspace') {
    const abs = path.join(project.root, rel);
    if (!fs.existsSync(abs)) {
      throw new CairnError(
        'not-found',
        `${rel} is not in the work tree; run 'cairn checkout' or give --to <rev>`,
        rel,
      );
    }
    if (fs.statSync(abs).isFile())
      return { rev: 'workspace', files: [{ rel, abs }], isDirectory: false };
    return { rev: 'workspace', files: filesUnder(abs), isDirectory: true };
  }
  const commit = await resolveRev(project.root, rev);
  const parts = rel.split('/');
  for (let i = parts.length; i >= 1; i--) {
    const artifact = parts.slice(0, i).join('/');
    const pointer = await pointerAt(project, commit, artifact + POINTER_SUFFIX);
    if (!pointer) continue;
    const found = filesOfVersion(project, artifact, pointer, parts.slice(i).join('/'), rev);
    if (found) return { rev, commit, artifactHash: pointer.hash, ...found };
    break;
  }
  throw new CairnError(
    'not-found',
    `${rel} is not part of a tracked artifact at ${rev}; track it with 'cairn add' and commit the pointer file`,
    rel,
  );
}

/**
 * The files of one artifact version (a file object, or a directory manifest's entries) under
 * `inner` ('' for all), read from the cache; undefined when the version has no such path.
 */
export function filesOfVersion(
  project: Project,
  artifact: string,
  pointer: Pick<Pointer, 'type' | 'hash'>,
  inner: string,
  shownRev: string,
): Pick<DatasetVersion, 'files' | 'isDirectory'> | undefined {
  const rel = inner === '' ? artifact : `${artifact}/${inner}`;
  const need = (hash: string, what: string): void => {
    if (!hasObject(project.cacheDir, hash)) {
      throw new CairnError(
        'not-in-cache',
        `${what} at ${shownRev} is not in the cache; run 'cairn pull' (or check out ${shownRev} and 'cairn checkout' on a machine that has it)`,
        rel,
      );
    }
  };
  need(pointer.hash, artifact);
  if (pointer.type === 'file') {
    return inner === ''
      ? {
          files: [{ rel, abs: objectFile(project.cacheDir, pointer.hash, unpackedDir(project)) }],
          isDirectory: false,
        }
      : undefined;
  }
  const entries = loadManifest(
    project.cacheDir,
    pointer.hash,
    `${artifact}${POINTER_SUFFIX} at ${shownRev}`,
  ).entries.filter(isFileEntry);
  const exact = entries.find((e) => e.path === inner);
  if (exact) {
    need(exact.hash, rel);
    return {
      files: [{ rel, abs: objectFile(project.cacheDir, exact.hash, unpackedDir(project)) }],
      isDirectory: false,
    };
  }
  const prefix = inner === '' ? '' : inner + '/';
  const under = entries.filter((e) => e.path.startsWith(prefix));
  if (under.length === 0) return undefined;
  for (const e of under) need(e.hash, `${artifact}/${e.path}`);
  return {
    files: under.map((e) => ({
      rel: e.path.slice(prefix.length),
      abs: objectFile(project.cacheDir, e.hash, unpackedDir(project)),
    })),
    isDirectory: true,
  };
}
