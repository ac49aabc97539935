import { shortHash } from '../format.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { CairnError, fromSystemError } from '../errors.js';
import { isEnoent, tmpSuffix } from '../fsSafe.js';

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
  return fs.existsSync(objectPath(cacheDir, hash));
}

export function sha256(data: string | Uint8Array): Hash {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A verified object carries this mtime (1 s after the epoch). Any write to the object moves its
 * mtime, so checkout re-hashes an object only when its mtime is not this one; `fsck` re-hashes all.
 */
const VERIFIED_MTIME_S = 1;

export function isMarkedVerified(st: fs.Stats | fs.BigIntStats): boolean {
  return Number(st.mtimeMs) === VERIFIED_MTIME_S * 1000;
}

/** Marks an object whose content was just checked against its name. */
export function markVerified(file: string): void {
  fs.utimesSync(file, new Date(), VERIFIED_MTIME_S);
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

/** Reads a small object and checks its hash, so a corrupt manifest is never trusted. */
export function readObjectVerified(cacheDir: string, hash: Hash): Buffer {
  const file = objectPath(cacheDir, hash);
  let data: Buffer;
  try {
    // Never through a symlink: a cache object is a file, and a link could lead anywhere.
    const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      data = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
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
      `Cache object ${file} is corrupt (its content does not match its hash); delete it and run 'cairn pull' or re-add the artifact`,
      file,
    );
  }
  return data;
}

/** Lists every object in a cache directory as [hash, path]. */
export function* listObjects(cacheDir: string): Generator<[Hash, string]> {
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
