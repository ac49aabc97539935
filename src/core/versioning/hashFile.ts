import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { tmpSuffix } from '../fsSafe.js';
import { commitObject, type Hash } from './cache.js';

/** A file to hash, and whether to store its content in the cache while reading it. */
export interface HashJob {
  readonly file: string;
  readonly store: boolean;
}

export interface HashResult {
  readonly hash: Hash;
  readonly sizeBytes: number;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeNs: string;
}

export type HashOutcome =
  HashResult | { readonly error: { code: string; message: string; file: string } };

const SMALL_FILE_BYTES = 8 << 20;
const CHUNK_BYTES = 4 << 20;
const WRITES_IN_FLIGHT = 4;

/**
 * Hashes one file and, when asked, copies it into the cache in the same pass: the bytes written
 * are exactly the bytes hashed, so a stored object always matches its name. The file's stat
 * before and after must agree, or the file changed while being read and the result is refused.
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
  let out: number | undefined;
  try {
    const before = fs.fstatSync(fd, { bigint: true });
    const hasher = createHash('sha256');
    if (job.store) {
      tmp = path.join(tmpDir, `blob.${tmpSuffix()}`);
      out = fs.openSync(tmp, 'w', 0o644);
    }
    const size = Number(before.size);
    if (size <= SMALL_FILE_BYTES) {
      const buf = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, buf, read, size - read, read);
        if (n === 0) break;
        read += n;
      }
      const data = buf.subarray(0, read);
      hasher.update(data);
      if (out !== undefined) writeAllSync(out, data);
    } else {
      await pipelined(fd, out, hasher);
    }
    const after = fs.fstatSync(fd, { bigint: true });
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
      throw new CairnError(
        'changed-during-read',
        `${job.file} changed while Cairn was reading it; wait until the program writing it has finished, then run the command again`,
        job.file,
      );
    }
    const hash = hasher.digest('hex');
    if (out !== undefined && tmp !== undefined) {
      fs.closeSync(out);
      out = undefined;
      commitObject(cacheDir, tmp, hash);
      tmp = undefined;
    }
    return {
      hash,
      sizeBytes: Number(after.size),
      dev: Number(after.dev),
      ino: Number(after.ino),
      mtimeNs: after.mtimeNs.toString(),
    };
  } catch (err) {
    throw fromSystemError(err, job.file, 'Could not hash');
  } finally {
    fs.closeSync(fd);
    if (out !== undefined) fs.closeSync(out);
    if (tmp !== undefined) fs.rmSync(tmp, { force: true });
  }
}

function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/** Reads and hashes on this thread while the writes of earlier chunks run in the thread pool. */
async function pipelined(
  fd: number,
  out: number | undefined,
  hasher: ReturnType<typeof createHash>,
): Promise<void> {
  const buffers = Array.from({ length: WRITES_IN_FLIGHT }, () => Buffer.allocUnsafe(CHUNK_BYTES));
  const pending: (Promise<void> | undefined)[] = new Array<Promise<void> | undefined>(
    WRITES_IN_FLIGHT,
  );
  let position = 0;
  for (let i = 0; ; i++) {
    const slot = i % WRITES_IN_FLIGHT;
    const inFlight = pending[slot];
    if (inFlight) await inFlight;
    const buf = buffers[slot]!;
    const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, position);
    if (n === 0) break;
    const chunk = buf.subarray(0, n);
    hasher.update(chunk);
    if (out !== undefined) pending[slot] = writeAll(out, chunk, position);
    position += n;
  }
  await Promise.all(pending.filter((p): p is Promise<void> => p !== undefined));
}

function writeAll(fd: number, data: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void => {
      fs.write(fd, data, off, data.length - off, position + off, (err, written) => {
        if (err) reject(err);
        else if (off + written < data.length) step(off + written);
        else resolve();
      });
    };
    step(0);
  });
}
