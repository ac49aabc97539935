// Push and pull against each kind of remote, on real servers started here: a directory, Debian's
// sshd on a loopback port (SFTP), and an S3 API server (s3rver) in its own process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CairnError } from '../errors.js';
import { projectAt, type Project } from '../project/project.js';
import { startS3Server, type S3Server } from '../testing/s3Server.js';
import { startSshServer, type SshServer } from '../testing/sshServer.js';
import {
  CLI,
  cairn,
  cairnAsync,
  gitSync,
  readTree,
  tempDir,
  tempProject,
  writeTree,
} from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { hasObject, sha256 } from '../versioning/cache.js';
import { checkoutArtifacts } from '../versioning/checkout.js';
import { fsck } from '../versioning/fsck.js';
import { readInventory } from './inventory.js';
import { openRemote, pull, push, remoteStatus, selectRemote } from './transfer.js';

/** A remote for one test, and a way to look at and tamper with its keys from outside Cairn. */
interface TestRemote {
  /** The `shared:` remote's lines for cairn.yaml. */
  readonly yaml: string;
  keys(prefix: string): Promise<string[]>;
  readKey(key: string): Promise<Buffer>;
  writeKey(key: string, data: Buffer): Promise<void>;
  removeKey(key: string): Promise<void>;
}

type Kind = 'dir' | 'ssh' | 's3';

function folderRemote(root: string, url: string): TestRemote {
  const abs = (key: string): string => path.join(root, ...key.split('/'));
  return {
    yaml: `remotes:\n  shared:\n    url: ${url}\n`,
    keys: (prefix) =>
      Promise.resolve(
        fs.existsSync(abs(prefix))
          ? fs
              .readdirSync(abs(prefix), { recursive: true, withFileTypes: true })
              .filter((d) => d.isFile())
              .map((d) =>
                path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join('/'),
              )
          : [],
      ),
    readKey: (key) => Promise.resolve(fs.readFileSync(abs(key))),
    writeKey: (key, data) => {
      fs.mkdirSync(path.dirname(abs(key)), { recursive: true });
      fs.rmSync(abs(key), { force: true });
      fs.writeFileSync(abs(key), data);
      return Promise.resolve();
    },
    removeKey: (key) => Promise.resolve(fs.rmSync(abs(key), { force: true })),
  };
}

function s3Remote(server: S3Server, prefix: string): TestRemote {
  const client = new S3Client({
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: server.env['AWS_REGION'] ?? 'us-east-1',
    credentials: {
      accessKeyId: server.env['AWS_ACCESS_KEY_ID']!,
      secretAccessKey: server.env['AWS_SECRET_ACCESS_KEY']!,
    },
  });
  const Bucket = server.bucket;
  return {
    yaml: `remotes:\n  shared:\n    url: s3://${Bucket}/${prefix}\n    endpoint: ${server.endpoint}\n`,
    async keys(p) {
      const out: string[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: `${prefix}/${p}`, ContinuationToken: token }),
        );
        for (const o of r.Contents ?? []) out.push(o.Key!.slice(prefix.length + 1));
        token = r.NextContinuationToken;
      } while (token);
      return out;
    },
    async readKey(key) {
      const r = await client.send(new GetObjectCommand({ Bucket, Key: `${prefix}/${key}` }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
    async writeKey(key, data) {
      await client.send(new PutObjectCommand({ Bucket, Key: `${prefix}/${key}`, Body: data }));
    },
    async removeKey(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: `${prefix}/${key}` }));
    },
  };
}

/** Every visible cache object of the remote is whole: a loose one matches its name, a pack its index. */
async function assertRemoteWhole(project: Project): Promise<void> {
  const remote = selectRemote(project);
  const store = await openRemote(project, remote);
  try {
    const inv = await readInventory(project, remote, store);
    for (const [hash, at] of inv.objects) {
      const data =
        'offset' in at
          ? await store.read(at.key, { start: at.offset, end: at.offset + at.size })
          : await store.read(at.key);
      assert.equal(sha256(data), hash, `${at.key} holds other bytes than ${hash}`);
    }
  } finally {
    await store.close();
  }
}

