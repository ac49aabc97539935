import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { CLI, cairn, gitSync, readTree, tempProject, writeTree } from '../testing/tempProject.js';
import type { Project } from '../project/project.js';
import { addArtifacts } from './add.js';
import {
  hasObject,
  listLooseObjects,
  listObjects,
  objectPath,
  readObjectVerified,
  sha256,
} from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { fsck } from './fsck.js';
import { gc } from './gc.js';
import { findPacked, listPacks, packsDir, PackWriter } from './pack.js';
import { artifactStatus } from './status.js';

function images(seed: string, count: number): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++)
    files[`data/c${i % 7}/img${i}.bin`] = Buffer.from(`${seed} ${i} `.repeat(50 + i));
  return files;
}

/** The cache as a version from before packs wrote it: every object a file of its own. */
function unpackToLooseFiles(project: Project): void {
  for (const p of listPacks(project.cacheDir)) {
    for (const h of p.hashes) {
      const file = objectPath(project.cacheDir, h);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, readObjectVerified(project.cacheDir, h));
    }
  }
  fs.rmSync(packsDir(project.cacheDir), { recursive: true, force: true });
}

test('many small files are stored in a few packs, large ones as files; status, checkout and fsck read both', async () => {
  const project = tempProject();
  const files: Record<string, Buffer> = {
    ...images('v1', 300),
    'data/big.bin': Buffer.alloc(3 << 20, 7),
  };
  writeTree(project.root, files);
  await addArtifacts(project, ['data']);
  const packs = listPacks(project.cacheDir);
  assert.ok(packs.length >= 1 && packs.length <= 2, `${packs.length} packs`);
  assert.equal(
    packs.reduce((n, p) => n + p.hashes.length, 0),
    300,
  );
  // The 3 MB file and the manifest are files of their own; no image is.
  const loose = [...listLooseObjects(project.cacheDir)].map(([h]) => h);
  assert.ok(loose.includes(sha256(files['data/big.bin']!)));
  assert.equal(loose.length, 2);
  assert.ok(findPacked(project.cacheDir, sha256(files['data/c0/img0.bin']!)));

  assert.deepEqual(
    (await artifactStatus(project)).map((s) => s.status),
    ['ok'],
  );
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  await checkoutArtifacts(project);
  const back = readTree(path.join(project.root, 'data'));
  assert.equal(Object.keys(back).length, 301);
  assert.equal(back['c3/img10.bin'], files['data/c3/img10.bin']!.toString());
  const check = await fsck(project);
  assert.deepEqual(check.corrupt, []);
  assert.equal(check.checkedObjects, 302);
});

test('a cache of loose files from before packs is read, and gc packs its small objects', async () => {
  const project = tempProject();
  const files = images('old', 120);
  writeTree(project.root, files);
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');
  unpackToLooseFiles(project);
  assert.equal([...listLooseObjects(project.cacheDir)].length, 121);

  // Read as it is: status and checkout need no migration.
  assert.deepEqual(
    (await artifactStatus(project)).map((s) => s.status),
    ['ok'],
  );
  fs.rmSync(path.join(project.root, 'data/c1'), { recursive: true });
  await checkoutArtifacts(project);
  assert.equal(Object.keys(readTree(path.join(project.root, 'data'))).length, 120);

  const r = await gc(project);
  assert.equal(r.removed.length, 0);
  assert.equal(r.keptObjects, 121);
  assert.deepEqual([...listLooseObjects(project.cacheDir)], []);
  assert.equal(listPacks(project.cacheDir).length, 1);
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  await checkoutArtifacts(project);
  assert.deepEqual(readTree(path.join(project.root, 'data')), readTreeOf(files));
  assert.deepEqual((await fsck(project)).corrupt, []);
});

function readTreeOf(files: Record<string, Buffer>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(files).map(([k, v]) => [k.slice('data/'.length), v.toString()]),
  );
}

test('gc drops packed objects no version needs by writing a smaller pack', async () => {
  const project = tempProject();
  writeTree(project.root, images('v1', 60));
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  // v2 changes 20 images; v1 stays in history, so nothing goes.
  const v2 = images('v1', 60);
  for (let i = 0; i < 20; i++) v2[`data/c${i % 7}/img${i}.bin`] = Buffer.from(`v2 ${i}`);
  writeTree(project.root, v2);
  await addArtifacts(project, ['data']);
  assert.equal((await gc(project, { dryRun: true })).removed.length, 0);
  // An unversioned third state, then back to v2: its 20 objects are garbage.
  const scratch = { ...v2 };
  for (let i = 0; i < 20; i++) scratch[`data/c${i % 7}/img${i}.bin`] = Buffer.from(`tmp ${i}`);
  writeTree(project.root, scratch);
  await addArtifacts(project, ['data']);
  writeTree(project.root, v2);
  await addArtifacts(project, ['data']);
  const r = await gc(project);
  assert.equal(r.removed.length, 21, 'the 20 scratch images and the scratch manifest');
  assert.ok(!hasObject(project.cacheDir, sha256('tmp 3')));
  assert.ok(hasObject(project.cacheDir, sha256('v2 3')));
  assert.ok(hasObject(project.cacheDir, sha256(images('v1', 60)['data/c3/img3.bin']!)));
  const all = [...listObjects(project.cacheDir)].map(([h]) => h);
  assert.equal(new Set(all).size, all.length, 'each object is kept once');
  assert.deepEqual((await fsck(project)).corrupt, []);
  gitSync(project.root, 'checkout', '-q', 'HEAD', '--', 'data.cairn');
  await checkoutArtifacts(project);
  assert.deepEqual(readTree(path.join(project.root, 'data')), readTreeOf(images('v1', 60)));
});

