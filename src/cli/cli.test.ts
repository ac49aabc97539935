// The `cairn` command line as users and scripts meet it: the built CLI in real Git repositories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, cairn, gitSync, tempDir, writeTree } from '../core/testing/tempProject.js';

function repo(): string {
  const root = tempDir();
  gitSync(root, 'init', '-q', '-b', 'main');
  return root;
}

test('init, add, status --json, checkout: exit codes and documented JSON', () => {
  const root = repo();
  assert.equal(cairn(root, 'init').code, 0);
  assert.match(cairn(root, 'init').stdout, /already initialized/);
  writeTree(root, { 'data/x.csv': 'a,b\n1,2\n', 'models/m.onnx': 'onnx' });
  const add = cairn(root, 'add', 'data', 'models/m.onnx');
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /Versioned dataset data \(1 file, 8 B\)/);
  assert.match(add.stdout, /Versioned model models\/m\.onnx/);
  const st = cairn(root, 'status', '--json');
  assert.equal(st.code, 0);
  const doc = JSON.parse(st.stdout) as {
    artifacts: { path: string; status: string; kind: string }[];
  };
  assert.deepEqual(
    doc.artifacts.map((a) => [a.path, a.kind, a.status]),
    [
      ['data', 'data', 'ok'],
      ['models/m.onnx', 'model', 'ok'],
    ],
  );
  fs.rmSync(path.join(root, 'data'), { recursive: true });
  assert.match(cairn(root, 'status').stdout, /missing\s+data\s+data/);
  assert.equal(cairn(root, 'checkout').code, 0);
  assert.equal(fs.readFileSync(path.join(root, 'data/x.csv'), 'utf8'), 'a,b\n1,2\n');
});

test('failures exit non-zero with one sentence on stderr', () => {
  const root = repo();
  let r = cairn(root, 'status');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^cairn: No cairn\.yaml found in .* run 'cairn init'/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  cairn(root, 'init');
  r = cairn(root, 'add', 'nope.csv');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nope\.csv: no such file or directory/);
  r = cairn(root, 'add', '--kind', 'video', 'x');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--kind must be data or model/);
  r = cairn(root, 'frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  r = cairn(root, 'add', '../outside');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /outside the project/);
  assert.equal(cairn(tempDir(), 'init').code, 1);
});

test('git hooks: existing hooks are kept; a branch switch checks out data; pre-commit warns; pre-push pushes', () => {
  const root = repo();
  cairn(root, 'init');
  const remote = tempDir('cairn-remote-');
  fs.appendFileSync(path.join(root, 'cairn.yaml'), `remotes:\n  team:\n    url: ${remote}\n`);
  const marker = path.join(root, 'old-hook-ran');
  fs.writeFileSync(
    path.join(root, '.git/hooks/pre-commit'),
    `#!/bin/sh\necho ran > '${marker}'\n`,
    { mode: 0o755 },
  );
  const inst = cairn(root, 'hooks', 'install');
  assert.equal(inst.code, 0, inst.stderr);
  assert.match(inst.stdout, /pre-commit \(your existing hook runs first/);

  writeTree(root, { 'data/a.txt': 'v1' });
  cairn(root, 'add', 'data');
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', 'v1');
  assert.ok(fs.existsSync(marker), 'the pre-existing pre-commit hook still runs');
  gitSync(root, 'checkout', '-q', '-b', 'exp');
  writeTree(root, { 'data/a.txt': 'v2 on exp' });
  cairn(root, 'add', 'data');
  gitSync(root, 'commit', '-qam', 'v2');
  gitSync(root, 'checkout', '-q', 'main');
  assert.equal(
    fs.readFileSync(path.join(root, 'data/a.txt'), 'utf8'),
    'v1',
    "post-checkout restored main's data",
  );
  gitSync(root, 'checkout', '-q', 'exp');
  assert.equal(fs.readFileSync(path.join(root, 'data/a.txt'), 'utf8'), 'v2 on exp');

  writeTree(root, { 'data/a.txt': 'edited, not re-added' });
  const commit = spawnGit(root, 'commit', '--allow-empty', '-qm', 'code');
  assert.match(commit, /data changed but was not re-added; run 'cairn add data'/);

  const bare = tempDir('cairn-bare-');
  gitSync(bare, 'init', '-q', '--bare');
  gitSync(root, 'remote', 'add', 'origin', bare);
  const pushOut = spawnGit(root, 'push', '-q', 'origin', 'exp');
  assert.match(pushOut, /cairn: pushed \d+ objects to team/);
  assert.ok(fs.readdirSync(path.join(remote, 'cache')).length > 0);
});

function spawnGit(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@e',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@e',
    },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr + r.stdout;
}

