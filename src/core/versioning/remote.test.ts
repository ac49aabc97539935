import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitSync, readTree, tempDir, tempProject, writeTree } from '../testing/tempProject.js';
import { projectAt } from '../project/project.js';
import { addArtifacts } from './add.js';
import { listObjects, objectPath } from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { pull, push } from './remote.js';

function withRemote(root: string, url: string): void {
  fs.appendFileSync(path.join(root, 'cairn.yaml'), `remotes:\n  shared:\n    url: ${url}\n`);
}

test('push copies only missing objects; a clone pulls and checks out the same bytes', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`data/f${i}.txt`] = `row ${i}\n`.repeat(i + 1);
  writeTree(project.root, { ...files, 'model.pkl': 'weights' });
  await addArtifacts(project, ['data', 'model.pkl']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');

  const first = await push(project);
  assert.equal(first.copiedObjects, 42); // 40 files + manifest + model
  assert.equal((await push(project)).copiedObjects, 0);
  writeTree(project.root, { 'model.pkl': 'weights v2' });
  await addArtifacts(project, ['model.pkl']);
  const third = await push(project);
  assert.equal(third.copiedObjects, 1);
  assert.equal(third.upToDateObjects, 41);

  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  assert.ok(!fs.existsSync(path.join(cloneRoot, 'data')));
  const pulled = await pull(clone);
  assert.equal(pulled.copiedObjects, 42);
  await checkoutArtifacts(clone);
  assert.deepEqual(
    readTree(path.join(cloneRoot, 'data')),
    readTree(path.join(project.root, 'data')),
  );
  assert.equal(fs.readFileSync(path.join(cloneRoot, 'model.pkl'), 'utf8'), 'weights'); // the committed version
});

test('pull refuses a corrupt remote object and names it', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  writeTree(project.root, { 'm.bin': 'good content' });
  const [r] = await addArtifacts(project, ['m.bin']);
  await push(project);
  const remoteObj = objectPath(path.join(remote, 'cache'), r!.pointer.hash);
  fs.chmodSync(remoteObj, 0o644);
  fs.writeFileSync(remoteObj, 'evil content');
  fs.rmSync(project.cacheDir, { recursive: true });
  await assert.rejects(
    pull(project),
    (e: Error) => e.message.includes(remoteObj) && /corrupt/.test(e.message),
  );
  assert.ok(![...listObjects(project.cacheDir)].some(([h]) => h === r!.pointer.hash));
});

test('an interrupted push resumes: objects already there are skipped, stale temp files ignored', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const files: Record<string, string> = {};
  for (let i = 0; i < 20; i++) files[`d/f${i}`] = `content ${i}`;
  writeTree(project.root, files);
  await addArtifacts(project, ['d']);
  await push(project);
  // Simulate an interruption: half the objects gone, a half-written temp file left behind.
  const remoteCache = path.join(remote, 'cache');
  const objs = [...listObjects(remoteCache)];
  objs.slice(0, 10).forEach(([, p]) => fs.rmSync(p));
  fs.writeFileSync(path.join(remote, 'tmp', 'push.999.deadbeef'), 'partial');
  const r = await push(project);
  assert.equal(r.copiedObjects, 10);
  assert.equal([...listObjects(remoteCache)].length, objs.length);
});

test('without a remote, push says how to configure one', async () => {
  const project = tempProject();
  await assert.rejects(push(project), /No remote is configured; add one to cairn\.yaml/);
});
