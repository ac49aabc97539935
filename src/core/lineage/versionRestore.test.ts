// Restoring an older artifact version's pointer file (the lineage view's "check out this version").
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { readPointer } from '../versioning/pointerFile.js';
import { commitNamingVersion, restorePointerFile } from './versionRestore.js';

async function twoVersions() {
  const project = tempProject();
  writeTree(project.root, { 'data/a.csv': 'x\n1\n' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const v1 = readPointer(path.join(project.root, 'data.cairn')).hash;
  const c1 = gitSync(project.root, 'rev-parse', 'HEAD').trim();
  writeTree(project.root, { 'data/a.csv': 'x\n1\n2\n' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'commit', '-qam', 'v2');
  return { project, v1, c1 };
}

test('the pointer file of an older version comes back from the commit that named it', async () => {
  const { project, v1, c1 } = await twoVersions();
  const commit = await commitNamingVersion(project, 'data', v1);
  assert.equal(commit, c1);
  await restorePointerFile(project, 'data', c1);
  assert.equal(readPointer(path.join(project.root, 'data.cairn')).hash, v1);
  assert.equal(await commitNamingVersion(project, 'data', 'f'.repeat(64)), undefined);
});

test('a path that leaves the project is refused and nothing is written outside it', async () => {
  const { project, c1 } = await twoVersions();
  await assert.rejects(
    restorePointerFile(project, '../data', c1),
    (err: unknown) =>
      err instanceof CairnError && err.code === 'bad-path' && /the lineage view/.test(err.message),
  );
  assert.equal(fs.existsSync(path.join(project.root, '..', 'data.cairn')), false);
});

test('a commit whose file is not a pointer leaves the work tree as it was', async () => {
  const { project } = await twoVersions();
  writeTree(project.root, { 'notes.cairn': 'not a pointer\n' });
  gitSync(project.root, 'add', 'notes.cairn');
  gitSync(project.root, 'commit', '-qm', 'notes');
  fs.rmSync(path.join(project.root, 'notes.cairn'));
  await assert.rejects(
    restorePointerFile(project, 'notes', 'HEAD'),
    (err: unknown) => err instanceof CairnError && /notes\.cairn at HEAD/.test(err.message),
  );
  assert.equal(fs.existsSync(path.join(project.root, 'notes.cairn')), false);
});
