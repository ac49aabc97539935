// The compare view's pure parts in Node: filter expressions, sorting, CSV, down-sampling, layout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minMaxDownsample, Series, smooth } from '../../webview-ui/src/compare/downsample.js';
import { applyFilter, parseFilter } from '../../webview-ui/src/compare/filterExpr.js';
import { columnFormat } from '../../webview-ui/src/compare/columnFormat.js';
import { bestValues, buildModel, sortRuns, toCsv } from '../../webview-ui/src/compare/runModel.js';
import { layoutGraph, reachable } from '../../webview-ui/src/lineage/layout.js';
import { shortHash as coreShortHash } from '../../src/core/format.js';
import { shortHash as pageShortHash } from '../../webview-ui/src/shared/shortHash.js';
import { hostileName, lineageState, smallCompareState } from './fixtures.js';

describe('compare model', () => {
  const model = buildModel(smallCompareState());
  const names = (runs: { row: { name: string } }[]): string[] => runs.map((r) => r.row.name);

  it('finds the columns that differ and the best values by goal', () => {
    assert.ok(model.differing.has('param:lr'));
    assert.ok(!model.differing.has('param:seed'));
    assert.ok(!model.differing.has('metric:epochs'));
    const best = bestValues(model, model.runs);
    assert.equal(best.get('metric:acc'), 0.8 + 5 * 0.03);
    assert.equal(best.get('metric:val_loss'), 0.6 - 5 * 0.05);
  });

  it('parses and applies filters', () => {
    const run = (text: string): string[] => {
      const f = parseFilter(model, text);
      assert.ok(f.ok, text);
      return names(applyFilter(model.runs, f.clauses));
    };
    assert.deepEqual(run('acc >= 0.89'), [hostileName, 'big-batch', 'eval-only']);
    assert.deepEqual(run('acc = NaN'), ['lr-sweep-2']);
    assert.deepEqual(run('val_loss = inf'), ['lr-sweep-2']);
    assert.deepEqual(run('params.lr < 0.005'), ['lr-sweep-2', 'big-batch']);
    assert.deepEqual(run('status != completed, task = train'), ['lr-sweep-2', 'big-batch']);
    assert.deepEqual(run('name ~ sweep && optimizer = "sgd"'), ['lr-sweep-1']);
    assert.deepEqual(run('batch'), ['big-batch']);
    assert.deepEqual(run(''), names(model.runs));
    const bad = parseFilter(model, 'lr >');
    assert.ok(!bad.ok);
  });

  it('sorts with missing and NaN values last', () => {
    const acc = model.columnsByKey.get('metric:acc');
    assert.equal(names(sortRuns(model.runs, acc, 1)).at(-1), 'lr-sweep-2');
    assert.equal(names(sortRuns(model.runs, acc, -1)).at(-1), 'lr-sweep-2');
    assert.equal(names(sortRuns(model.runs, acc, -1))[0], 'eval-only');
  });

  it('writes CSV that quotes and defuses formulas', () => {
    const cols = [model.columnsByKey.get('run:name')!, model.columnsByKey.get('metric:acc')!];
    const csv = toCsv(cols, [
      {
        row: { ...model.runs[0]!.row, name: '=HYPERLINK("x"),"a"' },
        metrics: { acc: -1 },
      },
    ]);
    assert.equal(csv, 'name,metric:acc\r\n"\'=HYPERLINK(""x""),""a""",-1\r\n');
  });
});

describe('down-sampling', () => {
  it('keeps the peaks and troughs and at most two points per bucket', () => {
    const n = 100_000;
    const steps = new Float64Array(n).map((_, i) => i);
    const values = new Float64Array(n).map((_, i) => Math.sin(i / 1000));
    values[54_321] = 50;
    values[77_777] = -50;
    const { xs, ys } = minMaxDownsample(steps, values, n, 0, n - 1, 500);
    assert.ok(xs.length <= 1002, `${xs.length} points`);
    assert.ok(ys.includes(50) && ys.includes(-50));
    assert.ok(xs.includes(54_321) && xs.includes(77_777));
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i]! > xs[i - 1]!, 'steps stay in order');
    const zoom = minMaxDownsample(steps, values, n, 54_000, 55_000, 500);
    assert.ok(zoom.xs[0]! <= 54_000 && zoom.xs.at(-1)! >= 55_000, 'lines run to the edges');
    assert.ok(zoom.ys.includes(50));
  });

  it('smooths without bias at the start and grows series on append', () => {
    const s = smooth(new Float64Array([1, 1, 1, NaN, 1]), 5, 0.9);
    assert.ok(Math.abs(s[0]! - 1) < 1e-12 && Math.abs(s[4]! - 1) < 1e-12 && Number.isNaN(s[3]));
    const series = Series.from([0, 1], new Float64Array([1, 2]));
    for (let i = 2; i < 100; i++) series.append([i], new Float64Array([i]));
    assert.equal(series.length, 100);
    assert.equal(series.values[99], 99);
  });
});

describe('lineage layout', () => {
  it('lays 2,000 nodes out left to right in layers', () => {
    const state = lineageState(900);
    const t0 = performance.now();
    const l = layoutGraph({ ids: state.nodes.map((n) => n.id), edges: state.edges });
    const ms = performance.now() - t0;
    assert.ok(state.nodes.length >= 2000, `${state.nodes.length} nodes`);
    console.log(`    layout of ${state.nodes.length} nodes: ${ms.toFixed(0)} ms`);
    const index = new Map(state.nodes.map((n, i) => [n.id, i]));
    for (const e of state.edges) {
      assert.ok(
        l.x[index.get(e.from)!]! < l.x[index.get(e.to)!]!,
        `${e.from} → ${e.to} goes right`,
      );
    }
    for (const layer of l.layers) {
      for (let i = 1; i < layer.length; i++) {
        assert.ok(l.y[layer[i]!]! >= l.y[layer[i - 1]!]! + 34, 'no overlap within a layer');
      }
    }
    const model = index.get('model:12')!;
    const up = reachable(model, l.preds);
    assert.ok(up.has(index.get('run:12')!) && up.has(index.get('data:1')!));
  });
});

describe('short hashes', () => {
  it('the page shortens hashes as the host and the CLI do', () => {
    for (const h of ['sha256:' + 'ab12'.repeat(16), 'c768f61bca0123456789', 'abc']) {
      assert.equal(pageShortHash(h), coreShortHash(h));
    }
  });
});

describe('column number format', () => {
  const texts = (values: number[]): string[] => values.map(columnFormat(values));

  it('gives every number of a column the same decimals, enough for the most precise', () => {
    assert.deepEqual(texts([0.8, 0.83, 0.9125]), ['0.8000', '0.8300', '0.9125']);
    assert.deepEqual(texts([1, 0.5]), ['1.0', '0.5']);
    assert.deepEqual(texts([64, 256]), ['64', '256']);
    // Float noise is cut at six significant digits.
    assert.deepEqual(texts([0.1 + 0.2, 0.25]), ['0.30', '0.25']);
  });

  it('shows no more than six significant digits of the largest value', () => {
    assert.deepEqual(texts([1234.5678, 2.5]), ['1234.57', '2.50']);
  });

  it('goes exponential when fixed decimals would hide a small value or be too many', () => {
    assert.deepEqual(texts([123456.7, 0.00002]), ['1.23457e+5', '2.00000e-5']);
    assert.deepEqual(texts([2.5e-10, 1e-9]), ['2.5e-10', '1.0e-9']);
    assert.deepEqual(texts([NaN, Infinity, 0.5]), ['NaN', 'Infinity', '0.5']);
  });
});
