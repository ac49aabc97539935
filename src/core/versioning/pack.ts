import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, readRange, tmpSuffix } from '../fsSafe.js';
import { markVerified } from './verifiedMark.js';
/** A sha256 content hash (as cache.ts's Hash, which imports this module). */
type Hash = string;

/*
 * Pack files: many small objects in one file, with a sorted index beside it (as Git's packs).
 * Creating a file costs far more than writing its bytes (on ext4 here, about 250 µs per file
 * against 0.5 ms for a whole 131 MB written as one file), so a dataset of 20,000 images becomes a
 * handful of packs, not 20,000 cache files. Large objects stay loose files (cache.ts), which
 * checkout can copy with the kernel's copy_file_range or a reflink.
 *
 *   <cache>/packs/pack-<id>.pack   "CAIRNPK1", then the objects' bytes back to back
 *   <cache>/packs/pack-<id>.idx    "CAIRNIX1", u32 version (1), u32 count,
 *                                  fanout: 256 × u32 (entries whose first hash byte is ≤ b),
 *                                  count × [32-byte hash, u64 offset, u64 length], sorted by hash,
 *                                  then the sha256 of all of the above
 *
 * <id> is the hex sha256 that ends the index, so two writers never pick the same name for
 * different packs. A pack is written in a temp folder and renamed in; its index is renamed in
 * after it. Readers only see packs whose index is there, and an index is only written once its
 * pack is complete, so a writer killed at any moment leaves nothing half-written in view (an
 * orphan .pack without .idx is ignored, and gc removes it). Packs are never modified: gc writes
 * new ones with what it keeps and then deletes the old. The same files serve remotes.
 */

/** Objects up to this size go into packs; larger ones stay loose files. */
export const PACK_MAX_OBJECT_BYTES = 1 << 20;
/** A writer starts a new pack when the current one reaches this size. */
const PACK_TARGET_BYTES = 64 << 20;

const PACK_MAGIC = Buffer.from('CAIRNPK1');
const IDX_MAGIC = Buffer.from('CAIRNIX1');
const IDX_HEADER = 16;
const FANOUT_BYTES = 256 * 4;
const ENTRY_BYTES = 48;

export function packsDir(cacheDir: string): string {
  return path.join(cacheDir, 'packs');
}

