import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { CairnError, WouldOverwriteError } from '../errors.js';
import { gitSync, readTree, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { listObjects, objectPath, sha256 } from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { readPointer } from './pointerFile.js';
import { stateFile } from './stateCache.js';
import { artifactStatus } from './status.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const dataset = {
  'data/train/a.csv': 'x,y\n1,2\n',
  'data/train/b.csv': 'x,y\n3,4\n',
  'data/naïve ünïcode/file with spaces.txt': 'späce\n',
  'data/empty.bin': '',
  'data/deep/er/than/you/think.txt': 'deep\n',
  'data/empty-dir/': '',
  'data/copy-of-a.csv': 'x,y\n1,2\n',
};

test('add tracks a directory: pointer file, .gitignore, content in the cache, once per content', async () => {
  const project = tempProject();
  writeTree(project.root, dataset);
  fs.chmodSync(path.join(project.root, 'data/train/a.csv'), 0o755);
  const [r] = await addArtifacts(project, ['data']);
  assert.ok(r);
  assert.equal(r.pointer.type, 'dir');
  assert.equal(r.pointer.kind, 'data');
  assert.equal(r.pointer.fileCount, 6);
  assert.equal(r.hashedFiles, 6);
  assert.deepEqual(readPointer(path.join(project.root, 'data.cairn')), r.pointer);
  assert.match(fs.readFileSync(path.join(project.root, '.gitignore'), 'utf8'), /^\/data$/m);
  // 5 distinct contents (a.csv and copy-of-a.csv share one) + the manifest
  const objects = [...listObjects(project.cacheDir)].map(([h]) => h);
  assert.equal(objects.length, 6);
  assert.ok(objects.includes(sha256('x,y\n1,2\n')));
  assert.ok(objects.includes(sha256('')));
  // Git sees the pointer, not the data
  const status = gitSync(project.root, 'status', '--porcelain', '--untracked-files=all');
  assert.match(status, /data\.cairn/);
  assert.doesNotMatch(status, /data\/train/);
});

test('re-adding unchanged data hashes nothing; a change re-hashes only that file', async () => {
  const project = tempProject();
  writeTree(project.root, dataset);
  // Files written in the very moment they are hashed are hashed again next time (see below).
  await sleep(100);
  const [first] = await addArtifacts(project, ['data']);
  const [again] = await addArtifacts(project, ['data']);
  assert.equal(again?.hashedFiles, 0);
  assert.equal(again?.changed, false);
  assert.equal(again?.pointer.hash, first?.pointer.hash);
  fs.appendFileSync(path.join(project.root, 'data/train/b.csv'), '5,6\n');
  const [third] = await addArtifacts(project, ['data']);
  assert.equal(third?.hashedFiles, 1);
  assert.equal(third?.changed, true);
  assert.notEqual(third?.pointer.hash, first?.pointer.hash);
});

test('a file rewritten in place at the same size with its mtime put back is seen as changed', async () => {
  const project = tempProject();
  const file = path.join(project.root, 'model.bin');
  fs.writeFileSync(file, 'weights v1');
  const mtime = new Date('2026-01-01T00:00:00Z'); // whole seconds: utimes puts it back exactly
  fs.utimesSync(file, mtime, mtime);
  await sleep(100);
  const [first] = await addArtifacts(project, ['model.bin']);
  const before = fs.statSync(file);
  fs.writeFileSync(file, 'weights v2'); // same size, in place
  fs.utimesSync(file, mtime, mtime);
  assert.equal(fs.statSync(file).mtimeMs, before.mtimeMs);
  const [status] = await artifactStatus(project);
  assert.equal(status?.status, 'modified');
  const [again] = await addArtifacts(project, ['model.bin']);
  assert.equal(again?.hashedFiles, 1);
  assert.notEqual(again?.pointer.hash, first?.pointer.hash);
});

test('a file added to a folder whose mtime is then put back is still seen', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.csv': 'a\n' });
  const dir = path.join(project.root, 'data');
  const mtime = new Date('2026-01-01T00:00:00Z'); // whole seconds: utimes puts it back exactly
  fs.utimesSync(dir, mtime, mtime);
  await sleep(100);
  await addArtifacts(project, ['data']);
  writeTree(project.root, { 'data/new.csv': 'new\n' });
  fs.utimesSync(dir, mtime, mtime);
  const [status] = await artifactStatus(project);
  assert.deepEqual(status?.changes?.added, ['new.csv']);
});

