import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactNode } from '../../../src/extension/versioning/artifactTree.js';
import { ids } from '../../../src/extension/ids.js';
import { shortHash } from '../../../src/core/format.js';
import { answerMessages, cairn, git, waitFor, workspaceRoot } from '../helpers.js';

async function artifactNodes(): Promise<ArtifactNode[]> {
  const { artifactTree } = await cairn();
  const out: ArtifactNode[] = [];
  for (const group of await artifactTree.getChildren()) {
    out.push(...(await artifactTree.getChildren(group)));
  }
  return out;
}

async function artifactItem(rel: string): Promise<vscode.TreeItem | undefined> {
  const { artifactTree } = await cairn();
  const node = (await artifactNodes()).find((n) => n.type === 'artifact' && n.info.path === rel);
  return node ? artifactTree.getTreeItem(node) : undefined;
}

async function stateOf(rel: string): Promise<string | undefined> {
  return (await artifactItem(rel))?.contextValue?.replace('cairn.artifact.', '');
}

describe('artifacts', () => {
  let root: string;
  let data: vscode.Uri;

  before(async () => {
    root = workspaceRoot();
    data = vscode.Uri.file(path.join(root, 'data'));
    await cairn();
  });

  it('starts with an empty Artifacts view (the welcome view offers to track a dataset)', async () => {
    const { artifactTree } = await cairn();
    assert.deepEqual(await artifactTree.getChildren(), []);
  });

  it('tracks a dataset with the Track command and lists it with its version', async () => {
    await vscode.commands.executeCommand(ids.commands.track, data);
    const pointer = path.join(root, 'data.cairn');
    assert.ok(fs.existsSync(pointer), 'data.cairn was not written');
    const hash = /hash: ([0-9a-f]{64})/.exec(fs.readFileSync(pointer, 'utf8'))?.[1];
    assert.ok(hash);
    const item = await waitFor('data in the Artifacts view', () => artifactItem('data'));
    assert.equal(item.contextValue, 'cairn.artifact.ok');
    assert.match(String(item.description), new RegExp(`^${shortHash(hash)} · 2 files`));
    const { artifactTree } = await cairn();
    const groups = await artifactTree.getChildren();
    assert.equal(artifactTree.getTreeItem(groups[0]!).label, 'Datasets');
  });

  it('marks a modified artifact as soon as a file changes (tree, decoration, status bar)', async () => {
    const api = await cairn();
    const train = path.join(root, 'data', 'train.csv');
    const started = Date.now();
    fs.appendFileSync(train, '0.5,0.5,1\n');
    await waitFor('data to show as modified', async () => (await stateOf('data')) === 'modified');
    const latencyMs = Date.now() - started;
    // Printed, not asserted: wall-clock time on a shared machine says little (bench/ measures speed).
    console.log(`    modified data showed after ${latencyMs} ms`);
    const dirDecoration = api.decorations.provideFileDecoration(data);
    assert.ok(dirDecoration);
    assert.equal((dirDecoration.color as vscode.ThemeColor).id, 'cairn.artifact.modified');
    const fileDecoration = api.decorations.provideFileDecoration(vscode.Uri.file(train));
    assert.equal(fileDecoration?.badge, 'M');
    assert.match(api.statusBar.text, /\$\(diff-modified\) 1/);
    // Modified data is normal work, not a problem: no warning colour, and no CLI words.
    assert.equal(api.statusBar.look.backgroundColor, undefined);
    assert.equal(
      api.statusBar.look.tooltip,
      '1 modified artifact: track it to record a new version',
    );
    // The changed file is listed under the artifact.
    const node = (await artifactNodes()).find(
      (n) => n.type === 'artifact' && n.info.path === 'data',
    );
    const children = await api.artifactTree.getChildren(node);
    assert.ok(
      children.some(
        (c) => c.type === 'change' && c.file === 'train.csv' && c.change === 'modified',
      ),
    );
  });

  it('re-tracking a modified artifact records a new version', async () => {
    const before = fs.readFileSync(path.join(root, 'data.cairn'), 'utf8');
    await vscode.commands.executeCommand(ids.commands.track, data);
    assert.notEqual(fs.readFileSync(path.join(root, 'data.cairn'), 'utf8'), before);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
    const decoration = (await cairn()).decorations.provideFileDecoration(data);
    assert.equal(decoration?.badge, '◆');
    assert.equal(decoration?.color, undefined);
  });

  it('checks out a deleted file again', async () => {
    const val = path.join(root, 'data', 'val.csv');
    const content = fs.readFileSync(val, 'utf8');
    fs.rmSync(val);
    await waitFor(
      'data to show the removed file',
      async () => (await stateOf('data')) === 'modified',
    );
    const node = (await artifactNodes()).find(
      (n) => n.type === 'artifact' && n.info.path === 'data',
    );
    await vscode.commands.executeCommand(ids.commands.checkout, node);
    assert.equal(fs.readFileSync(val, 'utf8'), content);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
  });

  it('asks in a modal dialog before a checkout discards changes, and can track them instead', async () => {
    const train = path.join(root, 'data', 'train.csv');
    const tracked = fs.readFileSync(train, 'utf8');
    const pointer = path.join(root, 'data.cairn');
    const pointerBefore = fs.readFileSync(pointer, 'utf8');
    const dataNode = async (): Promise<ArtifactNode | undefined> =>
      (await artifactNodes()).find((n) => n.type === 'artifact' && n.info.path === 'data');
    const checkoutAnswering = async (answer: string | undefined) => {
      await waitFor('data to show as modified', async () => (await stateOf('data')) === 'modified');
      const answers = answerMessages([answer]);
      try {
        await vscode.commands.executeCommand(ids.commands.checkout, await dataNode());
      } finally {
        answers.restore();
      }
      return answers.dialogs;
    };

    // Escape (or Cancel) keeps everything as it is.
    fs.appendFileSync(train, '0.7,0.7,1\n');
    const edited = fs.readFileSync(train, 'utf8');
    const [dialog] = await checkoutAnswering(undefined);
    assert.ok(dialog, 'no dialog was shown');
    assert.match(dialog.message, /^Checking out would discard changes to data\/train\.csv/);
    assert.doesNotMatch(`${dialog.message} ${dialog.detail}`, /cairn add|--force|re-add/);
    assert.equal(dialog.modal, true);
    assert.deepEqual(dialog.buttons, ['Track the Changes', 'Discard Changes', 'Cancel']);
    assert.equal(dialog.cancelButton, 'Cancel');
    assert.equal(fs.readFileSync(train, 'utf8'), edited, 'cancelling changed the file');

    // Discard Changes puts the tracked version back.
    await checkoutAnswering('Discard');
    assert.equal(fs.readFileSync(train, 'utf8'), tracked);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');

    // Track the Changes keeps the edit as a new version that the pointer file names.
    fs.appendFileSync(train, '0.7,0.7,1\n');
    await checkoutAnswering('Track');
    assert.equal(fs.readFileSync(train, 'utf8'), edited);
    assert.notEqual(fs.readFileSync(pointer, 'utf8'), pointerBefore);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
    // Back to the version the branch names, for the tests after this one.
    fs.writeFileSync(pointer, pointerBefore);
    await checkoutAnswering('Discard');
    assert.equal(fs.readFileSync(train, 'utf8'), tracked);
  });

  it('follows a branch switch (cairn.checkout.onBranchSwitch: always)', async () => {
    await vscode.workspace
      .getConfiguration()
      .update(ids.settings.onBranchSwitch, 'always', vscode.ConfigurationTarget.Workspace);
    git(root, 'add', 'data.cairn', '.gitignore');
    git(root, 'commit', '-q', '-m', 'data v1');
    const train = path.join(root, 'data', 'train.csv');
    const v1 = fs.readFileSync(train, 'utf8');
    // A person takes longer between two branch switches than the extension needs to see one.
    const { branchWatcher } = await cairn();
    const pause = async (): Promise<void> => {
      const head = fs.readFileSync(path.join(root, '.git', 'HEAD'), 'utf8').trim();
      await waitFor(`HEAD ${head} to be seen`, () => branchWatcher.currentHead === head);
      await branchWatcher.settled();
    };
    git(root, 'checkout', '-q', '-b', 'more-data');
    await pause();
    fs.appendFileSync(train, '0.9,0.9,1\n0.1,0.1,0\n');
    await vscode.commands.executeCommand(ids.commands.track, data);
    git(root, 'commit', '-q', '-am', 'data v2');
    const v2 = fs.readFileSync(train, 'utf8');
    await pause();
    git(root, 'checkout', '-q', 'main');
    await waitFor('train.csv to be back at v1', () => fs.readFileSync(train, 'utf8') === v1, 8000);
    await pause();
    git(root, 'checkout', '-q', 'more-data');
    await waitFor('train.csv to be at v2', () => fs.readFileSync(train, 'utf8') === v2, 8000);
    await pause();
    git(root, 'checkout', '-q', 'main');
    await waitFor('train.csv to be back at v1', () => fs.readFileSync(train, 'utf8') === v1, 8000);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
  });

  it('cleans up the cache after showing what it would remove', async () => {
    // A version that no commit names: tracked, then abandoned.
    const train = path.join(root, 'data', 'train.csv');
    fs.appendFileSync(train, '0.3,0.3,0\n');
    await vscode.commands.executeCommand(ids.commands.track, data);
    git(root, 'checkout', '--', 'data.cairn');
    await vscode.commands.executeCommand(ids.commands.checkout);
    const cache = path.join(root, '.cairn', 'cache');
    const count = (): number => fs.readdirSync(cache, { recursive: true }).length;
    const objectsBefore = count();
    const declined = answerMessages([undefined]);
    try {
      await vscode.commands.executeCommand(ids.commands.gc);
    } finally {
      declined.restore();
    }
    assert.match(declined.asked[0] ?? '', /^Remove \d+ cache objects \([\d.]+ KB\)/);
    assert.equal(count(), objectsBefore, 'declining removed something');
    const accepted = answerMessages(['Remove']);
    try {
      await vscode.commands.executeCommand(ids.commands.gc);
    } finally {
      accepted.restore();
    }
    assert.ok(count() < objectsBefore, 'nothing was removed');
    // What the branches name is still there: switching keeps working.
    await vscode.commands.executeCommand(ids.commands.checkout);
    await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
  });

  it('pushes to and pulls from a remote picked from several; the view says what is not on the remote', async () => {
    const remote = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-remote-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-other-'));
    const w = vscode.window as unknown as { showQuickPick: unknown };
    const original = w.showQuickPick;
    const offered: string[][] = [];
    // The quick pick is the user's answer: the test gives it, choosing 'shared'.
    w.showQuickPick = (items: (vscode.QuickPickItem & { name: string })[]) => {
      offered.push(items.map((i) => `${i.label}${i.description ? ` (${i.description})` : ''}`));
      return Promise.resolve(items.find((i) => i.label === 'shared'));
    };
    try {
      const config = path.join(root, 'cairn.yaml');
      fs.appendFileSync(
        config,
        `remotes:\n  other:\n    url: ${other}\n  shared:\n    url: ${remote}\n    default: true\n`,
      );
      await vscode.commands.executeCommand(ids.commands.refreshArtifacts);
      const notOnRemote = async (): Promise<boolean> =>
        /not on the remote/.test(String((await artifactItem('data'))?.description));
      await waitFor('data marked "not on the remote"', notOnRemote);
      await vscode.commands.executeCommand(ids.commands.push);
      assert.deepEqual(offered[0], ['shared (default)', 'other']);
      assert.ok(fs.readdirSync(path.join(remote, 'cache'), { recursive: true }).length > 0);
      assert.deepEqual(fs.readdirSync(other), [], 'nothing went to the other remote');
      await waitFor('data no longer marked', async () => !(await notOnRemote()));
      // Lose the local cache and the data, then get both back.
      fs.rmSync(path.join(root, '.cairn', 'cache'), { recursive: true });
      fs.rmSync(path.join(root, 'data'), { recursive: true });
      await vscode.commands.executeCommand(ids.commands.pull);
      assert.equal(offered.length, 2);
      assert.ok(fs.existsSync(path.join(root, 'data', 'train.csv')));
      await waitFor('data to be ok', async () => (await stateOf('data')) === 'ok');
    } finally {
      w.showQuickPick = original;
      fs.rmSync(remote, { recursive: true, force: true });
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('opens a file artifact in a preview editor on a click, keeping the Cairn view', async () => {
    const labels = path.join(root, 'labels.txt');
    fs.writeFileSync(labels, 'cat\ndog\n');
    await vscode.commands.executeCommand(ids.commands.track, vscode.Uri.file(labels));
    const item = await waitFor('labels.txt in the Artifacts view', () =>
      artifactItem('labels.txt'),
    );
    const click = item.command;
    assert.ok(click, 'a click does nothing');
    // revealInExplorer switched the sidebar from the Cairn view to the Explorer.
    assert.equal(click.command, 'vscode.open');
    assert.deepEqual(click.arguments?.[1], { preview: true, preserveFocus: true });
    await vscode.commands.executeCommand(click.command, ...((click.arguments ?? []) as unknown[]));
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputText);
    assert.equal(tab.input.uri.fsPath, labels);
    assert.equal(tab.isPreview, true);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Make Editable turns a hard-linked checkout into a writable copy and says so', async () => {
    const weights = path.join(root, 'weights.bin');
    fs.writeFileSync(weights, Buffer.alloc(3 << 19, 'w'));
    await vscode.commands.executeCommand(ids.commands.track, vscode.Uri.file(weights));
    const config = path.join(root, 'cairn.yaml');
    const configBefore = fs.readFileSync(config, 'utf8');
    fs.appendFileSync(config, 'cache:\n  type: hardlink\n');
    try {
      fs.rmSync(weights);
      const node = async (): Promise<ArtifactNode | undefined> =>
        (await artifactNodes()).find((n) => n.type === 'artifact' && n.info.path === 'weights.bin');
      await waitFor(
        'weights.bin to be missing',
        async () => (await stateOf('weights.bin')) === 'missing',
      );
      await vscode.commands.executeCommand(ids.commands.checkout, await node());
      assert.equal(fs.statSync(weights).nlink, 2, 'checkout did not make a hard link');
      assert.equal(fs.statSync(weights).mode & 0o777, 0o444);
      await waitFor('weights.bin to be ok', async () => (await stateOf('weights.bin')) === 'ok');
      const messages = answerMessages([]);
      try {
        await vscode.commands.executeCommand(ids.commands.unprotect, await node());
        await vscode.commands.executeCommand(ids.commands.unprotect, await node());
      } finally {
        messages.restore();
      }
      assert.equal(fs.statSync(weights).nlink, 1);
      assert.equal(fs.statSync(weights).mode & 0o777, 0o644);
      assert.match(messages.asked[0] ?? '', /^Cairn: made weights\.bin editable/);
      assert.match(messages.asked[1] ?? '', /^Cairn: weights\.bin is already editable/);
      assert.doesNotMatch(messages.asked.join(' '), /unprotect|--/);
      await waitFor('weights.bin to be ok', async () => (await stateOf('weights.bin')) === 'ok');
    } finally {
      fs.writeFileSync(config, configBefore);
    }
  });

  it('installs the Git hooks', async () => {
    await vscode.commands.executeCommand(ids.commands.installHooks);
    const hook = fs.readFileSync(path.join(root, '.git', 'hooks', 'post-checkout'), 'utf8');
    assert.match(hook, /cairn hooks install/);
    assert.match(hook, /dist\/cli\.js/);
  });
});
