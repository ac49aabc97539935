import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { DriftState } from '../../../src/protocol/drift.js';
import type { ProfileState } from '../../../src/protocol/profile.js';
import { cairn, pageMessages, waitFor, workspaceRoot } from '../helpers.js';

/** The open webview tab with this title, if any. */
function webviewTab(label: string): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputWebview && t.label === label);
}

// Runs after the artifacts suite: data is tracked and committed (HEAD has a version of it).
describe('Data profiles and drift', function () {
  this.timeout(120_000);

  it('profiles a table from the Explorer in the profile view', async () => {
    const root = workspaceRoot();
    const pages = await pageMessages();
    await vscode.commands.executeCommand(
      ids.commands.profile,
      vscode.Uri.file(path.join(root, 'data', 'train.csv')),
    );
    await waitFor('the profile panel', () => webviewTab('Profile: train.csv'), 30_000);
    const state = await waitFor(
      'the profile state the page received',
      () => pages.stateOf<ProfileState>('profile/state/didChange'),
      60_000,
    );
    assert.equal(state.profile.kind, 'table');
    if (state.profile.kind !== 'table') return;
    assert.deepEqual(
      state.profile.columns.map((c) => c.name),
      ['x1', 'x2', 'label'],
    );
    assert.equal(state.canCompare, true);
  });

  it('profiles a folder of several tables by offering its tables, then showing the one picked', async () => {
    const root = workspaceRoot();
    const pages = await pageMessages();
    const w = vscode.window as unknown as { showQuickPick: unknown };
    const original = w.showQuickPick;
    const offered: string[] = [];
    let title = '';
    w.showQuickPick = (items: vscode.QuickPickItem[], options?: vscode.QuickPickOptions) => {
      offered.push(...items.map((i) => i.label));
      title = options?.title ?? '';
      return Promise.resolve(items.find((i) => i.label === 'val.csv'));
    };
    try {
      await vscode.commands.executeCommand(
        ids.commands.profile,
        vscode.Uri.file(path.join(root, 'data')),
      );
    } finally {
      w.showQuickPick = original;
    }
    assert.deepEqual(offered.sort(), ['train.csv', 'val.csv']);
    assert.match(title, /^data holds 2 tables/);
    await waitFor('the profile panel', () => webviewTab('Profile: val.csv'), 30_000);
    const state = await waitFor(
      'the profile state of val.csv',
      () => {
        const st = pages.stateOf<ProfileState>('profile/state/didChange');
        return st?.profile.kind === 'table' && st.profile.path.endsWith('val.csv') ? st : undefined;
      },
      60_000,
    );
    assert.equal(state.profile.kind, 'table');
  });

  it('shows the drift between two versions of the data in the drift view', async () => {
    const root = workspaceRoot();
    const train = path.join(root, 'data', 'train.csv');
    const before = fs.readFileSync(train, 'utf8');
    fs.appendFileSync(train, '0.9,0.9,1\n0.1,0.1,0\n');
    await vscode.commands.executeCommand(
      ids.commands.track,
      vscode.Uri.file(path.join(root, 'data')),
    );
    const pages = await pageMessages();
    (await cairn()).panels.data.showDrift('data/train.csv', 'HEAD');
    await waitFor('the drift panel', () => webviewTab('Drift: train.csv'), 30_000);
    const state = await waitFor(
      'the drift state the page received',
      () => pages.stateOf<DriftState>('drift/state/didChange'),
      60_000,
    );
    assert.equal(state.to.rows, state.from.rows + 2);
    assert.deepEqual(state.columns.map((c) => c.name).sort(), ['label', 'x1', 'x2']);
    assert.match(state.summary, /data\/train\.csv/);
    // The committed version is named by its commit (tag or subject), not by a bare hash.
    assert.match(state.from.label, /^[0-9a-f]{10} · (".+"|\S+)$/);
    assert.equal(state.to.label, 'work tree');
    // Back to the committed version for the suites that follow.
    fs.writeFileSync(train, before);
    await vscode.commands.executeCommand(
      ids.commands.track,
      vscode.Uri.file(path.join(root, 'data')),
    );
  });
});
