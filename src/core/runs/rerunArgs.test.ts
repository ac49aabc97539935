// Rerunning a recorded run: the argv of an ad-hoc run survives the record, quotes and all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CairnError } from '../errors.js';
import { tempProject, writeTree } from '../testing/tempProject.js';
import { rerunArgs } from './rerunArgs.js';
import { startRun } from './runRecorder.js';
import { readRun, runFiles } from './runStore.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const cli = path.resolve('dist/cli.js');

test('an ad-hoc run of a script whose name has a space reruns with its argv intact', async () => {
  const project = tempProject();
  writeTree(project.root, {
    'my script.py': 'import sys\nprint("args=%d" % len(sys.argv[1:]))\nprint("loss=0.5")\n',
  });
  const handle = await startRun(project, {
    argv: [python, 'my script.py', 'two words', "it's"],
    echo: false,
    tty: false,
  });
  const first = await handle.done;
  assert.equal(first.status, 'completed', first.error);
  const args = rerunArgs(project, readRun(project, first.id));
  assert.deepEqual(args, ['run', '--', python, 'my script.py', 'two words', "it's"]);
  // And the CLI, given those arguments, records a second run that found the script.
  if (!fs.existsSync(cli)) return;
  const again = spawnSync(process.execPath, [cli, ...args], {
    cwd: project.root,
    encoding: 'utf8',
  });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /args=2/);
});

test('a hand-edited command with an unterminated quote is a CairnError naming run.json', () => {
  const project = tempProject();
  const id = '20260101-000000-abcd';
  assert.throws(
    () => rerunArgs(project, { id, command: "python 'my script.py" }),
    (err: unknown) =>
      err instanceof CairnError &&
      err.file === runFiles(project, id).record &&
      /run\.json: command has an unterminated single quote/.test(err.message),
  );
});
