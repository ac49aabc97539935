/** A byte count for people, in SI units as `ls -h --si` and disk vendors give them: `21.0 KB`. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  const s = u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1);
  return `${n < 0 ? '-' : ''}${s} ${units[u]}`;
}

/** How many hex digits of a hash people see: content versions and commits alike. */
export const SHORT_HASH_LENGTH = 10;

/** A hash (content or commit, with or without a `sha256:` prefix) shortened for people. */
export function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, SHORT_HASH_LENGTH);
}
