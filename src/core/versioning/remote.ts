import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, lstatOrUndefined, tmpSuffix } from '../fsSafe.js';
import { readConfig, type RemoteConfig } from '../project/config.js';
import { isProcessAlive, processTmpDir, type Project } from '../project/project.js';
import {
  describeSource,
  hasObject,
  isMarkedVerified,
  markVerified,
  objectPath,
  objectSource,
  type Hash,
  type ObjectSource,
} from './cache.js';
import { listArtifacts } from './artifacts.js';
import { withCacheWriter } from './cacheLock.js';
import { hashMany, type HashProgress } from './hashPool.js';
import { objectsOf, type VersionRef } from './reachable.js';

export interface TransferProgress {
  readonly doneObjects: number;
  readonly totalObjects: number;
}

export interface TransferResult {
  readonly remote: string;
  /** Objects copied (the others were there already). */
  readonly copiedObjects: number;
  readonly copiedBytes: number;
  readonly upToDateObjects: number;
  /** Run records copied. */
  readonly copiedRuns: number;
  /** Objects the source side lacks (not pushed / not pulled). */
  readonly missing: string[];
}

/** The remote to use: the one named, or the only one configured. */
export function selectRemote(project: Project, name?: string): RemoteConfig {
  const { remotes } = readConfig(project);
  if (name !== undefined) {
    const r = remotes.find((x) => x.name === name);
    if (!r) {
      throw new CairnError(
        'usage',
        `No remote named '${name}' in cairn.yaml${remotes.length ? ` (there are: ${remotes.map((x) => x.name).join(', ')})` : ''}`,
        project.configFile,
      );
    }
    return r;
  }
  if (remotes.length === 1) return remotes[0]!;
  if (remotes.length === 0) {
    throw new CairnError(
      'usage',
      `No remote is configured; add one to cairn.yaml, e.g.\nremotes:\n  shared:\n    url: /mnt/team/cairn`,
      project.configFile,
    );
  }
  throw new CairnError(
    'usage',
    `cairn.yaml has ${remotes.length} remotes (${remotes.map((x) => x.name).join(', ')}); choose one with --remote <name>`,
    project.configFile,
  );
}

function remoteCache(remote: RemoteConfig): string {
  return path.join(remote.url, 'cache');
}

async function workspaceVersions(project: Project): Promise<VersionRef[]> {
  return (await listArtifacts(project)).map((a) => ({
    type: a.pointer.type,
    hash: a.pointer.hash,
    source: a.pointerFile,
  }));
}

/**
 * Copies to the remote every object the work tree's versions need that it lacks, and finished
 * runs. Each object is hashed as it is sent, so a corrupt or linked cache object never arrives
 * under the name of good content; a remote object not yet verified is re-hashed, and replaced
 * when its bytes do not match its name.
 */
