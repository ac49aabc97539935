import * as fs from 'node:fs';

// Node has no SEEK_DATA/SEEK_HOLE, and copy_file_range on ext4 writes a sparse file's holes out
// as zeros (a 5 GB sparse file became 5.1 GB in the cache and again in the work tree). Zero
// blocks are therefore skipped with positioned writes and the file is truncated to its size at
// the end, which leaves them as holes. Comparing a block with zeros costs far less than hashing.

/** The granularity of holes: small enough to keep a file's holes, large enough to be cheap. */
const BLOCK_BYTES = 64 << 10;
const CHUNK_BYTES = 4 << 20;
const ZEROS = Buffer.alloc(BLOCK_BYTES);

/** Whether a file's blocks on disk cover less than its size (it has holes). */
export function isSparse(st: fs.Stats): boolean {
  return st.blocks * 512 < st.size;
}

/** Writes `buf[0, length)` at `position` of `fd`, leaving all-zero blocks unwritten (holes). */
export async function writeSkippingZeros(
  fd: number,
  buf: Buffer,
  length: number,
  position: number,
): Promise<void> {
  let runStart = -1;
  for (let off = 0; off < length; off += BLOCK_BYTES) {
    const end = Math.min(off + BLOCK_BYTES, length);
    const zero = buf.compare(ZEROS, 0, end - off, off, end) === 0;
    if (!zero && runStart < 0) runStart = off;
    if (zero && runStart >= 0) {
      await writeAll(fd, buf, runStart, off, position);
      runStart = -1;
    }
  }
  if (runStart >= 0) await writeAll(fd, buf, runStart, length, position);
}

async function writeAll(
  fd: number,
  buf: Buffer,
  from: number,
  to: number,
  position: number,
): Promise<void> {
  let at = from;
  while (at < to) {
    at += await writeAt(fd, buf, at, to - at, position + at);
  }
}

function writeAt(
  fd: number,
  buf: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  // The callback form: fs.promises.write needs a FileHandle, and these are plain descriptors.
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, offset, length, position, (err, bytesWritten) =>
      err ? reject(err) : resolve(bytesWritten),
    );
  });
}

/**
 * Counts the all-zero blocks of a stream of bytes, as copySparse would leave them as holes: for
 * a file that arrives in pieces (a download) and is only copied when it has any.
 */
export class ZeroBlocks {
  count = 0;
  private position = 0;
  private blockIsZero = true;

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const blockEnd = (Math.floor(this.position / BLOCK_BYTES) + 1) * BLOCK_BYTES;
      const end = Math.min(chunk.length, at + (blockEnd - this.position));
      if (this.blockIsZero && chunk.compare(ZEROS, 0, end - at, at, end) !== 0)
        this.blockIsZero = false;
      this.position += end - at;
      at = end;
      if (this.position === blockEnd) this.endBlock();
    }
  }

  /** Counts the last block when it is a partial one. */
  end(): number {
    if (this.position % BLOCK_BYTES !== 0) this.endBlock();
    return this.count;
  }

  private endBlock(): void {
    if (this.blockIsZero) this.count++;
    this.blockIsZero = true;
  }
}

/** Copies a file and keeps its holes; returns its size in bytes. */
export async function copySparse(src: string, dest: string): Promise<number> {
  const input = fs.openSync(src, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  let output: number | undefined;
  try {
    output = fs.openSync(dest, 'w');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let position = 0;
    for (;;) {
      const n = fs.readSync(input, buf, 0, CHUNK_BYTES, position);
      if (n === 0) break;
      await writeSkippingZeros(output, buf, n, position);
      position += n;
    }
    fs.ftruncateSync(output, position);
    return position;
  } finally {
    fs.closeSync(input);
    if (output !== undefined) fs.closeSync(output);
  }
}
