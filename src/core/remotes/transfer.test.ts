import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { cairn, gitSync, tempDir, tempProject, writeTree } from '../testing/tempProject.js';
import { projectAt } from '../project/project.js';
import { addArtifacts } from '../versioning/add.js';
import { objectPath } from '../versioning/cache.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { fsck } from '../versioning/fsck.js';
import { listPacks } from '../versioning/pack.js';
import { pull, push } from './transfer.js';

function withRemote(root: string, url: string): void {
  fs.appendFileSync(path.join(root, 'cairn.yaml'), `remotes:\n  shared:\n    url: ${url}\n`);
}

test('without a remote, push says how to configure one', async () => {
  const project = tempProject();
  await assert.rejects(
    push(project),
    /No remote is configured; add one with 'cairn remote add <name> <url>'/,
  );
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

test('push refuses a large cache object written to since it was stored, and sends an intact one', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const good = Buffer.alloc(2 << 20, 1);
  fs.writeFileSync(path.join(project.root, 'model.bin'), good);
  const [a] = await addArtifacts(project, ['model.bin']);
  const local = objectPath(project.cacheDir, a!.pointer.hash);
  const sent = objectPath(path.join(remote, 'cache'), a!.pointer.hash);
  fs.chmodSync(local, 0o644);
  fs.writeFileSync(local, Buffer.alloc(2 << 20, 2)); // same size, wrong content, a new mtime
  await assert.rejects(push(project), (e: Error) => {
    assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
    assert.match(e.message, /is corrupt .*so it was not pushed/);
    assert.ok(e.message.includes(local), e.message);
    return true;
  });
  assert.ok(!fs.existsSync(sent));
  fs.writeFileSync(local, good); // the right bytes again, still without the verified mark
  await push(project);
  assert.ok(fs.readFileSync(sent).equals(good));
});

test('a large pack of the cache goes to the remote as it is, after its objects are checked', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 48; i++) files[`imgs/f${i}.bin`] = crypto.randomBytes(768 << 10);
  for (const [rel, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project.root, rel)), { recursive: true });
    fs.writeFileSync(path.join(project.root, rel), data);
  }
  await addArtifacts(project, ['imgs']);
  const large = listPacks(project.cacheDir).filter((p) => fs.statSync(p.packFile).size >= 16 << 20);
  assert.ok(large.length > 0, 'add wrote a pack of 16 MiB or more');

  // Add hashed every object it packed, so the pack carries the verified mark (its mtime).
  const [victim] = large;
  assert.equal(fs.statSync(victim!.packFile).mtimeMs, 1000);
  // A flipped byte inside such a pack (which moves its mtime) stops the push, naming the pack,
  // before anything is sent.
  const bytes = fs.readFileSync(victim!.packFile);
  const at = victim!.objectAt(0).offset + 100;
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
  fs.chmodSync(victim!.packFile, 0o644);
  const good = fs.readFileSync(victim!.packFile);
  fs.writeFileSync(victim!.packFile, bytes);
  await assert.rejects(push(project), (e: Error) => {
    assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
    assert.ok(e.message.includes(victim!.packFile), e.message);
    return true;
  });
  assert.ok(!fs.existsSync(path.join(remote, 'cache', 'packs')));
  fs.writeFileSync(victim!.packFile, good);

  await push(project);
  const sent = fs.readdirSync(path.join(remote, 'cache', 'packs'));
  for (const p of large) {
    assert.ok(sent.includes(path.basename(p.packFile)), `${p.packFile} went as it is`);
    assert.ok(sent.includes(path.basename(p.idxFile)));
  }
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'images');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const r = cairn(cloneRoot, 'pull');
  assert.equal(r.code, 0, r.stderr);
  for (const [rel, data] of Object.entries(files))
    assert.ok(fs.readFileSync(path.join(cloneRoot, rel)).equals(data), rel);
});

test('a pull that lacks only an empty file gets it (a pack range of no bytes)', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  writeTree(project.root, { 'd/a.txt': 'aaa\n', 'd/empty.txt': '' });
  assert.equal(cairn(project.root, 'add', 'd').code, 0);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');
  await push(project);
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  // The clone already holds a.txt's content, so the empty file is all the pull still needs.
  writeTree(cloneRoot, { 'x/a.txt': 'aaa\n' });
  assert.equal(cairn(cloneRoot, 'add', 'x').code, 0);
  const r = cairn(cloneRoot, 'pull');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(cloneRoot, 'd/empty.txt'), 'utf8'), '');
  assert.equal(fs.readFileSync(path.join(cloneRoot, 'd/a.txt'), 'utf8'), 'aaa\n');
});

test('a sparse large object stays sparse through push and pull, in the clone’s cache and work tree', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  // 256 MB, nearly all hole: 1 MB of data at the start and 64 KB in the middle.
  const file = path.join(project.root, 'disk.img');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, crypto.randomBytes(1 << 20), 0, 1 << 20, 0);
  fs.writeSync(fd, Buffer.alloc(64 << 10, 'b'), 0, 64 << 10, 128 << 20);
  fs.ftruncateSync(fd, 256 << 20);
  fs.closeSync(fd);
  const [added] = await addArtifacts(project, ['disk.img']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'disk image');
  await push(project);
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const r = cairn(cloneRoot, 'pull');
  assert.equal(r.code, 0, r.stderr);
  const onDisk = (p: string): number => fs.statSync(p).blocks * 512;
  const obj = objectPath(path.join(cloneRoot, '.cairn/cache'), added!.pointer.hash);
  assert.equal(fs.statSync(obj).size, 256 << 20);
  assert.ok(onDisk(obj) < 8 << 20, `the pulled object takes ${onDisk(obj)} bytes on disk`);
  const copy = path.join(cloneRoot, 'disk.img');
  assert.ok(onDisk(copy) < 8 << 20, `the checkout takes ${onDisk(copy)} bytes on disk`);
  assert.equal(
    crypto.createHash('sha256').update(fs.readFileSync(copy)).digest('hex'),
    added!.pointer.hash,
  );
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

test('push sends the work tree’s versions; --all-commits, --all-branches and --rev send older ones', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const version = async (text: string, message: string): Promise<string> => {
    writeTree(project.root, { 'm.bin': text });
    const [r] = await addArtifacts(project, ['m.bin']);
    gitSync(project.root, 'add', '-A');
    gitSync(project.root, 'commit', '-qm', message);
    return r!.pointer.hash;
  };
  const v1 = await version('one', 'v1');
  const first = gitSync(project.root, 'rev-parse', 'HEAD').trim();
  gitSync(project.root, 'checkout', '-qb', 'side');
  const side = await version('side', 'side');
  gitSync(project.root, 'checkout', '-q', 'main');
  await checkoutArtifacts(project);
  const v2 = await version('two', 'v2');
  const onRemote = (): string[] =>
    listPacks(path.join(remote, 'cache'))
      .flatMap((p) => p.hashes)
      .sort();
  await push(project);
  assert.deepEqual(onRemote(), [v2]);
  await push(project, { revs: [first] });
  assert.deepEqual(onRemote(), [v1, v2].sort());
  await push(project, { allBranches: true });
  assert.deepEqual(onRemote(), [v1, v2, side].sort());

  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  assert.equal((await pull(clone)).copiedObjects, 1);
  assert.equal((await pull(clone, { allCommits: true })).copiedObjects, 2);
  await assert.rejects(pull(clone, { revs: ['nope'] }), /Unknown revision 'nope'/);
});
