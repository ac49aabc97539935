import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError, WouldOverwriteError } from '../errors.js';
import { assertSafeRelativePath, tmpPathFor, tmpSuffix, WriteGuard } from '../fsSafe.js';
import { processTmpDir, type Project } from '../project/project.js';
import { readConfig, type LinkType } from '../project/config.js';
import {
  describeSource,
  hasObject,
  objectPath,
  objectSource,
  type Hash,
  type ObjectSource,
} from './cache.js';
import { readPacked } from './pack.js';
import { markGone, markVerified } from './verifiedMark.js';
import { hashMany } from './hashPool.js';
import { copySparse, isSparse } from './sparseCopy.js';
import { listArtifacts, type TrackedArtifact } from './artifacts.js';
import { isFileEntry, loadManifest } from './manifest.js';
import { saveState, statKey, type ArtifactState } from './stateCache.js';
import { compareWorkspace, isClean } from './workspace.js';

export interface CheckoutOptions {
  /** Overwrite or remove modified files even when their content is not in the cache. */
  readonly force?: boolean;
  readonly onProgress?: (artifact: string, doneFiles: number, totalFiles: number) => void;
  /** How to place files, tried in order; by default cairn.yaml's `cache: { type: … }`. */
  readonly linkTypes?: readonly LinkType[];
}

/** The link types of one checkout, and those found not to work here (tried once each). */
interface LinkContext {
  readonly types: readonly LinkType[];
  readonly failed: Map<LinkType, string>;
  readonly configFile: string;
}

export interface CheckoutResult {
  readonly path: string;
  readonly action: 'unchanged' | 'restored';
  readonly filesWritten: number;
  readonly filesRemoved: number;
}

const COPIES_IN_FLIGHT = 8;

/**
 * Puts the versions the pointer files name back in the work tree, from the cache. Files the
 * version does not have are removed. A modified file whose content is not in the cache is never
 * overwritten or removed without `force`; the error names every such file and nothing changes.
 */
