import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import {
  CLI,
  cairn,
  gitSync,
  readTree,
  tempDir,
  tempProject,
  writeTree,
} from '../testing/tempProject.js';
import { projectAt } from '../project/project.js';
import { addArtifacts } from './add.js';
import { listLooseObjects, listObjects, objectPath } from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { fsck } from './fsck.js';
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
  const objs = [...listLooseObjects(remoteCache)];
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

/** Every file under a directory, by content, to search a remote for bytes that must not be there. */
function allContents(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => fs.readFileSync(path.join(d.parentPath, d.name), 'latin1'));
}

test('push hashes what it sends: a corrupt or linked cache object is refused, never uploaded under its name', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  writeTree(project.root, { 'a.bin': 'good bytes' });
  const [a] = await addArtifacts(project, ['a.bin']);
  const localA = objectPath(project.cacheDir, a!.pointer.hash);
  fs.chmodSync(localA, 0o644);
  fs.writeFileSync(localA, 'evil bytes'); // same size, wrong content
  await assert.rejects(push(project), (e: Error) => {
    assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
    assert.ok(e.message.includes(localA), e.message);
    return true;
  });
  assert.ok(!fs.existsSync(objectPath(path.join(remote, 'cache'), a!.pointer.hash)));

  // A cache object replaced by a symlink to a secret file is not followed.
  const secretDir = tempDir('cairn-secret-');
  fs.writeFileSync(path.join(secretDir, 'passwd'), 'root:x:0:0 secret');
  fs.rmSync(localA);
  fs.symlinkSync(path.join(secretDir, 'passwd'), localA);
  await assert.rejects(push(project), /is a symlink, which a cache object never is/);
  assert.ok(!allContents(remote).some((c) => c.includes('secret')));
  const checked = await fsck(project);
  assert.deepEqual(
    checked.corrupt.map((c) => [c.path, /is a symlink/.test(c.error ?? '')]),
    [[localA, true]],
  );
});

test('push replaces a remote object whose bytes do not match its name', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  writeTree(project.root, { 'm.bin': 'the real model' });
  const [r] = await addArtifacts(project, ['m.bin']);
  // What an older push left: a corrupt object under the right name.
  const remoteObj = objectPath(path.join(remote, 'cache'), r!.pointer.hash);
  fs.mkdirSync(path.dirname(remoteObj), { recursive: true });
  fs.writeFileSync(remoteObj, 'corrupt model!');
  const first = await push(project);
  assert.equal(first.copiedObjects, 1);
  assert.equal(fs.readFileSync(remoteObj, 'utf8'), 'the real model');
  const second = await push(project);
  assert.deepEqual([second.copiedObjects, second.upToDateObjects], [0, 1]);
  // And a clone pulls the good bytes.
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'model');
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  await pull(clone);
  await checkoutArtifacts(clone);
  assert.equal(fs.readFileSync(path.join(cloneRoot, 'm.bin'), 'utf8'), 'the real model');
});

test('a push killed mid-way leaves temp files that the next push removes, but not a live push’s', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const big = path.join(project.root, 'big.bin');
  const chunk = Buffer.alloc(8 << 20, 'x');
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < 48; i++) fs.writeSync(fd, chunk); // 384 MB, no zero blocks
  fs.closeSync(fd);
  await addArtifacts(project, ['big.bin']);
  const child = spawn(process.execPath, [CLI, 'push'], { cwd: project.root, stdio: 'ignore' });
  const tmpRoot = path.join(remote, 'tmp');
  const tempFiles = (): string[] =>
    fs.existsSync(tmpRoot)
      ? fs
          .readdirSync(tmpRoot, { recursive: true, withFileTypes: true })
          .filter((d) => d.isFile())
          .map((d) => path.join(d.parentPath, d.name))
      : [];
  const deadline = Date.now() + 20_000;
  while (!tempFiles().some((f) => fs.statSync(f).size > 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  const left = tempFiles();
  assert.ok(left.length > 0, 'the killed push left a temp file');
  // A live push's temp folder (this process is alive), an old file of an older Cairn, and a
  // recent one of a push on another machine.
  const live = path.join(tmpRoot, `${os.hostname()}@${process.pid}.0123abcd`);
  writeTree(live, { 'blob.1': 'being written' });
  fs.writeFileSync(path.join(tmpRoot, 'push.999.deadbeef'), 'partial');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  fs.utimesSync(path.join(tmpRoot, 'push.999.deadbeef'), twoHoursAgo, twoHoursAgo);
  writeTree(tmpRoot, { 'other-host@123.00ff/blob.2': 'elsewhere' });

  const r = await push(project);
  assert.equal(r.copiedObjects, 1);
  assert.deepEqual(
    fs.readdirSync(tmpRoot).sort(),
    [path.basename(live), 'other-host@123.00ff'].sort(),
  );
  for (const f of left) assert.ok(!fs.existsSync(f), `${f} removed`);
});

test('in a fresh clone (cairn.yaml, no .cairn/), the CLI keeps the cache out of Git', () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.csv': 'x\n1\n' });
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  assert.ok(!fs.existsSync(path.join(cloneRoot, '.cairn')));
  writeTree(cloneRoot, { 'data/a.csv': 'x\n2\n' });
  assert.equal(cairn(cloneRoot, 'add', 'data').code, 0);
  assert.deepEqual(gitSync(cloneRoot, 'status', '--porcelain').trim().split('\n'), [
    'M data.cairn',
  ]);
});
