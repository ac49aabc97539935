/** The short form of a content hash shown in views. */
export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}
