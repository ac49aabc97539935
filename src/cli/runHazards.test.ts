// Runs under hostile conditions, through the built CLI (dist/cli.js): a slow reader of huge
// output, SIGKILL of the recorder, a full disk, and crafted files under .cairn/ (which Git and
// remotes can deliver). Real processes, real Git, real file systems.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, gitSync, REPO_ROOT, tempDir } from '../core/testing/tempProject.js';

const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const isRoot = process.getuid?.() === 0;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cairn(cwd: string, ...args: string[]): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cairnJson<T>(cwd: string, ...args: string[]): T {
  const r = cairn(cwd, ...args, '--json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function makeRepo(dir = tempDir('cairn-hazard-')): string {
  gitSync(dir, 'init', '-q', '-b', 'main');
  gitSync(dir, 'config', 'user.name', 'Test');
  gitSync(dir, 'config', 'user.email', 't@example.com');
  const r = cairn(dir, 'init');
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function vmRssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface RunJson {
  id: string;
  status: string;
  error?: string;
  summary: Record<string, { last: number; count: number }>;
}

function latestRun(dir: string): RunJson {
  const { runs } = cairnJson<{ runs: { id: string }[] }>(dir, 'runs', 'ls');
  return cairnJson<RunJson>(dir, 'runs', 'show', runs[0]!.id);
}

before(() => {
  if (!fs.existsSync(CLI)) spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT });
});

