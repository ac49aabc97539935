import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempProject, writeTree } from '../testing/tempProject.js';
import type { Project } from '../project/project.js';
import { addArtifacts } from './add.js';
import { readQuickIndex } from './quickIndex.js';
import { quickIndexFile } from './stateCache.js';
import { artifactStatus } from './status.js';

const mtime = new Date('2026-01-01T00:00:00Z'); // whole seconds: utimes puts it back exactly

/** Sets every file's and folder's mtime under dir to `mtime`, folders after their content. */
function stamp(dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) stamp(p);
    else fs.utimesSync(p, mtime, mtime);
  }
  fs.utimesSync(dir, mtime, mtime);
}

/**
 * A dataset added once its files' times are settled, so that a quick index is written; every
 * mtime is a whole second, so that a test can put one back exactly.
 */
async function settledDataset(files: Record<string, string>): Promise<Project> {
  const project = tempProject();
  writeTree(project.root, files);
  stamp(path.join(project.root, 'data'));
  await sleep(120);
  await addArtifacts(project, ['data']);
  assert.ok(fs.existsSync(quickIndexFile(project.stateDir, 'data')), 'a quick index is written');
  return project;
}

const files = {
  'data/a.csv': 'a\n1\n',
  'data/img/x.png': 'x',
  'data/img/y.png': 'y',
  'data/deep/er/z.txt': 'z',
};

test('a no-op status is answered from the quick index; every kind of change still shows', async () => {
  const cases: [string, (root: string) => void, Record<string, string[]>][] = [
    [
      'rewritten in place, same size, mtime put back',
      (root) => {
        const f = path.join(root, 'data/img/x.png');
        fs.writeFileSync(f, 'X');
        fs.utimesSync(f, mtime, mtime);
      },
      { modified: ['img/x.png'] },
    ],
    [
      'a new file, its folder mtime put back',
      (root) => {
        fs.writeFileSync(path.join(root, 'data/deep/er/new.txt'), 'n');
        fs.utimesSync(path.join(root, 'data/deep/er'), mtime, mtime);
      },
      { added: ['deep/er/new.txt'] },
    ],
    ['a removed file', (root) => fs.rmSync(path.join(root, 'data/a.csv')), { removed: ['a.csv'] }],
    [
      'a file replaced by a link to another',
      (root) => {
        fs.rmSync(path.join(root, 'data/img/y.png'));
        fs.symlinkSync('x.png', path.join(root, 'data/img/y.png'));
      },
      { modified: ['img/y.png'] },
    ],
  ];
  for (const [what, change, expected] of cases) {
    const project = await settledDataset(files);
    const [clean] = await artifactStatus(project);
    assert.equal(clean?.status, 'ok', what);
    change(project.root);
    const [after] = await artifactStatus(project);
    assert.equal(after?.status, 'modified', what);
    assert.deepEqual({ added: [], removed: [], modified: [], ...expected }, after?.changes, what);
  }
});

test('a state saved before quick indexes gets one at the next status', async () => {
  const project = await settledDataset(files);
  const qi = quickIndexFile(project.stateDir, 'data');
  fs.rmSync(qi);
  const [first] = await artifactStatus(project);
  assert.equal(first?.status, 'ok');
  const q = readQuickIndex(qi);
  assert.ok(q, 'written again');
  assert.deepEqual([...q.files].sort(), ['a.csv', 'deep/er/z.txt', 'img/x.png', 'img/y.png']);
  assert.deepEqual([...q.dirs].sort(), ['', 'deep', 'deep/er', 'img']);
  // A quick index that is not one (a torn write) only means the longer way round.
  fs.writeFileSync(qi, 'CAIRNQI1 torn');
  assert.equal((await artifactStatus(project))[0]?.status, 'ok');
});

test('a dataset large enough for two threads is checked on both: a change in either half shows', async () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 50_500; i++) many[`data/d${Math.floor(i / 500)}/f${i}.txt`] = `${i}`;
  const project = await settledDataset(many);
  assert.equal((await artifactStatus(project))[0]?.status, 'ok');
  // The quick index lists files in scan order; change one near each end.
  const q = readQuickIndex(quickIndexFile(project.stateDir, 'data'))!;
  for (const rel of [q.files[10]!, q.files[q.files.length - 10]!]) {
    const f = path.join(project.root, 'data', rel);
    const before = fs.readFileSync(f, 'utf8');
    fs.writeFileSync(
      f,
      before.replace(/\d/, (d) => String((Number(d) + 1) % 10)),
    );
    fs.utimesSync(f, mtime, mtime);
    const [after] = await artifactStatus(project);
    assert.deepEqual(after?.changes?.modified, [rel]);
    fs.writeFileSync(f, before);
    fs.utimesSync(f, mtime, mtime);
    await sleep(120);
    await addArtifacts(project, ['data']);
  }
});
