import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCompareHostMessage, isCompareWebviewMessage, type CompareState } from './compare.js';
import { decodeNumber, decodeNumbers, encodeNumber, encodeNumbers } from './guards.js';
import { isLineageHostMessage, isLineageWebviewMessage } from './lineage.js';
import {
  isPackedNumbers,
  packFloat32,
  packFloat64,
  packSteps,
  packedLength,
  unpackNumbers,
} from './packedNumbers.js';

const row = {
  id: 'r1',
  name: 'run',
  task: null,
  status: 'completed',
  startedMs: 1,
  durationMs: null,
  params: { lr: 0.1, opt: 'adam', flag: true, none: null },
  metrics: { acc: 0.5, bad: 'NaN', inf: '-Infinity', missing: null },
  commit: null,
  dirty: false,
  dataVersions: {},
};

describe('protocol guards', () => {
  it('round-trips NaN and ±Infinity through JSON', () => {
    const values = [1.5, NaN, Infinity, -Infinity, 0];
    const back = JSON.parse(JSON.stringify(encodeNumbers(values))) as ReturnType<
      typeof encodeNumbers
    >;
    assert.deepEqual([...decodeNumbers(back)], values);
    assert.equal(encodeNumber(null), null);
    assert.equal(decodeNumber('Infinity'), Infinity);
    assert.ok(Number.isNaN(decodeNumber('NaN')));
  });

  it('packs series as base64 float64, exactly', () => {
    const values = [0, 1.5, -2e-300, NaN, Infinity, -Infinity, 1 / 3];
    const packed = JSON.parse(JSON.stringify(packFloat64(values))) as ReturnType<
      typeof packFloat64
    >;
    assert.ok(isPackedNumbers(packed));
    assert.equal(packedLength(packed), values.length);
    assert.deepEqual([...unpackNumbers(packed)], values);
    assert.deepEqual(packSteps([0, 5, 10]), { range: [0, 5, 3] });
    assert.deepEqual([...unpackNumbers(packSteps([0, 5, 10]))], [0, 5, 10]);
    assert.ok('f64' in packSteps([0, 1, 3]));
    const f32 = unpackNumbers(packFloat32([0.5, NaN, -Infinity]));
    assert.equal(f32[0], 0.5);
    assert.ok(Number.isNaN(f32[1]) && f32[2] === -Infinity);
    assert.ok(!isPackedNumbers({ range: [0, 1, -1] }));
    assert.ok(!isPackedNumbers({ f64: 'abc' }));
    assert.ok(!isPackedNumbers({ f64: 'AAAA' }), 'not a whole number of float64s');
    assert.ok(
      isCompareHostMessage({
        type: 'compare/series/didAppend',
        points: [{ runId: 'a', metric: 'm', steps: packFloat64([1, 2]), values: [1, 'NaN'] }],
      }),
    );
    assert.ok(
      !isCompareHostMessage({
        type: 'compare/series/didAppend',
        points: [{ runId: 'a', metric: 'm', steps: packFloat64([1, 2]), values: [1] }],
      }),
    );
  });

  it('accepts a valid compare state and rejects broken ones', () => {
    const state: CompareState = {
      runs: [row as CompareState['runs'][number]],
      goals: { acc: 'max' },
      series: [{ runId: 'r1', metric: 'acc', steps: [0, 1], values: [0.1, 'NaN'] }],
    };
    assert.ok(isCompareHostMessage({ type: 'compare/state/didChange', state }));
    const broken = (patch: object): unknown => ({
      type: 'compare/state/didChange',
      state: { ...state, runs: [{ ...row, ...patch }] },
    });
    assert.ok(!isCompareHostMessage(broken({ status: 'exploded' })));
    assert.ok(!isCompareHostMessage(broken({ startedMs: '2026-01-01' })));
    assert.ok(!isCompareHostMessage(broken({ metrics: { acc: NaN } })), 'raw NaN is not JSON');
    assert.ok(!isCompareHostMessage(broken({ params: { lr: {} } })));
    assert.ok(
      !isCompareHostMessage({
        type: 'compare/state/didChange',
        state: { ...state, series: [{ runId: 'r1', metric: 'acc', steps: [0], values: [1, 2] }] },
      }),
      'steps and values must have the same length',
    );
    assert.ok(!isCompareHostMessage({ type: 'compare/nope' }));
    assert.ok(!isCompareHostMessage(null));
    assert.ok(!isCompareHostMessage({ type: 'toString' }));
  });

  it('checks every message a webview can post', () => {
    assert.ok(isCompareWebviewMessage({ type: 'webview/ready' }));
    assert.ok(isCompareWebviewMessage({ type: 'compare/selection/set', runIds: ['a'] }));
    assert.ok(!isCompareWebviewMessage({ type: 'compare/selection/set', runIds: [1] }));
    assert.ok(isCompareWebviewMessage({ type: 'compare/csv/export', fileName: 'a.csv', csv: '' }));
    assert.ok(
      isCompareWebviewMessage({ type: 'compare/diff/get', requestId: 1, runIds: ['a', 'b'] }),
    );
    assert.ok(!isCompareWebviewMessage({ type: 'compare/diff/get', requestId: 1, runIds: ['a'] }));
    assert.ok(isLineageWebviewMessage({ type: 'lineage/artifact/checkout', path: 'd', hash: 'h' }));
    assert.ok(!isLineageWebviewMessage({ type: 'lineage/artifact/checkout', path: 'd' }));
    assert.ok(isLineageWebviewMessage({ type: 'lineage/runs/compare', runIds: ['a', 'b'] }));
    assert.ok(
      isLineageHostMessage({
        type: 'lineage/state/didChange',
        state: { nodes: [], edges: [], focusId: null },
      }),
    );
    assert.ok(
      !isLineageHostMessage({
        type: 'lineage/state/didChange',
        state: { nodes: [{ id: 'x', kind: 'dataset' }], edges: [], focusId: null },
      }),
    );
  });
});
