// The versioning commands as users meet them: the built CLI (`npm run build`) in real repositories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cairn, gitSync, tempDir, writeTree } from '../core/testing/tempProject.js';

function project(): string {
  const root = tempDir();
  gitSync(root, 'init', '-q', '-b', 'main');
  gitSync(root, 'config', 'user.name', 'Test');
  gitSync(root, 'config', 'user.email', 't@example.com');
  assert.equal(cairn(root, 'init').code, 0);
  return root;
}

test('a name with a line break is refused before anything is written; the data never becomes visible half-ignored', () => {
  const root = project();
  const name = 'weights\nv2.bin';
  writeTree(root, { [name]: 'w' });
  const r = cairn(root, 'add', name);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /"weights\\nv2\.bin" has a line break or another control character in its name/,
  );
  assert.ok(!fs.existsSync(path.join(root, `${name}.cairn`)));
  assert.ok(!fs.existsSync(path.join(root, '.gitignore')));
});

test('long names: up to 249 bytes are tracked, longer ones get a clear refusal, never exit 70', () => {
  const root = project();
  const ok = 'm'.repeat(245) + '.bin'; // 249 bytes: the pointer file has 255
  const tooLong = 'm'.repeat(246) + '.bin';
  writeTree(root, { [`models/${ok}`]: 'a', [`models/${tooLong}`]: 'b' });
  const added = cairn(root, 'add', `models/${ok}`);
  assert.equal(added.code, 0, added.stderr);
  assert.ok(fs.existsSync(path.join(root, 'models', `${ok}.cairn`)));
  const st = cairn(root, 'status', '--json');
  assert.equal(st.code, 0, st.stderr);
  assert.equal(
    (JSON.parse(st.stdout) as { artifacts: { status: string }[] }).artifacts[0]?.status,
    'ok',
  );
  const refused = cairn(root, 'add', `models/${tooLong}`);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /pointer file name would be 256 bytes.*at most 249 bytes/);
});

test('a stray notes/.cairn file is no pointer file: every command still works', () => {
  const root = project();
  writeTree(root, { 'notes/.cairn': 'my notes\n', 'data/a.csv': 'x\n' });
  assert.equal(cairn(root, 'add', 'data').code, 0);
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', 'data and notes');
  for (const args of [['status'], ['checkout'], ['diff'], ['gc', '--dry-run']]) {
    const r = cairn(root, ...args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.match(cairn(root, 'status').stdout, /^ok\s+data\s+data$/m);
});

test('init completes a project that has only cairn.yaml, and says what it created', () => {
  const root = tempDir();
  gitSync(root, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(root, 'cairn.yaml'), 'tasks: {}\n');
  const r = cairn(root, 'init');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Initialized Cairn in .* \(created \.cairn\/\)/);
  assert.ok(fs.existsSync(path.join(root, '.cairn/cache')));
  assert.match(cairn(root, 'init').stdout, /already initialized/);
});

test('status names the command that really discards edits: checkout needs --force for them', () => {
  const root = project();
  writeTree(root, { 'data/a.csv': 'x\n' });
  assert.equal(cairn(root, 'add', 'data').code, 0);
  fs.appendFileSync(path.join(root, 'data/a.csv'), 'edited\n');
  const st = cairn(root, 'status');
  assert.match(st.stdout, /'cairn checkout --force <path>' to discard them/);
  // The hint is true: plain checkout refuses (the edit is not in the cache), --force discards.
  assert.equal(cairn(root, 'checkout', 'data').code, 1);
  assert.equal(cairn(root, 'checkout', '--force', 'data').code, 0);
  assert.equal(fs.readFileSync(path.join(root, 'data/a.csv'), 'utf8'), 'x\n');
});

test('diff against the work tree shows edits not yet added', () => {
  const root = project();
  writeTree(root, { 'data/a.csv': 'x\n', 'data/b.csv': 'y\n', 'm.bin': 'w' });
  assert.equal(cairn(root, 'add', 'data', 'm.bin').code, 0);
  gitSync(root, 'add', '-A');
  gitSync(root, 'commit', '-qm', 'v1');
  assert.match(cairn(root, 'diff').stdout, /No artifact versions differ/);
  fs.appendFileSync(path.join(root, 'data/a.csv'), 'edited\n');
  writeTree(root, { 'data/c.csv': 'new\n' });
  fs.rmSync(path.join(root, 'm.bin'));
  const text = cairn(root, 'diff');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /modified {2}data {2}[0-9a-f]{10}, edited in the work tree/);
  assert.match(text.stdout, /added: {4}c\.csv \(not yet added\)/);
  assert.match(text.stdout, /modified: a\.csv \(not yet added\)/);
  assert.match(text.stdout, /m\.bin.*\n {4}missing from the work tree/);
  const doc = JSON.parse(cairn(root, 'diff', '--json').stdout) as {
    artifacts: {
      path: string;
      workTree?: { status: string; added: string[]; modified: string[] };
    }[];
  };
  assert.deepEqual(
    doc.artifacts.map((a) => [a.path, a.workTree?.status, a.workTree?.added, a.workTree?.modified]),
    [
      ['data', 'modified', ['c.csv'], ['a.csv']],
      ['m.bin', 'missing', [], []],
    ],
  );
  // Between two revisions the work tree plays no part.
  assert.match(cairn(root, 'diff', 'HEAD', 'HEAD').stdout, /No artifact versions differ/);
});

