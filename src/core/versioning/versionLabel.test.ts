import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gitSync, tempProject, writeTree } from '../testing/tempProject.js';
import { addArtifacts } from './add.js';
import { commitNames } from './commitNames.js';
import { artifactLog } from './history.js';
import { versionLabel } from './versionLabel.js';

test('a version reads as short hash · tag, else short hash · "subject", from a real repository', async () => {
  const project = tempProject();
  const root = project.root;
  writeTree(root, { 'data/a.csv': 'x\n1\n' });
  await addArtifacts(project, ['data']);
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', 'first data');
  // An annotated and a lightweight tag on the same commit: the highest version wins.
  gitSync(root, 'tag', '-a', 'v1.2', '-m', 'release');
  gitSync(root, 'tag', 'v1.10');
  writeTree(root, { 'data/a.csv': 'x\n1\n2\n' });
  await addArtifacts(project, ['data']);
  gitSync(
    root,
    'commit',
    '-qam',
    'add March data from the\tnew   export, cleaned and deduplicated by hand',
  );

  // The commits of a version come from the history code, as the drift picker finds them.
  const log = await artifactLog(project, 'data');
  const [march, first] = log.map((e) => e.commit);
  const names = await commitNames(root, [march!, first!, 'deadbeefdeadbeef', first!.slice(0, 10)]);
  assert.equal(names.size, 3, 'the unknown commit is left out; the short one is answered');
  assert.equal(versionLabel(first!, names.get(first!)), `${first!.slice(0, 10)} · v1.10`);
  assert.equal(names.get(first!.slice(0, 10))?.tag, 'v1.10');
  const label = versionLabel(march!, names.get(march!));
  assert.equal(label, `${march!.slice(0, 10)} · "add March data from the new export, cle…"`);
  // A content hash introduced by that commit reads the same way.
  const pointer = log[0]!.pointer!;
  assert.match(versionLabel(pointer.hash, names.get(march!)), /^[0-9a-f]{10} · "add March/);
  // Nothing known about the commit: the short hash alone.
  assert.equal(versionLabel('deadbeefdeadbeef', names.get('deadbeefdeadbeef')), 'deadbeefde');
  assert.equal(
    versionLabel(march!, { commit: march!, tag: null, subject: '  ' }),
    march!.slice(0, 10),
  );
});