export async function checkoutArtifacts(
  project: Project,
  only?: readonly string[],
  options: CheckoutOptions = {},
): Promise<CheckoutResult[]> {
  const artifacts = await listArtifacts(project, only);
  const tmpDir = processTmpDir(project);
  try {
    // Plan everything first, so that a refusal changes nothing at all.
    const guard = new WriteGuard(project.root);
    const plans: Plan[] = [];
    for (const a of artifacts) plans.push(await plan(project, a, tmpDir, guard));
    const unsafe = plans.flatMap((p) => p.unsafe);
    if (unsafe.length > 0 && !options.force) {
      const shown =
        unsafe.slice(0, 10).join(', ') +
        (unsafe.length > 10 ? ` and ${unsafe.length - 10} more` : '');
      throw new WouldOverwriteError(
        `Checkout would overwrite or remove modified data that is not in the cache: ${shown}. Run 'cairn add' on it to keep it, or 'cairn checkout --force' to discard it`,
        unsafe,
        plans.filter((p) => p.unsafe.length > 0).map((p) => p.artifact.path),
      );
    }
    const missing = plans.flatMap((p) => p.missingObjects);
    if (missing.length > 0) {
      const links = missing.filter((rel) => isLinkIntoCache(project, path.join(project.root, rel)));
      throw new CairnError(
        'not-in-cache',
        `The cache lacks the content of ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; run 'cairn pull' to fetch it from a remote` +
          (links.length > 0
            ? `. ${links.slice(0, 3).join(', ')}${links.length > 3 ? ` and ${links.length - 3} more` : ''} ${links.length === 1 ? 'is a symlink' : 'are symlinks'} to cache objects that are gone (with cache.type symlink the work tree points into the cache, so removing cache files breaks the links); once pulled, checkout puts the links back`
            : ''),
        missing[0],
      );
    }
    for (const p of plans) assertWritesInside(p, guard);
    await verifyObjects(project, plans, tmpDir);
    const links: LinkContext = {
      types: options.linkTypes ?? readConfig(project).linkTypes,
      failed: new Map(),
      configFile: project.configFile,
    };
    const results: CheckoutResult[] = [];
    for (const p of plans) results.push(await apply(project, p, tmpDir, links, options));
    return results;
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Re-hashes every object about to be copied whose verified mark is gone (it was written to since
 * it was stored), so a corrupt object stops the checkout before anything changes.
 */
async function verifyObjects(
  project: Project,
  plans: readonly Plan[],
  tmpDir: string,
): Promise<void> {
  const suspects = new Map<Hash, ObjectSource>();
  const seen = new Map<string, boolean>();
  for (const p of plans) {
    for (const op of p.writes) {
      if (suspects.has(op.hash)) continue;
      const src = objectSource(project.cacheDir, op.hash) ?? {
        file: objectPath(project.cacheDir, op.hash),
      };
      // A loose object, or the pack that holds it, whose mark is gone.
      if (markGone(src.file, seen)) suspects.set(op.hash, src);
    }
  }
  if (suspects.size === 0) return;
  const entries = [...suspects];
  const outcomes = await hashMany(
    entries.map(([, src]) => ({ ...src, store: false, noFollow: true })),
    project.cacheDir,
    tmpDir,
  );
  outcomes.forEach((o, i) => {
    const [hash, src] = entries[i]!;
    if ('error' in o || o.hash !== hash) {
      throw new CairnError(
        'corrupt-object',
        src.range
          ? `Cache object ${shortHash(hash)} in pack ${src.file} is corrupt (its content no longer matches its hash); nothing was checked out. Run 'cairn fsck', then 'cairn gc' and 'cairn pull', or re-add the artifact from a good copy`
          : `Cache object ${src.file} is corrupt (its content no longer matches its hash); nothing was checked out. Delete it and run 'cairn pull', or re-add the artifact from a good copy`,
        src.file,
      );
    }
    if (!src.range) markVerified(src.file);
  });
}

interface WriteOp {
  readonly rel: string;
  readonly hash: Hash;
  readonly sizeBytes: number;
  readonly executable: boolean;
}

interface Plan {
  readonly artifact: TrackedArtifact;
  readonly clean: boolean;
  /** The whole work-tree path must go first (its type changed). */
  readonly replaceRoot: boolean;
  readonly writes: WriteOp[];
  readonly removes: string[];
  readonly emptyDirs: string[];
  readonly unsafe: string[];
  readonly missingObjects: string[];
  readonly keepState: ArtifactState;
}

async function plan(
  project: Project,
  artifact: TrackedArtifact,
  tmpDir: string,
  guard: WriteGuard,
): Promise<Plan> {
  // A directory artifact is written into, so the path itself must not lead out either.
  if (artifact.pointer.type === 'dir') guard.assertDir(artifact.abs, artifact.pointerFile);
  else guard.assertTarget(artifact.abs, artifact.pointerFile);
  const { pointer } = artifact;
  const c = await compareWorkspace(project, artifact, tmpDir);
  const base = {
    artifact,
    unsafe: [] as string[],
    missingObjects: [] as string[],
    emptyDirs: [] as string[],
    keepState: c.state,
  };
  if (!c.versionInCache) {
    return {
      ...base,
      clean: false,
      replaceRoot: false,
      writes: [],
      removes: [],
      missingObjects: [artifact.path],
    };
  }
  if (isClean(c)) return { ...base, clean: true, replaceRoot: false, writes: [], removes: [] };
  const at = (rel: string): string => (rel === '' ? artifact.path : `${artifact.path}/${rel}`);
  const unsafe: string[] = [];
  const isSafe = (rel: string): boolean => {
    const cur = c.current.get(rel);
    return cur === undefined || hasObject(project.cacheDir, cur.hash);
  };

  const st = fs.lstatSync(artifact.abs, { throwIfNoEntry: false });
  const typeMismatch = st !== undefined && (pointer.type === 'file') !== st.isFile();
  if (typeMismatch) {
    // Everything at the path is replaced: each file there must be recoverable.
    for (const rel of c.current.keys()) if (!isSafe(rel)) unsafe.push(at(rel));
    if (st.isDirectory() && c.current.size === 0) {
      for (const f of listFilesUnder(artifact.abs)) unsafe.push(`${artifact.path}/${f}`);
    }
  }

  if (pointer.type === 'file') {
    if (!typeMismatch && c.present && !isSafe('')) unsafe.push(artifact.path);
    return {
      ...base,
      unsafe,
      clean: false,
      replaceRoot: typeMismatch,
      writes: [
        {
          rel: '',
          hash: pointer.hash,
          sizeBytes: pointer.sizeBytes,
          executable: pointer.executable === true,
        },
      ],
      removes: [],
    };
  }

  const manifest = c.manifest ?? loadManifest(project.cacheDir, pointer.hash, artifact.pointerFile);
  const writes: WriteOp[] = [];
  const emptyDirs: string[] = [];
  const changed = new Set([...c.modified, ...c.removed]);
  const missingObjects: string[] = [];
  for (const e of manifest.entries) {
    assertSafeRelativePath(e.path, artifact.pointerFile);
    if (!isFileEntry(e)) {
      emptyDirs.push(e.path);
      continue;
    }
    if (typeMismatch || !c.present || changed.has(e.path)) {
      if (!hasObject(project.cacheDir, e.hash)) missingObjects.push(at(e.path));
      writes.push({ rel: e.path, hash: e.hash, sizeBytes: e.size, executable: e.exec === true });
    }
  }
  const removes = typeMismatch ? [] : c.added.filter((r) => !r.endsWith('/'));
  if (!typeMismatch) {
    for (const rel of [...c.modified, ...removes]) if (!isSafe(rel)) unsafe.push(at(rel));
  }
  return {
    ...base,
    unsafe,
    missingObjects,
    clean: false,
    replaceRoot: typeMismatch,
    writes,
    removes,
    emptyDirs,
  };
}

/** Every directory a plan writes into or removes from must really be inside the project. */
function assertWritesInside(p: Plan, guard: WriteGuard): void {
  const { artifact } = p;
  if (artifact.pointer.type === 'file') return; // checked with the artifact path itself
  for (const rel of [...p.writes.map((w) => w.rel), ...p.removes])
    guard.assertDir(path.dirname(path.join(artifact.abs, rel)), artifact.pointerFile);
  for (const d of p.emptyDirs) guard.assertDir(path.join(artifact.abs, d), artifact.pointerFile);
}

function listFilesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

async function apply(
  project: Project,
  p: Plan,
  tmpDir: string,
  links: LinkContext,
  options: CheckoutOptions,
): Promise<CheckoutResult> {
  const { artifact } = p;
  if (p.clean) {
    return { path: artifact.path, action: 'unchanged', filesWritten: 0, filesRemoved: 0 };
  }
  const abs = (rel: string): string => (rel === '' ? artifact.abs : path.join(artifact.abs, rel));
  try {
    if (p.replaceRoot) fs.rmSync(artifact.abs, { recursive: true, force: true });
    for (const rel of p.removes) fs.rmSync(abs(rel), { force: true });
    if (artifact.pointer.type === 'dir') {
      fs.mkdirSync(artifact.abs, { recursive: true });
      for (const d of p.emptyDirs) fs.mkdirSync(abs(d), { recursive: true });
    }
  } catch (err) {
    throw fromSystemError(err, artifact.path, 'Could not update');
  }
  const files: Record<string, string> = {};
  let done = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const op = p.writes[next++];
      if (!op) return;
      const dest = abs(op.rel);
      const key = await placeFile(project, op, dest, tmpDir, links);
      files[op.rel] = `${key}:${op.hash}`;
      done++;
      options.onProgress?.(artifact.path, done, p.writes.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(COPIES_IN_FLIGHT, p.writes.length) }, worker));
  if (artifact.pointer.type === 'dir') pruneEmptyDirs(artifact.abs, new Set(p.emptyDirs));

  // Record what is now in the work tree, so the next status need not hash it.
  const state: ArtifactState = { version: artifact.pointer.hash, files: {}, dirs: {} };
  if (!p.replaceRoot) {
    const removed = new Set(p.removes);
    for (const [rel, v] of Object.entries(p.keepState.files))
      if (!removed.has(rel)) state.files[rel] = v;
  }
  Object.assign(state.files, files);
  saveState(project.stateDir, artifact.path, state, tmpDir);
  return {
    path: artifact.path,
    action: 'restored',
    filesWritten: p.writes.length,
    filesRemoved: p.removes.length,
  };
}

