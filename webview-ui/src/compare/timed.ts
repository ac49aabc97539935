// Phases of the compare page measured with the User Timing API (visible in DevTools and to the
// benchmark, bench/webviews.mjs).

/** Runs fn and records its duration as the measure `cairn:<name>`. */
export function timed<T>(name: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    performance.measure(`cairn:${name}`, { start, end: performance.now() });
  }
}
