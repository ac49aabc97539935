// A run page state like the host builds for a finished run of the demo's train task.
import { packSeries } from '../../src/protocol/compare.js';
import type { RunPageState } from '../../src/protocol/runPage.js';

export function runPageState(overrides: Partial<RunPageState> = {}): RunPageState {
  const steps = Array.from({ length: 30 }, (_, i) => i + 1);
  return {
    run: {
      id: '20261203-101500-a1b2c3',
      name: 'train lr=0.5 #3',
      task: 'train',
      status: 'completed',
      command: '/usr/bin/python3 train.py --lr 0.5',
      startedMs: Date.UTC(2026, 11, 3, 10, 15),
      durationMs: 83_000,
      exitCode: 0,
      host: 'ws-7',
      user: 'Ada Lovelace',
      error: null,
      sweep: null,
      reproduces: null,
    },
    params: [
      { key: 'epochs', value: 30, overridden: false },
      { key: 'lr', value: 0.5, overridden: true },
      { key: 'model', value: 'logreg', overridden: false },
    ],
    metrics: [
      { name: 'accuracy', last: 0.912, min: 0.61, max: 0.915, count: 30, goal: 'max' },
      { name: 'loss', last: 0.241, min: 0.238, max: 0.93, count: 30, goal: 'min' },
    ],
    series: [
      packSeries(
        '20261203-101500-a1b2c3',
        'accuracy',
        steps,
        steps.map((s) => 0.92 - 0.31 / s),
      ),
      packSeries(
        '20261203-101500-a1b2c3',
        'loss',
        steps,
        steps.map((s) => 0.24 + 0.7 / s),
      ),
    ],
    inputs: [
      {
        path: 'data/churn.csv',
        kind: 'data',
        hash: 'sha256:5587445f08c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7',
        producedBy: { id: '20261202-090000-0a0b0c', name: 'prepare data #1' },
        current: true,
      },
    ],
    outputs: [
      {
        path: 'models/churn',
        kind: 'model',
        hash: 'sha256:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b',
        producedBy: null,
        current: false,
      },
    ],
    code: {
      commit: '3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a',
      subject: 'Balance the classes before fitting',
      branch: 'main',
      dirty: true,
      diff: 'diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -10,3 +10,3 @@\n-lr = 0.1\n+lr = args.lr\n print("start")\n',
    },
    log: {
      tail: 'epoch 28 loss=0.2412 accuracy=0.9118\nepoch 29 loss=0.2410 accuracy=0.9119\nepoch 30 loss=0.2410 accuracy=0.9120\nsaved models/churn',
      hiddenLines: 31,
    },
    previous: { id: '20261203-100000-ffeedd', name: 'train lr=0.1 #2' },
    ...overrides,
  };
}
