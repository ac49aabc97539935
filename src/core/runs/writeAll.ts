import * as fs from 'node:fs';

/** Writes all of `data` at the file's position: write() may write less than asked (a full disk). */
export function writeAllSync(fd: number, data: Uint8Array | string): void {
  let buf = typeof data === 'string' ? Buffer.from(data) : data;
  while (buf.length > 0) {
    const n = fs.writeSync(fd, buf);
    buf = buf.subarray(n);
  }
}
