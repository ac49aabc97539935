import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import type { RunNode } from '../../../src/extension/runs/runTree.js';
import { cairn, waitFor, workspaceRoot } from '../helpers.js';

// Runs last (files run in name order): it adds a run the runs suite does not expect.
describe('text from files in the views', () => {
  it('shows the control characters of a run name as escapes in the runs tree', async () => {
    const api = await cairn();
    const ext = vscode.extensions.getExtension(ids.extension);
    assert.ok(ext);
    const python = '/usr/bin/python3';
    const r = spawnSync(
      process.execPath,
      [
        path.join(ext.extensionPath, 'dist', 'cli.js'),
        'run',
        '--name',
        'evil\x1b[31mred\u202e',
        '--',
        python,
        '-c',
        "print('loss=1')",
      ],
      {
        cwd: workspaceRoot(),
        encoding: 'utf8',
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    assert.equal(r.status, 0, r.stderr);
    api.runs.refresh();
    const node = await waitFor(
      'the run in the tree',
      () => {
        const walk = (nodes: RunNode[]): RunNode | undefined => {
          for (const n of nodes) {
            if (n.type === 'run' && n.run.name.startsWith('evil')) return n;
            const found = n.type === 'run' ? undefined : walk(api.runTree.getChildren(n));
            if (found) return found;
          }
          return undefined;
        };
        return walk(api.runTree.getChildren());
      },
      10_000,
    );
    const item = api.runTree.getTreeItem(node);
    assert.equal(item.label, 'evil\\x1b[31mred\\u202e');
    const tooltip = item.tooltip as vscode.MarkdownString;
    assert.ok(!tooltip.value.includes('\x1b') && !tooltip.value.includes('\u202e'), tooltip.value);
  });
});