test('output into a closed pipe ends quietly', () => {
  const root = repo();
  cairn(root, 'init');
  for (let i = 0; i < 30; i++) {
    writeTree(root, { 'm.bin': `v${i}` });
    cairn(root, 'add', 'm.bin');
    gitSync(root, 'add', '-A');
    gitSync(root, 'commit', '-qm', `v${i}`);
  }
  const r = spawnSync('bash', ['-c', `set -o pipefail; node '${CLI}' log m.bin | head -1`], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /v29/);
});

test('cairn --version prints the version of the package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
    version: string;
  };
  const r = cairn(tempDir(), '--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `cairn ${pkg.version}`);
});

test('every command is found under the name main.ts files it by, and --help lists them all', async () => {
  const { commandGroups } = await import('./main.js');
  const listed = commandGroups.flatMap((g) => g.names);
  assert.equal(new Set(listed).size, listed.length, 'a command is filed twice');
  for (const group of commandGroups) {
    const defined = (await group.load()).map((c) => c.name);
    // A command defined but not filed could not be run; one filed but not defined, not loaded.
    assert.deepEqual([...defined].sort(), [...group.names].sort());
  }
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  for (const name of listed.filter((n) => !n.startsWith('_')))
    assert.match(help.stdout, new RegExp(`^  cairn ${name}\\b`, 'm'), name);
  const runsLs = spawnSync(process.execPath, [CLI, 'runs', 'ls', '--help'], { encoding: 'utf8' });
  assert.match(runsLs.stdout, /^Usage: cairn runs ls/);
});

test('each command starts from a code cache of its own; caches of other builds and old ones go', () => {
  const root = repo();
  const cacheHome = tempDir();
  const dir = path.join(cacheHome, 'cairn');
  fs.mkdirSync(dir);
  const run = (...args: string[]): string => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome },
    });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const listing = (): string[] => fs.readdirSync(dir).sort();
  run('init');
  const [initCache] = listing();
  assert.match(initCache ?? '', /^cli-[0-9a-f]{12}-v\d+\.\d+\.\d+-\w+-\d+-\d+-init\.v8$/);
  const prefix = initCache!.slice(0, 'cli-'.length + 13);
  // An older build of this same bundle, and a month-old cache of a bundle since removed.
  const olderBuild = `${prefix}v20.0.0-x64-1-1-status.v8`;
  const abandoned = 'cli-000000000000-v20.0.0-x64-1-1-status.v8';
  for (const name of [olderBuild, abandoned]) fs.writeFileSync(path.join(dir, name), 'stale');
  const old = new Date(Date.now() - 40 * 24 * 3600 * 1000);
  fs.utimesSync(path.join(dir, abandoned), old, old);
  assert.match(run('status'), /No artifacts tracked yet/);
  assert.deepEqual(listing(), [initCache, initCache!.replace(/-init\.v8$/, '-status.v8')].sort());
  // A cache is read, not rewritten, and the command behaves the same from it.
  const written = fs.statSync(path.join(dir, listing()[1]!)).mtimeMs;
  assert.match(run('status'), /No artifacts tracked yet/);
  assert.equal(fs.statSync(path.join(dir, listing()[1]!)).mtimeMs, written);
  run('--version');
  assert.ok(listing().some((n) => n.endsWith('-other.v8')));
});
