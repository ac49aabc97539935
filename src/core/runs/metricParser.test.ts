import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  MetricStreamParser,
  parseMetricLine,
  parsePatternLine,
  readMetricsFile,
  type MetricRecord,
} from './metricParser.js';

test('key=value and key: value pairs, with the step from "epoch N"', () => {
  assert.deepEqual(parseMetricLine('epoch 3 loss=0.41 acc=0.87'), {
    step: 3,
    values: { loss: 0.41, acc: 0.87 },
  });
  assert.deepEqual(parseMetricLine('val_loss: 1.5e-3, lr: 0.1'), {
    values: { val_loss: 0.0015, lr: 0.1 },
  });
  assert.deepEqual(parseMetricLine('step=7 loss=nan grad=inf neg=-inf'), {
    step: 7,
    values: { loss: NaN, grad: Infinity, neg: -Infinity },
  });
  assert.equal(parseMetricLine('Loading the data...'), undefined);
  assert.equal(parseMetricLine('time 12:30:01 opt=adam'), undefined);
});

test('JSON lines: nested values flattened, NaN kept, malformed reported', () => {
  assert.deepEqual(parseMetricLine('{"step": 2, "loss": 0.5, "val": {"acc": 0.9}, "tag": "x"}'), {
    step: 2,
    values: { loss: 0.5, 'val.acc': 0.9 },
  });
  assert.deepEqual(parseMetricLine('{"loss": NaN, "x": -Infinity}'), {
    values: { loss: NaN, x: -Infinity },
  });
  assert.equal(parseMetricLine('{"loss": 0.5'), undefined); // not an object line at all
  assert.equal(parseMetricLine('{loss: 0.5}'), 'malformed');
});

test('per-task pattern with named groups', () => {
  const re = /Iter (?<step>\d+): cost (?<cost>[\d.]+)/;
  assert.deepEqual(parsePatternLine('Iter 12: cost 0.25', re), {
    step: 12,
    values: { cost: 0.25 },
  });
});

test('the stream parser splits on \\n and \\r, strips escapes, counts malformed and long lines', () => {
  const records: MetricRecord[] = [];
  const p = new MetricStreamParser((r) => records.push(r), { generic: true, maxLineBytes: 100 });
  p.write(Buffer.from('\x1b[32mloss=1\x1b[0m\r\nacc'));
  p.write(Buffer.from('=0.5\n{bad json}\n'));
  p.write(Buffer.from('x'.repeat(250)));
  p.write(Buffer.from('y'.repeat(250) + '\nloss=2\r'));
  p.write(Buffer.from([0xff, 0xfe, 0x6c, 0x3d, 0x33, 0x0a])); // not UTF-8, then "l=3"
  p.end();
  assert.deepEqual(
    records.map((r) => r.values),
    [{ loss: 1 }, { acc: 0.5 }, { loss: 2 }],
  );
  assert.equal(p.skippedLines, 2);
});

test('memory stays bounded on a huge line without newlines', () => {
  const p = new MetricStreamParser(() => undefined, { generic: true });
  const chunk = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 64; i++) p.write(chunk); // 64 MB, one line
  p.end();
  assert.equal(p.skippedLines, 1);
});

test('metrics files: JSON, YAML and CSV', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-metrics-'));
  try {
    fs.writeFileSync(path.join(dir, 'm.json'), '{"acc": 0.9, "loss": NaN}');
    fs.writeFileSync(path.join(dir, 'm.yaml'), 'f1: 0.8\nnested:\n  auc: 0.7\n');
    fs.writeFileSync(path.join(dir, 'm.csv'), 'epoch,loss,acc\n0,1.0,0.5\n1,0.5,0.75\n');
    assert.deepEqual(readMetricsFile(path.join(dir, 'm.json'), 'm.json'), [
      { values: { acc: 0.9, loss: NaN } },
    ]);
    assert.deepEqual(readMetricsFile(path.join(dir, 'm.yaml'), 'm.yaml'), [
      { values: { f1: 0.8, 'nested.auc': 0.7 } },
    ]);
    assert.deepEqual(readMetricsFile(path.join(dir, 'm.csv'), 'm.csv'), [
      { step: 0, values: { loss: 1, acc: 0.5 } },
      { step: 1, values: { loss: 0.5, acc: 0.75 } },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('live readers get only complete metric lines, from where they left off', async () => {
  const { projectAt } = await import('../project/project.js');
  const { MetricsWriter, readMetricsSince, readSeries } = await import('./runStore.js');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-live-'));
  try {
    const project = projectAt(root);
    const dir = path.join(project.runsDir, 'r1');
    fs.mkdirSync(dir, { recursive: true });
    const w = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
    w.add({ values: { loss: 1 } }, 10);
    w.add({ step: 5, values: { loss: NaN, acc: 0.5 } }, 20);
    w.flush();
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"t":30,"v":{"lo'); // being written
    const first = readMetricsSince(project, 'r1', 0);
    assert.equal(first.rows.length, 2);
    assert.ok(Number.isNaN(first.rows[1]!.values['loss']));
    assert.equal(first.rows[1]!.step, 5);
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), 'ss":2}}\n');
    const next = readMetricsSince(project, 'r1', first.nextOffset);
    assert.deepEqual(next.rows, [{ timeMs: 30, values: { loss: 2 } }]);
    w.close();
    assert.deepEqual(readSeries(project, 'r1')['loss']!.step, [0, 5, 2]);
    assert.equal(w.summary['loss']!.min, 1);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
