import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { isEnoent, tmpSuffix } from '../fsSafe.js';
import { readConfig, type RemoteConfig } from '../project/config.js';
import { processTmpDir, type Project } from '../project/project.js';
import { resolveRev } from '../git/git.js';
import { readRegistry } from '../registry/registry.js';
import { listRuns, readRun } from '../runs/runStore.js';
import { listArtifacts } from '../versioning/artifacts.js';
import {
  commitObject,
  describeSource,
  hasObject,
  objectFile,
  objectSource,
  readObjectVerified,
  sourceSize,
  unpackedDir,
  type Hash,
  type ObjectSource,
} from '../versioning/cache.js';
import { withCacheWriter } from '../versioning/cacheLock.js';
import { versionsInHistory } from '../versioning/gc.js';
import { hashMany } from '../versioning/hashPool.js';
import type { HashJob, HashOutcome } from '../versioning/hashFile.js';
import { listPacks, PACK_MAX_OBJECT_BYTES, PackWriter } from '../versioning/pack.js';
import { copySparse, ZeroBlocks } from '../versioning/sparseCopy.js';
import { markGone } from '../versioning/verifiedMark.js';
import { objectsOf, type VersionRef } from '../versioning/reachable.js';
import {
  looseKey,
  packKey,
  readInventory,
  remoteStateDir,
  RUNS_PREFIX,
  type Inventory,
  type RemoteObject,
} from './inventory.js';
import { openStore } from './openStore.js';
import type { RemoteStore } from './store.js';

export interface TransferProgress {
  readonly doneObjects: number;
  readonly totalObjects: number;
  readonly doneBytes: number;
  readonly totalBytes: number;
}

export interface TransferResult {
  readonly remote: string;
  /** Where the remote is, for messages (no credentials). */
  readonly location: string;
  /** Objects copied (the others were there already). */
  readonly copiedObjects: number;
  readonly copiedBytes: number;
  readonly upToDateObjects: number;
  /** Run records copied. */
  readonly copiedRuns: number;
  /** What the source side lacks (not pushed / not pulled): pointer files and object hashes. */
  readonly missing: string[];
}

/**
 * Which versions travel: always those the work tree's pointer files name and those every kept run
 * used or produced; also those of every commit, of the branches' tips, or of given revisions.
 */
export interface TransferScope {
  readonly allCommits?: boolean;
  readonly allBranches?: boolean;
  readonly revs?: readonly string[];
}

export interface TransferOptions extends TransferScope {
  readonly remote?: string;
  readonly onProgress?: (p: TransferProgress) => void;
  readonly signal?: AbortSignal;
}

/** How many uploads or downloads are in flight at once. */
const PARALLEL = 4;
/** Ranges of one pack closer than this are fetched as one read. */
const COALESCE_GAP = 1 << 20;
/** A pull fetches pack ranges in batches of about this many bytes, stored before the next. */
const PULL_BATCH_BYTES = 256 << 20;
/** A pack of the cache this large goes to a remote as it is; smaller ones are joined. */
const PACK_AS_IT_IS_MIN_BYTES = 16 << 20;

/** The remote to use: the one named, the one marked default, or the only one configured. */
export function selectRemote(project: Project, name?: string): RemoteConfig {
  const { remotes } = readConfig(project);
  if (name !== undefined) {
    const r = remotes.find((x) => x.name === name);
    if (!r) {
      throw new CairnError(
        'usage',
        `No remote named '${name}' in cairn.yaml${remotes.length ? ` (there are: ${remotes.map((x) => x.name).join(', ')})` : '; add one with: cairn remote add <name> <url>'}`,
        project.configFile,
      );
    }
    return r;
  }
  const marked = remotes.find((r) => r.isDefault);
  if (marked) return marked;
  if (remotes.length === 1) return remotes[0]!;
  if (remotes.length === 0) {
    throw new CairnError(
      'usage',
      `No remote is configured; add one with 'cairn remote add <name> <url>' (a directory, ssh://host/path or s3://bucket/prefix), or in cairn.yaml:\nremotes:\n  shared:\n    url: /mnt/team/cairn`,
      project.configFile,
    );
  }
  throw new CairnError(
    'usage',
    `cairn.yaml has ${remotes.length} remotes (${remotes.map((x) => x.name).join(', ')}) and none is the default; choose one with --remote <name>, or set one with 'cairn remote default <name>'`,
    project.configFile,
  );
}