function clone(project: Project, name = 'Bob'): Project {
  const root = tempDir('cairn-clone-');
  gitSync(root, 'clone', '-q', project.root, '.');
  gitSync(root, 'config', 'user.email', `${name.toLowerCase()}@example.com`);
  gitSync(root, 'config', 'user.name', name);
  return projectAt(root);
}

function commitAll(project: Project, message: string): void {
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', message);
}

const ok = (r: { code: number; stderr: string }): void => assert.equal(r.code, 0, r.stderr);

// CAIRN_TEST_REMOTES=ssh,s3 runs only those kinds (while working on one store).
for (const kind of (process.env['CAIRN_TEST_REMOTES']?.split(',') ?? [
  'dir',
  'ssh',
  's3',
]) as Kind[]) {
  describe(`a ${kind} remote`, () => {
    let ssh: SshServer | undefined;
    let s3: S3Server | undefined;
    const savedEnv = { ...process.env };
    let n = 0;
    const newRemote = (): TestRemote => {
      n++;
      if (kind === 's3') return s3Remote(s3!, `t${n}-${process.pid}`);
      if (kind === 'ssh') {
        const dir = path.join(ssh!.root, `t${n}`);
        return folderRemote(dir, `ssh://cairn-test${dir}`);
      }
      const dir = tempDir('cairn-remote-');
      return folderRemote(dir, dir);
    };
    const projectWith = (remote: TestRemote): Project => {
      const project = tempProject();
      fs.appendFileSync(project.configFile, remote.yaml);
      return project;
    };

    before(async () => {
      if (kind === 'ssh') ssh = await startSshServer();
      if (kind === 's3') s3 = await startS3Server();
      // The CLI runs the tests start inherit the same environment.
      Object.assign(process.env, ssh?.env ?? {}, s3?.env ?? {});
    });
    after(async () => {
      for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
      Object.assign(process.env, savedEnv);
      await ssh?.stop();
      await s3?.stop();
    });

    test('push sends only what is missing; a clone pulls and checks out the same bytes', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const files: Record<string, string> = {};
      for (let i = 0; i < 40; i++) files[`data/f${i}.txt`] = `row ${i}\n`.repeat(i + 1);
      const big = Buffer.alloc(3 << 20);
      for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
      writeTree(project.root, files);
      fs.writeFileSync(path.join(project.root, 'model.pkl'), big);
      await addArtifacts(project, ['data', 'model.pkl']);
      commitAll(project, 'data');
      const first = await push(project);
      assert.equal(first.copiedObjects, 42); // 40 files + manifest + model
      assert.equal((await push(project)).copiedObjects, 0);
      // The 40 small files went as one pack; the 3 MiB model alone.
      const cacheKeys = await remote.keys('cache/');
      assert.equal(cacheKeys.filter((k) => k.endsWith('.pack')).length, 1, cacheKeys.join(' '));
      assert.equal(cacheKeys.filter((k) => /^cache\/[0-9a-f]{2}\//.test(k)).length, 1);

      const other = clone(project);
      const pulled = await pull(other);
      assert.equal(pulled.copiedObjects, 42);
      await checkoutArtifacts(other);
      assert.deepEqual(
        readTree(path.join(other.root, 'data')),
        readTree(path.join(project.root, 'data')),
      );
      assert.ok(fs.readFileSync(path.join(other.root, 'model.pkl')).equals(big));
      assert.deepEqual((await fsck(other)).corrupt, []);
    });

    test('an object whose bytes were flipped on the remote is refused on pull and never checked out', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      writeTree(project.root, { 'm.bin': 'good content', 'd/a': 'aaa', 'd/b': 'bbb' });
      await addArtifacts(project, ['m.bin', 'd']);
      commitAll(project, 'v1');
      await push(project);
      const [packKey] = (await remote.keys('cache/')).filter((k) => k.endsWith('.pack'));
      const bytes = await remote.readKey(packKey!);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
      await remote.writeKey(packKey!, bytes);
      const other = clone(project);
      await assert.rejects(pull(other), (e: Error) => {
        assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
        assert.match(e.message, /is corrupt .*remove it from the remote and push again/);
        return true;
      });
      const r = cairn(other.root, 'pull');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /cairn: Remote object .* is corrupt/);
      assert.ok(
        !fs.existsSync(path.join(other.root, 'm.bin')) ||
          !fs.existsSync(path.join(other.root, 'd')),
      );
      assert.deepEqual((await fsck(other)).corrupt, []);
      // Removing the bad pack and pushing again from a clone that has the objects repairs it.
      await remote.removeKey(packKey!);
      await remote.removeKey(packKey!.replace(/\.pack$/, '.idx'));
      await push(project);
      ok(cairn(other.root, 'pull'));
      assert.equal(fs.readFileSync(path.join(other.root, 'm.bin'), 'utf8'), 'good content');
    });

    test('a large object whose bytes were flipped on the remote is refused on pull, and not kept', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const model = Buffer.alloc(3 << 20, 7);
      fs.writeFileSync(path.join(project.root, 'model.bin'), model);
      const [a] = await addArtifacts(project, ['model.bin']);
      commitAll(project, 'model');
      await push(project);
      const key = `cache/${a!.pointer.hash.slice(0, 2)}/${a!.pointer.hash.slice(2)}`;
      const bytes = await remote.readKey(key);
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
      await remote.writeKey(key, bytes);
      const other = clone(project);
      await assert.rejects(pull(other), (e: Error) => {
        assert.ok(e instanceof CairnError && e.code === 'corrupt-object', String(e));
        assert.ok(e.message.includes(key), e.message);
        return true;
      });
      assert.ok(!fs.existsSync(path.join(other.root, 'model.bin')));
      assert.ok(!hasObject(other.cacheDir, a!.pointer.hash), 'the corrupt download is not kept');
      const left = fs
        .readdirSync(path.join(other.tmpRoot, 'transfers'), {
          recursive: true,
          withFileTypes: true,
        })
        .filter((d) => d.isFile());
      assert.deepEqual(left, [], 'no part file is left to resume from');
      await remote.writeKey(key, model);
      ok(cairn(other.root, 'pull'));
      assert.ok(fs.readFileSync(path.join(other.root, 'model.bin')).equals(model));
    });

    test('20,000 small files travel as a few packs; a second push sends nothing', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const files: Record<string, string> = {};
      for (let i = 0; i < 20_000; i++) files[`imgs/${i % 100}/f${i}.txt`] = `image ${i}\n`;
      writeTree(project.root, files);
      await addArtifacts(project, ['imgs']);
      assert.equal((await push(project)).copiedObjects, 20_001);
      const keys = await remote.keys('cache/');
      assert.ok(keys.length <= 4, `${keys.length} keys on the remote`);
      assert.equal((await push(project)).copiedObjects, 0);
      commitAll(project, 'images');
      const other = clone(project);
      assert.equal((await pull(other)).copiedObjects, 20_001);
      await checkoutArtifacts(other);
      assert.deepEqual(
        readTree(path.join(other.root, 'imgs')),
        readTree(path.join(project.root, 'imgs')),
      );
    });

    test('pushes killed at random moments leave only whole objects in view; the next push completes', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const big = path.join(project.root, 'big.bin');
      const chunk = Buffer.alloc(8 << 20);
      const fd = fs.openSync(big, 'w');
      for (let i = 0; i < 24; i++) {
        chunk.fill(i + 1);
        fs.writeSync(fd, chunk); // 192 MB, no zero blocks
      }
      fs.closeSync(fd);
      const small: Record<string, string> = {};
      for (let i = 0; i < 2000; i++) small[`d/f${i}`] = `small ${i}\n`.repeat(50);
      writeTree(project.root, small);
      await addArtifacts(project, ['big.bin', 'd']);
      commitAll(project, 'data');
      for (const delayMs of [150, 400, 900, 1600]) {
        const child = spawn(process.execPath, [CLI, 'push'], {
          cwd: project.root,
          stdio: 'ignore',
        });
        const closed = new Promise((r) => child.once('close', r));
        await new Promise((r) => setTimeout(r, delayMs));
        child.kill('SIGKILL');
        await closed;
        await assertRemoteWhole(project);
      }
      await push(project);
      await assertRemoteWhole(project);
      const other = clone(project);
      assert.deepEqual((await pull(other)).missing, []);
      await checkoutArtifacts(other);
      assert.deepEqual((await fsck(other)).corrupt, []);
      assert.equal(fs.statSync(path.join(other.root, 'big.bin')).size, 24 * (8 << 20));
    });

    test('a pull killed mid-way resumes and ends with every object verified', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const big = Buffer.alloc(96 << 20);
      for (let i = 0; i < big.length; i += 512) big.writeUInt32BE(i >>> 9, i);
      fs.writeFileSync(path.join(project.root, 'big.bin'), big);
      await addArtifacts(project, ['big.bin']);
      commitAll(project, 'data');
      await push(project);
      const other = clone(project);
      const child = spawn(process.execPath, [CLI, 'pull'], { cwd: other.root, stdio: 'ignore' });
      const closed = new Promise((r) => child.once('close', r));
      const parts = path.join(other.tmpRoot, 'transfers');
      const deadline = Date.now() + 30_000;
      const partSize = (): number =>
        fs.existsSync(parts)
          ? fs
              .readdirSync(parts, { recursive: true, withFileTypes: true })
              .filter((d) => d.isFile())
              .reduce((a, d) => a + fs.statSync(path.join(d.parentPath, d.name)).size, 0)
          : 0;
      while (partSize() < 8 << 20 && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGKILL');
      await closed;
      ok(cairn(other.root, 'pull'));
      assert.ok(fs.readFileSync(path.join(other.root, 'big.bin')).equals(big));
      assert.deepEqual((await fsck(other)).corrupt, []);
    });

    test('two clones pushing at the same moment both finish complete', async () => {
      const remote = newRemote();
      const project = projectWith(remote);
      const shared: Record<string, string> = {};
      for (let i = 0; i < 300; i++) shared[`common/f${i}`] = `common ${i}\n`;
      writeTree(project.root, shared);
      await addArtifacts(project, ['common']);
      commitAll(project, 'common');
      const a = clone(project, 'Ann');
      const b = clone(project, 'Bob');
      for (const [c, name] of [
        [a, 'ann'],
        [b, 'bob'],
      ] as const) {
        fs.cpSync(project.cacheDir, c.cacheDir, { recursive: true });
        await checkoutArtifacts(c);
        const own: Record<string, string> = {};
        for (let i = 0; i < 500; i++) own[`${name}/f${i}`] = `${name} ${i}\n`.repeat(i % 7);
        writeTree(c.root, own);
        fs.writeFileSync(path.join(c.root, `${name}.bin`), Buffer.alloc(2 << 20, name));
        await addArtifacts(c, [name, `${name}.bin`]);
      }
      const results = await Promise.all([cairnAsync(a.root, 'push'), cairnAsync(b.root, 'push')]);
      for (const r of results) ok(r);
      await assertRemoteWhole(a);
      for (const c of [a, b]) {
        const st = await remoteStatus(c);
        assert.deepEqual(
          st.artifacts.filter((x) => !x.onRemote),
          [],
        );
        fs.rmSync(c.cacheDir, { recursive: true });
        assert.deepEqual((await pull(c)).missing, []);
        assert.deepEqual((await fsck(c)).corrupt, []);
      }
    });

    test(
      'a full remote disk fails the push with a clear error naming the remote; nothing local changes',
      {
        skip:
          (kind === 's3' || process.getuid?.() !== 0) &&
          'needs a folder remote and root to mount a small tmpfs',
      },
      async () => {
        const dir = tempDir('cairn-full-');
        const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], {
          encoding: 'utf8',
        });
        assert.equal(m.status, 0, m.stderr);
        try {
          const url = kind === 'ssh' ? `ssh://cairn-test${dir}` : dir;
          const project = tempProject();
          fs.appendFileSync(project.configFile, `remotes:\n  shared:\n    url: ${url}\n`);
          fs.writeFileSync(path.join(project.root, 'big.bin'), Buffer.alloc(6 << 20, 1));
          await addArtifacts(project, ['big.bin']);
          const before = readTree(project.root);
          const r = cairn(project.root, 'push');
          assert.notEqual(r.code, 0);
          assert.match(
            r.stderr,
            kind === 'ssh'
              ? /If the remote's disk is full, free some space there/
              : /no space left/i,
          );
          assert.ok(r.stderr.includes(kind === 'ssh' ? 'cairn-test' : dir), r.stderr);
          assert.deepEqual(readTree(project.root), before);
          assert.deepEqual((await fsck(project)).corrupt, []);
          // Nothing partial is left in view on the remote.
          assert.deepEqual(
            fs
              .readdirSync(dir, { recursive: true })
              .filter((f) => String(f).startsWith('cache/') && !String(f).startsWith('cache/packs'))
              .filter((f) => fs.statSync(path.join(dir, String(f))).isFile()),
            [],
          );
        } finally {
          spawnSync('umount', [dir]);
        }
      },
    );

    test(
      'a remote path that is a file gives one clear error naming the remote',
      { skip: kind === 's3' && 'S3 has no files' },
      async () => {
        const file = path.join(tempDir('cairn-notdir-'), 'remote.txt');
        fs.writeFileSync(file, 'not a folder');
        const url = kind === 'ssh' ? `ssh://cairn-test${file}` : file;
        const project = tempProject();
        fs.appendFileSync(project.configFile, `remotes:\n  shared:\n    url: ${url}\n`);
        writeTree(project.root, { 'a.txt': 'a' });
        await addArtifacts(project, ['a.txt']);
        const r = cairn(project.root, 'push');
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /^cairn: .*(not a folder|not a directory)/im);
        assert.ok(r.stderr.includes('remote.txt'), r.stderr);
        assert.equal(fs.readFileSync(file, 'utf8'), 'not a folder');
      },
    );

    test('a fresh clone that pulls reproduces the first run of the history', () => {
      const remote = newRemote();
      const project = tempProject();
      fs.writeFileSync(
        project.configFile,
        'tasks:\n  train:\n    cmd: node train.js\n    deps: [data]\n    outs: [model.txt]\n    metrics: [stdout]\n' +
          remote.yaml,
      );
      const trainJs = [
        "const fs = require('fs');",
        "const rows = fs.readdirSync('data').map((f) => fs.readFileSync('data/' + f, 'utf8')).join('').split('\\n').filter(Boolean).length;",
        "fs.writeFileSync('model.txt', 'model of ' + rows + ' rows');",
        'console.log(JSON.stringify({ rows }));',
      ].join('\n');
      writeTree(project.root, { 'train.js': trainJs, 'data/a.txt': '1\n2\n3\n' });
      ok(cairn(project.root, 'add', 'data'));
      commitAll(project, 'v1');
      ok(cairn(project.root, 'run', 'train'));
      writeTree(project.root, { 'data/b.txt': '4\n5\n' });
      ok(cairn(project.root, 'add', 'data'));
      commitAll(project, 'v2');
      ok(cairn(project.root, 'run', 'train'));
      commitAll(project, 'model');
      ok(cairn(project.root, 'push'));

      const other = clone(project);
      const pulled = cairn(other.root, 'pull');
      ok(pulled);
      assert.match(pulled.stdout, /and 2 runs/);
      const runs = JSON.parse(cairn(other.root, 'runs', 'ls', '--json').stdout) as {
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
      const first = runs.runs.find((r) => r.metrics['rows'] === 3);
      assert.ok(first, 'the first run came with the pull');
      const rep = cairn(other.root, 'reproduce', first.id);
      ok(rep);
      assert.match(rep.stdout, /Every metric matches the original run/);
    });
  });
}
