import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, tmpSuffix, writeFileAtomic } from '../fsSafe.js';
import { findPacked, listPacked, readPacked, type PackedObject } from './pack.js';
import { markVerified } from './verifiedMark.js';

/** A sha256 content hash: 64 lower-case hex digits. */
export type Hash = string;

const HASH_RE = /^[0-9a-f]{64}$/;

export function isHash(value: unknown): value is Hash {
  return typeof value === 'string' && HASH_RE.test(value);
}

/** Where an object lives in a cache directory: `<cache>/ab/cdef…`. */
export function objectPath(cacheDir: string, hash: Hash): string {
  return path.join(cacheDir, hash.slice(0, 2), hash.slice(2));
}

export function hasObject(cacheDir: string, hash: Hash): boolean {
  return findPacked(cacheDir, hash) !== undefined || fs.existsSync(objectPath(cacheDir, hash));
}

/**
 * hasObject for an object that is usually a loose file, such as a directory's manifest: the file
 * is looked for first, so that the common case never reads the pack indexes (which a no-op
 * `status` of a large dataset would otherwise spend most of its time on).
 */
export function hasLooseOrPacked(cacheDir: string, hash: Hash): boolean {
  return fs.existsSync(objectPath(cacheDir, hash)) || findPacked(cacheDir, hash) !== undefined;
}

/** Where an object's bytes are: a loose file, or a range of a pack file (pack.ts). */
export type ObjectSource =
  | { readonly file: string; readonly range?: undefined }
  | { readonly file: string; readonly range: { readonly offset: number; readonly length: number } };

function sourceOfPacked(p: PackedObject): ObjectSource {
  return { file: p.pack, range: { offset: p.offset, length: p.length } };
}

/** Where an object of the cache is, or undefined when the cache lacks it. */
export function objectSource(cacheDir: string, hash: Hash): ObjectSource | undefined {
  const packed = findPacked(cacheDir, hash);
  if (packed) return sourceOfPacked(packed);
  const file = objectPath(cacheDir, hash);
  return fs.existsSync(file) ? { file } : undefined;
}

/** Where an object is, as shown in messages: the loose file, or `pack (offset)`. */
export function describeSource(s: ObjectSource): string {
  return s.range ? `${s.file} (at byte ${s.range.offset})` : s.file;
}

export function sha256(data: string | Uint8Array): Hash {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Moves a finished temp file into the cache under its hash: read-only, marked verified, atomic
 * rename. If the object is already there, the temp file is dropped (identical content is stored
 * once).
 */
export function commitObject(cacheDir: string, tmpFile: string, hash: Hash): void {
  const dest = objectPath(cacheDir, hash);
  try {
    fs.chmodSync(tmpFile, 0o444);
    markVerified(tmpFile);
    // Renaming over an object that is already there replaces it with the same bytes.
    try {
      fs.renameSync(tmpFile, dest);
    } catch (err) {
      if (!isEnoent(err)) throw err;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.renameSync(tmpFile, dest);
    }
  } catch (err) {
    fs.rmSync(tmpFile, { force: true });
    throw fromSystemError(err, dest, 'Could not store cache object');
  }
}

/** Stores a small in-memory object (a directory manifest) and returns its hash. */
export function putObject(cacheDir: string, tmpDir: string, data: string | Uint8Array): Hash {
  const hash = sha256(data);
  if (hasObject(cacheDir, hash)) return hash;
  const tmp = path.join(tmpDir, `obj.${tmpSuffix()}`);
  try {
    fs.writeFileSync(tmp, data);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw fromSystemError(
      err,
      path.join(cacheDir, hash.slice(0, 2)),
      'Could not store cache object',
    );
  }
  commitObject(cacheDir, tmp, hash);
  return hash;
}

/**
 * Stores an object written in pieces (a manifest of a million files, never whole in memory):
 * `produce` hands its text to `write` chunk by chunk. Returns the object's hash.
 */
export function putObjectStreamed(
  cacheDir: string,
  tmpDir: string,
  produce: (write: (chunk: string) => void) => void,
): Hash {
  const tmp = path.join(tmpDir, `obj.${tmpSuffix()}`);
  const hasher = createHash('sha256');
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx');
    const out = fd;
    let position = 0;
    produce((chunk) => {
      const bytes = Buffer.from(chunk, 'utf8');
      hasher.update(bytes);
      let done = 0;
      while (done < bytes.length)
        done += fs.writeSync(out, bytes, done, bytes.length - done, position + done);
      position += bytes.length;
    });
    fs.closeSync(fd);
    fd = undefined;
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (err instanceof CairnError) throw err;
    throw fromSystemError(err, cacheDir, 'Could not store cache object');
  }
  const hash = hasher.digest('hex');
  if (hasObject(cacheDir, hash)) {
    fs.rmSync(tmp, { force: true });
    return hash;
  }
  commitObject(cacheDir, tmp, hash);
  return hash;
}

