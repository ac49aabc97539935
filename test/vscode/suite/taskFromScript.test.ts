import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import { answerMessages, cairn, workspaceRoot } from '../helpers.js';

const SCRIPT = `import argparse, json
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--epochs", type=int, default=3)
args = parser.parse_args()
loss = 1.0
for step in range(args.epochs):
    loss *= 1 - args.lr
    print(json.dumps({"step": step, "loss": loss}), flush=True)
`;

// Runs after the runs suite (files run in name order): it adds a task and two runs.
describe('a task from the current file', () => {
  it('drafts a task from an argparse script, adds it to cairn.yaml, and its sweep changes the program', async () => {
    await cairn();
    const root = workspaceRoot();
    const configFile = path.join(root, 'cairn.yaml');
    const before = fs.readFileSync(configFile, 'utf8');
    const script = path.join(root, 'fit_curve.py');
    fs.writeFileSync(script, SCRIPT);
    const answers = answerMessages(['Add Task']);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(script));
      await vscode.commands.executeCommand(ids.commands.createTask);
      assert.match(answers.asked[0] ?? '', /Add the task 'fit_curve' to cairn\.yaml\?/);
      const config = fs.readFileSync(configFile, 'utf8');
      // Every other line is as it was: without the new task's lines, the file is the old one.
      const lines = config.split('\n');
      const start = lines.indexOf('  fit_curve:');
      let end = start + 1;
      while (end < lines.length && /^ {3,}\S/.test(lines[end]!)) end++;
      assert.ok(start > 0, config);
      assert.equal([...lines.slice(0, start), ...lines.slice(end)].join('\n'), before);
      assert.match(
        config,
        /fit_curve:\n\s+cmd: python3 fit_curve\.py --lr \{\{lr\}\} --epochs \{\{epochs\}\}/,
      );
      assert.match(config, /params:\n\s+defaults:\n\s+lr: 0\.01\n\s+epochs: 3/);
      // cairn.yaml opens at the new task.
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, configFile);
      assert.match(editor.document.lineAt(editor.selection.active.line).text, /^ {2}fit_curve:/);

      // The sweep's values reach the program: the two runs' losses differ.
      const ext = vscode.extensions.getExtension(ids.extension)!;
      const cli = path.join(ext.extensionPath, 'dist', 'cli.js');
      const sweep = spawnSync(process.execPath, [cli, 'sweep', 'fit_curve', '-p', 'lr=0.1,0.9'], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(sweep.status, 0, sweep.stderr);
      const ls = spawnSync(process.execPath, [cli, 'runs', 'ls', '--json'], {
        cwd: root,
        encoding: 'utf8',
      });
      const runs = (
        JSON.parse(ls.stdout) as {
          runs: { task: string | null; metrics: Record<string, number> }[];
        }
      ).runs
        .filter((r) => r.task === 'fit_curve')
        .map((r) => r.metrics['loss']);
      assert.equal(runs.length, 2);
      assert.notEqual(
        runs[0],
        runs[1],
        `the losses ${JSON.stringify(runs)} show the lr reached the program`,
      );
    } finally {
      answers.restore();
      fs.writeFileSync(configFile, before);
      fs.rmSync(script, { force: true });
    }
  });
});
