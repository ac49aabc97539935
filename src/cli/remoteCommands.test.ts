import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, tempDir, tempProject, writeTree } from '../core/testing/tempProject.js';

test('cairn remote add | ls | default | rm edit cairn.yaml and keep its comments; .cairn/local.yaml holds personal ones', () => {
  const project = tempProject();
  fs.writeFileSync(project.configFile, '# our project\ntasks: {}  # none yet\n');
  const ok = (...args: string[]): string => {
    const r = cairn(project.root, ...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  ok('remote', 'add', 'team', '/mnt/team/cairn');
  ok(
    'remote',
    'add',
    'lake',
    's3://ml-data/proj',
    '--endpoint',
    'http://127.0.0.1:9000',
    '--region',
    'eu-west-1',
  );
  ok('remote', 'add', 'box', 'ssh://alice@trainbox:2222/srv/cairn', '--local', '--default');
  const yaml = fs.readFileSync(project.configFile, 'utf8');
  assert.match(yaml, /^# our project\ntasks: \{\} # none yet\n/);
  assert.match(
    yaml,
    /remotes:\n {2}team:\n {4}url: \/mnt\/team\/cairn\n {2}lake:\n {4}url: s3:\/\/ml-data\/proj\n {4}endpoint: http:\/\/127\.0\.0\.1:9000\n {4}region: eu-west-1\n/,
  );
  assert.ok(!yaml.includes('trainbox'), 'a --local remote stays out of cairn.yaml');
  assert.match(
    fs.readFileSync(path.join(project.dataDir, 'local.yaml'), 'utf8'),
    /box:\n {4}url: ssh:\/\/alice@trainbox:2222\/srv\/cairn\n {4}default: true/,
  );
  const listed = JSON.parse(ok('remote', 'ls', '--json')) as {
    remotes: {
      name: string;
      kind: string;
      used: boolean;
      host?: string;
      port?: number;
      user?: string;
      bucket?: string;
    }[];
  };
  assert.deepEqual(
    listed.remotes.map((r) => [r.name, r.kind, r.used]),
    [
      ['team', 'dir', false],
      ['lake', 's3', false],
      ['box', 'ssh', true],
    ],
  );
  assert.deepEqual(
    [
      listed.remotes[2]!.host,
      listed.remotes[2]!.port,
      listed.remotes[2]!.user,
      listed.remotes[1]!.bucket,
    ],
    ['trainbox', 2222, 'alice', 'ml-data'],
  );
  ok('remote', 'default', 'team');
  assert.match(ok('remote', 'ls'), /\* team +\/mnt\/team\/cairn +\(default\)/);
  ok('remote', 'rm', 'lake');
  assert.ok(!fs.readFileSync(project.configFile, 'utf8').includes('lake'));
  const dup = cairn(project.root, 'remote', 'add', 'team', '/elsewhere');
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /A remote named 'team' exists already/);
  const bad = cairn(project.root, 'remote', 'add', 'web', 'https://example.com/x');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /remote 'web' uses https:\/\/, which Cairn does not know/);
  assert.ok(
    !fs.readFileSync(project.configFile, 'utf8').includes('web'),
    'a bad remote is not written',
  );
});

test('cairn status --remote says per artifact whether its version is on the remote', () => {
  const project = tempProject();
  const remote = tempDir('cairn-remote-');
  writeTree(project.root, { 'data/a.csv': 'x\n1\n', 'model.bin': 'weights' });
  assert.equal(cairn(project.root, 'remote', 'add', 'team', remote).code, 0);
  assert.equal(cairn(project.root, 'add', 'data', 'model.bin').code, 0);
  const before = cairn(project.root, 'status', '--remote');
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /not on remote +data \(2 objects to push\)/);
  assert.match(before.stdout, /'cairn push' sends them to 'team'/);
  assert.equal(cairn(project.root, 'push').code, 0);
  writeTree(project.root, { 'model.bin': 'weights v2' });
  assert.equal(cairn(project.root, 'add', 'model.bin').code, 0);
  const after = JSON.parse(cairn(project.root, 'status', '--remote', '--json').stdout) as {
    artifacts: { path: string; onRemote: boolean }[];
  };
  assert.deepEqual(
    after.artifacts.map((a) => [a.path, a.onRemote]),
    [
      ['data', true],
      ['model.bin', false],
    ],
  );
});
