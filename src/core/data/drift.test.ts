import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempProject } from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { driftBetween, ksTest, numericPsi } from './drift.js';
import { normals } from '../testing/samples.js';

function csv(rows: number, shift: number, seed: number, withNewCategory: boolean): string {
  const a = normals(rows, 0 + shift, 1, seed);
  const b = normals(rows, 5, 1, seed + 1);
  const lines = ['a,b,c'];
  for (let i = 0; i < rows; i++) {
    const c = withNewCategory && i % 10 === 0 ? 'z' : i % 2 ? 'x' : 'y';
    lines.push(`${a[i]!.toFixed(5)},${b[i]!.toFixed(5)},${c}`);
  }
  return lines.join('\n') + '\n';
}

test('drift flags a shifted column and a new category, not a column that kept its distribution', async () => {
  const project = tempProject();
  fs.mkdirSync(path.join(project.root, 'data'));
  fs.writeFileSync(path.join(project.root, 'data/train.csv'), csv(5000, 0, 1, false));
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  fs.writeFileSync(path.join(project.root, 'data/train.csv'), csv(5000, 1, 101, true));
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'commit', '-qam', 'v2');

  const report = await driftBetween(project, 'data/train.csv', 'HEAD~1', 'HEAD');
  const byName = new Map(report.columns.map((c) => [c.name, c]));
  assert.equal(byName.get('a')!.drifted, true);
  assert.ok(byName.get('a')!.psi! > 0.2, `psi ${byName.get('a')!.psi}`);
  assert.ok(byName.get('a')!.ks!.statistic > 0.3);
  assert.ok(byName.get('a')!.ks!.pValue < 1e-6);
  assert.equal(byName.get('b')!.drifted, false, JSON.stringify(byName.get('b')));
  assert.ok(byName.get('b')!.psi! < 0.1);
  assert.ok(byName.get('b')!.ks!.pValue > 0.01);
  assert.equal(byName.get('c')!.drifted, true);
  assert.deepEqual(byName.get('c')!.categoriesAdded, ['z']);
  assert.deepEqual(
    report.columns.map((c) => c.drifted),
    [true, true, false],
    'flagged columns first',
  );
  assert.match(report.summary, /2 of 3 columns of data\/train\.csv drifted/);
  assert.equal(report.from.rows, 5000);
  // A revision given by its full hash (the drift picker gives one) reads short in the sentence.
  const full = gitSync(project.root, 'rev-parse', 'HEAD~1').trim();
  const byHash = await driftBetween(project, 'data/train.csv', full);
  assert.match(byHash.summary, new RegExp(`between ${full.slice(0, 10)} and the work tree \\(`));

  // The work tree as the default 'to'; and the CLI's JSON has one object per column.
  const cli = cairn(project.root, 'drift', 'data/train.csv', '--from', 'HEAD~1', '--json');
  assert.equal(cli.code, 0, cli.stderr);
  const doc = JSON.parse(cli.stdout) as {
    columns: {
      name: string;
      drifted: boolean;
      psi: number;
      from: { mean: number };
      to: { mean: number };
    }[];
  };
  const a = doc.columns.find((c) => c.name === 'a')!;
  assert.equal(a.drifted, true);
  assert.ok(a.to.mean - a.from.mean > 0.9);
});

test('KS and PSI agree with hand-computed values', () => {
  const ks = ksTest([1, 2, 3, 4], [3, 4, 5, 6]);
  assert.equal(ks.statistic, 0.5);
  assert.ok(ks.pValue > 0.3 && ks.pValue < 0.95);
  assert.deepEqual(ksTest([1, 2, 3], [1, 2, 3]), { statistic: 0, pValue: 1 });
  assert.ok(numericPsi([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) < 1e-9);
});

test('drift explains a version that is not in the cache', async () => {
  const project = tempProject();
  fs.writeFileSync(path.join(project.root, 't.csv'), 'a\n1\n');
  await addArtifacts(project, ['t.csv']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  fs.rmSync(project.cacheDir, { recursive: true });
  await assert.rejects(
    driftBetween(project, 't.csv', 'HEAD'),
    /t\.csv at HEAD is not in the cache; run 'cairn pull'/,
  );
  await assert.rejects(
    driftBetween(project, 'other.csv', 'HEAD', 'HEAD'),
    /other\.csv is not part of a tracked artifact at HEAD/,
  );
});
