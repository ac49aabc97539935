import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../../../src/extension/ids.js';
import { cairn } from '../helpers.js';

describe('activation', () => {
  it('activates in a workspace with cairn.yaml, fast', async () => {
    const ext = vscode.extensions.getExtension(ids.extension);
    assert.ok(ext);
    const api = await cairn();
    const { bundleLoadMs, activateMs } = api.activation;
    const total = bundleLoadMs + activateMs;
    console.log(
      `    activation: ${total.toFixed(1)} ms (bundle load ${bundleLoadMs.toFixed(1)} ms + activate() ${activateMs.toFixed(1)} ms)`,
    );
    // The target is 50 ms. On a machine busy with other work (load above twice the cores, as
    // on a shared CI box) wall-clock time stretches many-fold and says nothing about the
    // extension, so the number is printed above but not held to the target.
    const [load1] = os.loadavg();
    if ((load1 ?? 0) > 2 * os.cpus().length) {
      console.log(
        `    (load average ${load1?.toFixed(1)} on ${os.cpus().length} cores: not asserting the 50 ms target)`,
      );
      return;
    }
    assert.ok(total < 50, `activation took ${total.toFixed(1)} ms; the target is under 50 ms`);
  });

  it('registers every contributed command, and contributes every registered one', async () => {
    await cairn();
    const registered = new Set(
      (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('cairn.')),
    );
    const contributed = Object.values(ids.commands);
    for (const c of contributed)
      assert.ok(registered.has(c), `${c} is contributed but not registered`);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'),
    ) as { contributes: { commands: { command: string }[] } };
    const inManifest = new Set(manifest.contributes.commands.map((c) => c.command));
    // VS Code registers focus/toggle/… commands for each view; those are not ours.
    const viewCommand = new RegExp(
      `^(${Object.values(ids.views).join('|').replace(/\./g, '\\.')})\\.(focus|toggleVisibility|removeView|resetViewLocation|open)$`,
    );
    for (const c of registered) {
      if (viewCommand.test(c)) continue;
      assert.ok(inManifest.has(c), `${c} is registered but not in package.json`);
    }
    for (const c of inManifest)
      assert.ok(registered.has(c), `${c} is in package.json but not registered`);
  });
});
