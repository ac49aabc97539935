// Counting the zero blocks of bytes that arrive in pieces of any size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { ZeroBlocks } from './sparseCopy.js';

const BLOCK = 64 << 10;

test('ZeroBlocks counts the all-zero 64 KB blocks whatever the pieces the bytes arrive in', () => {
  // Blocks: data, zero, zero, data (one byte at its end), zero, and a partial zero block.
  const bytes = Buffer.alloc(5 * BLOCK + 1000);
  crypto.randomFillSync(bytes, 0, BLOCK);
  bytes[4 * BLOCK - 1] = 7;
  for (const piece of [1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 255 << 10, bytes.length]) {
    const z = new ZeroBlocks();
    for (let at = 0; at < bytes.length; at += piece) z.feed(bytes.subarray(at, at + piece));
    assert.equal(z.end(), 4, `pieces of ${piece} bytes`);
  }
  const none = new ZeroBlocks();
  none.feed(crypto.randomBytes(3 * BLOCK));
  assert.equal(none.end(), 0);
});
