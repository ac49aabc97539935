// Bad input and hostile environments: each case gets one clear error that names the file, and
// changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { readTree, tempDir, tempProject, writeTree, gitSync } from '../testing/tempProject.js';
import { initProject } from '../project/project.js';
import { addArtifacts } from './add.js';
import { listLooseObjects, listObjects, objectPath, putObject, sha256 } from './cache.js';
import { checkoutArtifacts } from './checkout.js';
import { formatPointer } from './pointerFile.js';
import { artifactStatus } from './status.js';

function isCairnError(code: string, re: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CairnError, `expected a CairnError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    return true;
  };
}

test('a hand-edited pointer file: status and checkout name the file and line, and change nothing', async () => {
  const project = tempProject();
  writeTree(project.root, { 'data/a': 'a' });
  await addArtifacts(project, ['data']);
  const pointer = path.join(project.root, 'data.cairn');
  fs.writeFileSync(
    pointer,
    fs.readFileSync(pointer, 'utf8').replace(/^hash: (\w+)$/m, 'hash: $1zz'),
  );
  const before = readTree(project.root);
  await assert.rejects(
    artifactStatus(project),
    isCairnError('bad-pointer', /data\.cairn:\d+: hash must be 64 hex digits/),
  );
  await assert.rejects(checkoutArtifacts(project), isCairnError('bad-pointer', /data\.cairn:\d+:/));
  assert.deepEqual(readTree(project.root), before);
});

test('a pointer to an unknown hash is not-in-cache, and checkout says to pull', async () => {
  const project = tempProject();
  writeTree(project.root, { 'm.bin': 'x' });
  await addArtifacts(project, ['m.bin']);
  fs.writeFileSync(
    path.join(project.root, 'm.bin.cairn'),
    formatPointer({
      kind: 'model',
      type: 'file',
      hash: 'b'.repeat(64),
      sizeBytes: 1,
      fileCount: 1,
    }),
  );
  assert.equal((await artifactStatus(project))[0]?.status, 'not-in-cache');
  await assert.rejects(
    checkoutArtifacts(project, undefined, { force: true }),
    isCairnError('not-in-cache', /m\.bin.*cairn pull/),
  );
  assert.equal(fs.readFileSync(path.join(project.root, 'm.bin'), 'utf8'), 'x');
});

for (const [name, evil] of [
  ['..', '../escaped.txt'],
  ['an absolute path', '/tmp/cairn-escaped.txt'],
  ['a nested ..', 'ok/../../escaped.txt'],
] as const) {
  test(`a manifest entry with ${name} is refused and nothing is written outside the project`, async () => {
    const project = tempProject();
    const tmp = fs.mkdtempSync(path.join(project.tmpRoot, 't'));
    const content = putObject(project.cacheDir, tmp, 'payload');
    const manifest = `{"version":1,"entries":[\n${JSON.stringify({ path: evil, hash: content, size: 7 })}\n]}\n`;
    const hash = putObject(project.cacheDir, tmp, manifest);
    fs.writeFileSync(
      path.join(project.root, 'data.cairn'),
      formatPointer({ kind: 'data', type: 'dir', hash, sizeBytes: 7, fileCount: 1 }),
    );
    await assert.rejects(
      checkoutArtifacts(project),
      isCairnError('bad-path', /data\.cairn.*unsafe path/),
    );
    assert.ok(!fs.existsSync(path.join(project.root, '..', 'escaped.txt')));
    assert.ok(!fs.existsSync('/tmp/cairn-escaped.txt'));
    assert.ok(!fs.existsSync(path.join(project.root, 'data')));
  });
}

test('symlinks that lead out of the project are refused, by add and by checkout', async () => {
  const project = tempProject();
  const outside = tempDir('cairn-outside-');
  writeTree(outside, { 'secret.txt': 'secret' });
  writeTree(project.root, { 'data/a.txt': 'a' });
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(project.root, 'data/link.txt'));
  await assert.rejects(
    addArtifacts(project, ['data']),
    isCairnError('bad-path', /data\/link\.txt is a symlink that points outside the project/),
  );
  assert.ok(!fs.existsSync(path.join(project.root, 'data.cairn')));

  fs.symlinkSync(outside, path.join(project.root, 'linked'));
  await assert.rejects(
    addArtifacts(project, ['linked/secret.txt']),
    isCairnError('bad-path', /symlink that leads outside the project/),
  );

  // A pointer file reached through a directory that is a symlink out of the project.
  fs.symlinkSync(outside, path.join(project.root, 'sub'));
  fs.writeFileSync(
    path.join(outside, 'data.cairn'),
    formatPointer({ kind: 'data', type: 'file', hash: sha256('a'), sizeBytes: 1, fileCount: 1 }),
  );
  await assert.rejects(
    checkoutArtifacts(project, ['sub/data']),
    isCairnError('bad-path', /symlink that leads outside the project/),
  );
  assert.ok(!fs.existsSync(path.join(outside, 'data')));
});

test('a corrupt cache object stops checkout before anything changes, naming the object', async () => {
  const project = tempProject();
  writeTree(project.root, { 'd/a.txt': 'alpha', 'd/b.txt': 'beta' });
  await addArtifacts(project, ['d']);
  writeTree(project.root, { 'd/b.txt': 'beta edited' });
  await addArtifacts(project, ['d']);
  const obj = objectPath(project.cacheDir, sha256('alpha'));
  fs.chmodSync(obj, 0o644);
  fs.writeFileSync(obj, 'ALPHA');
  gitSync(project.root, 'add', '-A');
  // Go back to a pointer naming the corrupt object while the work tree lacks a.txt.
  fs.rmSync(path.join(project.root, 'd/a.txt'));
  await assert.rejects(
    checkoutArtifacts(project),
    isCairnError('corrupt-object', new RegExp(`${obj}.*corrupt`)),
  );
  assert.deepEqual(readTree(path.join(project.root, 'd')), { 'b.txt': 'beta edited' });

  // A corrupt manifest is refused too.
  const manifest = [...listLooseObjects(project.cacheDir)]
    .map(([h, p]) => [h, p] as const)
    .find(([, p]) => fs.readFileSync(p, 'utf8').startsWith('{"version"'))!;
  fs.chmodSync(manifest[1], 0o644);
  fs.appendFileSync(manifest[1], ' ');
  await assert.rejects(artifactStatus(project), isCairnError('corrupt-object', /is corrupt/));
});

test('bad cairn.yaml remotes are reported with file and line', async () => {
  const project = tempProject();
  fs.writeFileSync(project.configFile, 'remotes:\n  team:\n    url: ftp://bucket/x\n');
  const { push } = await import('../remotes/transfer.js');
  await assert.rejects(
    push(project),
    isCairnError(
      'bad-config',
      /cairn\.yaml:3: remote 'team' uses ftp:\/\/, which Cairn does not know/,
    ),
  );
  fs.writeFileSync(project.configFile, 'remotes:\n  team:\n    url: ssh://host\n');
  await assert.rejects(
    push(project),
    isCairnError(
      'bad-config',
      /cairn\.yaml:3: remote 'team' has url ssh:\/\/host, which is not ssh:/,
    ),
  );
  fs.writeFileSync(project.configFile, 'remotes:\n  team:\n    url: s3://b/x\n    regoin: eu\n');
  await assert.rejects(
    push(project),
    isCairnError(
      'bad-config',
      /cairn\.yaml:4: remote 'team' has the key 'regoin'.*endpoint, region, profile/,
    ),
  );
  fs.writeFileSync(project.configFile, 'remotes:\n  team: [\n');
  await assert.rejects(
    push(project),
    isCairnError('bad-config', /cairn\.yaml:\d+: .*fix the YAML syntax/),
  );
});

const isRoot = process.getuid?.() === 0;
function mount(...args: string[]): void {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
}

test(
  'a full disk: add fails with a clear error and leaves no pointer and no partial object',
  { skip: !isRoot && 'needs root to mount a small tmpfs' },
  async () => {
    const dir = tempDir('cairn-full-');
    mount('-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir);
    try {
      gitSync(dir, 'init', '-q');
      const project = initProject(dir).project;
      fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(1200 * 1024, 7)); // fits once, not twice
      await assert.rejects(
        addArtifacts(project, ['big.bin']),
        isCairnError('no-space', /no space left on the device/),
      );
      assert.ok(!fs.existsSync(path.join(dir, 'big.bin.cairn')));
      assert.equal([...listObjects(project.cacheDir)].length, 0);
      assert.deepEqual(fs.readdirSync(project.tmpRoot), []);
      assert.equal(fs.statSync(path.join(dir, 'big.bin')).size, 1200 * 1024);
    } finally {
      spawnSync('umount', [dir]);
    }
  },
);

test(
  'a read-only file system: checkout fails with a clear error; status still works',
  { skip: !isRoot && 'needs root to mount' },
  async () => {
    const dir = tempDir('cairn-ro-');
    mount('-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir);
    try {
      gitSync(dir, 'init', '-q');
      const project = initProject(dir).project;
      writeTree(dir, { 'd/a.txt': 'a', 'd/b.txt': 'b' });
      await addArtifacts(project, ['d']);
      await artifactStatus(project); // settle the state cache
      fs.rmSync(path.join(dir, 'd/a.txt'));
      mount('-o', 'remount,ro', dir);
      const st = await artifactStatus(project);
      assert.equal(st[0]?.status, 'modified');
      await assert.rejects(
        checkoutArtifacts(project),
        (e: unknown) =>
          e instanceof CairnError && e.code === 'read-only' && /read-only/.test(e.message),
      );
      assert.deepEqual(fs.readdirSync(path.join(dir, 'd')), ['b.txt']);
    } finally {
      spawnSync('mount', ['-o', 'remount,rw', dir]);
      spawnSync('umount', [dir]);
    }
  },
);

test('checkout never writes through an artifact path, or a folder in it, that is a symlink out of the project', async () => {
  const project = tempProject();
  const outside = tempDir('cairn-ssh-');
  writeTree(outside, { authorized_keys: 'mine\n', 'sub/config': 'mine\n' });
  writeTree(project.root, {
    'data/authorized_keys': 'attacker\n',
    'data/sub/config': 'attacker\n',
  });
  await addArtifacts(project, ['data']);
  // What a hostile repository commits: `data -> ~/.ssh` beside the pointer `data.cairn`.
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  fs.symlinkSync(outside, path.join(project.root, 'data'));
  for (const force of [false, true]) {
    await assert.rejects(
      checkoutArtifacts(project, [], { force }),
      isCairnError('bad-path', /data\.cairn: data is a symlink that leads outside the project/),
    );
  }
  // A real folder, with a symlink out of the project inside it.
  fs.rmSync(path.join(project.root, 'data'));
  fs.mkdirSync(path.join(project.root, 'data'));
  fs.symlinkSync(path.join(outside, 'sub'), path.join(project.root, 'data/sub'));
  await assert.rejects(
    checkoutArtifacts(project, [], { force: true }),
    isCairnError('bad-path', /data\/sub is a symlink that (leads|points) outside the project/),
  );
  // Into Git's own files is refused too (a checkout must not write hooks).
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  fs.symlinkSync(path.join(project.root, '.git'), path.join(project.root, 'data'));
  await assert.rejects(
    checkoutArtifacts(project, [], { force: true }),
    isCairnError('bad-path', /data is a symlink that leads into Cairn's or Git's own files/),
  );
  assert.deepEqual(readTree(outside), { authorized_keys: 'mine\n', 'sub/config': 'mine\n' });
  assert.ok(!fs.existsSync(path.join(project.root, '.git/authorized_keys')));
  // A file artifact whose path is a symlink out of the project is refused as well.
  writeTree(project.root, { 'm.bin': 'model' });
  await addArtifacts(project, ['m.bin']);
  fs.rmSync(path.join(project.root, 'm.bin'));
  fs.symlinkSync(path.join(outside, 'authorized_keys'), path.join(project.root, 'm.bin'));
  await assert.rejects(
    checkoutArtifacts(project, ['m.bin'], { force: true }),
    isCairnError('bad-path', /m\.bin is a symlink that leads outside the project/),
  );
  assert.equal(fs.readFileSync(path.join(outside, 'authorized_keys'), 'utf8'), 'mine\n');
});