/** Opens a remote's store; the caller closes it. */
export function openRemote(project: Project, remote: RemoteConfig): Promise<RemoteStore> {
  return openStore(remote, { stateDir: remoteStateDir(project, remote) });
}

/** Runs `fn` with the remote's store open, closing it afterwards. */
async function withStore<T>(
  project: Project,
  remote: RemoteConfig,
  fn: (store: RemoteStore) => Promise<T>,
): Promise<T> {
  const store = await openRemote(project, remote);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The versions a push or pull moves (see TransferScope). */
export async function versionsToTransfer(
  project: Project,
  scope: TransferScope = {},
): Promise<VersionRef[]> {
  const out: VersionRef[] = (await listArtifacts(project)).map((a) => ({
    type: a.pointer.type,
    hash: a.pointer.hash,
    source: a.pointerFile,
  }));
  for (const r of listRuns(project)) {
    if (r.status === 'running') continue;
    try {
      const rec = readRun(project, r.id);
      for (const a of [...rec.inputs, ...rec.outputs])
        out.push({ type: undefined, hash: a.hash, source: `${a.path} (run ${r.id})` });
    } catch {
      // an unreadable run record references nothing
    }
  }
  // Registered model versions: a teammate who fetches the tags can get them.
  for (const m of await readRegistry(project))
    for (const v of m.versions)
      out.push({ type: v.type, hash: v.hash, source: `${v.name}@${v.version} (${v.path})` });
  if (scope.allCommits) out.push(...(await versionsInHistory(project, ['--all'])));
  else if (scope.allBranches)
    out.push(...(await versionsInHistory(project, ['--no-walk', '--branches'])));
  for (const rev of scope.revs ?? []) {
    const commit = await resolveRev(project.root, rev);
    out.push(...(await versionsInHistory(project, ['--no-walk', commit])));
  }
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CairnError('remote', 'cancelled');
}

/** Runs `fn` over items, `PARALLEL` at a time. */
async function eachParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

class Progress {
  private doneObjects = 0;
  private doneBytes = 0;
  constructor(
    private readonly totalObjects: number,
    private readonly totalBytes: number,
    private readonly report?: (p: TransferProgress) => void,
  ) {
    this.emit();
  }
  bytes(n: number): void {
    this.doneBytes += n;
    this.emit();
  }
  objects(n: number): void {
    this.doneObjects += n;
    this.emit();
  }
  private emit(): void {
    this.report?.({
      doneObjects: this.doneObjects,
      totalObjects: this.totalObjects,
      doneBytes: Math.min(this.doneBytes, this.totalBytes),
      totalBytes: this.totalBytes,
    });
  }
}

/**
 * Sends to the remote every object the chosen versions need that it lacks, and the finished run
 * records it lacks. Small objects go as packs (a few requests for thousands of files), each object
 * read back from the cache and checked against its hash as the pack is written; large ones go
 * alone, hashed before they are sent, so a corrupt or linked cache object never arrives under the
 * name of good content. Run records go last: a teammate who sees a run can fetch its data.
 */
export async function push(
  project: Project,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const remote = selectRemote(project, options.remote);
  return withStore(project, remote, async (store) => {
    const versions = await versionsToTransfer(project, options);
    const inventory = await readInventory(project, remote, store);
    const sent = await sendObjects(project, store, inventory, versions, options);
    const copiedRuns = await pushRuns(project, store, inventory, options.signal);
    return { remote: remote.name, location: store.location, copiedRuns, ...sent };
  });
}

/**
 * Sends what the given versions need to a store that is not one of cairn.yaml's remotes (the
 * cache of an SSH executor's host); no run records. Returns what the cache lacked.
 */
export async function pushVersionsTo(
  project: Project,
  remote: RemoteConfig,
  store: RemoteStore,
  versions: readonly VersionRef[],
  options: Pick<TransferOptions, 'signal' | 'onProgress'> = {},
): Promise<string[]> {
  const inventory = await readInventory(project, remote, store);
  return (await sendObjects(project, store, inventory, versions, options)).missing;
}

async function sendObjects(
  project: Project,
  store: RemoteStore,
  inventory: Inventory,
  versions: readonly VersionRef[],
  options: Pick<TransferOptions, 'signal' | 'onProgress'>,
): Promise<Omit<TransferResult, 'remote' | 'location' | 'copiedRuns'>> {
  const { objects, missingManifests } = objectsOf(project.cacheDir, versions);
  const missing = missingManifests.map((v) => v.source);
  const small: Hash[] = [];
  const large: { hash: Hash; file: string; size: number }[] = [];
  let upToDate = 0;
  let totalBytes = 0;
  for (const h of objects) {
    if (inventory.objects.has(h)) {
      upToDate++;
      continue;
    }
    const at = objectSource(project.cacheDir, h);
    if (!at) {
      missing.push(h);
      continue;
    }
    const size = sourceSize(at);
    totalBytes += size;
    if (size <= PACK_MAX_OBJECT_BYTES) small.push(h);
    else large.push({ hash: h, file: objectFile(project.cacheDir, h, unpackedDir(project)), size });
  }
  const progress = new Progress(small.length + large.length, totalBytes, options.onProgress);
  const tmpDir = processTmpDir(project);
  try {
    await sendPacks(project, store, small, tmpDir, progress, options.signal);
    await verifyBeforeSending(
      project,
      large.map((o) => ({ hash: o.hash, source: { file: o.file } })),
      tmpDir,
    );
    await eachParallel(large, async (o) => {
      throwIfAborted(options.signal);
      await store.upload(o.file, looseKey(o.hash), {
        onBytes: (n) => progress.bytes(n),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      progress.objects(1);
    });
    return {
      copiedObjects: small.length + large.length,
      copiedBytes: totalBytes,
      upToDateObjects: upToDate,
      missing,
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Sends the small objects as packs, each pack before its index. A large pack of the cache whose
 * every object is to be sent goes as it is (the remote's format is the cache's); the other
 * objects are read back into new packs in a staging folder, so small packs are joined.
 */
async function sendPacks(
  project: Project,
  store: RemoteStore,
  hashes: readonly Hash[],
  tmpDir: string,
  progress: Progress,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (hashes.length === 0) return;
  const rest = new Set(hashes);
  const asTheyAre = listPacks(project.cacheDir).filter((p) => {
    const whole = p.hashes.length > 0 && p.hashes.every((h) => rest.has(h));
    if (!whole || fs.statSync(p.packFile).size < PACK_AS_IT_IS_MIN_BYTES) return false;
    for (const h of p.hashes) rest.delete(h);
    return true;
  });
  await verifyBeforeSending(
    project,
    asTheyAre.flatMap((p) =>
      p.hashes.map((hash, i) => {
        const { pack, offset, length } = p.objectAt(i);
        return { hash, source: { file: pack, range: { offset, length } } };
      }),
    ),
    tmpDir,
  );
  const uploadPack = async (packFile: string, idxFile: string): Promise<void> => {
    throwIfAborted(signal);
    // The pack first: an index in view always has its whole pack.
    await store.upload(packFile, packKey(path.basename(packFile)), {
      onBytes: (n) => progress.bytes(n),
      ...(signal ? { signal } : {}),
    });
    await store.upload(idxFile, packKey(path.basename(idxFile)), signal ? { signal } : {});
  };
  for (const p of asTheyAre) {
    await uploadPack(p.packFile, p.idxFile);
    progress.objects(p.hashes.length);
  }
  if (rest.size === 0) return;
  const staging = path.join(tmpDir, 'stage');
  const writer = new PackWriter(staging, tmpDir);
  let uploaded = 0;
  const uploadWritten = async (): Promise<void> => {
    for (; uploaded < writer.written.length; uploaded++) {
      const packFile = writer.written[uploaded]!;
      const idxFile = packFile.slice(0, -'.pack'.length) + '.idx';
      await uploadPack(packFile, idxFile);
      fs.rmSync(packFile, { force: true });
      fs.rmSync(idxFile, { force: true });
    }
  };
  try {
    let inPack = 0;
    for (const h of rest) {
      // Read back and checked: a corrupt cache object is refused here, with its name.
      const data = readObjectVerified(project.cacheDir, h);
      writer.add(h, data);
      inPack++;
      if (writer.written.length > uploaded) {
        await uploadWritten();
        progress.objects(inPack - 1);
        inPack = 1;
      }
    }
    writer.finish();
    await uploadWritten();
    progress.objects(inPack);
  } finally {
    writer.abort();
  }
}

/**
 * Hashes, on every core, each object about to be sent whose loose file or pack has lost its
 * verified mark (it was written to since it was stored), as checkout does. A corrupt one stops the
 * push with its name; the puller hashes every object again on arrival.
 */
async function verifyBeforeSending(
  project: Project,
  all: readonly { hash: Hash; source: ObjectSource }[],
  tmpDir: string,
): Promise<void> {
  const seen = new Map<string, boolean>();
  const objects = all.filter(({ source }) => markGone(source.file, seen));
  if (objects.length === 0) return;
  const outcomes = await hashMany(
    objects.map((o) => ({ ...o.source, store: false, noFollow: true })),
    project.cacheDir,
    tmpDir,
    { sizes: objects.map((o) => o.source.range?.length ?? 0) },
  );
  const bad = objects.filter((o, i) => {
    const r = outcomes[i]!;
    return 'error' in r || r.hash !== o.hash;
  });
  const [first] = bad;
  if (first) {
    const where = describeSource(first.source);
    throw new CairnError(
      'corrupt-object',
      `Cache object ${where} is corrupt (its content does not match its name), so it was not pushed${bad.length > 1 ? ` (and ${bad.length - 1} more objects)` : ''}; run 'cairn fsck', then add the artifact again from a good copy or pull it`,
      first.source.file,
    );
  }
}

/** Uploads the finished run records the remote lacks, each file atomically and run.json last. */
async function pushRuns(
  project: Project,
  store: RemoteStore,
  inventory: Inventory,
  signal: AbortSignal | undefined,
): Promise<number> {
  let copied = 0;
  for (const id of finishedRunDirs(project)) {
    if (inventory.runs.has(id)) continue;
    throwIfAborted(signal);
    const dir = path.join(project.runsDir, id);
    const files = filesUnder(dir).filter((f) => !f.startsWith('.'));
    files.sort((a, b) => Number(a === 'run.json') - Number(b === 'run.json'));
    for (const rel of files)
      await store.upload(
        path.join(dir, rel),
        `${RUNS_PREFIX}${id}/${rel}`,
        signal ? { signal } : {},
      );
    copied++;
  }
  return copied;
}

/** Run folders whose run.json says the run is over (records Cairn cannot parse travel too). */
function finishedRunDirs(project: Project): string[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(project.runsDir);
  } catch (err) {
    if (isEnoent(err)) return [];
    throw err;
  }
  return ids.filter((id) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) return false;
    try {
      const rec = JSON.parse(
        fs.readFileSync(path.join(project.runsDir, id, 'run.json'), 'utf8'),
      ) as {
        status?: unknown;
      };
      return rec.status !== 'running';
    } catch {
      return false; // not a run record, or one being written
    }
  });
}

function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/**
 * Fetches the run records the remote has and this clone lacks, then every object the chosen
 * versions (the work tree's, every run's, and those of the scope) need that the cache lacks,
 * each verified by its hash on arrival. Checkout is the caller's.
 */
export async function pull(
  project: Project,
  options: TransferOptions = {},
): Promise<TransferResult> {
  const remote = selectRemote(project, options.remote);
  return withStore(project, remote, (store) =>
    withCacheWriter(project, async () => {
      const inventory = await readInventory(project, remote, store);
      const copiedRuns = await pullRuns(project, store, inventory, options.signal);
      const versions = await versionsToTransfer(project, options);
      const r = await fetchInto(project, store, inventory, versions, options);
      return { remote: remote.name, location: store.location, copiedRuns, ...r };
    }),
  );
}

/**
 * Fetches what the given versions need and the cache lacks from the default remote (for
 * reproduce): quietly nothing when no remote is configured. Returns what is still missing.
 */
export async function fetchVersions(
  project: Project,
  versions: readonly VersionRef[],
  options: { remote?: string; signal?: AbortSignal } = {},
): Promise<string[]> {
  if (readConfig(project).remotes.length === 0) return versions.map((v) => v.source);
  const remote = selectRemote(project, options.remote);
  return withStore(project, remote, (store) =>
    fetchVersionsFrom(project, remote, store, versions, options),
  );
}

/**
 * Fetches from the default remote what the given versions need and the cache lacks, calling
 * `onFetch` first; nothing when the cache has it all. Returns what is still missing.
 */
export async function fetchLacking(
  project: Project,
  versions: readonly VersionRef[],
  onFetch?: () => void,
): Promise<string[]> {
  const { objects, missingManifests } = objectsOf(project.cacheDir, versions);
  if (missingManifests.length === 0 && [...objects].every((h) => hasObject(project.cacheDir, h)))
    return [];
  onFetch?.();
  return fetchVersions(project, versions);
}

/** Fetches what the given versions need from a store that is not one of cairn.yaml's remotes. */
export function fetchVersionsFrom(
  project: Project,
  remote: RemoteConfig,
  store: RemoteStore,
  versions: readonly VersionRef[],
  options: Pick<TransferOptions, 'signal' | 'onProgress'> = {},
): Promise<string[]> {
  return withCacheWriter(project, async () => {
    const inventory = await readInventory(project, remote, store);
    return (await fetchInto(project, store, inventory, versions, options)).missing;
  });
}

async function fetchInto(
  project: Project,
  store: RemoteStore,
  inventory: Inventory,
  versions: readonly VersionRef[],
  options: Pick<TransferOptions, 'signal' | 'onProgress'>,
): Promise<Pick<TransferResult, 'copiedObjects' | 'copiedBytes' | 'upToDateObjects' | 'missing'>> {
  const { onProgress } = options;
  const transfersDir = path.join(
    project.tmpRoot,
    'transfers',
    store.location.replace(/[^\w.-]+/g, '_'),
  );
  const tmpDir = processTmpDir(project);
  try {
    // Manifests first: they say which file objects a directory version needs.
    const manifests = [
      ...new Set(
        versions
          .filter((v) => v.type !== 'file' && !hasObject(project.cacheDir, v.hash))
          .map((v) => v.hash),
      ),
    ];
    const first = await fetchObjects(store, inventory, manifests, project, transfersDir, tmpDir, {
      signal: options.signal,
    });
    const { objects, missingManifests } = objectsOf(project.cacheDir, versions);
    const todo = [...objects].filter((h) => !hasObject(project.cacheDir, h));
    const second = await fetchObjects(store, inventory, todo, project, transfersDir, tmpDir, {
      signal: options.signal,
      onProgress,
    });
    return {
      copiedObjects: first.copied + second.copied,
      copiedBytes: first.bytes + second.bytes,
      upToDateObjects: objects.size - todo.length - first.copied,
      missing: [...new Set([...second.missing, ...missingManifests.map((m) => m.source)])],
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

interface Segment {
  readonly key: string;
  readonly start: number;
  end: number;
  readonly objects: { hash: Hash; offset: number; length: number }[];
}

/**
 * Downloads objects: pack ranges coalesced into few reads, large objects alone. Each download goes
 * to a part file under .cairn/tmp/transfers that a killed pull resumes from; what arrives is
 * stored in the cache through the hash, and refused when it does not match its name.
 */
async function fetchObjects(
  store: RemoteStore,
  inventory: Inventory,
  hashes: readonly Hash[],
  project: Project,
  transfersDir: string,
  tmpDir: string,
  options: {
    signal?: AbortSignal | undefined;
    onProgress?: ((p: TransferProgress) => void) | undefined;
  },
): Promise<{ copied: number; bytes: number; missing: Hash[] }> {
  const missing: Hash[] = [];
  const byPack = new Map<string, { hash: Hash; offset: number; length: number }[]>();
  const loose: { hash: Hash; key: string; size: number }[] = [];
  let totalBytes = 0;
  for (const h of hashes) {
    const at: RemoteObject | undefined = inventory.objects.get(h);
    if (!at) {
      missing.push(h);
      continue;
    }
    totalBytes += at.size;
    if ('offset' in at) {
      const list = byPack.get(at.key) ?? [];
      list.push({ hash: h, offset: at.offset, length: at.size });
      byPack.set(at.key, list);
    } else loose.push({ hash: h, key: at.key, size: at.size });
  }
  const segments: Segment[] = [];
  for (const [key, list] of byPack) {
    list.sort((a, b) => a.offset - b.offset);
    let seg: Segment | undefined;
    for (const o of list) {
      if (!seg || o.offset - seg.end > COALESCE_GAP || seg.end - seg.start > PULL_BATCH_BYTES / 4) {
        seg = { key, start: o.offset, end: o.offset, objects: [] };
        segments.push(seg);
      }
      seg.objects.push(o);
      seg.end = Math.max(seg.end, o.offset + o.length);
    }
  }
  const present = hashes.length - missing.length;
  const progress = new Progress(present, totalBytes, options.onProgress);
  if (present === 0) return { copied: 0, bytes: 0, missing };
  fs.mkdirSync(transfersDir, { recursive: true });
  const signalOpt = options.signal ? { signal: options.signal } : {};
  const download = async (
    key: string,
    part: string,
    range?: { start: number; end: number },
    onData?: (chunk: Buffer) => void,
  ): Promise<void> => {
    throwIfAborted(options.signal);
    const partSize = fs.statSync(part, { throwIfNoEntry: false })?.size;
    const have = partSize ?? 0;
    const want = range ? range.end - range.start : undefined;
    // Fetched whole by a pull that was killed after (a range of only empty objects has no bytes,
    // so its part file must exist to count).
    if (want !== undefined && partSize === want) return;
    if (want !== undefined && have > want) fs.rmSync(part);
    const offset = want !== undefined && have > want ? 0 : have;
    if (onData && offset > 0) readChunks(part, offset, onData);
    progress.bytes(have);
    await store.download(key, part, {
      ...(range ? { range } : {}),
      offset,
      onBytes: (n) => progress.bytes(n),
      ...(onData ? { onData } : {}),
      ...signalOpt,
    });
  };
  /** Stores what arrived; the part files go afterwards, and also when they were corrupt. */
  const store_ = async (
    jobs: HashJob[],
    expected: Hash[],
    names: string[],
    parts: readonly string[],
  ): Promise<number> => {
    try {
      return check(await hashMany(jobs, project.cacheDir, tmpDir, { pack: true }), expected, names);
    } finally {
      for (const p of parts) fs.rmSync(p, { force: true });
    }
  };
  const check = (outcomes: HashOutcome[], expected: Hash[], names: string[]): number => {
    let bytes = 0;
    outcomes.forEach((o, i) => {
      if ('error' in o && o.error.code !== 'corrupt-object')
        throw new CairnError('remote', o.error.message, o.error.file);
      if ('error' in o || o.hash !== expected[i]) throw corruptRemote(names[i]!, expected[i]!);
      bytes += o.sizeBytes;
    });
    progress.objects(outcomes.length);
    return bytes;
  };
  let bytes = 0;
  // Pack ranges, in batches: download a batch, store it, remove its parts.
  for (let i = 0; i < segments.length;) {
    const batch: Segment[] = [];
    let batchBytes = 0;
    while (i < segments.length && (batch.length === 0 || batchBytes < PULL_BATCH_BYTES)) {
      const s = segments[i++]!;
      batch.push(s);
      batchBytes += s.end - s.start;
    }
    const parts = batch.map((s) =>
      path.join(transfersDir, `${path.basename(s.key)}.${s.start}-${s.end}.part`),
    );
    await eachParallel(
      batch.map((s, j) => ({ s, part: parts[j]! })),
      ({ s, part }) => download(s.key, part, { start: s.start, end: s.end }),
    );
    const jobs: HashJob[] = [];
    const expected: Hash[] = [];
    const names: string[] = [];
    batch.forEach((s, j) => {
      for (const o of s.objects) {
        jobs.push({
          file: parts[j]!,
          store: true,
          noFollow: true,
          range: { offset: o.offset - s.start, length: o.length },
        });
        expected.push(o.hash);
        names.push(`${o.hash.slice(0, 12)} in ${store.location}/${s.key}`);
      }
    });
    bytes += await store_(jobs, expected, names, parts);
  }
  // Large objects, a few at a time, hashed as they arrive. The part file is the object: once its
  // hash is checked it is renamed into the cache (it lies under .cairn/tmp, on the cache's file
  // system), not copied; unless it has blocks of zeros, which a copy keeps as holes (a sparse
  // disk image stays sparse in the cache of a clone too).
  await eachParallel(loose, async (o) => {
    const part = path.join(transfersDir, `${o.hash}.part`);
    const hasher = createHash('sha256');
    const zeros = new ZeroBlocks();
    let size = 0;
    await download(o.key, part, undefined, (chunk) => {
      hasher.update(chunk);
      zeros.feed(chunk);
      size += chunk.length;
    });
    try {
      if (hasher.digest('hex') !== o.hash)
        throw corruptRemote(`${store.location}/${o.key}`, o.hash);
      if (zeros.end() > 0) {
        const sparse = path.join(tmpDir, `sparse.${tmpSuffix()}`);
        try {
          await copySparse(part, sparse);
          commitObject(project.cacheDir, sparse, o.hash);
        } finally {
          fs.rmSync(sparse, { force: true });
        }
      } else commitObject(project.cacheDir, part, o.hash);
      progress.objects(1);
      bytes += size;
    } finally {
      fs.rmSync(part, { force: true });
    }
  });
  return { copied: present, bytes, missing };
}

function corruptRemote(name: string, expected: Hash): CairnError {
  return new CairnError(
    'corrupt-object',
    `Remote object ${name} is corrupt (its content does not match its hash ${expected.slice(0, 12)}); remove it from the remote and push again from a clone that has it`,
  );
}

/** Feeds the first `length` bytes of a file to `onData` (the part a killed pull left). */
function readChunks(file: string, length: number, onData: (chunk: Buffer) => void): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(length, 4 << 20));
    for (let pos = 0; pos < length;) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, length - pos), pos);
      if (n === 0) break;
      onData(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Fetches the finished run records this clone lacks; each arrives whole (a temp folder, renamed in). */
async function pullRuns(
  project: Project,
  store: RemoteStore,
  inventory: Inventory,
  signal: AbortSignal | undefined,
): Promise<number> {
  let copied = 0;
  for (const [id, files] of inventory.runs) {
    const dest = path.join(project.runsDir, id);
    if (fs.existsSync(dest)) continue;
    throwIfAborted(signal);
    const tmp = path.join(project.tmpRoot, `run.${tmpSuffix()}`);
    try {
      for (const f of files) {
        const rel = f.key.slice(`${RUNS_PREFIX}${id}/`.length);
        if (rel.split('/').some((p) => p === '..' || p === '' || p.startsWith('.'))) continue;
        const file = path.join(tmp, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        await store.download(f.key, file, signal ? { signal } : {});
      }
      const status = (
        JSON.parse(fs.readFileSync(path.join(tmp, 'run.json'), 'utf8')) as {
          status?: unknown;
        }
      ).status;
      if (status === 'running') continue;
      fs.mkdirSync(project.runsDir, { recursive: true });
      fs.renameSync(tmp, dest);
      copied++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another pull brought the same finished record first: it is there, whole.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && fs.existsSync(dest)) continue;
      if (err instanceof SyntaxError) continue; // not a run record Cairn can read
      if (isEnoent(err) && !fs.existsSync(path.join(tmp, 'run.json'))) continue;
      throw err;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return copied;
}

/** Whether an artifact's version is on a remote: all of its objects, or how many are not. */
export interface RemoteArtifactStatus {
  readonly path: string;
  readonly pointerFile: string;
  readonly hash: Hash;
  readonly onRemote: boolean;
  /** Objects of the version the remote lacks (0 when it is on the remote). */
  readonly missingObjects: number;
}

/** For each tracked artifact (or those named): whether the remote has its version whole. */
export async function remoteStatus(
  project: Project,
  options: { remote?: string; only?: readonly string[] } = {},
): Promise<{ remote: string; location: string; artifacts: RemoteArtifactStatus[] }> {
  const remote = selectRemote(project, options.remote);
  return withStore(project, remote, async (store) => {
    const inventory = await readInventory(project, remote, store);
    const artifacts = (await listArtifacts(project, options.only)).map((a) => {
      const { objects } = objectsOf(project.cacheDir, [
        { type: a.pointer.type, hash: a.pointer.hash, source: a.pointerFile },
      ]);
      // Without the manifest here, only the manifest itself can be looked for.
      const missingObjects = [...objects].filter((h) => !inventory.objects.has(h)).length;
      return {
        path: a.path,
        pointerFile: a.pointerFile,
        hash: a.pointer.hash,
        onRemote: missingObjects === 0,
        missingObjects,
      };
    });
    return { remote: remote.name, location: store.location, artifacts };
  });
}
