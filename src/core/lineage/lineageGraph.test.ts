// The lineage graph's artifact versions: what kind of artifact each version is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from '../versioning/add.js';
import { buildLineage } from './lineageGraph.js';

test('every version of a model is a model, the current one and the ones before it', async () => {
  const project = tempProject();
  writeTree(project.root, { 'models/churn/weights.bin': 'v1', 'data/a.csv': 'x\n1\n' });
  await addArtifacts(project, ['models/churn', 'data']);
  gitSync(project.root, 'add', '-A');
  gitSync(project.root, 'commit', '-qm', 'first model');
  // A new version changes only the hash, size lines: the diff of the pointer file has no `kind:`.
  writeTree(project.root, { 'models/churn/weights.bin': 'v2, larger' });
  await addArtifacts(project, ['models/churn']);
  gitSync(project.root, 'commit', '-qam', 'second model');
  // The current version, committed, as the demo's models/churn is.
  writeTree(project.root, { 'models/churn/weights.bin': 'v3, the current one' });
  await addArtifacts(project, ['models/churn']);
  gitSync(project.root, 'commit', '-qam', 'third model');

  const graph = await buildLineage(project);
  const versions = graph.nodes.filter((n) => n.type === 'artifact');
  const models = versions.filter((n) => n.path === 'models/churn');
  assert.equal(models.length, 3);
  assert.deepEqual(
    models.map((n) => [n.kind, n.current]),
    [
      ['model', false],
      ['model', false],
      ['model', true],
    ],
  );
  assert.deepEqual(
    versions.filter((n) => n.path === 'data').map((n) => n.kind),
    ['data'],
  );
});
