import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { readRange, tmpSuffix } from '../fsSafe.js';
import { commitObject, type Hash } from './cache.js';
import { PACK_MAX_OBJECT_BYTES, type PackWriter } from './pack.js';
import { writeSkippingZeros } from './sparseCopy.js';
import { statKeyAt } from './stateCache.js';
import { fstatInto, STAT_FIELDS } from './statFiles.js';

/** A file to hash, and whether to store its content in the cache while reading it. */
export interface HashJob {
  readonly file: string;
  readonly store: boolean;
  /** Refuse a symlink (cache objects are never links: one to /etc/passwd must not be read). */
  readonly noFollow?: boolean;
  /** Only these bytes of the file (an object in a pack file). */
  readonly range?: { readonly offset: number; readonly length: number };
}

export interface HashResult {
  readonly hash: Hash;
  readonly sizeBytes: number;
  /** The state cache's key of the file as it was read (see statKey). */
  readonly key: string;
}

export type HashOutcome =
  HashResult | { readonly error: { code: string; message: string; file: string } };

const SMALL_FILE_BYTES = 8 << 20;
const CHUNK_BYTES = 4 << 20;

/**
 * Hashes one file and, when asked, stores a copy in the cache. A small file is read once into
 * memory, hashed, and those very bytes written to the cache: appended to `pack` when one is
 * given and the file is small enough for packs, else a file of its own. A large one is read in chunks, each
 * hashed on this thread while the previous one is written in the thread pool, zero blocks left as
 * holes (see sparseCopy.ts). Either way the stored bytes are the hashed bytes. Its stat (size,
 * mtime, ctime) must be the same before and after, or the file changed while being read and is
 * refused.
 */
export async function hashFile(
  job: HashJob,
  cacheDir: string,
  tmpDir: string,
  pack?: PackWriter,
): Promise<HashResult> {
  let fd: number;
  try {
    fd = fs.openSync(
      job.file,
      job.noFollow ? fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW : fs.constants.O_RDONLY,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new CairnError(
        'corrupt-object',
        `${job.file} is a symlink, which a cache object never is; delete it and run 'cairn fsck'`,
        job.file,
      );
    }
    throw fromSystemError(err, job.file, 'Could not read');
  }
  let tmp: string | undefined;
  // dev, ino, size, mtimeMs, ctimeMs, mode before the read, then after it.
  const stats = new Float64Array(2 * STAT_FIELDS);
  const after = STAT_FIELDS;
  try {
    fstatInto(fd, stats, 0);
    const size = job.range ? job.range.length : stats[2]!;
    const hasher = createHash('sha256');
    let packed: Buffer | undefined;
    if (job.store && pack !== undefined && size <= PACK_MAX_OBJECT_BYTES) {
      // Read into this thread's buffer: the pack writes the bytes before anything else runs.
      if (packBuffer.length < size) packBuffer = Buffer.allocUnsafeSlow(PACK_MAX_OBJECT_BYTES);
      packed = readRange(fd, job.range?.offset ?? 0, size, packBuffer);
      if (packed.length !== size) throw changed(job.file);
      hasher.update(packed);
    } else if (job.range || size <= SMALL_FILE_BYTES) {
      if (job.store) tmp = path.join(tmpDir, `blob.${tmpSuffix()}`);
      const data = readRange(fd, job.range?.offset ?? 0, size);
      if (job.range && data.length !== size) throw changed(job.file);
      hasher.update(data);
      if (tmp !== undefined) fs.writeFileSync(tmp, data);
    } else {
      if (job.store) tmp = path.join(tmpDir, `blob.${tmpSuffix()}`);
      const read = await hashAndStore(fd, hasher, tmp);
      if (read !== size) throw changed(job.file);
    }
    fstatInto(fd, stats, after);
    if (
      stats[after + 2] !== stats[2] ||
      stats[after + 3] !== stats[3] ||
      stats[after + 4] !== stats[4]
    ) {
      throw changed(job.file);
    }
    const hash = hasher.digest('hex');
    if (packed !== undefined) pack!.add(hash, packed);
    if (tmp !== undefined) {
      commitObject(cacheDir, tmp, hash);
      tmp = undefined;
    }
    return {
      hash,
      sizeBytes: size,
      key: statKeyAt(stats, after),
    };
  } catch (err) {
    throw fromSystemError(err, job.file, 'Could not hash');
  } finally {
    fs.closeSync(fd);
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

function changed(file: string): CairnError {
  return new CairnError(
    'changed-during-read',
    `${file} changed while Cairn was reading it; wait until the program writing it has finished, then run the command again`,
    file,
  );
}

/** The buffer small files are read into on their way into a pack: one per thread, reused. */
let packBuffer = Buffer.alloc(0);

/** Hashes a file from its descriptor and, with `tmp`, writes the same bytes there; returns the size. */
async function hashAndStore(
  fd: number,
  hasher: ReturnType<typeof createHash>,
  tmp: string | undefined,
): Promise<number> {
  const out = tmp !== undefined ? fs.openSync(tmp, 'w') : undefined;
  // Two buffers: one is written while the other is read and hashed.
  const bufs = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  const writes: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let position = 0;
  try {
    for (let i = 0; ; i ^= 1) {
      await writes[i];
      const buf = bufs[i]!;
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      hasher.update(buf.subarray(0, n));
      if (out !== undefined) writes[i] = writeSkippingZeros(out, buf, n, position);
      position += n;
    }
    await Promise.all(writes);
    if (out !== undefined) fs.ftruncateSync(out, position);
    return position;
  } finally {
    await Promise.allSettled(writes);
    if (out !== undefined) fs.closeSync(out);
  }
}