test('an entry recorded in the moment its file was written is re-hashed once, then trusted', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.csv': 'a\n', 'data/b.csv': 'b\n' });
  await sleep(100);
  await addArtifacts(project, ['data']);
  // What a state saved within the clock tick in which the files were written looks like.
  const file = stateFile(project.stateDir, 'data');
  const raw = v8.deserialize(fs.readFileSync(file)) as { savedAtMs: number };
  raw.savedAtMs = fs.statSync(path.join(project.root, 'data/b.csv')).ctimeMs + 1;
  fs.writeFileSync(file, v8.serialize(raw));
  const [second] = await addArtifacts(project, ['data']);
  assert.equal(second?.hashedFiles, 2);
  const [third] = await addArtifacts(project, ['data']);
  assert.equal(third?.hashedFiles, 0);
});

test('status reports ok, modified with the files, missing and not-in-cache', async () => {
  const project = tempProject();
  writeTree(project.root, { ...dataset, 'model.pkl': 'weights-v1' });
  await addArtifacts(project, ['data', 'model.pkl']);
  let s = await artifactStatus(project);
  assert.deepEqual(
    s.map((e) => [e.path, e.status, e.kind]),
    [
      ['data', 'ok', 'data'],
      ['model.pkl', 'ok', 'model'],
    ],
  );

  fs.writeFileSync(path.join(project.root, 'data/train/a.csv'), 'changed');
  fs.rmSync(path.join(project.root, 'data/train/b.csv'));
  fs.writeFileSync(path.join(project.root, 'data/new.txt'), 'new');
  fs.rmSync(path.join(project.root, 'model.pkl'));
  s = await artifactStatus(project);
  assert.equal(s[0]?.status, 'modified');
  assert.deepEqual(s[0]?.changes, {
    added: ['new.txt'],
    removed: ['train/b.csv'],
    modified: ['train/a.csv'],
  });
  assert.equal(s[1]?.status, 'missing');

  fs.rmSync(project.cacheDir, { recursive: true });
  s = await artifactStatus(project);
  assert.deepEqual(
    s.map((e) => e.status),
    ['not-in-cache', 'not-in-cache'],
  );
});

test('checkout restores exact bytes, exec bits and empty dirs, and removes files the version lacks', async () => {
  const project = tempProject();
  writeTree(project.root, dataset);
  fs.chmodSync(path.join(project.root, 'data/train/a.csv'), 0o755);
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const v1 = readTree(path.join(project.root, 'data'));

  writeTree(project.root, { 'data/train/a.csv': 'v2 content', 'data/extra.txt': 'more' });
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'commit', '-qam', 'v2');
  const v2 = readTree(path.join(project.root, 'data'));

  gitSync(project.root, 'checkout', '-q', 'HEAD~1');
  const results = await checkoutArtifacts(project);
  assert.equal(results[0]?.action, 'restored');
  assert.deepEqual(readTree(path.join(project.root, 'data')), v1);
  assert.equal(fs.statSync(path.join(project.root, 'data/train/a.csv')).mode & 0o777, 0o755);
  assert.ok(fs.statSync(path.join(project.root, 'data/empty-dir')).isDirectory());
  assert.equal((await artifactStatus(project))[0]?.status, 'ok');

  gitSync(project.root, 'checkout', '-q', 'main');
  await checkoutArtifacts(project);
  assert.deepEqual(readTree(path.join(project.root, 'data')), v2);
  const again = await checkoutArtifacts(project);
  assert.equal(again[0]?.action, 'unchanged');
});

test('checkout refuses to overwrite modified data that is not in the cache, naming the files; --force discards it', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a.txt': 'one', 'data/b.txt': 'two', 'model.bin': 'm1' });
  await addArtifacts(project, ['data', 'model.bin']);
  writeTree(project.root, {
    'data/a.txt': 'precious edit',
    'data/untracked.txt': 'precious new file',
    'model.bin': 'precious model',
  });
  await assert.rejects(checkoutArtifacts(project), (e: unknown) => {
    assert.ok(e instanceof CairnError);
    assert.equal(e.code, 'would-overwrite');
    // Which artifacts hold the changes, so the extension can offer to track them first.
    assert.ok(e instanceof WouldOverwriteError);
    assert.deepEqual([...e.artifacts].sort(), ['data', 'model.bin']);
    assert.deepEqual([...e.files].sort(), ['data/a.txt', 'data/untracked.txt', 'model.bin']);
    assert.match(e.message, /data\/a\.txt/);
    assert.match(e.message, /data\/untracked\.txt/);
    assert.match(e.message, /model\.bin/);
    return true;
  });
  // nothing changed
  assert.equal(fs.readFileSync(path.join(project.root, 'data/a.txt'), 'utf8'), 'precious edit');
  assert.equal(fs.readFileSync(path.join(project.root, 'model.bin'), 'utf8'), 'precious model');
  assert.ok(fs.existsSync(path.join(project.root, 'data/untracked.txt')));

  await checkoutArtifacts(project, undefined, { force: true });
  assert.deepEqual(readTree(path.join(project.root, 'data')), { 'a.txt': 'one', 'b.txt': 'two' });
  assert.equal(fs.readFileSync(path.join(project.root, 'model.bin'), 'utf8'), 'm1');
});

