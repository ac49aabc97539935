// A dataset tracked as a folder that holds tables, not images: profile and drift look at the
// table inside, and a folder with several tables or nothing to measure says so instead of
// reporting "0 images" with a green check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normals } from '../testing/samples.js';
import { gitSync, tempProject } from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { driftBetween } from './drift.js';
import { profilePath, type TableProfile } from './profile.js';

function table(shift: number, seed: number): string {
  const xs = normals(3000, shift, 1, seed);
  return ['x,y', ...xs.map((x, i) => `${x.toFixed(4)},${i % 2}`)].join('\n') + '\n';
}

test('a folder of one CSV: profile shows the table, drift finds the column that drifted', async () => {
  const project = tempProject();
  const data = path.join(project.root, 'data');
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, 'churn.csv'), table(0, 1));
  fs.writeFileSync(path.join(data, 'README.txt'), 'where the data came from');
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  const p = (await profilePath(data, 'data')) as TableProfile;
  assert.equal(p.kind, 'table');
  assert.equal(p.path, 'data/churn.csv');
  assert.equal(p.rows, 3000);

  fs.writeFileSync(path.join(data, 'churn.csv'), table(2, 7));
  const report = await driftBetween(project, 'data', 'HEAD');
  assert.equal(report.path, 'data/churn.csv');
  assert.equal(report.images, undefined);
  const x = report.columns.find((c) => c.name === 'x')!;
  assert.equal(x.drifted, true);
  assert.match(report.summary, /1 of 2 columns of data\/churn\.csv drifted/);
});

test('a folder of several tables, or of nothing to measure, is an error that says what is there', async () => {
  const project = tempProject();
  const data = path.join(project.root, 'data');
  fs.mkdirSync(data);
  fs.writeFileSync(path.join(data, 'train.csv'), table(0, 1));
  fs.writeFileSync(path.join(data, 'test.csv'), table(0, 2));
  await assert.rejects(
    profilePath(data, 'data'),
    /data holds 2 tables: data\/test\.csv, data\/train\.csv; name one, e\.g\. cairn profile data\/test\.csv/,
  );
  await addArtifacts(project, ['data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'v1');
  await assert.rejects(
    driftBetween(project, 'data', 'HEAD'),
    /data holds 2 tables: .*cairn drift data\/test\.csv --from <rev>/,
  );
  // Per table, drift works as for a tracked file.
  const one = await driftBetween(project, 'data/train.csv', 'HEAD');
  assert.equal(
    one.columns.every((c) => !c.drifted),
    true,
  );

  const docs = path.join(project.root, 'docs');
  fs.mkdirSync(docs);
  fs.writeFileSync(path.join(docs, 'a.bin'), 'x');
  await assert.rejects(
    profilePath(docs, 'docs'),
    /docs holds no tables .* and no images \(1 other file\); there is nothing to profile/,
  );
});
