// The model registry in VS Code: Register Model on a run that made one, Promote with a stage
// quick pick, the Models view with versions and stages, the warning when the prod model's data
// has a newer version, and Demote. Runs last (after the runs suite trained a model).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { RegistryNode } from '../../../src/extension/registry/registryTree.js';
import { cairn, git, waitFor, workspaceRoot } from '../helpers.js';

describe('the model registry', function () {
  this.timeout(120_000);
  let root: string;
  let cli: string;
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.equal(r.status, 0, `cairn ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    root = workspaceRoot();
    cli = path.join(vscode.extensions.getExtension(ids.extension)!.extensionPath, 'dist', 'cli.js');
    // A model trained on tracked data (the suites before may have tracked both already).
    if (!fs.existsSync(path.join(root, 'data.cairn'))) run('add', 'data');
    run('run', 'train');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'a trained model', '--allow-empty');
    const { runs } = await cairn();
    runs.refresh();
  });

  /** Replaces window.<fn> with answers given in order while `body` runs. */
  async function answering<T>(
    fn: 'showInputBox' | 'showQuickPick',
    answers: string[],
    body: () => Thenable<T>,
  ): Promise<{ result: T; asked: string[] }> {
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w[fn];
    const asked: string[] = [];
    w[fn] = (a: unknown, b?: { title?: string; prompt?: string }) => {
      const next = answers.shift();
      if (fn === 'showQuickPick') {
        const items = a as (vscode.QuickPickItem | string)[];
        asked.push(items.map((i) => (typeof i === 'string' ? i : i.label)).join(', '));
        return Promise.resolve(items.find((i) => (typeof i === 'string' ? i : i.label) === next));
      }
      asked.push(`${b?.title ?? ''}: ${(a as { prompt?: string })?.prompt ?? ''}`);
      return Promise.resolve(next);
    };
    try {
      return { result: await body(), asked };
    } finally {
      w[fn] = original;
    }
  }

  async function modelNode(): Promise<Extract<RegistryNode, { type: 'model' }>> {
    const { registryTree } = await cairn();
    return waitFor('churn in the Models view', async () => {
      const nodes = await registryTree.getChildren();
      return nodes.find((n) => n.type === 'model' && n.model.name === 'churn') as
        Extract<RegistryNode, { type: 'model' }> | undefined;
    });
  }

  it('Register Model on the run that made the model tags its commit; the Models view shows it', async () => {
    const { runs, registryTree } = await cairn();
    const pointer = fs.readFileSync(path.join(root, 'models', 'model.pkl.cairn'), 'utf8');
    const producer = /run: (\S+)/.exec(pointer)![1];
    const made = await waitFor('the run that made the model in the Runs view', () =>
      runs.all().find((r) => r.id === producer),
    );
    const node = { type: 'run' as const, run: made };
    const { asked } = await answering('showInputBox', ['churn', ''], () =>
      vscode.commands.executeCommand(ids.commands.registerModel, node),
    );
    assert.equal(asked.length, 2, asked.join(' | '));
    assert.match(git(root, 'tag', '-l', 'churn@*'), /churn@v0\.0\.1/);
    const churn = await modelNode();
    assert.deepEqual(
      churn.model.versions.map((v) => v.version),
      ['v0.0.1'],
    );
    const item = registryTree.getTreeItem({ type: 'version', version: churn.model.versions[0]! });
    assert.equal(item.label, 'v0.0.1');
    assert.match(String(item.description), /val_acc=/);
  });

  it('Promote offers the stages; the version shows its stage', async () => {
    const { registryTree } = await cairn();
    const churn = await modelNode();
    const version: RegistryNode = { type: 'version', version: churn.model.versions[0]! };
    const { asked } = await answering('showQuickPick', ['prod'], () =>
      vscode.commands.executeCommand(ids.commands.promoteModel, version),
    );
    assert.match(asked[0] ?? '', /^prod, staging/);
    assert.match(git(root, 'tag', '-l', 'churn#*'), /churn#prod#1/);
    const promoted = await waitFor('prod on churn', async () => {
      const n = await modelNode();
      return n.model.stages['prod'] ? n : undefined;
    });
    const item = registryTree.getTreeItem(promoted);
    assert.match(String(item.description), /prod: v0\.0\.1/);
    assert.equal(
      registryTree.getTreeItem({ type: 'version', version: promoted.model.versions[0]! })
        .contextValue,
      'cairn.modelVersion.staged',
    );
  });

  it('warns when the prod model was trained on data that has a newer version', async () => {
    const { registry, registryTree } = await cairn();
    const csv = path.join(root, 'data', 'train.csv');
    const pointer = path.join(root, 'data.cairn');
    const saved = { csv: fs.readFileSync(csv), pointer: fs.readFileSync(pointer) };
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w['showWarningMessage'];
    const warnings: string[] = [];
    w['showWarningMessage'] = (m: string) => (warnings.push(m), Promise.resolve(undefined));
    try {
      fs.appendFileSync(csv, fs.readFileSync(csv, 'utf8').split('\n').slice(1).join('\n'));
      run('add', 'data');
      registry.refresh();
      const stale = await waitFor('the stale warning', async () => {
        const n = await modelNode();
        return n.prod?.stale ? n : undefined;
      });
      assert.match(String(registryTree.getTreeItem(stale).description), /prod is stale/);
      await waitFor('the warning message', () => warnings.find((m) => /stale/.test(m)));
      assert.match(
        warnings[0]!,
        /the production model is stale\. churn@v0\.0\.1 \(prod\) is stale: data was/,
      );
    } finally {
      w['showWarningMessage'] = original;
      fs.writeFileSync(csv, saved.csv);
      fs.writeFileSync(pointer, saved.pointer);
      registry.refresh();
    }
  });

  it('Demote takes the stage back', async () => {
    const churn = await modelNode();
    await vscode.commands.executeCommand(ids.commands.demoteModel, {
      type: 'version',
      version: churn.model.versions[0]!,
    } satisfies RegistryNode);
    assert.match(git(root, 'tag', '-l', 'churn#*'), /churn#prod!#2/);
    await waitFor('no prod on churn', async () => {
      const n = await modelNode();
      return n.model.stages['prod'] ? undefined : true;
    });
  });

  it('MLOps Maturity shows the level and each criterion, and offers the next step', async () => {
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w['showInformationMessage'];
    const offered: string[] = [];
    w['showInformationMessage'] = (m: string, ...items: string[]) => (
      offered.push(`${m} [${items.join(', ')}]`),
      Promise.resolve(undefined)
    );
    try {
      await vscode.commands.executeCommand(ids.commands.showMaturity);
    } finally {
      w['showInformationMessage'] = original;
    }
    const page = vscode.workspace.textDocuments.find((d) =>
      d.uri.path.endsWith('MLOps Maturity.md'),
    );
    assert.ok(page, 'the maturity page is open');
    const text = page.getText();
    assert.match(text, /^# MLOps maturity: level \d/);
    assert.match(text, /✓ \*\*Data is versioned\*\*/);
    assert.match(
      text,
      /✗ \*\*A CI workflow runs Cairn\*\* — No CI workflow runs cairn\n {2}- to meet it: `cairn ci init --github`/,
    );
    assert.match(
      offered[0] ?? '',
      /^Next step toward level \d: .*\[(Run in Terminal|Copy Command)\]$/,
    );
  });
});
