import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineageGraph } from '../../core/lineage/lineageGraph.js';
import type { RunRecord } from '../../core/runs/runRecord.js';
import { isCompareState } from '../../protocol/compare.js';
import { isLineageState } from '../../protocol/lineage.js';
import { isRunPageState } from '../../protocol/runPage.js';
import {
  compareStateFromRecords,
  lineageStateFromGraph,
  metricSeries,
  runPageStateFromRecord,
} from './protocolMapping.js';

function record(id: string, input: string, loss: number): RunRecord {
  return {
    id,
    name: `train ${id}`,
    task: 'train',
    command: 'python train.py',
    cwd: '',
    params: { lr: 0.1 },
    overrides: {},
    startMs: 1000,
    endMs: 2000,
    durationMs: 1000,
    exitCode: 0,
    signal: null,
    status: 'stopped',
    host: 'h',
    pid: 1,
    git: { commit: 'c1', branch: 'main', dirty: false, diffFile: null },
    inputs: [{ path: 'data', hash: input, kind: 'data' }],
    outputs: [{ path: 'model.pkl', hash: `m-${id}`, kind: 'model' }],
    summary: { loss: { last: loss, min: loss, max: loss, count: 1, lastStep: 0 } },
    metricPoints: 1,
    skippedLines: 0,
    spec: { cmd: 'python train.py', deps: [], outs: [], metrics: [], goal: { loss: 'min' } },
  };
}

describe('core → protocol mapping', () => {
  it('maps run records to a valid compare state, NaN included', () => {
    const state = compareStateFromRecords(
      [record('a', 'h1', 0.5), record('b', 'h2', NaN)],
      [
        metricSeries('a', 'loss', [
          { step: 0, value: 0.5 },
          { step: 1, value: Infinity },
        ]),
      ],
    );
    assert.ok(isCompareState(JSON.parse(JSON.stringify(state))));
    assert.equal(state.runs[1]!.metrics.loss, 'NaN');
    assert.deepEqual(state.goals, { loss: 'min' });
    assert.equal(state.runs[0]!.dataVersions['model.pkl'], 'm-a');
  });

  it('maps a lineage graph, with commits and stale runs and models', () => {
    const graph: LineageGraph = {
      nodes: [
        {
          type: 'artifact',
          id: 'artifact:data@h1',
          path: 'data',
          hash: 'h1',
          kind: 'data',
          commits: ['c1'],
          current: false,
        },
        {
          type: 'artifact',
          id: 'artifact:data@h2',
          path: 'data',
          hash: 'h2',
          kind: 'data',
          commits: ['c2'],
          current: true,
        },
        {
          type: 'run',
          id: 'run:a',
          runId: 'a',
          name: 'train a',
          task: 'train',
          status: 'completed',
          startMs: 1,
          commit: 'c1',
          metrics: {},
        },
        {
          type: 'artifact',
          id: 'artifact:model.pkl@m',
          path: 'model.pkl',
          hash: 'm',
          kind: 'model',
          commits: [],
          current: true,
          registered: [{ name: 'churn', version: 'v1.2.0', stages: ['prod'] }],
        },
      ],
      edges: [
        { from: 'artifact:data@h1', to: 'run:a', type: 'input' },
        { from: 'run:a', to: 'artifact:model.pkl@m', type: 'output' },
      ],
      commits: [
        { hash: 'c1', timeMs: 5, subject: 'first', tag: 'v1' },
        { hash: 'c2', timeMs: 6, subject: 'more data', tag: null },
      ],
    };
    const state = lineageStateFromGraph(graph, 'run:a');
    assert.ok(isLineageState(JSON.parse(JSON.stringify(state))));
    const byId = new Map(state.nodes.map((n) => [n.id, n]));
    assert.equal(byId.get('run:a')!.stale, true);
    assert.equal(byId.get('artifact:model.pkl@m')!.stale, true);
    assert.equal(byId.get('artifact:model.pkl@m')!.kind, 'model');
    // No bare hashes: a version or a commit is named by its tag, else its subject.
    assert.equal(byId.get('commit:c2')!.label, 'c2 · "more data"');
    assert.equal(byId.get('commit:c1')!.label, 'c1 · v1');
    assert.equal(byId.get('artifact:data@h2')!.label, 'data @h2 · "more data"');
    assert.equal(byId.get('artifact:data@h1')!.detail, 'introduced in c1 · v1');
    assert.ok(state.edges.some((e) => e.from === 'commit:c1' && e.to === 'run:a'));
    // A registered version shows its stages on the node, and its name in the details.
    assert.match(byId.get('artifact:model.pkl@m')!.label, / · prod$/);
    assert.match(byId.get('artifact:model.pkl@m')!.detail, /registered as churn@v1\.2\.0 \(prod\)/);
  });
});

describe('run page mapping', () => {
  it('names runs instead of ids, and marks the versions the work tree holds', () => {
    const r = { ...record('b', 'h1', 0.25), overrides: { lr: 0.1 }, reproduces: 'a' };
    const state = runPageStateFromRecord(r, {
      series: [],
      names: new Map([
        ['a', 'train lr=0.01 #1'],
        ['p', 'prepare #1'],
      ]),
      current: new Map([
        ['data', { hash: 'h1', run: 'p' }],
        ['model.pkl', { hash: 'm-other', run: 'a' }],
      ]),
      subject: 'Fit faster',
      diff: null,
      log: { tail: 'done', hiddenLines: 0 },
      previous: 'a',
    });
    assert.ok(isRunPageState(JSON.parse(JSON.stringify(state))));
    assert.deepEqual(state.run.reproduces, { id: 'a', name: 'train lr=0.01 #1' });
    assert.deepEqual(state.previous, { id: 'a', name: 'train lr=0.01 #1' });
    assert.deepEqual(state.params, [{ key: 'lr', value: 0.1, overridden: true }]);
    assert.deepEqual(state.inputs[0], {
      path: 'data',
      kind: 'data',
      hash: 'h1',
      producedBy: { id: 'p', name: 'prepare #1' },
      current: true,
    });
    // The run's own model was replaced since: not current, and no "produced by" for itself.
    assert.equal(state.outputs[0]!.current, false);
    assert.equal(state.outputs[0]!.producedBy, null);
    assert.equal(state.metrics[0]!.goal, 'min');
  });
});
