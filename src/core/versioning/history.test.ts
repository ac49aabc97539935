import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { artifactDiff, artifactLog } from './history.js';

test('log lists the commits that changed an artifact, newest first, with size and file deltas', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.txt': '12345', 'other.txt': 'x' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'first data');
  writeTree(project.root, { 'other.txt': 'unrelated change' });
  gitSync(project.root, 'commit', '-qam', 'code only');
  writeTree(project.root, { 'data/b.txt': '1234567890' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'commit', '-qam', 'more data');

  const log = await artifactLog(project, 'data');
  assert.deepEqual(
    log.map((e) => e.subject),
    ['more data', 'first data'],
  );
  assert.equal(log[0]?.sizeDeltaBytes, 10);
  assert.equal(log[0]?.fileCountDelta, 1);
  assert.equal(log[1]?.pointer?.fileCount, 1);
  assert.equal(log[1]?.sizeDeltaBytes, 5);
  assert.match(log[0].commit, /^[0-9a-f]{40}$/);
});

test('diff shows artifacts added, removed and modified between revisions, with file changes', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.txt': 'a', 'data/b.txt': 'b', 'old.bin': 'old' });
  await addArtifacts(project, ['data', 'old.bin']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  gitSync(project.root, 'tag', 'v1');
  writeTree(project.root, { 'data/a.txt': 'A!', 'data/c.txt': 'c', 'new.bin': 'new' });
  fs.rmSync(path.join(project.root, 'data/b.txt'));
  await addArtifacts(project, ['data', 'new.bin']);
  gitSync(project.root, 'rm', '-q', 'old.bin.cairn');
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v2');

  const d = await artifactDiff(project, 'v1', 'HEAD');
  assert.deepEqual(
    d.map((e) => [e.path, e.change]),
    [
      ['data', 'modified'],
      ['new.bin', 'added'],
      ['old.bin', 'removed'],
    ],
  );
  assert.deepEqual(d[0]?.files, { added: ['c.txt'], removed: ['b.txt'], modified: ['a.txt'] });
  assert.equal(d[0]?.sizeDeltaBytes, 1);
  assert.equal(d[1]?.sizeDeltaBytes, 3);
  assert.equal(d[2]?.sizeDeltaBytes, -3);

  // HEAD against the work tree: nothing yet, then a re-added change
  assert.deepEqual(await artifactDiff(project), []);
  writeTree(project.root, { 'new.bin': 'newer' });
  await addArtifacts(project, ['new.bin']);
  assert.deepEqual(
    (await artifactDiff(project)).map((e) => [e.path, e.change]),
    [['new.bin', 'modified']],
  );
  await assert.rejects(artifactDiff(project, 'no-such-rev'), /Unknown revision 'no-such-rev'/);
});
