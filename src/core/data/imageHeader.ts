import * as fs from 'node:fs';

export interface ImageInfo {
  readonly format: 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Reads an image's size and channels from its header (the first 64 KB), without decoding it. */
export function imageInfo(file: string): ImageInfo | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return parseHeader(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
}

export function parseHeader(b: Buffer): ImageInfo | undefined {
  if (
    b.length >= 26 &&
    b.readUInt32BE(0) === 0x89504e47 &&
    b.toString('ascii', 12, 16) === 'IHDR'
  ) {
    const colorType = b[25]!;
    const channels = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 3 | 4 | 6] ?? 0;
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20), channels };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const len = b.readUInt16BE(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
      if (
        marker >= 0xc0 &&
        marker <= 0xcf &&
        marker !== 0xc4 &&
        marker !== 0xc8 &&
        marker !== 0xcc
      ) {
        return {
          format: 'jpeg',
          height: b.readUInt16BE(i + 5),
          width: b.readUInt16BE(i + 7),
          channels: b[i + 9]!,
        };
      }
      i += 2 + len;
    }
    return undefined;
  }
  if (b.length >= 10 && b.toString('ascii', 0, 3) === 'GIF') {
    return { format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8), channels: 3 };
  }
  if (b.length >= 30 && b.toString('ascii', 0, 2) === 'BM') {
    return {
      format: 'bmp',
      width: b.readInt32LE(18),
      height: Math.abs(b.readInt32LE(22)),
      channels: b.readUInt16LE(28) / 8,
    };
  }
  if (
    b.length >= 30 &&
    b.toString('ascii', 0, 4) === 'RIFF' &&
    b.toString('ascii', 8, 12) === 'WEBP'
  ) {
    const kind = b.toString('ascii', 12, 16);
    if (kind === 'VP8X')
      return {
        format: 'webp',
        width: 1 + b.readUIntLE(24, 3),
        height: 1 + b.readUIntLE(27, 3),
        channels: b[20]! & 0x10 ? 4 : 3,
      };
    if (kind === 'VP8 ')
      return {
        format: 'webp',
        width: b.readUInt16LE(26) & 0x3fff,
        height: b.readUInt16LE(28) & 0x3fff,
        channels: 3,
      };
    if (kind === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return {
        format: 'webp',
        width: (bits & 0x3fff) + 1,
        height: ((bits >> 14) & 0x3fff) + 1,
        channels: (bits >> 28) & 1 ? 4 : 3,
      };
    }
  }
  return undefined;
}
