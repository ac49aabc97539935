// Every human-readable output of the CLI, for a project whose run name, params, metric names,
// file names, CSV columns and commit subjects carry terminal control sequences (an OSC-8 link to
// /etc/passwd, colours, a cursor move, a C1 CSI, a bidi override): none may reach the terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, gitSync, tempDir } from '../core/testing/tempProject.js';

const ESC = '\x1b';
const EVIL = `${ESC}]8;;file:///etc/passwd${ESC}\\click${ESC}]8;;${ESC}\\${ESC}[31mred${ESC}[2J\x9b1A\u202e`;
/** Bytes that a terminal would act on: ESC, BEL, C1 CSI/OSC, the bidi override. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const ACTIVE = /[\x07\x1b\x9b\x9d\u202e]/;

function cairn(
  cwd: string,
  ...args: string[]
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no control sequence from a run, a file name, a column or a commit reaches the terminal', () => {
  const root = tempDir();
  gitSync(root, 'init', '-q', '-b', 'main');
  gitSync(root, 'config', 'user.name', 'Test');
  gitSync(root, 'config', 'user.email', 't@example.com');
  assert.equal(cairn(root, 'init').code, 0);
  const column = `score${EVIL}`;
  fs.mkdirSync(path.join(root, 'data'));
  const rows = (shift: number): string =>
    [
      `id,"${column.replace(/"/g, '""')}"`,
      ...Array.from({ length: 40 }, (_, i) => `${i},${i + shift}`),
    ].join('\n');
  fs.writeFileSync(path.join(root, 'data', 'table.csv'), rows(0));
  fs.writeFileSync(path.join(root, 'data', `notes${ESC}[31m.txt`), 'x');
  fs.writeFileSync(path.join(root, 'params.json'), JSON.stringify({ opt: `adam${EVIL}`, lr: 0.1 }));
  fs.writeFileSync(
    path.join(root, 'train.js'),
    `const m = {}; m[${JSON.stringify(`loss${EVIL}`)}] = 0.5; m.step = 1;\n` +
      `console.log(JSON.stringify(m));\n` +
      `require('fs').mkdirSync('models', {recursive: true}); require('fs').writeFileSync('models/m.bin', 'w');\n`,
  );
  fs.writeFileSync(
    path.join(root, 'cairn.yaml'),
    [
      'tasks:',
      '  train:',
      `    cmd: ${process.execPath} train.js`,
      '    params: params.json',
      '    deps: [data]',
      '    outs: [models/m.bin]',
      '    metrics: [stdout]',
      '',
    ].join('\n'),
  );
  const outputs: { args: string[]; text: string }[] = [];
  const run = (...args: string[]): void => {
    const r = cairn(root, ...args);
    // `cairn run` passes the program's own output through untouched, as a terminal would show
    // it (progress bars need \r and colours); what Cairn itself says goes to stderr.
    outputs.push({ args, text: args[0] === 'run' ? r.stderr : r.stdout + r.stderr });
  };
  run('add', 'data');
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', `data v1 ${EVIL}`);
  run('run', 'train', '--name', `first ${EVIL}`);
  run('run', 'train', '--name', `second ${EVIL}`);
  fs.writeFileSync(path.join(root, 'data', 'table.csv'), rows(25));
  fs.writeFileSync(path.join(root, 'data', `new${ESC}[1m.csv`), 'a\n1\n');
  run('status');
  run('diff');
  run('add', 'data');
  gitSync(root, 'commit', '-qam', `data v2 ${EVIL}`);
  run('log', 'data');
  run('diff', 'HEAD~1', 'HEAD');
  const ids = (
    JSON.parse(
      spawnSync(process.execPath, [CLI, 'runs', 'ls', '--json'], { cwd: root, encoding: 'utf8' })
        .stdout,
    ) as {
      runs: { id: string }[];
    }
  ).runs.map((r) => r.id);
  assert.equal(ids.length, 2, 'two runs were recorded');
  run('runs', 'ls');
  run('runs', 'show', ids[0]!);
  run('runs', 'compare', ids[0]!, ids[1]!);
  run('lineage');
  run('lineage', 'data');
  run('profile', 'data/table.csv');
  run('drift', 'data/table.csv', '--from', 'HEAD~1');
  run('drift', '--run', ids[0]!);
  run('gc', '--dry-run');
  run('fsck');
  run('checkout', '--force');
  run('add', `data/notes${ESC}[31m.txt`);
  run('runs', 'show', `nope${EVIL}`);
  run(`frobnicate${EVIL}`);

  const all = outputs.map((o) => o.text).join('\n');
  // The hostile text did reach the output, made visible: the test would pass vacuously otherwise.
  assert.match(all, /first \\x1b\]8;;file:\/\/\/etc\/passwd/);
  assert.match(all, /data v2 \\x1b/);
  for (const o of outputs) {
    assert.doesNotMatch(o.text, ACTIVE, `cairn ${o.args[0]}: ${JSON.stringify(o.text)}`);
  }
});