describe('resources', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => (dir = makeRepo()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('200 MB of output to a slow reader: the recorder stays small and loses nothing', async () => {
    fs.writeFileSync(
      path.join(dir, 'spew.js'),
      `const chunk = ('x'.repeat(1023) + '\\n').repeat(64);
let n = 0;
(function w() {
  while (n < 3200) { n++; if (!process.stdout.write(chunk)) return process.stdout.once('drain', w); }
})();`,
    );
    const child = spawn(process.execPath, [CLI, 'run', '--', process.execPath, 'spew.js'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Nobody reads for four seconds, then a reader takes its time.
    let maxKb = 0;
    const sample = setInterval(() => (maxKb = Math.max(maxKb, vmRssKb(child.pid!))), 50);
    await new Promise((r) => setTimeout(r, 4000));
    let received = 0;
    child.stdout.on('data', (d: Buffer) => {
      received += d.length;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 1);
    });
    assert.equal(await exited, 0);
    clearInterval(sample);
    assert.equal(received, 200 * 1024 * 1024);
    assert.ok(maxKb > 0 && maxKb < 150 * 1024, `the recorder grew to ${maxKb} KB`);
    const run = latestRun(dir);
    assert.equal(fs.statSync(path.join(dir, '.cairn/runs', run.id, 'log')).size, 200 * 1024 * 1024);
    fs.rmSync(path.join(dir, '.cairn/runs', run.id, 'log'));
  });

  // The program ignores SIGHUP and writes nothing after the kill, so only the recorder's own
  // doing can end it.
  const STUBBORN = String.raw`
import os, signal, sys, time
signal.signal(signal.SIGHUP, signal.SIG_IGN)
for i in range(5):
    print('step=%d loss=%.2f' % (i, 1.0 / (i + 1)), flush=True)
print('pid', os.getpid(), flush=True)
time.sleep(120)
`;

  async function killRecorder(
    spawnIt: () => { pid: number; output: () => string; kill: () => void },
  ) {
    fs.writeFileSync(path.join(dir, 'stubborn.py'), STUBBORN);
    const rec = spawnIt();
    await until('the program to start', () => /pid \d+/.test(rec.output()));
    const pid = Number(/pid (\d+)/.exec(rec.output())![1]);
    await new Promise((r) => setTimeout(r, 300)); // metrics.jsonl is flushed every 100 ms
    rec.kill();
    await until('the program to end', () => !alive(pid), 10000);
    const run = latestRun(dir);
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /recorder stopped/);
    assert.equal(run.summary['loss']?.count, 5);
    assert.equal(run.summary['loss']?.last, 0.2);
  }

  test('SIGKILL of cairn run with pipes: the program ends too; recovery rebuilds the summary', async () => {
    await killRecorder(() => {
      const child = spawn(process.execPath, [CLI, 'run', '--', python, 'stubborn.py'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      return { pid: child.pid!, output: () => out, kill: () => child.kill('SIGKILL') };
    });
  });

  test('SIGKILL of cairn run in a terminal: the program ends too; recovery rebuilds the summary', async () => {
    const pty = await import('node-pty');
    await killRecorder(() => {
      const p = pty.spawn(process.execPath, [CLI, 'run', '--', python, 'stubborn.py'], {
        cwd: dir,
        cols: 80,
        rows: 24,
        env: process.env,
      });
      let out = '';
      p.onData((d) => (out += d));
      return { pid: p.pid, output: () => out, kill: () => process.kill(p.pid, 'SIGKILL') };
    });
  });
});

test(
  'a full disk during a run: a clear error, the params file restored, the run finished as failed',
  { skip: !isRoot && 'needs root to mount a small tmpfs', timeout: 60_000 },
  () => {
    const dir = tempDir('cairn-full-run-');
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], {
      encoding: 'utf8',
    });
    assert.equal(m.status, 0, m.stderr);
    try {
      makeRepo(dir);
      const params = 'lr: 0.1 # the learning rate\nepochs: 3\n';
      fs.writeFileSync(path.join(dir, 'params.yaml'), params);
      fs.writeFileSync(
        path.join(dir, 'cairn.yaml'),
        `tasks:\n  fill:\n    cmd: ${process.execPath} fill.js\n    params: params.yaml\n`,
      );
      fs.writeFileSync(
        path.join(dir, 'fill.js'),
        "require('fs').readFileSync('params.yaml');\nconst line = 'loss=0.5 ' + 'y'.repeat(1000) + '\\n';\nlet i = 0;\nconst t = setInterval(() => { for (let k = 0; k < 100; k++) process.stdout.write(line); if (++i > 100) clearInterval(t); }, 5);\n",
      );
      const r = cairn(dir, 'run', 'fill', '-p', 'lr=0.2');
      assert.notEqual(r.code, 0);
      assert.notEqual(r.code, 70, r.stderr);
      assert.doesNotMatch(r.stderr, /at \w+ \(|ENOSPC:/); // no stack trace
      assert.match(r.stderr, /Could not write the run log .*no space left on the device/);
      assert.equal(fs.readFileSync(path.join(dir, 'params.yaml'), 'utf8'), params);
      const { runs } = cairnJson<{ runs: { id: string }[] }>(dir, 'runs', 'ls');
      const rec = JSON.parse(
        fs.readFileSync(path.join(dir, '.cairn/runs', runs[0]!.id, 'run.json'), 'utf8'),
      ) as RunJson & { endMs: number | null };
      assert.equal(rec.status, 'failed');
      assert.ok(rec.endMs !== null);
      assert.match(rec.error ?? '', /no space left on the device/);
    } finally {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

describe('crafted files under .cairn/', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => (dir = makeRepo()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lockDir = () => path.join(dir, '.cairn/runs/.params');
  const keyOf = (rel: string) => createHash('sha256').update(rel).digest('hex').slice(0, 16);
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  test('a lock marker naming a file outside the project is refused, and nothing is written', () => {
    const outside = path.join(path.dirname(dir), `${path.basename(dir)}-victim.txt`);
    fs.writeFileSync(outside, 'precious\n');
    try {
      fs.mkdirSync(lockDir(), { recursive: true });
      const rel = `../${path.basename(outside)}`;
      const marker = {
        file: rel,
        runId: '20260101-000000-abcdef',
        pid: 999_999_999,
        host: os.hostname(),
        existed: true,
        writtenSha256: sha('precious\n'),
      };
      fs.writeFileSync(path.join(lockDir(), `${keyOf(rel)}.json`), JSON.stringify(marker));
      fs.writeFileSync(path.join(lockDir(), `${keyOf(rel)}.orig`), 'evil\n');
      const r = cairn(dir, 'runs', 'ls');
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        /\.cairn\/runs\/\.params\/\w+\.json: not a params-file lock Cairn wrote \('file' .* is not a path inside the project\); delete/,
      );
      assert.equal(fs.readFileSync(outside, 'utf8'), 'precious\n');
    } finally {
      fs.rmSync(outside, { force: true });
      fs.rmSync(lockDir(), { recursive: true, force: true });
    }
  });

  test('a lock marker whose runId climbs out of the project is refused; no folder appears', () => {
    fs.writeFileSync(path.join(dir, 'params.yaml'), 'lr: 0.1\n');
    fs.mkdirSync(lockDir(), { recursive: true });
    const escape = `escape-${path.basename(dir)}`;
    const marker = {
      file: 'params.yaml',
      runId: `../../../${escape}`,
      pid: 999_999_999,
      host: os.hostname(),
      existed: true,
      writtenSha256: sha('something else\n'),
    };
    fs.writeFileSync(path.join(lockDir(), `${keyOf('params.yaml')}.json`), JSON.stringify(marker));
    fs.writeFileSync(path.join(lockDir(), `${keyOf('params.yaml')}.orig`), 'lr: 0.1\n');
    const r = cairn(dir, 'runs', 'ls');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /'runId' .* is not a run id/);
    assert.ok(!fs.existsSync(path.join(path.dirname(dir), escape)));
    fs.rmSync(lockDir(), { recursive: true, force: true });
  });

  function recordedRun(): { id: string; file: string; record: Record<string, unknown> } {
    const r = cairn(dir, 'run', '--', python, '-c', 'print("loss=0.5")');
    assert.equal(r.code, 0, r.stderr);
    const { runs } = cairnJson<{ runs: { id: string }[] }>(dir, 'runs', 'ls');
    const id = runs[0]!.id;
    const file = path.join(dir, '.cairn/runs', id, 'run.json');
    return {
      id,
      file,
      record: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>,
    };
  }

  test('a pulled run record with a params file outside the project: reproduce refuses it', () => {
    gitSync(dir, 'add', '-A');
    gitSync(dir, 'commit', '-q', '-m', 'c', '--allow-empty');
    const { id, file, record } = recordedRun();
    const escape = `x-${path.basename(dir)}`;
    const spec = record['spec'] as Record<string, unknown>;
    record['task'] = 'train';
    record['overrides'] = { lr: 1 };
    record['git'] = {
      ...(record['git'] as object),
      commit: gitSync(dir, 'rev-parse', 'HEAD').trim(),
    };
    spec['paramsFile'] = `../../../../${escape}`;
    fs.writeFileSync(file, JSON.stringify(record));
    const r = cairn(dir, 'reproduce', id);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /run\.json: not a run record Cairn can use \(spec\.paramsFile .* is not a path inside the project\)/,
    );
    assert.ok(!fs.existsSync(path.join(path.dirname(dir), escape)));
    const rm = cairn(dir, 'runs', 'rm', id); // the way out the message names works
    assert.equal(rm.code, 0, rm.stderr);
  });

  test('a run record with wrong types: runs show and compare say so, they do not crash', () => {
    const { id, file, record } = recordedRun();
    record['summary'] = { loss: { last: 'abc' } };
    record['params'] = 5;
    fs.writeFileSync(file, JSON.stringify(record));
    for (const args of [
      ['runs', 'show', id],
      ['runs', 'show', id, '--json'],
      ['runs', 'compare', id],
    ]) {
      const r = cairn(dir, ...args);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /run\.json: not a run record Cairn can use \(params is not an object\)/,
      );
    }
  });

  test('-p __proto__.kind=evil is refused; metrics named constructor or toString do not crash runs show', () => {
    fs.writeFileSync(path.join(dir, 'params.json'), '{"lr": 0.1}\n');
    fs.writeFileSync(
      path.join(dir, 'cairn.yaml'),
      `tasks:\n  j:\n    cmd: ${python} -c "print('toString=1 constructor=2 loss=3')"\n    params: params.json\n`,
    );
    const bad = cairn(dir, 'run', 'j', '-p', '__proto__.kind=evil');
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /'__proto__\.kind' cannot be a parameter name/);
    assert.equal(fs.readFileSync(path.join(dir, 'params.json'), 'utf8'), '{"lr": 0.1}\n');
    const ok = cairn(dir, 'run', 'j', '-p', 'lr=0.2');
    assert.equal(ok.code, 0, ok.stderr);
    const { runs } = cairnJson<{ runs: { id: string }[] }>(dir, 'runs', 'ls');
    const show = cairn(dir, 'runs', 'show', runs[0]!.id);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /metric toString\s+1 /);
    const detail = cairnJson<{ series: Record<string, unknown> }>(dir, 'runs', 'show', runs[0]!.id);
    assert.deepEqual(Object.keys(detail.series).sort(), ['loss', 'toString']);
    const c = cairnJson<{ metrics: { name: string; goal: string | null }[] }>(
      dir,
      'runs',
      'compare',
      runs[0]!.id,
    );
    assert.deepEqual(
      c.metrics.map((m) => [m.name, m.goal]),
      [
        ['loss', 'min'],
        ['toString', null],
      ],
    );
  });
});

