// Commands that run at the same time, as real processes of the built CLI (`npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairnAsync, gitSync, tempDir, tempProject, writeTree } from '../testing/tempProject.js';
import type { Project } from '../project/project.js';
import { addArtifacts } from './add.js';
import { hasObject } from './cache.js';
import { gc } from './gc.js';
import { listArtifacts } from './artifacts.js';
import { objectsOf } from './reachable.js';

function manyFiles(dir: string, count: number, tag: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) files[`${dir}/f${i}.txt`] = `${tag} ${i}\n`.repeat(20);
  return files;
}

/** Cache objects the work tree's pointer files need but the cache lacks. */
async function lostObjects(project: Project): Promise<string[]> {
  const versions = (await listArtifacts(project)).map((a) => ({
    type: a.pointer.type,
    hash: a.pointer.hash,
    source: a.pointerFile,
  }));
  const { objects, missingManifests } = objectsOf(project.cacheDir, versions);
  return [
    ...missingManifests.map((m) => m.source),
    ...[...objects].filter((h) => !hasObject(project.cacheDir, h)),
  ];
}

test('gc running while add runs deletes nothing add stored', async () => {
  const project = tempProject();
  writeTree(project.root, { 'README.md': 'x\n' });
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'start');
  for (let trial = 0; trial < 4; trial++) {
    writeTree(project.root, manyFiles(`d${trial}`, 1500, `trial ${trial}`));
    const adding = cairnAsync(project.root, 'add', `d${trial}`);
    // gc starts a little later in odd trials, so that it meets add at different stages.
    if (trial % 2 === 1) await new Promise((r) => setTimeout(r, 150));
    const [added, collected] = await Promise.all([adding, cairnAsync(project.root, 'gc')]);
    assert.equal(added.code, 0, added.stderr);
    assert.equal(collected.code, 0, collected.stderr);
    assert.deepEqual(await lostObjects(project), [], `trial ${trial}`);
  }
  const status = await cairnAsync(project.root, 'status', '--json');
  const entries = (JSON.parse(status.stdout) as { artifacts: { status: string }[] }).artifacts;
  assert.deepEqual(
    entries.map((e) => e.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
});

test('eight adds at once in one folder each get their .gitignore entry', async () => {
  const project = tempProject();
  for (let trial = 0; trial < 3; trial++) {
    const names = Array.from({ length: 8 }, (_, i) => `m${trial}_${i}.bin`);
    writeTree(project.root, Object.fromEntries(names.map((n) => [`models/${n}`, `weights ${n}`])));
    const results = await Promise.all(
      names.map((n) => cairnAsync(project.root, 'add', `models/${n}`)),
    );
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const lines = fs.readFileSync(path.join(project.root, 'models/.gitignore'), 'utf8').split('\n');
    for (const n of names) assert.ok(lines.includes(`/${n}`), `${n} in ${lines.join('|')}`);
    // And Git agrees: only pointer files and the .gitignore are visible.
    const visible = gitSync(project.root, 'status', '--porcelain', '-uall', 'models');
    assert.doesNotMatch(visible, /\.bin\n/);
  }
});

test('two pushes at once both succeed and leave every run record whole on the remote', async () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  fs.appendFileSync(project.configFile, `remotes:\n  shared:\n    url: ${remote}\n`);
  writeTree(project.root, manyFiles('data', 50, 'push'));
  const added = await cairnAsync(project.root, 'add', 'data');
  assert.equal(added.code, 0, added.stderr);
  for (let trial = 0; trial < 3; trial++) {
    // Finished run records, each a folder of a few files.
    for (let i = 0; i < 40; i++) {
      const id = `20260101-000000-${trial}${String(i).padStart(5, '0')}`;
      writeTree(project.runsDir, {
        [`${id}/run.json`]: JSON.stringify({ id, status: 'completed' }),
        [`${id}/log`]: 'line\n'.repeat(2000),
        [`${id}/metrics.jsonl`]: '{"loss":1}\n'.repeat(500),
      });
    }
    const results = await Promise.all([
      cairnAsync(project.root, 'push'),
      cairnAsync(project.root, 'push'),
    ]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    for (const id of fs.readdirSync(project.runsDir)) {
      assert.deepEqual(fs.readdirSync(path.join(remote, 'runs', id)).sort(), [
        'log',
        'metrics.jsonl',
        'run.json',
      ]);
    }
  }
});

test('a gc lock or writer mark left by a killed process blocks nothing; a live gc makes add wait', async () => {
  const project = tempProject();
  writeTree(project.root, { 'a.bin': 'a', 'b.bin': 'b' });
  const locks = path.join(project.dataDir, 'locks');
  fs.mkdirSync(locks, { recursive: true });
  const dead = spawnSync('true').pid;
  fs.writeFileSync(path.join(locks, 'gc.lock'), String(dead));
  fs.writeFileSync(path.join(locks, `writer.${dead}.00ff`), '');
  await addArtifacts(project, ['a.bin']);
  await gc(project);
  assert.deepEqual(fs.readdirSync(locks), []);

  // A gc that is alive (here a sleeping process holds its lock): add waits until it is gone.
  const live = spawn('sleep', ['30']);
  fs.writeFileSync(path.join(locks, 'gc.lock'), String(live.pid));
  let done = false;
  const adding = addArtifacts(project, ['b.bin']).then(() => (done = true));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(done, false);
  assert.ok(!fs.existsSync(path.join(project.root, 'b.bin.cairn')));
  live.kill('SIGKILL');
  await new Promise((r) => live.once('close', r));
  await adding;
  assert.ok(fs.existsSync(path.join(project.root, 'b.bin.cairn')));
});
