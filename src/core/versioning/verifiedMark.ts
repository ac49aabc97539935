import * as fs from 'node:fs';

/**
 * A verified cache file (a loose object, or a pack whose every object was hashed as it was
 * written) carries this mtime (1 s after the epoch). Any write to the file moves its mtime, so
 * checkout and push re-hash what a file holds only when its mtime is not this one; `fsck`
 * re-hashes all.
 */
const VERIFIED_MTIME_S = 1;

export function isMarkedVerified(st: fs.Stats | fs.BigIntStats): boolean {
  return Number(st.mtimeMs) === VERIFIED_MTIME_S * 1000;
}

/** Marks a file whose content was just checked against its name. */
export function markVerified(file: string): void {
  fs.utimesSync(file, new Date(), VERIFIED_MTIME_S);
}

/**
 * Whether the bytes of a cache file must be hashed before they are trusted: its mark is gone, or
 * it is not a plain file (lstat: a symlink put in the cache is never trusted, whatever its own
 * times say). `seen` memoizes the answer per file (many objects share a pack).
 */
export function markGone(file: string, seen?: Map<string, boolean>): boolean {
  const known = seen?.get(file);
  if (known !== undefined) return known;
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  const gone = !st?.isFile() || !isMarkedVerified(st);
  seen?.set(file, gone);
  return gone;
}
