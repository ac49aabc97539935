import type { ParamValue } from './taskConfig.js';

/**
 * A sweep's label from its runs: the params that vary among them and how many runs there are,
 * `lr × hidden (4)`; `sweep (1)` when nothing varies.
 */
export function sweepLabel(
  runs: readonly { readonly params: Readonly<Record<string, ParamValue>> }[],
): string {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.params)));
  const varying = [...keys].filter(
    (k) => new Set(runs.map((r) => JSON.stringify(r.params[k] ?? null))).size > 1,
  );
  return `${varying.length > 0 ? varying.join(' × ') : 'sweep'} (${runs.length})`;
}
