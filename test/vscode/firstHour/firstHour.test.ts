// The first hour, in a new Git repository with an argparse train.py and a CSV and no Cairn yet:
// Initialize, Track the data, Create Task from the script, Sweep lr, Compare. Five steps, no
// hand-written YAML, and each one leaves the next to do in view.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { ArtifactNode } from '../../../src/extension/versioning/artifactTree.js';
import type { CompareState } from '../../../src/protocol/compare.js';
import { answerMessages, cairn, pageMessages, waitFor, workspaceRoot } from '../helpers.js';

/** Answers the next input boxes with `values`, in order. */
function answerInputs(values: string[]): { restore: () => void } {
  const w = vscode.window as unknown as Record<string, unknown>;
  const original = w['showInputBox'];
  w['showInputBox'] = () => Promise.resolve(values.shift());
  return { restore: () => (w['showInputBox'] = original) };
}

async function artifactLabels(): Promise<string[]> {
  const { artifactTree } = await cairn();
  const out: string[] = [];
  const walk = async (nodes: ArtifactNode[]): Promise<void> => {
    for (const n of nodes) {
      const label = artifactTree.getTreeItem(n).label;
      out.push(typeof label === 'string' ? label : (label?.label ?? ''));
      if (n.type === 'group') await walk(await artifactTree.getChildren(n));
    }
  };
  await walk(await artifactTree.getChildren());
  return out;
}

describe('the first hour in a new repository', () => {
  let root: string;
  before(async () => {
    root = workspaceRoot();
    await cairn();
  });

  it('1. Initialize Cairn writes a commented cairn.yaml and shows no phantom artifact', async () => {
    assert.equal(fs.existsSync(path.join(root, 'cairn.yaml')), false);
    const answers = answerMessages([undefined]);
    try {
      await vscode.commands.executeCommand(ids.commands.init);
    } finally {
      answers.restore();
    }
    assert.match(answers.asked[0] ?? '', /Cairn is set up/);
    const config = fs.readFileSync(path.join(root, 'cairn.yaml'), 'utf8');
    assert.match(config, /^#/m, 'cairn.yaml explains itself in comments');
    assert.match(config, /tasks:/);
    // No refresh: right after Initialize the view and the status bar know there is nothing yet
    // (the .cairn folder was once read as a pointer file: "unreadable pointer file").
    assert.deepEqual(await artifactLabels(), []);
    const { statusBar, contexts } = await cairn();
    assert.doesNotMatch(statusBar.text, /\$\(database\)|\$\(warning\)/);
    // The walkthrough's Initialize step checks itself off; Track is not done yet.
    await waitFor('cairn.projectOpen', () => contexts.get(ids.contexts.projectOpen));
    assert.equal(contexts.get(ids.contexts.hasArtifacts), false);
  });

  it('2. Track Dataset versions the CSV folder', async () => {
    await vscode.commands.executeCommand(
      ids.commands.track,
      vscode.Uri.file(path.join(root, 'data')),
    );
    const labels = await waitFor('data in the Artifacts view', async () => {
      const l = await artifactLabels();
      return l.includes('data') ? l : undefined;
    });
    assert.ok(labels.includes('Datasets'), labels.join(', '));
    assert.ok(fs.existsSync(path.join(root, 'data.cairn')));
    const { contexts } = await cairn();
    await waitFor('cairn.hasArtifacts (the Track step done)', () =>
      contexts.get(ids.contexts.hasArtifacts),
    );
  });

  it('3. Create Task from Current File drafts the task from the argparse options', async () => {
    const answers = answerMessages(['Add Task']);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, 'train.py')));
      await vscode.commands.executeCommand(ids.commands.createTask);
    } finally {
      answers.restore();
    }
    const config = fs.readFileSync(path.join(root, 'cairn.yaml'), 'utf8');
    assert.match(
      config,
      /train:\n\s+cmd: python3 train\.py --lr \{\{lr\}\} --epochs \{\{epochs\}\}/,
    );
    assert.match(config, /lr: 0\.05/);
    assert.match(config, /deps:.*data/s);
    await waitFor('the task in the Run Task list', async () =>
      (await vscode.tasks.fetchTasks({ type: ids.taskType })).find((t) => t.name === 'train'),
    );
    const { contexts } = await cairn();
    await waitFor('cairn.hasTasks (the Create Task step done)', () =>
      contexts.get(ids.contexts.hasTasks),
    );
  });

  it('4. Sweep Parameters runs the task once per value, and the values reach the program', async function () {
    this.timeout(180_000);
    const { runs } = await cairn();
    const inputs = answerInputs(['lr=0.01,0.5']);
    const answers = answerMessages([undefined, undefined, undefined]);
    try {
      await vscode.commands.executeCommand(ids.commands.sweep, 'train');
      const done = await waitFor(
        'two finished runs of the sweep',
        () => {
          const finished = runs.all().filter((r) => r.task === 'train' && r.status === 'completed');
          return finished.length === 2 ? finished : undefined;
        },
        150_000,
      );
      const byLr = new Map(done.map((r) => [r.params['lr'], r.metrics['val_acc']]));
      assert.deepEqual([...byLr.keys()].sort(), [0.01, 0.5]);
      assert.notEqual(byLr.get(0.01), byLr.get(0.5), 'lr changed what the program did');
      // Readable names that tell the runs apart.
      assert.deepEqual(new Set(done.map((r) => r.name)).size, 2);
      assert.ok(
        done.every((r) => /lr=/.test(r.name)),
        done.map((r) => r.name).join(', '),
      );
      const { contexts } = await cairn();
      await waitFor('cairn.hasRuns (the Run step done)', () => contexts.get(ids.contexts.hasRuns));
    } finally {
      inputs.restore();
      answers.restore();
    }
  });

  it('5. Compare Runs shows the two runs side by side', async () => {
    const pages = await pageMessages();
    await vscode.window.showTextDocument(vscode.Uri.file(path.join(root, 'train.py')));
    await vscode.commands.executeCommand(ids.commands.compare);
    const state = await waitFor(
      'the compare state',
      () => pages.stateOf<CompareState>('compare/state/didChange'),
      30_000,
    );
    assert.deepEqual(state.runs.map((r) => r.params['lr']).sort(), [0.01, 0.5]);
    assert.ok(
      state.runs.every((r) => r.dataVersions['data'] !== undefined),
      'the data version of each',
    );
    assert.ok(state.series.some((s) => s.metric === 'val_acc'));
  });
});