/** Reads a small object and checks its hash, so a corrupt manifest is never trusted. */
export function readObjectVerified(cacheDir: string, hash: Hash): Buffer {
  const packed = findPacked(cacheDir, hash);
  const file = packed ? packed.pack : objectPath(cacheDir, hash);
  let data: Buffer;
  try {
    if (packed) data = readPacked(packed);
    else {
      // Never through a symlink: a cache object is a file, and a link could lead anywhere.
      const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      try {
        data = fs.readFileSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch (err) {
    if (err instanceof CairnError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new CairnError(
        'corrupt-object',
        `Cache object ${file} is a symlink, which a cache object never is; delete it and run 'cairn pull' or re-add the artifact`,
        file,
      );
    }
    if (isEnoent(err)) {
      throw new CairnError(
        'not-in-cache',
        `Object ${shortHash(hash)} is not in the cache (${file}); run 'cairn pull' to fetch it from a remote`,
        file,
      );
    }
    throw fromSystemError(err, file, 'Could not read');
  }
  if (sha256(data) !== hash) {
    throw new CairnError(
      'corrupt-object',
      packed
        ? `Cache object ${shortHash(hash)} in pack ${file} is corrupt (its content does not match its hash); run 'cairn fsck' to see what it affects, then 'cairn gc' and 'cairn pull' or re-add the artifact`
        : `Cache object ${file} is corrupt (its content does not match its hash); delete it and run 'cairn pull' or re-add the artifact`,
      file,
    );
  }
  return data;
}

/** Where packed objects are unpacked for readers that need a file (see objectFile). */
export function unpackedDir(project: { readonly tmpRoot: string }): string {
  return path.join(project.tmpRoot, 'unpacked');
}

/**
 * A file with an object's content, for readers that need a path (profiles and drift of an old
 * version): the loose object itself, or a packed object's bytes, checked against its hash and
 * written once to `unpackedDir` (cleared by gc).
 */
export function objectFile(cacheDir: string, hash: Hash, unpackedDir: string): string {
  const packed = findPacked(cacheDir, hash);
  if (!packed) return objectPath(cacheDir, hash);
  const file = path.join(unpackedDir, hash);
  if (fs.existsSync(file)) return file;
  const data = readObjectVerified(cacheDir, hash);
  try {
    fs.mkdirSync(unpackedDir, { recursive: true });
  } catch (err) {
    throw fromSystemError(err, unpackedDir, 'Could not unpack into');
  }
  writeFileAtomic(file, data, { mode: 0o444 });
  return file;
}

/** The first `n` bytes of an object (fewer if it is shorter), or undefined when it is missing. */
export function readObjectHead(cacheDir: string, hash: Hash, n: number): Buffer | undefined {
  const src = objectSource(cacheDir, hash);
  if (!src) return undefined;
  let fd: number | undefined;
  try {
    fd = fs.openSync(src.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const want = src.range ? Math.min(n, src.range.length) : n;
    const head = Buffer.alloc(want);
    const got = fs.readSync(fd, head, 0, want, src.range?.offset ?? 0);
    return head.subarray(0, got);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** An object's size in bytes. */
export function sourceSize(s: ObjectSource): number {
  return s.range ? s.range.length : fs.lstatSync(s.file).size;
}

/** Lists every object in a cache directory, loose and packed, as [hash, where]. */
export function* listObjects(cacheDir: string): Generator<[Hash, ObjectSource]> {
  for (const [hash, p] of listPacked(cacheDir)) yield [hash, sourceOfPacked(p)];
  for (const [hash, file] of listLooseObjects(cacheDir)) yield [hash, { file }];
}

/** Lists the loose objects (one file each) of a cache directory as [hash, path]. */
export function* listLooseObjects(cacheDir: string): Generator<[Hash, string]> {
  let prefixes: string[];
  try {
    prefixes = fs.readdirSync(cacheDir);
  } catch (err) {
    if (isEnoent(err)) return;
    throw err;
  }
  for (const prefix of prefixes.sort()) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    const dir = path.join(cacheDir, prefix);
    for (const rest of fs.readdirSync(dir).sort()) {
      const hash = prefix + rest;
      if (isHash(hash)) yield [hash, path.join(dir, rest)];
    }
  }
}
