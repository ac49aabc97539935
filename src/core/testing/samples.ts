// Test support: deterministic samples from known distributions.

/** Deterministic normal samples (Box–Muller over a seeded LCG). */
export function normals(n: number, mean: number, std: number, seed: number): number[] {
  let s = seed;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Array.from(
    { length: n },
    () => mean + std * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()),
  );
}
