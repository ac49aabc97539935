import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { hasObject, listLooseObjects, listObjects, sha256 } from './cache.js';
import { fsck } from './fsck.js';
import { gc } from './gc.js';

test('gc keeps what branches, tags and the work tree need and drops the rest; --dry-run drops nothing', async () => {
  const project = tempProject();
  const version = async (content: string, message: string): Promise<void> => {
    writeTree(project.root, { 'm.bin': content });
    await addArtifacts(project, ['m.bin']);
    gitSync(project.root, 'add', '-A');
    gitSync(project.root, 'commit', '-qm', message);
  };
  await version('on main', 'main v1');
  gitSync(project.root, 'tag', 'release');
  await version('main v2', 'main v2');
  gitSync(project.root, 'checkout', '-q', '-b', 'experiment');
  await version('experiment only', 'exp');
  gitSync(project.root, 'checkout', '-q', 'main');
  writeTree(project.root, { 'm.bin': 'work tree, not committed' });
  await addArtifacts(project, ['m.bin']);
  writeTree(project.root, { 'm.bin': 'never pointed at' });
  await addArtifacts(project, ['m.bin']);
  writeTree(project.root, { 'm.bin': 'current' });
  await addArtifacts(project, ['m.bin']);

  const dry = await gc(project, { dryRun: true });
  assert.deepEqual(
    dry.removed.map((r) => r.hash).sort(),
    [sha256('never pointed at'), sha256('work tree, not committed')].sort(),
  );
  assert.equal(dry.removedBytes, 'never pointed at'.length + 'work tree, not committed'.length);
  assert.equal([...listObjects(project.cacheDir)].length, 6);

  await gc(project);
  for (const kept of ['on main', 'main v2', 'experiment only', 'current'])
    assert.ok(hasObject(project.cacheDir, sha256(kept)), kept);
  assert.ok(!hasObject(project.cacheDir, sha256('never pointed at')));

  // Deleting the branch makes its data collectable.
  gitSync(project.root, 'branch', '-q', '-D', 'experiment');
  const after = await gc(project);
  assert.deepEqual(
    after.removed.map((r) => r.hash),
    [sha256('experiment only')],
  );
});

test('gc keeps every file of a directory version that a commit names', async () => {
  const project = tempProject();
  writeTree(project.root, { 'd/a': 'a1', 'd/b': 'b1' });
  await addArtifacts(project, ['d']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  writeTree(project.root, { 'd/a': 'a2' });
  await addArtifacts(project, ['d']);
  const r = await gc(project);
  assert.equal(r.removed.length, 0);
  assert.ok(hasObject(project.cacheDir, sha256('a1')));
});

test('fsck finds a corrupt object and a missing one, and is clean otherwise', async () => {
  const project = tempProject();
  writeTree(project.root, { 'd/a': 'alpha', 'd/b': 'beta' });
  await addArtifacts(project, ['d']);
  assert.deepEqual((await fsck(project)).corrupt, []);
  const objA = [...listLooseObjects(project.cacheDir)].find(([h]) => h === sha256('alpha'))![1];
  fs.chmodSync(objA, 0o644);
  fs.writeFileSync(objA, 'alphb');
  fs.rmSync([...listLooseObjects(project.cacheDir)].find(([h]) => h === sha256('beta'))![1]);
  const r = await fsck(project);
  assert.deepEqual(
    r.corrupt.map((c) => [c.hash, c.actual]),
    [[sha256('alpha'), sha256('alphb')]],
  );
  assert.deepEqual(r.missing, [{ hash: sha256('beta'), neededBy: 'd' }]);
  assert.ok(path.isAbsolute(r.corrupt[0]!.path));
});

test('gc keeps a model version that a kept run produced, even when no commit names it', () => {
  const project = tempProject();
  fs.writeFileSync(
    project.configFile,
    `tasks:\n  train:\n    cmd: node -e "require('fs').writeFileSync('model.bin', 'trained at ' + Date.now())"\n    outs: [model.bin]\n`,
  );
  const run = cairn(project.root, 'run', 'train');
  assert.equal(run.code, 0, run.stderr);
  const produced = fs.readFileSync(path.join(project.root, 'model.bin'), 'utf8');
  writeTree(project.root, { 'model.bin': 'edited by hand' });
  assert.equal(cairn(project.root, 'add', 'model.bin').code, 0);
  const r = cairn(project.root, 'gc');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(hasObject(project.cacheDir, sha256(produced)), 'the run output survives gc');
  const ls = JSON.parse(cairn(project.root, 'runs', 'ls', '--json').stdout) as {
    runs: { id: string }[];
  };
  assert.equal(cairn(project.root, 'runs', 'rm', ls.runs[0]!.id).code, 0);
  cairn(project.root, 'gc');
  assert.ok(
    !hasObject(project.cacheDir, sha256(produced)),
    'once the run is deleted, its output can go',
  );
});

test('gc reads past a committed folder whose name ends in .cairn (a tree, not a pointer file)', async () => {
  const project = tempProject();
  writeTree(project.root, { 'notes.cairn/readme.txt': 'a folder, not a pointer', 'm.bin': 'v1' });
  await addArtifacts(project, ['m.bin']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const r = await gc(project, { dryRun: true });
  assert.equal(r.removed.length, 0);
  assert.equal(r.keptObjects, 1);
});
