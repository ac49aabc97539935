// Deterministic protocol states for the webview tests and the browser benchmark.
import {
  packSeries,
  type CompareState,
  type MetricSeries,
  type RunRow,
} from '../../src/protocol/compare.js';
import { encodeNumber } from '../../src/protocol/guards.js';
import type { LineageEdge, LineageNode, LineageState } from '../../src/protocol/lineage.js';

export const hostileName = '<img src=x onerror=alert(1)>';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A small, readable comparison: 6 runs of two tasks, one failed, one with a hostile name. */
export function smallCompareState(): CompareState {
  const rows: RunRow[] = [];
  const lrs = [0.1, 0.01, 0.001, 0.01, 0.003, 0.03];
  const names = ['baseline', 'lr-sweep-1', 'lr-sweep-2', hostileName, 'big-batch', 'eval-only'];
  for (let i = 0; i < 6; i++) {
    const failed = i === 2;
    rows.push({
      id: `run-${i}`,
      name: names[i]!,
      task: i === 5 ? 'eval' : 'train',
      status: failed ? 'failed' : i === 4 ? 'running' : 'completed',
      startedMs: Date.UTC(2026, 10, 20, 9, i * 7),
      durationMs: 60_000 * (i + 2),
      params: {
        lr: lrs[i]!,
        batch_size: i === 4 ? 256 : 64,
        optimizer: i % 2 === 0 ? 'adam' : 'sgd',
        seed: 42,
        [hostileName]: i,
      },
      metrics: {
        acc: failed ? 'NaN' : encodeNumber(0.8 + i * 0.03),
        val_loss: failed ? 'Infinity' : encodeNumber(0.6 - i * 0.05),
        epochs: 10,
      },
      commit:
        i < 3
          ? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
          : 'ffeeddccbbaa99887766554433221100ffeeddcc',
      dirty: i === 1,
      dataVersions: { 'data/train.csv': i < 4 ? 'sha256:1111aaaa' : 'sha256:2222bbbb' },
    });
  }
  const series: MetricSeries[] = [];
  for (const r of rows) {
    const rand = rng(r.id.length * 7 + Number(r.id.slice(4)));
    const steps: number[] = [];
    const acc: number[] = [];
    const loss: number[] = [];
    for (let s = 0; s < 200; s++) {
      steps.push(s);
      const lr = r.params.lr as number;
      acc.push(0.5 + 0.4 * (1 - Math.exp(-s * lr * 0.5)) + (rand() - 0.5) * 0.04);
      loss.push(1.5 * Math.exp(-s * lr * 0.4) + 0.1 + (rand() - 0.5) * 0.05);
    }
    series.push(
      r.id === 'run-1'
        ? packSeries(r.id, 'acc', steps, acc)
        : { runId: r.id, metric: 'acc', steps, values: acc },
    );
    series.push({ runId: r.id, metric: 'val_loss', steps, values: loss });
  }
  return { runs: rows, goals: { acc: 'max', val_loss: 'min' }, series };
}

/**
 * Three runs of a short training (steps 0–3): constant params and metrics sort first, so defaults
 * that pick "the first column" show. With equalMetrics every run has the same metric values.
 */
export function shortCompareState(options: { equalMetrics?: boolean } = {}): CompareState {
  const names = ['base', 'wide', 'deep'];
  const lrs = [0.01, 0.003, 0.1];
  const accs = [0.8, 0.9125, 0.87];
  const losses = [0.5, 0.31, 0.42];
  const runs: RunRow[] = names.map((name, i) => ({
    id: `short-${i}`,
    name,
    task: 'train',
    status: 'completed',
    startedMs: Date.UTC(2026, 10, 21, 8, i * 5),
    durationMs: 30_000 * (i + 1),
    params: { batch_size: 32, dropout: 0.1, lr: lrs[i]!, layers: 2 ** (i + 1) },
    metrics: options.equalMetrics
      ? { epochs: 4, val_acc: 0.9, val_loss: 0.3 }
      : { epochs: 4, val_acc: accs[i]!, val_loss: losses[i]! },
    commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    dirty: false,
    dataVersions: { 'data/train.csv': 'sha256:1111aaaa' },
  }));
  const series: MetricSeries[] = runs.flatMap((r, i) => [
    {
      runId: r.id,
      metric: 'val_acc',
      steps: [0, 1, 2, 3],
      values: [0.5, 0.6 + i * 0.05, 0.7 + i * 0.05, 0.75 + i * 0.05],
    },
    {
      runId: r.id,
      metric: 'val_loss',
      steps: [0, 1, 2, 3],
      values: [1, 0.8 - i * 0.1, 0.6 - i * 0.1, 0.5 - i * 0.1],
    },
  ]);
  return { runs, goals: { val_acc: 'max', val_loss: 'min' }, series };
}

