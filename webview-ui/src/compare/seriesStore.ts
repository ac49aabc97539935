// The step series of the compare page, per run and metric, as the host sends and appends them.
import type { MetricSeries } from '../../../src/protocol/compare.js';
import { decodeNumbers } from '../../../src/protocol/guards.js';
import { unpackNumbers } from '../../../src/protocol/packedNumbers.js';
import { Series } from './downsample.js';

export class SeriesStore {
  /** Run id → metric → series. */
  readonly byRun = new Map<string, Map<string, Series>>();

  clear(): void {
    this.byRun.clear();
  }

  /** Stores the series (replacing, or appending to those there when append is set). */
  apply(list: MetricSeries[], append: boolean): void {
    for (const s of list) {
      let byMetric = this.byRun.get(s.runId);
      if (byMetric === undefined) this.byRun.set(s.runId, (byMetric = new Map<string, Series>()));
      let steps: ArrayLike<number>;
      let values: Float64Array;
      try {
        steps = Array.isArray(s.steps) ? s.steps : unpackNumbers(s.steps);
        values = Array.isArray(s.values) ? decodeNumbers(s.values) : unpackNumbers(s.values);
      } catch {
        continue; // malformed packed data: the guard checks its shape, decoding its content
      }
      const existing = byMetric.get(s.metric);
      if (append && existing !== undefined) existing.append(steps, values);
      else byMetric.set(s.metric, Series.from(steps, values));
    }
  }
}