test('pull from a hostile repository never writes through its committed symlink `data -> ~/.ssh`', () => {
  const attacker = project();
  const remote = tempDir('cairn-remote-');
  fs.appendFileSync(path.join(attacker, 'cairn.yaml'), `remotes:\n  shared:\n    url: ${remote}\n`);
  writeTree(attacker, { 'data/authorized_keys': 'ssh-ed25519 ATTACKER\n' });
  assert.equal(cairn(attacker, 'add', 'data').code, 0);
  assert.equal(cairn(attacker, 'push').code, 0);
  const victimHome = tempDir('cairn-home-');
  writeTree(victimHome, { '.ssh/authorized_keys': 'ssh-ed25519 MINE\n' });
  fs.rmSync(path.join(attacker, 'data'), { recursive: true });
  fs.symlinkSync(path.join(victimHome, '.ssh'), path.join(attacker, 'data'));
  fs.writeFileSync(path.join(attacker, '.gitignore'), '');
  gitSync(attacker, 'add', '-A');
  gitSync(attacker, 'commit', '-qm', 'innocent');
  const victim = tempDir('cairn-victim-');
  gitSync(victim, 'clone', '-q', attacker, '.');
  const r = cairn(victim, 'pull', '--force');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /data\.cairn: data is a symlink that leads outside the project/);
  assert.equal(
    fs.readFileSync(path.join(victimHome, '.ssh/authorized_keys'), 'utf8'),
    'ssh-ed25519 MINE\n',
  );
});

test('cairn unprotect says what it made editable, and that a copy needs nothing; a typo in cache.type names the line', () => {
  const root = project();
  writeTree(root, { 'model.bin': Buffer.alloc(3 << 19, 'm') });
  assert.equal(cairn(root, 'add', 'model.bin').code, 0);
  const config = path.join(root, 'cairn.yaml');
  fs.appendFileSync(config, '\ncache:\n  type: symlink,copy\n');
  fs.rmSync(path.join(root, 'model.bin'));
  assert.equal(cairn(root, 'checkout').code, 0);
  assert.ok(fs.lstatSync(path.join(root, 'model.bin')).isSymbolicLink());
  const first = cairn(root, 'unprotect', 'model.bin');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(
    first.stdout.trim(),
    'Made model.bin editable (it was a symlink to the cache; now a copy)',
  );
  assert.ok(fs.lstatSync(path.join(root, 'model.bin')).isFile());
  const again = cairn(root, 'unprotect', 'model.bin');
  assert.equal(again.stdout.trim(), 'Nothing to do: model.bin is already an editable copy');
  assert.equal(cairn(root, 'unprotect').code, 2);
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('symlink,copy', 'simlink'));
  fs.rmSync(path.join(root, 'model.bin'));
  const bad = cairn(root, 'checkout');
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /cairn\.yaml:\d+: cache\.type has 'simlink' \(did you mean 'symlink'\?\)/,
  );
});