/**
 * Puts one object in place as the first of the checkout's link types that works here. A packed
 * object is always copied (its bytes are part of a pack file), and so is an executable file for
 * hardlink and symlink (a link would share the object's read-only, non-executable mode).
 */
async function placeFile(
  project: Project,
  op: WriteOp,
  dest: string,
  tmpDir: string,
  links: LinkContext,
): Promise<string> {
  const at = objectSource(project.cacheDir, op.hash) ?? {
    file: objectPath(project.cacheDir, op.hash),
  };
  try {
    await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  } catch (err) {
    throw fromSystemError(err, dest, 'Could not restore');
  }
  if (at.range) return copyIntoPlace(at, op, dest, tmpDir);
  const types = links.types.filter(
    (t) => !(op.executable && (t === 'hardlink' || t === 'symlink')),
  );
  if (types.length === 0) return copyIntoPlace(at, op, dest, tmpDir);
  for (const type of types) {
    if (links.failed.has(type)) continue;
    if (type === 'copy') return copyIntoPlace(at, op, dest, tmpDir);
    const placed = await linkIntoPlace(type, at.file, op, dest);
    if ('key' in placed) return placed.key;
    links.failed.set(type, `${type}: ${placed.unsupported}`);
  }
  const rel = path.basename(links.configFile);
  throw new CairnError(
    'bad-config',
    `Could not check out ${dest} as ${types.join(' or ')}: this file system does not support it (${types.map((t) => links.failed.get(t)).join(', ')}). In ${rel}, add copy as a fallback (cache: { type: ${[...types, 'copy'].join(',')} }) or choose another type`,
    links.configFile,
  );
}

