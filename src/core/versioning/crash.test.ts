// SIGKILL at random moments during add, checkout and push: afterwards fsck is clean and no user
// file is lost or half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CLI,
  cairn,
  gitSync,
  readTree,
  tempDir,
  tempProject,
  writeTree,
} from '../testing/tempProject.js';
import { listLooseObjects, listObjects, sha256 } from './cache.js';
import { fsck } from './fsck.js';

const KILLS = 12;

/** Starts the CLI and SIGKILLs it after `delayMs` (or lets it finish if it is quicker). */
function killAfter(cwd: string, delayMs: number, ...args: string[]): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function dataset(seed: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 150; i++)
    files[`data/part${i % 5}/f${i}.bin`] = Buffer.from(`${seed} ${i} `.repeat(200 + i * 10));
  const big = Buffer.alloc(24 << 20);
  big.write(seed);
  files['data/big.bin'] = big;
  return files;
}

async function assertFsckClean(root: string): Promise<void> {
  const { projectAt } = await import('../project/project.js');
  const r = await fsck(projectAt(root));
  assert.deepEqual(r.corrupt, [], 'no corrupt cache object');
}

// Random but reproducible delays spread over the command's run time.
function delays(maxMs: number): number[] {
  let x = 12345;
  return Array.from({ length: KILLS }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return 20 + (x % maxMs);
  });
}

test('SIGKILL during add never corrupts the cache nor touches the user files', async () => {
  const project = tempProject();
  const files = dataset('v1');
  writeTree(project.root, files);
  const before = readTree(path.join(project.root, 'data'));
  for (const d of delays(600)) {
    // Start cold each time so that the kill lands in hashing and storing.
    fs.rmSync(project.cacheDir, { recursive: true, force: true });
    fs.rmSync(project.stateDir, { recursive: true, force: true });
    await killAfter(project.root, d, 'add', 'data');
    await assertFsckClean(project.root);
    assert.deepEqual(readTree(path.join(project.root, 'data')), before);
    const pointer = path.join(project.root, 'data.cairn');
    if (fs.existsSync(pointer))
      assert.match(
        fs.readFileSync(pointer, 'utf8'),
        /^files: 151$/m,
        'a pointer file is whole or absent',
      );
  }
  const done = cairn(project.root, 'add', 'data');
  assert.equal(done.code, 0, done.stderr);
  const status = JSON.parse(cairn(project.root, 'status', '--json').stdout) as {
    artifacts: { status: string }[];
  };
  assert.equal(status.artifacts[0]?.status, 'ok');
  assert.deepEqual(fs.readdirSync(project.tmpRoot), [], 'temp files of killed runs are cleaned up');
});

test('SIGKILL during checkout leaves every file whole (old or new version), and a rerun finishes', async () => {
  const project = tempProject();
  writeTree(project.root, dataset('v1'));
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const v1 = readTree(path.join(project.root, 'data'));
  fs.rmSync(path.join(project.root, 'data'), { recursive: true });
  writeTree(project.root, dataset('v2'));
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  gitSync(project.root, 'commit', '-qam', 'v2');
  const v2 = readTree(path.join(project.root, 'data'));
  const allowed = (rel: string, content: string): boolean =>
    v1[rel] === content || v2[rel] === content;

  for (const [i, d] of delays(400).entries()) {
    gitSync(project.root, 'checkout', '-q', i % 2 === 0 ? 'HEAD~1' : 'main');
    await killAfter(project.root, d, 'checkout');
    for (const [rel, content] of Object.entries(readTree(path.join(project.root, 'data')))) {
      assert.ok(allowed(rel, content), `${rel} is whole after a kill at ${d} ms`);
    }
    await assertFsckClean(project.root);
    gitSync(project.root, 'checkout', '-q', 'main');
    const r = cairn(project.root, 'checkout');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readTree(path.join(project.root, 'data')), v2);
  }
});

test('SIGKILL during push leaves only whole objects on the remote, and a rerun completes it', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  fs.appendFileSync(project.configFile, `remotes:\n  r:\n    url: ${remote}\n`);
  writeTree(project.root, dataset('v1'));
  assert.equal(cairn(project.root, 'add', 'data').code, 0);
  const local = [...listObjects(project.cacheDir)].length;
  for (const d of delays(300)) {
    fs.rmSync(path.join(remote, 'cache'), { recursive: true, force: true });
    await killAfter(project.root, d, 'push');
    for (const [hash, file] of listLooseObjects(path.join(remote, 'cache'))) {
      assert.equal(sha256(fs.readFileSync(file)), hash, `remote object ${file} is whole`);
    }
  }
  const r = cairn(project.root, 'push');
  assert.equal(r.code, 0, r.stderr);
  assert.equal([...listObjects(path.join(remote, 'cache'))].length, local);
});