export async function push(
  project: Project,
  options: { remote?: string; onProgress?: (p: TransferProgress) => void } = {},
): Promise<TransferResult> {
  const remote = selectRemote(project, options.remote);
  const dest = remoteCache(remote);
  const remoteTmp = path.join(remote.url, 'tmp');
  let tmpDir: string;
  try {
    fs.mkdirSync(dest, { recursive: true });
    fs.mkdirSync(remoteTmp, { recursive: true });
    removeStaleTemps(remoteTmp);
    tmpDir = path.join(remoteTmp, `${os.hostname()}@${tmpSuffix()}`);
    fs.mkdirSync(tmpDir);
  } catch (err) {
    throw new CairnError(
      'remote',
      `Cannot use remote '${remote.name}' at ${remote.url}: ${fromSystemError(err, remote.url, 'creating').message}`,
    );
  }
  try {
    const { objects, missingManifests } = objectsOf(
      project.cacheDir,
      await workspaceVersions(project),
    );
    const missing = missingManifests.map((v) => v.source);
    const todo: Hash[] = [];
    const unverified: Hash[] = [];
    let upToDate = 0;
    for (const h of objects) {
      const st = lstatOrUndefined(objectPath(dest, h));
      if (st?.isFile() && isMarkedVerified(st)) upToDate++;
      else if (st) unverified.push(h);
      else if (hasObject(project.cacheDir, h)) todo.push(h);
      else missing.push(h);
    }
    // Remote objects written by older versions (or since changed) are checked once.
    const checks = await hashMany(
      unverified.map((h) => ({ file: objectPath(dest, h), store: false, noFollow: true })),
      dest,
      tmpDir,
    );
    checks.forEach((o, i) => {
      const h = unverified[i]!;
      if (!('error' in o) && o.hash === h) {
        markVerifiedIfOwned(objectPath(dest, h));
        upToDate++;
      } else if (hasObject(project.cacheDir, h)) todo.push(h);
      else missing.push(h);
    });
    const copiedBytes = await sendVerified(project, todo, dest, tmpDir, options.onProgress);
    const copiedRuns = copyRuns(project.runsDir, path.join(remote.url, 'runs'), tmpDir);
    return {
      remote: remote.name,
      copiedObjects: todo.length,
      copiedBytes,
      upToDateObjects: upToDate,
      copiedRuns,
      missing,
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Marks a good remote object; one that another user stored is checked again next time. */
function markVerifiedIfOwned(file: string): void {
  try {
    markVerified(file);
  } catch {
    // not ours to touch (EPERM on a shared remote): only a cost, never a risk
  }
}

/**
 * Uploads cache objects through the hash: each is hashed as it is copied and stored under the
 * hash of what was read, so a corrupt or linked local object is refused and never stored under
 * its name. Returns the bytes sent.
 */
async function sendVerified(
  project: Project,
  hashes: readonly Hash[],
  dest: string,
  tmpDir: string,
  onProgress?: (p: TransferProgress) => void,
): Promise<number> {
  const sources = hashes.map(
    (h) => objectSource(project.cacheDir, h) ?? { file: objectPath(project.cacheDir, h) },
  );
  const sent = await hashMany(
    sources.map((at) => ({ ...at, store: true, noFollow: true })),
    dest,
    tmpDir,
    onProgress
      ? { onProgress: (p) => onProgress({ doneObjects: p.doneFiles, totalObjects: p.totalFiles }) }
      : {},
  );
  let bytes = 0;
  const corrupt: CairnError[] = [];
  sent.forEach((o, i) => {
    const file = describeSource(sources[i]!);
    if (!('error' in o) && o.hash === hashes[i]) bytes += o.sizeBytes;
    else if ('error' in o && o.error.code !== 'corrupt-object')
      throw new CairnError('remote', o.error.message, o.error.file);
    else
      corrupt.push(
        'error' in o
          ? new CairnError('corrupt-object', o.error.message, file)
          : new CairnError(
              'corrupt-object',
              `Cache object ${file} is corrupt (its content does not match its name), so it was not pushed; run 'cairn fsck', then re-add the artifact from a good copy or pull it`,
              file,
            ),
      );
  });
  const [first] = corrupt;
  if (first) {
    throw new CairnError(
      'corrupt-object',
      first.message + (corrupt.length > 1 ? ` (and ${corrupt.length - 1} more objects)` : ''),
      first.file,
    );
  }
  return bytes;
}

/** A push's temp folder on the remote untouched this long belongs to no live push. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Removes what killed pushes left in the remote's tmp/: the folders of pushes from this machine
 * whose process is gone, and anything no push has written to for an hour (a live push on another
 * machine keeps writing its temp files, so their mtime stays recent).
 */
function removeStaleTemps(remoteTmp: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(remoteTmp)) {
    const abs = path.join(remoteTmp, name);
    const owner = /^(.+)@(\d+)\.[0-9a-f]+$/.exec(name);
    const dead = owner?.[1] === os.hostname() && !isProcessAlive(Number(owner[2]));
    if (dead || now - newestMtimeMs(abs) > STALE_TEMP_MS)
      fs.rmSync(abs, { recursive: true, force: true });
  }
}

function newestMtimeMs(abs: string): number {
  const st = lstatOrUndefined(abs);
  if (!st) return Date.now(); // removed meanwhile by another push
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(abs);
    } catch (err) {
      if (!isEnoent(err)) throw err; // its push finished meanwhile
    }
    for (const name of names) newest = Math.max(newest, newestMtimeMs(path.join(abs, name)));
  }
  return newest;
}

/**
 * Fetches from the remote every object the work tree's versions need that the cache lacks,
 * verifying each by its hash, and the run records the remote has. Checkout is the caller's.
 */
export async function pull(
  project: Project,
  options: { remote?: string; onProgress?: (p: TransferProgress) => void } = {},
): Promise<TransferResult> {
  const remote = selectRemote(project, options.remote);
  if (!fs.existsSync(remote.url)) {
    throw new CairnError(
      'remote',
      `Remote '${remote.name}' at ${remote.url} does not exist or is not mounted`,
    );
  }
  return withCacheWriter(project, () => pullWith(project, remote, options.onProgress));
}