test('the lineage marks a run stale once its input data moved on, and the model it made', () => {
  const dir = makeRepo();
  try {
    fs.writeFileSync(path.join(dir, 'data.csv'), 'x,y\n1,2\n');
    fs.writeFileSync(
      path.join(dir, 'cairn.yaml'),
      `tasks:\n  fit:\n    cmd: ${python} -c "open('model.bin', 'w').write('m')"\n    deps: [data.csv]\n    outs: [model.bin]\n`,
    );
    assert.equal(cairn(dir, 'add', 'data.csv').code, 0);
    const r = cairn(dir, 'run', 'fit');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(cairn(dir, 'lineage').stdout, /stale/);
    fs.appendFileSync(path.join(dir, 'data.csv'), '3,4\n');
    assert.equal(cairn(dir, 'add', 'data.csv').code, 0);
    const text = cairn(dir, 'lineage').stdout;
    assert.match(text, /^run \S+ \(fit #1, completed\) \[stale: data\.csv changed since\]/m);
    assert.match(text, /-> model\.bin@\w+ .*\[stale: data\.csv changed since\]/);
    const g = cairnJson<{ nodes: { type: string; stale: boolean }[] }>(dir, 'lineage');
    assert.deepEqual(
      g.nodes.filter((n) => n.type === 'run').map((n) => n.stale),
      [true],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