test('checkout overwrites modified data without --force when that content is in the cache', async () => {
  const project = tempProject();
  writeTree(project.root, { 'm.bin': 'v1' });
  await addArtifacts(project, ['m.bin']);
  const v1 = readPointer(path.join(project.root, 'm.bin.cairn'));
  writeTree(project.root, { 'm.bin': 'v2' });
  await addArtifacts(project, ['m.bin']); // v2 is now in the cache
  fs.writeFileSync(
    path.join(project.root, 'm.bin.cairn'),
    fs
      .readFileSync(path.join(project.root, 'm.bin.cairn'), 'utf8')
      .replace(/hash: \w+/, `hash: ${v1.hash}`)
      .replace(/size: \d+/, 'size: 2'),
  );
  await checkoutArtifacts(project);
  assert.equal(fs.readFileSync(path.join(project.root, 'm.bin'), 'utf8'), 'v1');
});

test('a file artifact replaced by a directory is restored, with the directory content checked first', async () => {
  const project = tempProject();
  writeTree(project.root, { 'out.bin': 'file' });
  await addArtifacts(project, ['out.bin']);
  fs.rmSync(path.join(project.root, 'out.bin'));
  writeTree(project.root, { 'out.bin/inner.txt': 'not saved anywhere' });
  await assert.rejects(checkoutArtifacts(project), /out\.bin\/inner\.txt/);
  await checkoutArtifacts(project, undefined, { force: true });
  assert.equal(fs.readFileSync(path.join(project.root, 'out.bin'), 'utf8'), 'file');
});

test('cache objects are read-only and named by their sha256', async () => {
  const project = tempProject();
  writeTree(project.root, { 'm.bin': 'content' });
  const [r] = await addArtifacts(project, ['m.bin']);
  const obj = objectPath(project.cacheDir, r!.pointer.hash);
  assert.equal(fs.statSync(obj).mode & 0o222, 0);
  assert.equal(sha256(fs.readFileSync(obj)), r!.pointer.hash);
});

test('a large file (over the pipelined threshold) round-trips through add and checkout', async () => {
  const project = tempProject();
  const big = Buffer.alloc(20 << 20);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
  fs.writeFileSync(path.join(project.root, 'big.bin'), big);
  const [r] = await addArtifacts(project, ['big.bin']);
  assert.equal(r!.pointer.hash, sha256(big));
  fs.rmSync(path.join(project.root, 'big.bin'));
  await checkoutArtifacts(project);
  assert.ok(fs.readFileSync(path.join(project.root, 'big.bin')).equals(big));
});

test('many files are hashed on worker threads with the same result', async () => {
  const project = tempProject();
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`many/d${i % 7}/f${i}.txt`] = `file ${i}\n`.repeat(i % 13);
  writeTree(project.root, files);
  const [r] = await addArtifacts(project, ['many']);
  assert.equal(r!.pointer.fileCount, 300);
  fs.rmSync(path.join(project.root, 'many'), { recursive: true });
  await checkoutArtifacts(project);
  const back = readTree(path.join(project.root, 'many'));
  assert.deepEqual(
    back,
    Object.fromEntries(Object.entries(files).map(([k, v]) => [k.slice('many/'.length), v])),
  );
});

