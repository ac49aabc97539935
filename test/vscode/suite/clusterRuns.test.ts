// Runs sent to a real one-node SLURM cluster from VS Code: the cluster (slurm-wlm and munge,
// started as root from a temporary folder) is the one the CLI tests use; the extension host's
// SLURM_CONF points the Runs view and the CLI tasks at it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { RunView } from '../../../src/extension/runs/runModel.js';
import {
  canStartSlurm,
  startSlurmCluster,
  type SlurmCluster,
} from '../../../src/core/testing/slurmCluster.js';
import { cairn, waitFor, workspaceRoot } from '../helpers.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

(canStartSlurm() ? describe : describe.skip)('runs on a SLURM cluster', function () {
  this.timeout(180_000);
  let cluster: SlurmCluster;
  let root: string;
  let yaml: string;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    root = workspaceRoot();
    cluster = await startSlurmCluster();
    for (const [k, v] of Object.entries({ ...cluster.env, CAIRN_JOB_POLL_MS: '300' })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    yaml = fs.readFileSync(path.join(root, 'cairn.yaml'), 'utf8');
    // Two tasks under tasks: (earlier suites may have added other sections below it).
    const tasks = `tasks:
  ticks:
    cmd: ${python} -c "import time; [print(f'step={i} tick={i}', flush=True) or time.sleep(0.25) for i in range({{n}})]"
    params: {defaults: {n: 12}}
  long:
    cmd: ${python} -c "import time; [print(f'step={i} tick={i}', flush=True) or time.sleep(0.25) for i in range(2000)]"
    on: gpu
`;
    assert.match(yaml, /^tasks:\n/m);
    fs.writeFileSync(
      path.join(root, 'cairn.yaml'),
      `${yaml.replace(/^tasks:\n/m, tasks)}
executors:
  gpu:
    type: slurm
    partition: ${cluster.partition}
    time: "00:10:00"
`,
    );
    const { runs } = await cairn();
    runs.refresh();
    await waitFor(
      'the executor in cairn.yaml',
      () => runs.executorList().length === 1 || undefined,
    );
  });

  after(async () => {
    const { runs } = await cairn();
    fs.writeFileSync(path.join(root, 'cairn.yaml'), yaml);
    for (const r of runs.all().filter((x) => x.executor))
      fs.rmSync(path.join(root, '.cairn', 'runs', r.id), { recursive: true, force: true });
    fs.rmSync(path.join(root, '.cairn', 'runs', 'index.jsonl'), { force: true });
    runs.refresh();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await cluster?.stop();
  });

  /** Answers the next quick pick with the item labelled `label`; returns what was offered. */
  function pickNext(label: string): { offered: string[]; restore(): void } {
    const w = vscode.window as unknown as { showQuickPick: unknown };
    const original = w.showQuickPick;
    const offered: string[] = [];
    w.showQuickPick = (items: vscode.QuickPickItem[]) => {
      offered.push(...items.map((i) => i.label));
      return Promise.resolve(items.find((i) => i.label === label));
    };
    return { offered, restore: () => (w.showQuickPick = original) };
  }

  async function runOfTask(task: string): Promise<RunView> {
    const { runs } = await cairn();
    return waitFor(`a run of ${task}`, () => runs.all().find((r) => r.task === task), 30_000);
  }

  it('Run Task offers the executors; the Runs view shows the run go queued → running (metrics arriving) → completed', async () => {
    const { runs, runTree } = await cairn();
    const seen: string[] = [];
    const sub = runs.onDidChange(() => {
      const r = runs.all().find((x) => x.task === 'ticks');
      if (!r) return;
      const state = `${r.status}${r.status === 'running' && Object.keys(r.latest).includes('tick') ? '+metrics' : ''}`;
      if (seen[seen.length - 1] !== state) seen.push(state);
    });
    const pick = pickNext('gpu');
    try {
      await vscode.commands.executeCommand(ids.commands.runTask, 'ticks');
    } finally {
      pick.restore();
    }
    assert.deepEqual(pick.offered, ['local', 'gpu']);
    const first = await runOfTask('ticks');
    try {
      const done = await waitFor(
        'the cluster run to complete',
        () => runs.all().find((r) => r.id === first.id && r.executor?.settled),
        90_000,
      );
      assert.equal(done.status, 'completed', done.error);
      assert.equal(done.executor?.node, cluster.node);
      assert.ok(seen.includes('queued'), `the view showed it queued: ${seen.join(' → ')}`);
      assert.ok(seen.includes('running+metrics'), `metrics while running: ${seen.join(' → ')}`);
      assert.equal(seen[seen.length - 1], 'completed', seen.join(' → '));
      const item = runTree.getTreeItem({ type: 'run', run: done });
      assert.match(String(item.description), new RegExp(`on gpu:${cluster.node}`));
      const tooltip = (item.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /SLURM job `\d+` on executor \*\*gpu\*\*/);
      assert.match(tooltip, new RegExp(`partition ${cluster.partition}`));
    } finally {
      sub.dispose();
    }
  });

  it('Stop in the Runs view cancels the job; the run ends stopped', async () => {
    const { runs } = await cairn();
    const before = new Set(runs.all().map((r) => r.id));
    // The task's on: gpu comes first in the picker; the user takes it.
    const pick = pickNext('gpu');
    try {
      await vscode.commands.executeCommand(ids.commands.runTask, 'long');
    } finally {
      pick.restore();
    }
    assert.deepEqual(pick.offered, ['gpu', 'local']);
    const run = await waitFor(
      'the long run to run',
      () => runs.all().find((r) => !before.has(r.id) && r.status === 'running'),
      60_000,
    );
    await vscode.commands.executeCommand(ids.commands.stopRun, { type: 'run', run });
    const end = await waitFor(
      'the run to end',
      () => runs.all().find((r) => r.id === run.id && r.executor?.settled),
      60_000,
    );
    assert.equal(end.status, 'stopped');
  });
});