/** Link errors that mean "this file system cannot do that here": try the next type. */
const UNSUPPORTED = new Set([
  'ENOTSUP',
  'EOPNOTSUPP',
  'EXDEV',
  'EINVAL',
  'ENOSYS',
  'EPERM',
  'EMLINK',
  'ENOTTY',
]);

/**
 * A reflink (own inode, writable), a hard link or a symlink to the object, made beside the file
 * and renamed over it. Returns the stat key, or the error code when the type cannot work here.
 */
async function linkIntoPlace(
  type: Exclude<LinkType, 'copy'>,
  src: string,
  op: WriteOp,
  dest: string,
): Promise<{ key: string } | { unsupported: string }> {
  const tmp = tmpPathFor(dest);
  try {
    try {
      if (type === 'reflink') {
        await fs.promises.copyFile(src, tmp, fs.constants.COPYFILE_FICLONE_FORCE);
        await fs.promises.chmod(tmp, op.executable ? 0o755 : 0o644);
      } else if (type === 'hardlink') await fs.promises.link(src, tmp);
      else await fs.promises.symlink(path.relative(path.dirname(dest), src), tmp);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      const e = err as NodeJS.ErrnoException;
      if (e.code !== undefined && UNSUPPORTED.has(e.code)) return { unsupported: e.code };
      throw err;
    }
    const st = await fs.promises.stat(tmp);
    if (Number(st.size) !== op.sizeBytes) {
      throw new CairnError(
        'corrupt-object',
        `Cache object ${src} has ${st.size} bytes, not ${op.sizeBytes}; run 'cairn fsck'`,
        src,
      );
    }
    await fs.promises.rename(tmp, dest);
    return { key: statKey(await fs.promises.stat(dest)) };
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw fromSystemError(err, dest, 'Could not restore');
  }
}

/** Copies one object into place: a temp copy beside the cache, checked, then renamed over the file. */
async function copyIntoPlace(
  at: ObjectSource,
  op: WriteOp,
  dest: string,
  tmpDir: string,
): Promise<string> {
  const src = at.file;
  let tmp = path.join(tmpDir, `co.${tmpSuffix()}`);
  try {
    const sparse = !at.range && isSparse(await fs.promises.lstat(src));
    const copyTo = (to: string): Promise<void> =>
      at.range
        ? fs.promises.writeFile(to, readPacked({ pack: at.file, ...at.range }))
        : copyObjectTo(src, to, sparse);
    await copyTo(tmp);
    await fs.promises.chmod(tmp, op.executable ? 0o755 : 0o644);
    const st = await fs.promises.stat(tmp);
    if (Number(st.size) !== op.sizeBytes) {
      throw new CairnError(
        'corrupt-object',
        `Cache object ${describeSource(at)} has ${st.size} bytes, not ${op.sizeBytes}; run 'cairn fsck'`,
        src,
      );
    }
    try {
      await fs.promises.rename(tmp, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // The artifact is on another file system: copy beside it, then rename there.
      await fs.promises.rm(tmp, { force: true });
      tmp = tmpPathFor(dest);
      await copyTo(tmp);
      await fs.promises.chmod(tmp, op.executable ? 0o755 : 0o644);
      await fs.promises.rename(tmp, dest);
    }
    return statKey(await fs.promises.stat(dest));
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw fromSystemError(err, dest, 'Could not restore');
  }
}

/** A symlink (possibly broken) whose target lies in the project's cache: a symlink checkout's. */
export function isLinkIntoCache(project: Project, abs: string): boolean {
  let target: string;
  try {
    target = fs.readlinkSync(abs);
  } catch {
    return false;
  }
  const to = path.resolve(path.dirname(abs), target);
  return to.startsWith(project.cacheDir + path.sep);
}

/** A sparse object keeps its holes in the work tree; others take the kernel's fast copy. */
/**
 * Copies an object to a new temp file. COPYFILE_EXCL: libuv then skips truncating the file it
 * just made, and a truncate to zero makes ext4 (auto_da_alloc) write the whole copy out to disk
 * when it is closed, which doubled the time of a 1 GB checkout.
 */
async function copyObjectTo(src: string, dest: string, sparse: boolean): Promise<void> {
  if (sparse) await copySparse(src, dest);
  else await fs.promises.copyFile(src, dest, fs.constants.COPYFILE_EXCL);
}

/** Removes directories left empty by removed files, except those the version has. */
function pruneEmptyDirs(root: string, keep: ReadonlySet<string>): void {
  const visit = (dir: string, rel: string): boolean => {
    let empty = true;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
        if (visit(path.join(dir, e.name), childRel) && !keep.has(childRel))
          fs.rmdirSync(path.join(dir, e.name));
        else empty = false;
      } else empty = false;
    }
    return empty;
  };
  visit(root, '');
}
