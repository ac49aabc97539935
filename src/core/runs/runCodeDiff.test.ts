// The compare view's code diff of two runs, from real runs in a real repository.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { runCodeDiff } from './runCodeDiff.js';
import { startRun } from './runRecorder.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

test('two runs differ by the commit between them and by the edits the second had uncommitted', async () => {
  const project = tempProject();
  writeTree(project.root, { 'train.py': 'print("loss=1")\n' });
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'first');
  const run = async () =>
    (await (await startRun(project, { argv: [python, 'train.py'], echo: false, tty: false })).done)
      .id;
  const a = await run();
  writeTree(project.root, { 'train.py': 'print("loss=0.5")\n' });
  gitSync(project.root, 'commit', '-qam', 'second');
  writeTree(project.root, { 'train.py': 'print("loss=0.25")\n' });
  const b = await run();
  const diff = await runCodeDiff(project, a, b);
  assert.match(diff.commitDiff ?? '', /-print\("loss=1"\)\n\+print\("loss=0\.5"\)/);
  assert.equal(diff.uncommitted[0], null);
  assert.match(diff.uncommitted[1] ?? '', /\+print\("loss=0\.25"\)/);
  const same = await runCodeDiff(project, b, b);
  assert.equal(same.commitDiff, null);
});
