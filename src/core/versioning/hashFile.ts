import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { tmpSuffix } from '../fsSafe.js';
import { commitObject, type Hash } from './cache.js';
import { statKey } from './stateCache.js';

/** A file to hash, and whether to store its content in the cache while reading it. */
export interface HashJob {
  readonly file: string;
  readonly store: boolean;
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
 * memory, hashed, and those very bytes written to the cache. A large one is hashed on this thread
 * while the kernel copies it (copy_file_range, in the thread pool); its stat (size, mtime, ctime)
 * must be the same before and after both, or the file changed while being read and is refused.
 */
export async function hashFile(
  job: HashJob,
  cacheDir: string,
  tmpDir: string,
): Promise<HashResult> {
  let fd: number;
  try {
    fd = fs.openSync(job.file, 'r');
  } catch (err) {
    throw fromSystemError(err, job.file, 'Could not read');
  }
  let tmp: string | undefined;
  try {
    const before = fs.fstatSync(fd);
    const size = before.size;
    const hasher = createHash('sha256');
    if (job.store) tmp = path.join(tmpDir, `blob.${tmpSuffix()}`);
    if (size <= SMALL_FILE_BYTES) {
      const data = readAll(fd, size);
      hasher.update(data);
      if (tmp !== undefined) fs.writeFileSync(tmp, data);
    } else {
      const copy = tmp !== undefined ? fs.promises.copyFile(job.file, tmp) : undefined;
      // Let the copy start in the thread pool before this thread is busy hashing.
      await new Promise<void>((resolve) => setImmediate(resolve));
      hashRange(fd, hasher);
      await copy;
      if (tmp !== undefined && fs.statSync(tmp).size !== size) throw changed(job.file);
    }
    const after = fs.fstatSync(fd);
    if (
      after.size !== before.size ||
      after.mtimeMs !== before.mtimeMs ||
      after.ctimeMs !== before.ctimeMs
    ) {
      throw changed(job.file);
    }
    const hash = hasher.digest('hex');
    if (tmp !== undefined) {
      commitObject(cacheDir, tmp, hash);
      tmp = undefined;
    }
    return {
      hash,
      sizeBytes: after.size,
      key: statKey(after),
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

function readAll(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let read = 0;
  while (read < size) {
    const n = fs.readSync(fd, buf, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return buf.subarray(0, read);
}

function hashRange(fd: number, hasher: ReturnType<typeof createHash>): void {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let position = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, position);
    if (n === 0) return;
    hasher.update(buf.subarray(0, n));
    position += n;
  }
}
