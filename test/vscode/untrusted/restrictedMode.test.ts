import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import { answerMessages, cairn, waitFor, workspaceRoot } from '../helpers.js';

// The launcher opened the fixture untrusted, with data/ tracked by the CLI beforehand.
describe('Restricted Mode (untrusted workspace)', () => {
  let root: string;

  before(async () => {
    root = workspaceRoot();
    await cairn();
  });

  it('runs in an untrusted workspace', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('shows tracked artifacts and their state', async () => {
    const { artifactTree, decorations } = await cairn();
    const groups = await artifactTree.getChildren();
    assert.equal(groups.length, 1);
    const [data] = await artifactTree.getChildren(groups[0]);
    assert.ok(data?.type === 'artifact' && data.info.path === 'data');
    assert.equal(artifactTree.getTreeItem(data).contextValue, 'cairn.artifact.ok');
    fs.appendFileSync(path.join(root, 'data', 'train.csv'), '0.5,0.5,1\n');
    await waitFor('data to show as modified', async () => {
      const [node] = await artifactTree.getChildren((await artifactTree.getChildren())[0]);
      return node && artifactTree.getTreeItem(node).contextValue === 'cairn.artifact.modified';
    });
    const decoration = decorations.provideFileDecoration(vscode.Uri.file(path.join(root, 'data')));
    assert.equal(decoration?.color?.id, 'cairn.artifact.modified');
  });

  it('runs and changes nothing: track, checkout, hooks, gc, push, pull, init', async () => {
    const pointer = fs.readFileSync(path.join(root, 'data.cairn'), 'utf8');
    const train = fs.readFileSync(path.join(root, 'data', 'train.csv'), 'utf8');
    const { artifactTree } = await cairn();
    const node = (await artifactTree.getChildren((await artifactTree.getChildren())[0]))[0];
    const messages = answerMessages([]);
    try {
      await vscode.commands.executeCommand(
        ids.commands.track,
        vscode.Uri.file(path.join(root, 'data')),
      );
      await vscode.commands.executeCommand(ids.commands.checkout, node);
      await vscode.commands.executeCommand(ids.commands.installHooks);
      await vscode.commands.executeCommand(ids.commands.gc);
      await vscode.commands.executeCommand(ids.commands.push);
      await vscode.commands.executeCommand(ids.commands.pull);
      await vscode.commands.executeCommand(ids.commands.init);
      await vscode.commands.executeCommand(ids.commands.runTask, 'train');
      await vscode.commands.executeCommand(
        ids.commands.runFile,
        vscode.Uri.file(path.join(root, 'train.py')),
      );
      await vscode.commands.executeCommand(ids.commands.sweep, 'train');
    } finally {
      messages.restore();
    }
    assert.equal(fs.readFileSync(path.join(root, 'data.cairn'), 'utf8'), pointer);
    assert.equal(fs.readFileSync(path.join(root, 'data', 'train.csv'), 'utf8'), train);
    assert.ok(!fs.existsSync(path.join(root, '.git', 'hooks', 'post-checkout')));
    assert.equal(messages.asked.length, 10);
    assert.ok(
      !fs.existsSync(path.join(root, '.cairn', 'runs', 'index.jsonl')),
      'a run was recorded',
    );
    assert.ok(!fs.existsSync(path.join(root, 'models')), 'the training script ran');
    for (const m of messages.asked) assert.match(m, /Restricted Mode/);
  });
});
