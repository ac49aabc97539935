// Checkout link types (cairn.yaml `cache: { type: … }`) and `unprotect`, on the real file system.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { readConfig } from '../project/config.js';
import type { Project } from '../project/project.js';
import { tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { objectPath, sha256 } from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { artifactStatus } from './status.js';
import { unprotect } from './unprotect.js';

/** Larger than a pack takes (1 MiB), so the cache keeps it as a loose object a link can point to. */
function big(seed: string): Buffer {
  return Buffer.alloc(3 << 19, seed);
}

async function trackedProject(type: string): Promise<Project> {
  const project = tempProject();
  fs.appendFileSync(project.configFile, `\ncache:\n  type: ${type}\n`);
  writeTree(project.root, {
    'data/a.bin': big('a'),
    'data/sub/b.bin': big('b'),
    // Enough small files for add to store them in a pack.
    ...Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`data/small/s${i}.csv`, `x,y\n${i},2\n`]),
    ),
    'model.bin': big('m'),
  });
  await addArtifacts(project, ['data', 'model.bin']);
  // Checkout places what is missing: remove the work tree copies.
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  fs.rmSync(path.join(project.root, 'model.bin'));
  return project;
}

const objectOf = (project: Project, content: Buffer | string): string =>
  objectPath(project.cacheDir, sha256(content));

async function statuses(project: Project): Promise<Record<string, string>> {
  return Object.fromEntries((await artifactStatus(project)).map((s) => [s.path, s.status]));
}

test('hardlink checkout: work-tree files are the cache objects (same inode), read-only; status ok', async () => {
  const project = await trackedProject('hardlink');
  await checkoutArtifacts(project);
  for (const [rel, content] of [
    ['data/a.bin', big('a')],
    ['data/sub/b.bin', big('b')],
    ['model.bin', big('m')],
  ] as const) {
    const st = fs.statSync(path.join(project.root, rel));
    assert.equal(st.ino, fs.statSync(objectOf(project, content)).ino, rel);
    assert.equal(st.mode & 0o777, 0o444, rel);
  }
  // A small file lives in a pack: it is copied, writable.
  const small = fs.statSync(path.join(project.root, 'data/small/s0.csv'));
  assert.equal(small.nlink, 1);
  assert.equal(small.mode & 0o777, 0o644);
  assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' });
});

test('symlink checkout: links to the cache objects, read-only through the link; status ok', async () => {
  const project = await trackedProject('symlink');
  await checkoutArtifacts(project);
  for (const [rel, content] of [
    ['data/sub/b.bin', big('b')],
    ['model.bin', big('m')],
  ] as const) {
    const abs = path.join(project.root, rel);
    assert.ok(fs.lstatSync(abs).isSymbolicLink(), rel);
    assert.equal(path.resolve(path.dirname(abs), fs.readlinkSync(abs)), objectOf(project, content));
    assert.ok(fs.readFileSync(abs).equals(content));
    // Read-only through the link (the cache object's mode).
    assert.equal(fs.statSync(abs).mode & 0o777, 0o444, rel);
  }
  assert.ok(fs.lstatSync(path.join(project.root, 'data/small/s0.csv')).isFile());
  assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' });
  // A second checkout changes nothing.
  const again = await checkoutArtifacts(project);
  assert.deepEqual(
    again.map((r) => r.action),
    ['unchanged', 'unchanged'],
  );
});

test('copy checkout (the default) writes independent writable files', async () => {
  const project = await trackedProject('copy');
  await checkoutArtifacts(project);
  const st = fs.statSync(path.join(project.root, 'model.bin'));
  assert.notEqual(st.ino, fs.statSync(objectOf(project, big('m'))).ino);
  assert.equal(st.nlink, 1);
  assert.equal(st.mode & 0o777, 0o644);
  assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' });
});

test('reflink falls back to the next type in the list where the file system cannot clone', async () => {
  const project = await trackedProject('reflink,hardlink');
  await checkoutArtifacts(project);
  const st = fs.statSync(path.join(project.root, 'model.bin'));
  const object = fs.statSync(objectOf(project, big('m')));
  // ext4 (and tmpfs) cannot reflink: the hard link is what was made. Where it can, a clone.
  if (st.ino !== object.ino) assert.equal(st.nlink, 1);
  assert.ok(fs.readFileSync(path.join(project.root, 'model.bin')).equals(big('m')));
  assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' });
});

test('reflink alone, where the file system cannot clone, is an error naming cairn.yaml and the fallback', async (t) => {
  const project = await trackedProject('reflink');
  let e: unknown;
  try {
    await checkoutArtifacts(project, ['model.bin']);
  } catch (err) {
    e = err;
  }
  if (e === undefined) {
    t.skip('this file system can reflink');
    return;
  }
  assert.ok(e instanceof CairnError, (e as Error).message);
  assert.match(e.message, /Could not check out .*model\.bin as reflink/);
  assert.match(e.message, /cairn\.yaml.*cache: \{ type: reflink,copy \}/);
  assert.equal(e.file, project.configFile);
  // The list "reflink,copy" works.
  await checkoutArtifacts(project, ['model.bin'], { linkTypes: ['reflink', 'copy'] });
  assert.ok(fs.readFileSync(path.join(project.root, 'model.bin')).equals(big('m')));
});

