// The CLI as a user installs it: packed (scripts/packCli.mjs), installed with npm install -g into
// a fresh prefix, then used from that prefix only: --version, a versioning round trip and a run
// round trip with the Python helper it ships; and the Python helper installed with pip.
// Needs dist/ (npm run build). pip installs with --no-build-isolation: these machines reach no
// Python package index, so pip cannot download setuptools into an isolated build; the system's
// setuptools builds it (in a venv with --system-site-packages).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';

const root = path.resolve(__dirname, '..');
const version = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
).version;
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-packages-'));
const prefix = path.join(tmp, 'prefix');
const cairn = path.join(prefix, 'bin', 'cairn');
const installed = path.join(prefix, 'lib', 'node_modules', 'cairn-ml');

function sh(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(' ')} exited ${r.status}:\n${String(r.stdout)}\n${String(r.stderr)}`,
  );
  return String(r.stdout);
}

/** A Git repository with its own identity (the machine may have none). */
function repo(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  sh('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  sh('git', ['config', 'user.name', 'Cairn Test'], { cwd: dir });
  sh('git', ['config', 'user.email', 'test@cairn.invalid'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'README'), 'test\n');
  sh('git', ['add', '-A'], { cwd: dir });
  sh('git', ['commit', '-q', '-m', 'start'], { cwd: dir });
  return dir;
}

// Only the installed package's bin on the PATH before the system's: no source tree in reach.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env['PATH'] ?? ''}`,
};
delete env['NODE_PATH'];
delete env['PYTHONPATH'];

before(() => {
  const packed = sh(process.execPath, [
    path.join(root, 'scripts', 'packCli.mjs'),
    '--no-build',
    '--out-dir',
    tmp,
  ]);
  const tarball = path.join(tmp, `cairn-ml-${version}.tgz`);
  assert.ok(fs.existsSync(tarball), packed);
  sh(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--allow-scripts=node-pty',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
    ],
    { cwd: tmp },
  );
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the npm package installs cairn, with only node-pty as a dependency', () => {
  assert.equal(sh(cairn, ['--version'], { env }).trim(), `cairn ${version}`);
  const deps = fs.readdirSync(path.join(installed, 'node_modules')).sort();
  // node-pty and what it needs to build; everything else is in the bundles.
  assert.ok(deps.includes('node-pty'), deps.join(', '));
  for (const d of deps)
    assert.ok(['node-pty', 'node-addon-api', '.bin'].includes(d), `${d} came along`);
  // node-pty was built on install (--allow-scripts), so runs get a terminal.
  assert.ok(
    fs.existsSync(path.join(installed, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node')),
  );
  for (const helper of ['python/cairn/__init__.py', 'python/pyproject.toml', 'js/cairn.js'])
    assert.ok(fs.existsSync(path.join(installed, helper)), `${helper} is missing`);
});

test('the installed cairn versions a dataset and checks an older version out again', () => {
  const dir = repo('versioning');
  const run = (...args: string[]) => sh('cairn', args, { cwd: dir, env });
  const git = (...args: string[]) => sh('git', args, { cwd: dir });
  run('init');
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'data', 'train.csv'), 'x,y\n1,0\n');
  run('add', 'data');
  git('add', '-A');
  git('commit', '-q', '-m', 'data v1');
  fs.writeFileSync(path.join(dir, 'data', 'train.csv'), 'x,y\n1,0\n2,1\n');
  assert.match(run('status'), /modified/);
  run('add', 'data');
  git('add', '-A');
  git('commit', '-q', '-m', 'data v2');
  git('checkout', '-q', 'HEAD~1');
  run('checkout');
  assert.equal(fs.readFileSync(path.join(dir, 'data', 'train.csv'), 'utf8'), 'x,y\n1,0\n');
  git('checkout', '-q', 'main');
  run('checkout');
  assert.equal(fs.readFileSync(path.join(dir, 'data', 'train.csv'), 'utf8'), 'x,y\n1,0\n2,1\n');
});

test("the installed cairn records a run of a Python script that logs with the package's helper", () => {
  const dir = repo('runs');
  sh('cairn', ['init'], { cwd: dir, env });
  fs.writeFileSync(
    path.join(dir, 'train.py'),
    'import cairn\nprint("helper", cairn.__file__)\nfor step in range(3):\n    cairn.log(step=step, loss=1.0 / (step + 1))\n',
  );
  const out = sh('cairn', ['run', '--', python, 'train.py'], { cwd: dir, env });
  // The helper came from the installed package, put on PYTHONPATH by the run.
  assert.ok(out.includes(`helper ${path.join(installed, 'dist', 'helpers')}`), out);
  const { runs } = JSON.parse(sh('cairn', ['runs', 'ls', '--json'], { cwd: dir, env })) as {
    runs: { status: string; metrics: Record<string, number> }[];
  };
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.status, 'completed');
  assert.equal(runs[0]!.metrics['loss'], 1 / 3);
});

test('the Python helper installs with pip and imports outside runs', () => {
  // From the installed package's python/ (a clone's works the same), copied so that the build
  // leaves nothing behind in it.
  const src = path.join(tmp, 'python-src');
  fs.cpSync(path.join(installed, 'python'), src, { recursive: true });
  const venv = path.join(tmp, 'venv');
  sh(python, ['-m', 'venv', '--system-site-packages', venv]);
  const vpy = path.join(venv, 'bin', 'python');
  sh(vpy, ['-m', 'pip', 'install', '-q', '--no-build-isolation', '--no-index', src], { env });
  const out = sh(
    vpy,
    [
      '-c',
      'import cairn; cairn.log(loss=1.0); cairn.flush(); print(cairn.__file__, cairn.run_dir())',
    ],
    { cwd: tmp, env },
  );
  assert.match(
    out,
    new RegExp(
      `^${venv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/lib/python3[^/]*/site-packages/cairn/__init__\\.py None$`,
      'm',
    ),
  );
});
