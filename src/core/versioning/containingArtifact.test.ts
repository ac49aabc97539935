// Which tracked artifact a path belongs to: the data panels and the run recorder both ask.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { containingArtifact } from './containingArtifact.js';

test('a file inside a tracked folder belongs to the folder; the folder to itself; others to none', async () => {
  const project = tempProject();
  writeTree(project.root, {
    'data/images/a.png': 'png',
    'data/train.csv': 'x\n1\n',
    'models/m.bin': 'm',
    'notes.txt': 'n',
  });
  await addArtifacts(project, ['data', 'models/m.bin']);
  assert.equal(containingArtifact(project, 'data/images/a.png'), 'data');
  assert.equal(containingArtifact(project, 'data'), 'data');
  assert.equal(containingArtifact(project, 'models/m.bin'), 'models/m.bin');
  assert.equal(containingArtifact(project, 'models'), undefined);
  assert.equal(containingArtifact(project, 'notes.txt'), undefined);
});