test('unprotect replaces links with writable copies; edit then add versions the edit; the cache is untouched', async () => {
  for (const type of ['hardlink', 'symlink']) {
    const project = await trackedProject(type);
    await checkoutArtifacts(project);
    const results = await unprotect(project, ['data', 'model.bin']);
    assert.deepEqual(
      results.filter((r) => r.path.endsWith('.bin')).map((r) => [r.path, r.action, r.was]),
      [
        ['data/a.bin', 'copied', type],
        ['data/sub/b.bin', 'copied', type],
        ['model.bin', 'copied', type],
      ],
      type,
    );
    const small = results.filter((r) => r.path.startsWith('data/small/'));
    assert.equal(small.length, 20);
    assert.ok(small.every((r) => r.action === 'unchanged' && r.was === 'copy'));
    const abs = path.join(project.root, 'data/a.bin');
    const st = fs.lstatSync(abs);
    assert.ok(st.isFile() && st.nlink === 1 && (st.mode & 0o777) === 0o644, type);
    assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' }, type);
    fs.writeFileSync(abs, 'edited');
    assert.ok(fs.readFileSync(objectOf(project, big('a'))).equals(big('a')), type);
    assert.deepEqual(await statuses(project), { data: 'modified', 'model.bin': 'ok' }, type);
    const [r] = await addArtifacts(project, ['data']);
    assert.equal(r?.changed, true);
    assert.deepEqual(await statuses(project), { data: 'ok', 'model.bin': 'ok' }, type);
    // A second unprotect has nothing to do.
    const again = await unprotect(project, ['model.bin']);
    assert.deepEqual(again, [{ path: 'model.bin', action: 'unchanged', was: 'copy' }]);
  }
});

test('unprotect of an untracked path says so', async () => {
  const project = await trackedProject('hardlink');
  writeTree(project.root, { 'notes/x.txt': 'x' });
  await assert.rejects(unprotect(project, ['notes']), /notes is not a tracked artifact/);
});

test('symlink checkout whose cache object was deleted: status and checkout say the cache lacks it', async () => {
  const project = await trackedProject('symlink');
  await checkoutArtifacts(project);
  fs.rmSync(objectOf(project, big('b')));
  fs.rmSync(objectOf(project, big('m')));
  const st = await statuses(project);
  assert.equal(st['data'], 'modified');
  assert.equal(st['model.bin'], 'not-in-cache');
  await assert.rejects(
    checkoutArtifacts(project),
    (e: unknown) =>
      e instanceof CairnError &&
      /cache lacks the content of .*data\/sub\/b\.bin/.test(e.message) &&
      /symlinks? to cache objects that are gone/.test(e.message) &&
      /cairn pull/.test(e.message),
  );
  await assert.rejects(
    unprotect(project, ['data/sub/b.bin']),
    /b\.bin is a symlink to cache object .* which is gone; run 'cairn pull'/,
  );
});

test('cache.type in cairn.yaml: the default, a list, and errors naming cairn.yaml and the line', () => {
  const withCache = (yaml: string): Project => {
    const project = tempProject();
    fs.writeFileSync(project.configFile, yaml);
    return project;
  };
  assert.deepEqual(readConfig(withCache('tasks: {}\n')).linkTypes, ['copy']);
  assert.deepEqual(readConfig(withCache('cache:\n  type: reflink, copy\n')).linkTypes, [
    'reflink',
    'copy',
  ]);
  assert.deepEqual(readConfig(withCache('cache: { type: [hardlink, copy] }\n')).linkTypes, [
    'hardlink',
    'copy',
  ]);
  const error = (yaml: string): CairnError => {
    try {
      readConfig(withCache(yaml));
    } catch (e) {
      assert.ok(e instanceof CairnError);
      assert.equal(e.code, 'bad-config');
      return e;
    }
    assert.fail(`no error for ${yaml}`);
  };
  let e = error('tasks: {}\ncache:\n  type: hardlnk\n');
  assert.equal(e.line, 3);
  assert.match(
    e.message,
    /^cairn\.yaml:3: cache\.type has 'hardlnk' \(did you mean 'hardlink'\?\); use one of copy, reflink, hardlink, symlink/,
  );
  e = error('cache:\n  kind: copy\n');
  assert.match(e.message, /^cairn\.yaml:2: unknown key 'cache\.kind'/);
  assert.match(error('cache: copy\n').message, /^cairn\.yaml:1: cache must be a mapping/);
  assert.match(error('cache:\n  type: copy,copy\n').message, /names 'copy' twice/);
  assert.match(error('cache:\n  type: [1]\n').message, /cache\.type has '1'/);
});