test('a corrupt packed object is named by fsck and stops checkout before anything changes', async () => {
  const project = tempProject();
  const files = images('c', 40);
  writeTree(project.root, files);
  await addArtifacts(project, ['data']);
  const victim = sha256(files['data/c2/img9.bin']!);
  const at = findPacked(project.cacheDir, victim)!;
  fs.chmodSync(at.pack, 0o644);
  const fd = fs.openSync(at.pack, 'r+');
  fs.writeSync(fd, Buffer.from('X'), 0, 1, at.offset + 3);
  fs.closeSync(fd);
  const check = await fsck(project);
  assert.deepEqual(
    check.corrupt.map((c) => c.hash),
    [victim],
  );
  assert.match(check.corrupt[0]!.path, /pack-[0-9a-f]{64}\.pack \(at byte \d+\)$/);
  fs.rmSync(path.join(project.root, 'data/c2/img9.bin'));
  fs.rmSync(path.join(project.root, 'data/c0/img0.bin'));
  await assert.rejects(
    checkoutArtifacts(project),
    (e: unknown) =>
      e instanceof CairnError && e.code === 'corrupt-object' && /in pack .*corrupt/.test(e.message),
  );
  assert.ok(!fs.existsSync(path.join(project.root, 'data/c0/img0.bin')), 'nothing was restored');
});

test('a pack cut short is a corrupt-object error naming the pack, not a short read', async () => {
  const project = tempProject();
  const files = images('s', 20);
  writeTree(project.root, files);
  await addArtifacts(project, ['data']);
  const victim = sha256(files['data/c5/img19.bin']!);
  const at = findPacked(project.cacheDir, victim)!;
  fs.chmodSync(at.pack, 0o644);
  fs.truncateSync(at.pack, at.offset + Math.floor(at.length / 2));
  assert.throws(
    () => readObjectVerified(project.cacheDir, victim),
    (e: unknown) =>
      e instanceof CairnError &&
      e.code === 'corrupt-object' &&
      e.message.includes(`Pack ${at.pack} is shorter than its index says`),
  );
});

test('SIGKILL while gc repacks loses nothing: fsck is clean and every version checks out', async () => {
  const project = tempProject();
  const files = images('k', 400);
  writeTree(project.root, files);
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'data');
  for (const delay of [60, 120, 180, 250, 350, 500]) {
    unpackToLooseFiles(project);
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'gc'], { cwd: project.root, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      child.on('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const check = await fsck(project);
    assert.deepEqual(check.corrupt, [], `after a kill at ${delay} ms`);
    assert.deepEqual(check.missing, [], `after a kill at ${delay} ms`);
  }
  const done = cairn(project.root, 'gc');
  assert.equal(done.code, 0, done.stderr);
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  await checkoutArtifacts(project);
  assert.deepEqual(readTree(path.join(project.root, 'data')), readTreeOf(files));
});

test('a pack writer stores each object once, under an index sorted by hash', () => {
  const project = tempProject();
  const tmpDir = path.join(project.root, '.cairn', 'tmp-test');
  fs.mkdirSync(tmpDir, { recursive: true });
  const writer = new PackWriter(project.cacheDir, tmpDir);
  const objects = Array.from({ length: 5000 }, (_, i) => Buffer.from(`object ${i % 3000}\n`));
  for (const o of objects) writer.add(sha256(o), o);
  writer.finish();
  const packs = listPacks(project.cacheDir);
  assert.equal(packs.length, 1);
  const hashes = packs[0]!.hashes;
  assert.equal(hashes.length, 3000);
  assert.deepEqual(hashes, [...new Set(objects.map((o) => sha256(o)))].sort());
  // Each object's bytes once: the pack holds nothing but the magic and 3,000 objects.
  const stored = objects.slice(0, 3000).reduce((n, o) => n + o.length, 0);
  assert.equal(fs.statSync(packs[0]!.packFile).size, 8 + stored);
  for (const o of objects.slice(2990))
    assert.deepEqual(readObjectVerified(project.cacheDir, sha256(o)), o);
});