/** Where one object lies in a pack. */
export interface PackedObject {
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

interface LoadedPack {
  readonly packFile: string;
  readonly idxFile: string;
  readonly idx: Buffer;
  readonly count: number;
}

interface PackSet {
  packs: LoadedPack[];
  /** The packs folder's mtime when it was read; a new pack changes it. */
  dirMtimeMs: number;
  /**
   * Whether that mtime lies safely before the reading: file times come from a coarse clock, so a
   * pack renamed in within the same tick would leave the mtime as it was (as Git's racy index
   * entries). An unsettled set is read again at the next lookup.
   */
  settled: boolean;
}

const sets = new Map<string, PackSet>();

function dirMtime(dir: string): number {
  return fs.statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

function loadSet(cacheDir: string): PackSet {
  const dir = packsDir(cacheDir);
  const dirMtimeMs = dirMtime(dir);
  const packs: LoadedPack[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (!isEnoent(err)) throw fromSystemError(err, dir, 'Could not read');
  }
  for (const name of names.sort()) {
    if (!name.endsWith('.idx')) continue;
    const idxFile = path.join(dir, name);
    const packFile = idxFile.slice(0, -'.idx'.length) + '.pack';
    let idx: Buffer;
    try {
      idx = fs.readFileSync(idxFile);
    } catch (err) {
      if (isEnoent(err)) continue; // removed by gc since the listing
      throw fromSystemError(err, idxFile, 'Could not read');
    }
    packs.push({ packFile, idxFile, idx, count: checkIndex(idx, idxFile) });
  }
  return { packs, dirMtimeMs, settled: dirMtimeMs < Date.now() - 50 };
}

/** Checks an index's header and checksum; returns its entry count. */
function checkIndex(idx: Buffer, file: string): number {
  const corrupt = (why: string): CairnError =>
    new CairnError(
      'corrupt-object',
      `Pack index ${file} is corrupt (${why}); run 'cairn fsck', then 'cairn gc' to rebuild the packs from what is intact`,
      file,
    );
  if (idx.length < IDX_HEADER + FANOUT_BYTES + 32 || !idx.subarray(0, 8).equals(IDX_MAGIC))
    throw corrupt('not a Cairn pack index');
  const count = idx.readUInt32BE(12);
  if (idx.length !== IDX_HEADER + FANOUT_BYTES + count * ENTRY_BYTES + 32)
    throw corrupt('its length does not match its entry count');
  const body = idx.subarray(0, idx.length - 32);
  if (
    !createHash('sha256')
      .update(body)
      .digest()
      .equals(idx.subarray(idx.length - 32))
  )
    throw corrupt('its checksum does not match');
  return count;
}

function packSet(cacheDir: string): PackSet {
  let set = sets.get(cacheDir);
  if (!set) {
    set = loadSet(cacheDir);
    sets.set(cacheDir, set);
  }
  return set;
}

/** Forgets what was read of a cache's packs (after this process wrote or removed one). */
export function invalidatePacks(cacheDir: string): void {
  sets.delete(cacheDir);
}

function findIn(p: LoadedPack, key: Buffer): number {
  const first = key[0]!;
  let lo = first === 0 ? 0 : p.idx.readUInt32BE(IDX_HEADER + (first - 1) * 4);
  let hi = p.idx.readUInt32BE(IDX_HEADER + first * 4);
  const base = IDX_HEADER + FANOUT_BYTES;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = base + mid * ENTRY_BYTES;
    const c = p.idx.compare(key, 0, 32, at, at + 32);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

function hashOf(p: LoadedPack, i: number): Hash {
  const at = IDX_HEADER + FANOUT_BYTES + i * ENTRY_BYTES;
  return p.idx.toString('hex', at, at + 32);
}

function entryOf(p: LoadedPack, i: number): PackedObject {
  const at = IDX_HEADER + FANOUT_BYTES + i * ENTRY_BYTES + 32;
  return {
    pack: p.packFile,
    offset: readU64(p.idx, at),
    length: readU64(p.idx, at + 8),
  };
}

function readU64(b: Buffer, at: number): number {
  return b.readUInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
}

function writeU64(b: Buffer, at: number, v: number): void {
  b.writeUInt32BE(Math.floor(v / 0x1_0000_0000), at);
  b.writeUInt32BE(v >>> 0, at + 4);
}

/**
 * Where a packed object is, or undefined when no pack of this cache holds it. The packs folder's
 * mtime is checked on every lookup (one stat): another process may have added packs, its gc
 * replaced some, or the cache was deleted, and a long-lived process (the extension) must see it.
 */
export function findPacked(cacheDir: string, hash: Hash): PackedObject | undefined {
  let set = packSet(cacheDir);
  if (!set.settled || dirMtime(packsDir(cacheDir)) !== set.dirMtimeMs) {
    set = loadSet(cacheDir);
    sets.set(cacheDir, set);
  }
  const key = Buffer.from(hash, 'hex');
  for (const p of set.packs) {
    const i = findIn(p, key);
    if (i >= 0) return entryOf(p, i);
  }
  return undefined;
}

/** Every packed object: [hash, where]. */
export function* listPacked(cacheDir: string): Generator<[Hash, PackedObject]> {
  invalidatePacks(cacheDir);
  for (const p of packSet(cacheDir).packs) {
    for (let i = 0; i < p.count; i++) yield [hashOf(p, i), entryOf(p, i)];
  }
}

/** The packs of a cache: each pack file with the hashes it holds and where the i-th lies in it. */
export function listPacks(cacheDir: string): {
  packFile: string;
  idxFile: string;
  hashes: Hash[];
  objectAt(i: number): PackedObject;
}[] {
  invalidatePacks(cacheDir);
  return packSet(cacheDir).packs.map((p) => {
    const hashes = Array.from({ length: p.count }, (_, i) => hashOf(p, i));
    return { packFile: p.packFile, idxFile: p.idxFile, hashes, objectAt: (i) => entryOf(p, i) };
  });
}

/**
 * The entries of a pack index read from elsewhere (a remote's): checked like a local one, and
 * named by the hash its name gives (`pack-<id>.idx`), so a renamed or swapped index is refused.
 */
export function indexEntries(
  idx: Buffer,
  file: string,
): { hash: Hash; offset: number; length: number }[] {
  const count = checkIndex(idx, file);
  const id = /pack-([0-9a-f]{64})\.idx$/.exec(file)?.[1];
  if (id !== idx.toString('hex', idx.length - 32))
    throw new CairnError(
      'corrupt-object',
      `Pack index ${file} does not hold the index its name says; remove it and push again from a clone that has its objects`,
      file,
    );
  const p: LoadedPack = { packFile: '', idxFile: file, idx, count };
  return Array.from({ length: count }, (_, i) => {
    const { offset, length } = entryOf(p, i);
    return { hash: hashOf(p, i), offset, length };
  });
}

/** Reads a packed object's bytes (not verified: callers that need it hash what they read). */
export function readPacked(o: PackedObject): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(o.pack, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw fromSystemError(err, o.pack, 'Could not read');
  }
  try {
    const buf = readRange(fd, o.offset, o.length);
    if (buf.length < o.length)
      throw new CairnError(
        'corrupt-object',
        `Pack ${o.pack} is shorter than its index says; run 'cairn fsck', then 'cairn gc'`,
        o.pack,
      );
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Appends objects to a new pack in a temp folder; finish() writes its index and moves both into
 * the cache. Until then none of its objects is in the cache. One writer per thread.
 *
 * A writer may be handed a million tiny files, so it keeps no object per entry: the hashes it has
 * taken (in any of its packs, so that none is stored twice) are rows of HashRows, found again
 * through an open-addressing table of row numbers, and the current pack's entries are three
 * numbers each (hash row, offset, length) in one typed array.
 */
export class PackWriter {
  private fd: number | undefined;
  private tmpFile = '';
  private size = 0;
  /** The current pack's entries: hash row, offset, length (a pack stays far below 4 GiB). */
  private entries = new Uint32Array(3 * 1024);
  private count = 0;
  private readonly hashes = new HashRows();
  /** Hash table over `hashes`: row + 1, 0 when free; never more than half full. */
  private slots = new Uint32Array(1024);
  /** Packs this writer has moved into the cache. */
  readonly written: string[] = [];

  constructor(
    private readonly cacheDir: string,
    private readonly tmpDir: string,
  ) {}

  add(hash: Hash, data: Uint8Array): void {
    const row = this.take(hash);
    if (row < 0) return;
    if (this.fd === undefined) this.open();
    const fd = this.fd!;
    let done = 0;
    while (done < data.length)
      done += fs.writeSync(fd, data, done, data.length - done, this.size + done);
    if ((this.count + 1) * 3 > this.entries.length) {
      const next = new Uint32Array(this.entries.length * 2);
      next.set(this.entries);
      this.entries = next;
    }
    this.entries[this.count * 3] = row;
    this.entries[this.count * 3 + 1] = this.size;
    this.entries[this.count * 3 + 2] = data.length;
    this.count++;
    this.size += data.length;
    if (this.size >= PACK_TARGET_BYTES) this.commit();
  }

  /** Records a hash as taken and returns its row; -1 when this writer already has it. */
  private take(hash: Hash): number {
    const rows = this.hashes;
    const row = rows.push(hash);
    let mask = this.slots.length - 1;
    let slot = rows.word(row) & mask;
    for (let other = this.slots[slot]!; other !== 0; other = this.slots[slot]!) {
      if (rows.equal(row, other - 1)) {
        rows.pop();
        return -1;
      }
      slot = (slot + 1) & mask;
    }
    this.slots[slot] = row + 1;
    if (rows.count * 2 > this.slots.length) {
      this.slots = new Uint32Array(this.slots.length * 2);
      mask = this.slots.length - 1;
      for (let r = 0; r < rows.count; r++) {
        let s = rows.word(r) & mask;
        while (this.slots[s] !== 0) s = (s + 1) & mask;
        this.slots[s] = r + 1;
      }
    }
    return row;
  }

  /** Moves the pack being written into the cache (if it has anything). */
  finish(): void {
    if (this.fd !== undefined) this.commit();
  }

  /** Drops the pack being written. */
  abort(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tmpFile, { force: true });
  }

  private open(): void {
    this.tmpFile = path.join(this.tmpDir, `pack.${tmpSuffix()}`);
    this.fd = fs.openSync(this.tmpFile, 'wx', 0o444);
    fs.writeSync(this.fd, PACK_MAGIC, 0, PACK_MAGIC.length, 0);
    this.size = PACK_MAGIC.length;
    this.count = 0;
  }

  private commit(): void {
    const fd = this.fd!;
    this.fd = undefined;
    fs.closeSync(fd);
    // The index body and its checksum, written one after the other: a pack of 500,000 tiny
    // objects has a 24 MB index, not worth a second copy to join them.
    const body = indexBody(this.hashes, this.entries, this.count);
    const checksum = createHash('sha256').update(body).digest();
    const id = checksum.toString('hex');
    const dir = packsDir(this.cacheDir);
    const packFile = path.join(dir, `pack-${id}.pack`);
    const idxFile = path.join(dir, `pack-${id}.idx`);
    const idxTmp = path.join(this.tmpDir, `idx.${tmpSuffix()}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      writeAll(idxTmp, [body, checksum]);
      // Every object was hashed just before it was added (add, pull, gc and push all hash what
      // they pack), so the pack is verified as a whole, as a loose object is when stored.
      markVerified(this.tmpFile);
      // The pack first: an index in view always has its whole pack.
      fs.renameSync(this.tmpFile, packFile);
      fs.renameSync(idxTmp, idxFile);
    } catch (err) {
      fs.rmSync(this.tmpFile, { force: true });
      fs.rmSync(idxTmp, { force: true });
      throw fromSystemError(err, packFile, 'Could not store pack');
    }
    this.written.push(packFile);
    invalidatePacks(this.cacheDir);
  }
}

const ROWS_PER_BLOCK = 1 << 15;

/** Hashes as 32-byte rows in blocks of 1 MiB: appended without copying what is there. */
class HashRows {
  private readonly blocks: Buffer[] = [];
  count = 0;

  /** Appends a hash given in hex; returns its row. */
  push(hash: Hash): number {
    const b = Math.floor(this.count / ROWS_PER_BLOCK);
    if (b === this.blocks.length) this.blocks.push(Buffer.allocUnsafe(ROWS_PER_BLOCK * 32));
    this.blocks[b]!.write(hash, (this.count % ROWS_PER_BLOCK) * 32, 32, 'hex');
    return this.count++;
  }

  /** Drops the last row. */
  pop(): void {
    this.count--;
  }

  /** The row's block and where in it the row starts. */
  at(row: number): [Buffer, number] {
    return [this.blocks[Math.floor(row / ROWS_PER_BLOCK)]!, (row % ROWS_PER_BLOCK) * 32];
  }

  /** Four bytes of the row (hashes are uniform: any four make a table slot). */
  word(row: number): number {
    const [block, at] = this.at(row);
    return block.readUInt32LE(at);
  }

  /** The row's first six bytes as a number: its sort order but for the rarest ties. */
  prefix(row: number): number {
    const [block, at] = this.at(row);
    return block.readUIntBE(at, 6);
  }

  compare(a: number, b: number): number {
    const [ba, at] = this.at(a);
    const [bb, bt] = this.at(b);
    return ba.compare(bb, bt, bt + 32, at, at + 32);
  }

  equal(a: number, b: number): boolean {
    return this.compare(a, b) === 0;
  }
}

function writeAll(file: string, pieces: readonly Buffer[]): void {
  const fd = fs.openSync(file, 'wx', 0o444);
  try {
    let position = 0;
    for (const piece of pieces) {
      let done = 0;
      while (done < piece.length)
        done += fs.writeSync(fd, piece, done, piece.length - done, position + done);
      position += piece.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The index of `count` entries (hash row, offset, length), distinct hashes in any order, but
 * for the checksum that ends it.
 */
function indexBody(hashes: HashRows, entries: Uint32Array, count: number): Buffer {
  // Sorted by the hash: its first six bytes as a number decide all but the rarest ties.
  const prefix = new Float64Array(count);
  for (let i = 0; i < count; i++) prefix[i] = hashes.prefix(entries[i * 3]!);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => prefix[a]! - prefix[b]! || hashes.compare(entries[a * 3]!, entries[b * 3]!));
  const body = Buffer.alloc(IDX_HEADER + FANOUT_BYTES + count * ENTRY_BYTES);
  IDX_MAGIC.copy(body, 0);
  body.writeUInt32BE(1, 8);
  body.writeUInt32BE(count, 12);
  const fanout = new Uint32Array(256);
  for (let i = 0; i < count; i++) fanout[Math.floor(prefix[i]! / 2 ** 40)]!++;
  let cumulative = 0;
  for (let b = 0; b < 256; b++) {
    cumulative += fanout[b]!;
    body.writeUInt32BE(cumulative, IDX_HEADER + b * 4);
  }
  order.forEach((e, i) => {
    const at = IDX_HEADER + FANOUT_BYTES + i * ENTRY_BYTES;
    const [block, from] = hashes.at(entries[e * 3]!);
    block.copy(body, at, from, from + 32);
    writeU64(body, at + 32, entries[e * 3 + 1]!);
    writeU64(body, at + 40, entries[e * 3 + 2]!);
  });
  return body;
}

/** Removes a pack (its index first, so no reader finds an index without its pack). */
export function removePack(packFile: string, cacheDir: string): void {
  fs.rmSync(packFile.slice(0, -'.pack'.length) + '.idx', { force: true });
  fs.rmSync(packFile, { force: true });
  invalidatePacks(cacheDir);
}

/** Pack files with no index: left by a writer killed between its two renames. */
export function orphanPacks(cacheDir: string): string[] {
  const dir = packsDir(cacheDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const have = new Set(names);
  return names
    .filter((n) => n.endsWith('.pack') && !have.has(n.slice(0, -'.pack'.length) + '.idx'))
    .map((n) => path.join(dir, n));
}
