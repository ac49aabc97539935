import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gitSync, tempProject, writeTree } from '../../core/testing/tempProject.js';
import { addArtifacts } from '../../core/versioning/add.js';
import { readArtifact } from '../../core/versioning/artifacts.js';
import { commitNames } from '../../core/versioning/commitNames.js';
import { artifactLog } from '../../core/versioning/history.js';
import { driftPicks } from './driftPicks.js';

test("the drift picker names each version by its tag or subject and marks the work tree's as current", async () => {
  const project = tempProject();
  const root = project.root;
  writeTree(root, { 'data/a.csv': 'x\n1\n' });
  await addArtifacts(project, ['data']);
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', 'first data');
  gitSync(root, 'tag', 'v1');
  writeTree(root, { 'data/a.csv': 'x\n1\n2\n' });
  await addArtifacts(project, ['data']);
  gitSync(root, 'commit', '-qam', 'add March data');
  // Back to the first version in the work tree (as a checkout of v1's data would).
  writeTree(root, { 'data/a.csv': 'x\n1\n' });
  await addArtifacts(project, ['data']);

  const log = await artifactLog(project, 'data');
  const names = await commitNames(
    root,
    log.map((e) => e.commit),
  );
  const picks = driftPicks(log, names, readArtifact(project, 'data').pointer.hash);
  const [march, first] = log.map((e) => e.commit.slice(0, 10));
  assert.deepEqual(
    picks.map((p) => [p.label, p.description, p.current]),
    [
      [`${march} · "add March data"`, '', false],
      [`${first} · v1 (current)`, 'first data', true],
    ],
  );
  assert.match(picks[0]!.detail, / · Test · [0-9a-f]{10}$/);
  // No pointer file in the work tree: nothing is marked.
  assert.ok(driftPicks(log, names, undefined).every((p) => !p.current && !/current/.test(p.label)));
});