async function pullWith(
  project: Project,
  remote: RemoteConfig,
  onProgress?: (p: TransferProgress) => void,
): Promise<TransferResult> {
  const src = remoteCache(remote);
  const tmpDir = processTmpDir(project);
  try {
    const versions = await workspaceVersions(project);
    // Manifests first: they say which file objects a directory version needs.
    const manifests = [
      ...new Set(
        versions
          .filter((v) => v.type === 'dir' && !hasObject(project.cacheDir, v.hash))
          .map((v) => v.hash),
      ),
    ];
    const first = await fetchVerified(src, manifests, project.cacheDir, tmpDir);
    const { objects, missingManifests } = objectsOf(project.cacheDir, versions);
    const todo = [...objects].filter((h) => !hasObject(project.cacheDir, h));
    const second = await fetchVerified(src, todo, project.cacheDir, tmpDir, onProgress);
    const copiedRuns = copyRuns(path.join(remote.url, 'runs'), project.runsDir, tmpDir);
    return {
      remote: remote.name,
      copiedObjects: first.copied + second.copied,
      copiedBytes: first.bytes + second.bytes,
      upToDateObjects: objects.size - todo.length - first.copied,
      copiedRuns,
      missing: [
        ...new Set([...first.missing, ...second.missing, ...missingManifests.map((m) => m.source)]),
      ],
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

async function fetchVerified(
  src: string,
  hashes: readonly Hash[],
  cacheDir: string,
  tmpDir: string,
  onProgress?: (p: TransferProgress) => void,
): Promise<{ copied: number; bytes: number; missing: Hash[] }> {
  const present: Hash[] = [];
  const sources: ObjectSource[] = [];
  const missing: Hash[] = [];
  for (const h of hashes) {
    const at = objectSource(src, h);
    if (at) {
      present.push(h);
      sources.push(at);
    } else missing.push(h);
  }
  const outcomes = await hashMany(
    sources.map((at) => ({ ...at, store: true, noFollow: true })),
    cacheDir,
    tmpDir,
    {
      pack: true,
      ...(onProgress
        ? {
            onProgress: (p: HashProgress) =>
              onProgress({ doneObjects: p.doneFiles, totalObjects: p.totalFiles }),
          }
        : {}),
    },
  );
  let bytes = 0;
  outcomes.forEach((o, i) => {
    const expected = present[i]!;
    if ('error' in o && o.error.code !== 'corrupt-object')
      throw new CairnError('remote', o.error.message, o.error.file);
    if ('error' in o || o.hash !== expected) {
      // The content went into the cache under its real name; the expected object is still absent.
      throw new CairnError(
        'corrupt-object',
        `Remote object ${describeSource(sources[i]!)} is corrupt (its content does not match its hash); re-push it from a machine that has it`,
        sources[i]!.file,
      );
    }
    bytes += o.sizeBytes;
  });
  return { copied: present.length, bytes, missing };
}

/**
 * Copies finished run records (directories with a run.json whose status is not running) that the
 * destination lacks; each arrives whole (copied to a temp name, then renamed).
 */
function copyRuns(srcRuns: string, destRuns: string, tmpDir: string): number {
  let ids: string[];
  try {
    ids = fs.readdirSync(srcRuns);
  } catch (err) {
    if (isEnoent(err)) return 0;
    throw err;
  }
  let copied = 0;
  for (const id of ids) {
    if (!/^[A-Za-z0-9._-]+$/.test(id) || id.startsWith('.')) continue;
    const src = path.join(srcRuns, id);
    const dest = path.join(destRuns, id);
    if (fs.existsSync(dest)) continue;
    let status: unknown;
    try {
      status = (
        JSON.parse(fs.readFileSync(path.join(src, 'run.json'), 'utf8')) as { status?: unknown }
      ).status;
    } catch {
      continue; // not a finished run record
    }
    if (status === 'running') continue;
    const tmp = path.join(tmpDir, `run.${tmpSuffix()}`);
    try {
      fs.mkdirSync(destRuns, { recursive: true });
      fs.cpSync(src, tmp, { recursive: true });
      fs.renameSync(tmp, dest);
      copied++;
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      // Another push or pull brought the same finished record first: it is there, whole.
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(dest)) continue;
      throw fromSystemError(err, dest, 'Could not copy run record to');
    }
  }
  return copied;
}