/** A lineage of datasets → runs → models, with commits, some stale models. */
export function lineageState(runCount: number): LineageState {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const node = (n: Partial<LineageNode> & Pick<LineageNode, 'id' | 'kind' | 'label'>): void => {
    nodes.push({
      detail: '',
      path: null,
      hash: null,
      runId: null,
      status: null,
      timeMs: null,
      stale: false,
      current: false,
      ...n,
    });
  };
  const dataVersions = Math.max(2, Math.ceil(runCount / 8));
  for (let d = 0; d < dataVersions; d++) {
    node({
      id: `data:${d}`,
      kind: 'data',
      label: d === 1 ? hostileName : `data/train.csv @${(0x1000 + d).toString(16)}`,
      path: 'data/train.csv',
      hash: `sha256:${(0x1000 + d).toString(16)}aa`,
      detail: `version ${d}`,
      current: d === dataVersions - 1,
    });
  }
  const commits = Math.max(1, Math.ceil(runCount / 10));
  for (let c = 0; c < commits; c++) {
    node({
      id: `commit:${c}`,
      kind: 'commit',
      label: `c0ffee${c}`,
      hash: `c0ffee${c}`.padEnd(40, '0'),
    });
  }
  for (let r = 0; r < runCount; r++) {
    const d = Math.min(dataVersions - 1, Math.floor(r / 8));
    node({
      id: `run:${r}`,
      kind: 'run',
      label: `train #${r}`,
      runId: `run-${r}`,
      status: r % 11 === 3 ? 'failed' : 'completed',
      timeMs: 1_700_000_000_000 + r * 60_000,
    });
    edges.push({ from: `data:${d}`, to: `run:${r}`, kind: 'input' });
    if (r % 5 === 4 && d > 0) edges.push({ from: `data:${d - 1}`, to: `run:${r}`, kind: 'input' });
    edges.push({ from: `commit:${Math.floor(r / 10)}`, to: `run:${r}`, kind: 'commit' });
    if (r % 11 !== 3) {
      node({
        id: `model:${r}`,
        kind: 'model',
        label: `models/model.pkl @${r}`,
        path: 'models/model.pkl',
        hash: `sha256:m${r}`,
        stale: d < dataVersions - 1,
        current: r === runCount - 1,
      });
      edges.push({ from: `run:${r}`, to: `model:${r}`, kind: 'output' });
      if (r % 4 === 0) {
        // an evaluation run consuming the model
        node({
          id: `eval:${r}`,
          kind: 'run',
          label: `eval #${r}`,
          runId: `eval-${r}`,
          status: 'completed',
        });
        edges.push({ from: `model:${r}`, to: `eval:${r}`, kind: 'input' });
      }
    }
  }
  return { nodes, edges, focusId: null };
}

/**
 * A JavaScript expression that builds bigCompareState-like data inside the page: large states
 * are made where they are used instead of being serialized through the DevTools protocol.
 */
export function bigCompareScript(
  runCount: number,
  paramCount: number,
  metricCount: number,
): string {
  return `(() => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const runs = [];
    for (let i = 0; i < ${runCount}; i++) {
      const params = {};
      for (let p = 0; p < ${paramCount}; p++) params['p' + p] = p % 5 === 0 ? 'opt' + (i % 3) : Math.round(rand() * 1000) / 1000;
      const metrics = {};
      for (let m = 0; m < ${metricCount}; m++) metrics['m' + m] = rand();
      runs.push({ id: 'r' + i, name: 'run ' + i, task: i % 2 === 0 ? 'train' : 'eval',
        status: i % 17 === 0 ? 'failed' : 'completed', startedMs: 1700000000000 + i * 1000,
        durationMs: 1000, params, metrics, commit: null, dirty: false, dataVersions: {} });
    }
    return { runs, goals: {}, series: [] };
  })()`;
}

/** An expression building `runCount` runs × `steps` steps of a 'loss' series inside the page. */
export function longSeriesScript(runCount: number, steps: number): string {
  return `(() => {
    const state = ${bigCompareScript(runCount, 4, 2)};
    // What packSeries does on the host: steps as a range, values as float32 (x86 is little-endian).
    const pack = (arr) => {
      const b = new Uint8Array(new Float32Array(arr).buffer);
      let s = '';
      for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000));
      return { f32: btoa(s) };
    };
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (const r of state.runs) {
      const xs = new Array(${steps});
      const ys = new Array(${steps});
      for (let s = 0; s < ${steps}; s++) {
        xs[s] = s;
        ys[s] = Math.exp(-s / ${steps / 5}) + rand() * 0.05;
      }
      ys[${Math.floor(steps / 2)}] = 5;
      state.series.push({ runId: r.id, metric: 'loss', steps: { range: [0, 1, ${steps}] }, values: pack(ys) });
    }
    return state;
  })()`;
}
