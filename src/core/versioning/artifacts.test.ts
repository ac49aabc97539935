import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { artifactOfPointerPath } from '../project/project.js';
import { addArtifacts } from './add.js';
import { artifactPathFrom, listArtifacts } from './artifacts.js';
import { artifactDiff } from './history.js';

test('a file or folder named exactly .cairn is never the pointer file of an artifact', async () => {
  const project = tempProject();
  // Right after init the project has its .cairn/ folder and nothing tracked.
  assert.deepEqual(await listArtifacts(project), []);
  writeTree(project.root, { 'notes/.cairn': 'a stray file\n', 'data/a.csv': 'x\n', '..cairn': '' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data and a stray notes/.cairn');
  assert.deepEqual(
    (await listArtifacts(project)).map((a) => a.path),
    ['data'],
  );
  assert.deepEqual(await artifactDiff(project, 'HEAD'), []);
  assert.equal(artifactOfPointerPath('.cairn'), undefined);
  assert.equal(artifactOfPointerPath('notes/.cairn'), undefined);
  assert.equal(artifactOfPointerPath('.cairn/cache/x.cairn'), undefined);
  assert.equal(artifactOfPointerPath('data.cairn'), 'data');
  assert.equal(artifactOfPointerPath('a/.hidden.cairn'), 'a/.hidden');
  assert.equal(artifactPathFrom(project, 'data.cairn', project.root), 'data');
  assert.throws(
    () => artifactPathFrom(project, '.cairn', project.root),
    /inside \.cairn\/, which Cairn manages itself/,
  );
  assert.ok(fs.existsSync(path.join(project.root, 'notes/.cairn')));
});
