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
import { addArtifacts } from '../versioning/add.js';
import { listObjects, objectPath } from '../versioning/cache.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { fsck } from '../versioning/fsck.js';
import { listPacks } from '../versioning/pack.js';
import { pull, push } from './transfer.js';

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

test('pull refuses a corrupt remote object and names it; removing it and pushing again repairs the remote', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  writeTree(project.root, { 'm.bin': 'good content' });
  const [r] = await addArtifacts(project, ['m.bin']);
  await push(project);
  // Small objects travel in packs: the remote holds one pack with the model in it.
  const [pack] = listPacks(path.join(remote, 'cache'));
  assert.deepEqual(pack!.hashes, [r!.pointer.hash]);
  const bytes = fs.readFileSync(pack!.packFile);
  bytes.write('evil', bytes.length - 4);
  fs.chmodSync(pack!.packFile, 0o644);
  fs.writeFileSync(pack!.packFile, bytes);
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'model');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  await assert.rejects(pull(clone), (e: Error) => {
    assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
    assert.ok(e.message.includes(path.basename(pack!.packFile)), e.message);
    assert.match(e.message, /remove it from the remote and push again/);
    return true;
  });
  assert.ok(![...listObjects(clone.cacheDir)].some(([h]) => h === r!.pointer.hash));
  fs.rmSync(pack!.packFile);
  fs.rmSync(pack!.idxFile);
  assert.equal((await push(project)).copiedObjects, 1);
  await pull(clone);
  await checkoutArtifacts(clone);
  assert.equal(fs.readFileSync(path.join(cloneRoot, 'm.bin'), 'utf8'), 'good content');
});

test('20,000 small files travel as a few packs, and a second push sends nothing', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const files: Record<string, string> = {};
  for (let i = 0; i < 20_000; i++) files[`imgs/${i % 100}/f${i}.txt`] = `image ${i}\n`;
  writeTree(project.root, files);
  await addArtifacts(project, ['imgs']);
  const r = await push(project);
  assert.equal(r.copiedObjects, 20_001);
  const keys = fs
    .readdirSync(path.join(remote, 'cache'), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile());
  assert.ok(
    keys.length <= 4,
    `${keys.length} files on the remote: ${keys.map((k) => k.name).join(', ')}`,
  );
  assert.equal((await push(project)).copiedObjects, 0);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'images');
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  assert.equal((await pull(clone)).copiedObjects, 20_001);
  await checkoutArtifacts(clone);
  assert.deepEqual(
    readTree(path.join(cloneRoot, 'imgs')),
    readTree(path.join(project.root, 'imgs')),
  );
  assert.deepEqual((await fsck(clone)).corrupt, []);
});

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

test('a push killed mid-way leaves nothing half-written in view; the next push completes it', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  withRemote(project.root, remote);
  const big = path.join(project.root, 'big.bin');
  const chunk = Buffer.alloc(8 << 20, 'x');
  const fd = fs.openSync(big, 'w');
  for (let i = 0; i < 48; i++) fs.writeSync(fd, chunk); // 384 MB, no zero blocks
  fs.closeSync(fd);
  const small: Record<string, string> = {};
  for (let i = 0; i < 50; i++) small[`d/f${i}`] = `small ${i}`;
  writeTree(project.root, small);
  const [b] = await addArtifacts(project, ['big.bin', 'd']);
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
  while (!tempFiles().some((f) => fs.statSync(f).size > 1 << 20) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 2));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  // The object is in view whole (the kill came after its rename) or not at all.
  const inView = fs.statSync(objectPath(path.join(remote, 'cache'), b!.pointer.hash), {
    throwIfNoEntry: false,
  });
  assert.ok(!inView || inView.size === 48 * (8 << 20), `a partial object in view: ${inView?.size}`);
  const r = await push(project);
  assert.ok(r.copiedObjects >= 1);
  assert.equal(
    fs.statSync(objectPath(path.join(remote, 'cache'), b!.pointer.hash)).size,
    48 * (8 << 20),
  );
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');
  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  const clone = projectAt(cloneRoot);
  const pulled = await pull(clone);
  assert.deepEqual(pulled.missing, []);
  assert.deepEqual((await fsck(clone)).corrupt, []);
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

test('a fresh clone that pulls can reproduce the first of several runs: every run’s data travels', () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  fs.writeFileSync(
    project.configFile,
    [
      'tasks:',
      '  train:',
      '    cmd: node train.js',
      '    deps: [data]',
      '    outs: [model.txt]',
      '    metrics: [stdout]',
      '',
    ].join('\n'),
  );
  withRemote(project.root, remote);
  const trainJs = [
    "const fs = require('fs');",
    "const rows = fs.readdirSync('data').map((f) => fs.readFileSync('data/' + f, 'utf8')).join('').split('\\n').filter(Boolean).length;",
    "fs.writeFileSync('model.txt', 'model of ' + rows + ' rows');",
    'console.log(JSON.stringify({ rows }));',
  ].join('\n');
  writeTree(project.root, { 'train.js': trainJs, 'data/a.txt': '1\n2\n3\n' });
  const ok = (r: { code: number; stderr: string }): void => assert.equal(r.code, 0, r.stderr);
  ok(cairn(project.root, 'add', 'data'));
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  ok(cairn(project.root, 'run', 'train'));
  writeTree(project.root, { 'data/b.txt': '4\n5\n' });
  ok(cairn(project.root, 'add', 'data'));
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v2');
  ok(cairn(project.root, 'run', 'train'));
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'model');
  ok(cairn(project.root, 'push'));

  const cloneRoot = tempDir('cairn-clone-');
  gitSync(cloneRoot, 'clone', '-q', project.root, '.');
  gitSync(cloneRoot, 'config', 'user.email', 'bob@example.com');
  gitSync(cloneRoot, 'config', 'user.name', 'Bob');
  const pulled = cairn(cloneRoot, 'pull');
  ok(pulled);
  assert.match(pulled.stdout, /and 2 runs/);
  const runs = JSON.parse(cairn(cloneRoot, 'runs', 'ls', '--json').stdout) as {
    runs: { id: string; metrics: Record<string, number>; user?: string; host: string }[];
  };
  // Who ran them and where travels with the records.
  assert.deepEqual(
    runs.runs.map((r) => [r.user, r.host]),
    [
      ['Test', os.hostname()],
      ['Test', os.hostname()],
    ],
  );
  const first = runs.runs.find((r) => r.metrics['rows'] === 3)!;
  assert.ok(first, 'the first run came with the pull');
  const rep = cairn(cloneRoot, 'reproduce', first.id);
  ok(rep);
  assert.match(rep.stdout, /Every metric matches the original run/);
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
