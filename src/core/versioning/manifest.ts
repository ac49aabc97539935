import { CairnError } from '../errors.js';
import { assertSafeRelativePath } from '../fsSafe.js';
import {
  isHash,
  putObjectStreamed,
  readObjectHead,
  readObjectVerified,
  type Hash,
} from './cache.js';

/** One entry of a directory version: a file with its content hash, or an empty directory. */
export type ManifestEntry =
  | { readonly path: string; readonly hash: Hash; readonly size: number; readonly exec?: true }
  | { readonly path: string; readonly dir: true };

export interface Manifest {
  readonly entries: readonly ManifestEntry[];
}

export function isFileEntry(e: ManifestEntry): e is Extract<ManifestEntry, { hash: Hash }> {
  return 'hash' in e;
}

/** How every serialized manifest begins. */
export const MANIFEST_HEADER = '{"version":1,"entries":[';

/** A manifest's entries given one at a time (for a million files, no array of entries). */
export interface ManifestSource {
  readonly length: number;
  path(i: number): string;
  entry(i: number): ManifestEntry;
}

/** Text is handed on in chunks of about this many characters. */
const CHUNK_CHARS = 1 << 20;

/** Canonical bytes, in chunks: entries sorted by path, fixed key order, one entry per line. */
function writeManifest(source: ManifestSource, write: (chunk: string) => void): void {
  const order = new Uint32Array(source.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => {
    const pa = source.path(a);
    const pb = source.path(b);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
  let chunk = `${MANIFEST_HEADER}\n`;
  for (let k = 0; k < order.length; k++) {
    chunk += (k === 0 ? '' : ',\n') + entryLine(source.entry(order[k]!));
    if (chunk.length >= CHUNK_CHARS) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk + '\n]}\n');
}

function entryLine(e: ManifestEntry): string {
  return isFileEntry(e)
    ? JSON.stringify(
        e.exec
          ? { path: e.path, hash: e.hash, size: e.size, exec: true }
          : { path: e.path, hash: e.hash, size: e.size },
      )
    : JSON.stringify({ path: e.path, dir: true });
}

function sourceOf(m: Manifest): ManifestSource {
  return {
    length: m.entries.length,
    path: (i) => m.entries[i]!.path,
    entry: (i) => m.entries[i]!,
  };
}

/** Canonical bytes: entries sorted by path, fixed key order, one entry per line. */
export function serializeManifest(m: Manifest): string {
  const chunks: string[] = [];
  writeManifest(sourceOf(m), (c) => chunks.push(c));
  return chunks.join('');
}

/** Parses and validates a manifest: safe relative paths, valid hashes, no duplicates. */
export function parseManifest(text: string, source: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CairnError(
      'bad-manifest',
      `${source}: the directory manifest is not valid JSON`,
      source,
    );
  }
  const entries = (raw as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) {
    throw new CairnError(
      'bad-manifest',
      `${source}: the directory manifest has no entries list`,
      source,
    );
  }
  const seen = new Set<string>();
  const out: ManifestEntry[] = [];
  entries.forEach((e: unknown, i) => {
    const line = i + 2;
    const entry = e as {
      path?: unknown;
      hash?: unknown;
      size?: unknown;
      exec?: unknown;
      dir?: unknown;
    };
    if (typeof entry?.path !== 'string') {
      throw new CairnError('bad-manifest', `${source}:${line}: entry without a path`, source, line);
    }
    assertSafeRelativePath(entry.path, source, line);
    if (seen.has(entry.path)) {
      throw new CairnError(
        'bad-manifest',
        `${source}:${line}: ${entry.path} appears twice`,
        source,
        line,
      );
    }
    seen.add(entry.path);
    if (entry.dir === true) {
      out.push({ path: entry.path, dir: true });
      return;
    }
    if (
      !isHash(entry.hash) ||
      typeof entry.size !== 'number' ||
      !Number.isSafeInteger(entry.size) ||
      entry.size < 0
    ) {
      throw new CairnError(
        'bad-manifest',
        `${source}:${line}: ${entry.path} has no valid hash and size`,
        source,
        line,
      );
    }
    out.push(
      entry.exec === true
        ? { path: entry.path, hash: entry.hash, size: entry.size, exec: true }
        : { path: entry.path, hash: entry.hash, size: entry.size },
    );
  });
  return { entries: out };
}

/** Stores a manifest in the cache; returns the directory's version hash. */
export function storeManifest(cacheDir: string, tmpDir: string, m: Manifest): Hash {
  return storeManifestFrom(cacheDir, tmpDir, sourceOf(m));
}

/** Stores a manifest in the cache as it is serialized, never whole in memory; returns its hash. */
export function storeManifestFrom(cacheDir: string, tmpDir: string, source: ManifestSource): Hash {
  return putObjectStreamed(cacheDir, tmpDir, (write) => writeManifest(source, write));
}

/** Loads a directory version's manifest from the cache, verifying its hash. */
export function loadManifest(cacheDir: string, hash: Hash, source: string): Manifest {
  return parseManifest(readObjectVerified(cacheDir, hash).toString('utf8'), source);
}

/** Whether a cache object is a directory manifest (for hashes recorded without their type). */
export function isManifestObject(cacheDir: string, hash: Hash): boolean {
  return (
    readObjectHead(cacheDir, hash, MANIFEST_HEADER.length)?.toString('utf8') === MANIFEST_HEADER
  );
}
