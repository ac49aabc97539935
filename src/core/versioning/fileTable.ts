import { KEY_FIELDS, statKeyAt } from './stateCache.js';

/**
 * Files as columns: their paths, and their stats as numbers in one typed array. A directory of
 * a million files costs a few arrays this way, where an object and a key string per file cost
 * hundreds of bytes each.
 */
export class FileTable {
  constructor(
    /** Paths relative to the artifact directory, '/'-separated. */
    readonly rels: readonly string[],
    /** KEY_FIELDS numbers per file: dev, ino, size, mtimeMs, ctimeMs (see statKey). */
    readonly stats: Float64Array,
    /** 1 for a file with its owner's execute bit set. */
    readonly executable: Uint8Array,
  ) {}

  get length(): number {
    return this.rels.length;
  }

  /** The file's stat key, as statKey would make it. */
  key(i: number): string {
    return statKeyAt(this.stats, i * KEY_FIELDS);
  }

  sizeBytes(i: number): number {
    return this.stats[i * KEY_FIELDS + 2]!;
  }

  isExecutable(i: number): boolean {
    return this.executable[i] === 1;
  }
}