test('a sparse file stays sparse in the cache and in the checkout, with the same bytes', async () => {
  const project = tempProject();
  const file = path.join(project.root, 'sparse.img');
  // 1 GB, nearly all hole: 1 MB of data at the start and 64 KB in the middle.
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, Buffer.alloc(1 << 20, 'a'), 0, 1 << 20, 0);
  fs.writeSync(fd, Buffer.alloc(64 << 10, 'b'), 0, 64 << 10, 512 << 20);
  fs.ftruncateSync(fd, 1 << 30);
  fs.closeSync(fd);
  const onDisk = (p: string): number => fs.statSync(p).blocks * 512;
  assert.ok(onDisk(file) < 4 << 20);
  const [r] = await addArtifacts(project, ['sparse.img']);
  const obj = objectPath(project.cacheDir, r!.pointer.hash);
  assert.equal(fs.statSync(obj).size, 1 << 30);
  assert.ok(onDisk(obj) < 4 << 20, `the cache object takes ${onDisk(obj)} bytes on disk`);
  fs.rmSync(file);
  await checkoutArtifacts(project);
  assert.equal(fs.statSync(file).size, 1 << 30);
  assert.ok(onDisk(file) < 4 << 20, `the checkout takes ${onDisk(file)} bytes on disk`);
  const [status] = await artifactStatus(project);
  assert.equal(status?.status, 'ok');
  const back = fs.openSync(file, 'r');
  const probe = Buffer.alloc(64 << 10);
  fs.readSync(back, probe, 0, probe.length, 512 << 20);
  fs.closeSync(back);
  assert.ok(probe.equals(Buffer.alloc(64 << 10, 'b')));
});

test('a large add records every file: its hash, size and mode in the manifest, its stat in the state; a re-add hashes only what changed', async () => {
  const project = tempProject();
  // Enough files for many batches on every core, the stat threads and packs; names that sort
  // differently in UTF-16 and in bytes, a number-like name, an executable, an empty folder and a
  // pointer file inside.
  const files: Record<string, string> = {};
  for (let i = 0; i < 25_000; i++) files[`data/d${i % 37}/f${i}.txt`] = `row ${i % 20_000}\n`;
  files['data/\uff21.txt'] = 'fullwidth A\n';
  files['data/\u{1F600}.txt'] = 'astral\n';
  files['data/7'] = 'number-like\n';
  files['data/run.sh'] = '#!/bin/sh\n';
  files['data/empty/'] = '';
  files['data/old.cairn'] = 'not data\n';
  writeTree(project.root, files);
  fs.chmodSync(path.join(project.root, 'data/run.sh'), 0o755);
  await sleep(120); // settled times, so that a quick index is written too

  const [r] = await addArtifacts(project, ['data']);
  const want = Object.entries(files)
    .filter(([rel]) => !rel.endsWith('/') && !rel.endsWith('.cairn'))
    .map(([rel, text]) => ({ rel: rel.slice('data/'.length), text }));
  assert.equal(r!.hashedFiles, want.length);
  assert.equal(r!.pointer.fileCount, want.length);
  const manifest = fs.readFileSync(objectPath(project.cacheDir, r!.pointer.hash), 'utf8');
  const entries = (JSON.parse(manifest) as { entries: Record<string, unknown>[] }).entries;
  const expected = [
    ...want.map(({ rel, text }) => ({
      path: rel,
      hash: sha256(text),
      size: Buffer.byteLength(text),
      ...(rel === 'run.sh' ? { exec: true } : {}),
    })),
    { path: 'empty', dir: true },
  ].sort((a, b) => (a.path < b.path ? -1 : 1));
  assert.deepEqual(entries, expected);

  const state = v8.deserialize(fs.readFileSync(stateFile(project.stateDir, 'data'))) as {
    files: Record<string, string>;
    version: string;
  };
  assert.equal(state.version, r!.pointer.hash);
  assert.equal(Object.keys(state.files).length, want.length);
  for (const { rel, text } of want) {
    const st = fs.statSync(path.join(project.root, 'data', rel));
    assert.equal(
      state.files[rel],
      `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${sha256(text)}`,
    );
  }
  assert.equal((await artifactStatus(project))[0]!.status, 'ok');

  fs.writeFileSync(path.join(project.root, 'data/d3/f3.txt'), 'changed\n');
  fs.rmSync(path.join(project.root, 'data/7'));
  const [again] = await addArtifacts(project, ['data']);
  assert.equal(again!.hashedFiles, 1);
  assert.equal(again!.pointer.fileCount, want.length - 1);
  const after = JSON.parse(
    fs.readFileSync(objectPath(project.cacheDir, again!.pointer.hash), 'utf8'),
  ) as { entries: { path: string; hash?: string }[] };
  assert.equal(after.entries.find((e) => e.path === 'd3/f3.txt')!.hash, sha256('changed\n'));
  assert.equal(after.entries.find((e) => e.path === 'd4/f4.txt')!.hash, sha256('row 4\n'));
  assert.equal(
    after.entries.find((e) => e.path === '7'),
    undefined,
  );
});
