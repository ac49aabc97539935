// Versioning benchmarks: each figure is a ratio against a reference tool measured in the same run
// on the same data (DESIGN.md, "Performance targets"). Run with `npm run bench`.
//   BENCH_SCALE=0.1 npm run bench   runs everything on a tenth of the data (a quick check)
//   BENCH_ONLY=startup,status node bench/versioning.mjs   runs only those sections, of: big (one
//     1 GB file), small (20,000 files), startup, status (20,000 and 100,000 files), million
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './lib/run.mjs';

const CLI = path.resolve('dist/cli.js');
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ROOT = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'cairn-bench-'));
const results = [];

const sh = (script, cwd) => run('bash', ['-c', script], cwd);
/** Runs the CLI under /usr/bin/time: [ms, peak resident memory in MB]. */
function cairnPeak(cwd, ...args) {
  const out = path.join(ROOT, 'time.txt');
  const ms = run('/usr/bin/time', ['-f', '%M', '-o', out, process.execPath, CLI, ...args], cwd);
  return [ms, Number(fs.readFileSync(out, 'utf8').trim().split('\n').pop()) / 1024];
}
const hasTime = fs.existsSync('/usr/bin/time');
const cairn = (cwd, ...args) => run(process.execPath, [CLI, ...args], cwd);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function times(n, setup, fn) {
  const out = [];
  for (let i = 0; i < n; i++) {
    setup?.();
    out.push(fn());
  }
  return median(out);
}
function gitRepo(dir) {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  execFileSync('git', ['config', 'user.email', 'b@example.com'], { cwd: dir });
  execFileSync('git', ['config', 'user.name', 'Bench'], { cwd: dir });
  cairn(dir, 'init');
}
function coldCache(dir) {
  fs.rmSync(path.join(dir, '.cairn/cache'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, '.cairn/state'), { recursive: true, force: true });
  for (const f of fs.readdirSync(dir))
    if (f !== '.cairn' && f.endsWith('.cairn')) fs.rmSync(path.join(dir, f));
  // Nothing dirty in the page cache: an add writes its copy while the last one's is written back.
  execFileSync('sync');
}
function report(name, value, unit, target, ok, detail) {
  results.push({ name, value, unit, target, ok, detail });
  console.log(
    `${ok ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(2)}${unit}  (target ${target}; ${detail})`,
  );
}
const hasLfs = spawnSync('git', ['lfs', 'version']).status === 0;
const only = process.env.BENCH_ONLY?.split(',');
const want = (section) => !only || only.includes(section);

if (want('big')) {
  // 1. One 1 GB file.
  const bigDir = path.join(ROOT, 'big');
  gitRepo(bigDir);
  const bigBytes = Math.round((1 << 30) * SCALE);
  sh(`openssl rand -out big.bin ${bigBytes}`, bigDir);
  sh('cat big.bin > /dev/null', bigDir);
  const tOpenssl = times(3, null, () => sh('openssl dgst -sha256 big.bin > /dev/null', bigDir));
  const tAddBig = times(
    3,
    () => coldCache(bigDir),
    () => cairn(bigDir, 'add', 'big.bin'),
  );
  report(
    'cold add of one 1 GB file vs openssl dgst -sha256',
    tOpenssl / tAddBig,
    'x throughput',
    '>= 0.7x',
    tOpenssl / tAddBig >= 0.7,
    `openssl ${tOpenssl.toFixed(0)} ms, cairn add ${tAddBig.toFixed(0)} ms`,
  );

  // 5. Checkout of that 1 GB from the cache vs cp -r of the same data.
  const objects = path.join(bigDir, '.cairn/cache');
  // Each timed copy starts with nothing dirty in the page cache (`sync`): otherwise whichever runs
  // second is throttled by the writeback of the first one's gigabytes.
  const clean = (file) => {
    fs.rmSync(file, { recursive: true, force: true });
    execFileSync('sync');
  };
  const tCp = times(
    3,
    () => clean(path.join(ROOT, 'cp-dest')),
    () => sh(`cp -r '${objects}' '${path.join(ROOT, 'cp-dest')}'`, ROOT),
  );
  fs.rmSync(path.join(ROOT, 'cp-dest'), { recursive: true, force: true });
  const tCheckout = times(
    3,
    () => clean(path.join(bigDir, 'big.bin')),
    () => cairn(bigDir, 'checkout'),
  );
  report(
    'checkout of 1 GB from the cache vs cp -r',
    tCheckout / tCp,
    'x time',
    '<= 1.2x',
    tCheckout / tCp <= 1.2,
    `cp -r ${tCp.toFixed(0)} ms, cairn checkout ${tCheckout.toFixed(0)} ms`,
  );

  // 5b. The same checkout with cache: { type: hardlink }: a link to the cache object, no copy.
  const bigConfig = path.join(bigDir, 'cairn.yaml');
  const configText = fs.readFileSync(bigConfig, 'utf8');
  fs.writeFileSync(bigConfig, `${configText}\ncache:\n  type: hardlink\n`);
  const tLinkCheckout = times(
    3,
    () => clean(path.join(bigDir, 'big.bin')),
    () => cairn(bigDir, 'checkout'),
  );
  // What any command pays before it does anything: Node's start-up and the bundle's load.
  const tStartup = times(3, null, () => cairn(bigDir, '--version'));
  if (fs.statSync(path.join(bigDir, 'big.bin')).nlink < 2)
    throw new Error('the hardlink checkout did not make a hard link');
  report(
    'hardlink checkout of 1 GB from the cache vs cp -r',
    tLinkCheckout / tCp,
    'x time',
    '<= 0.1x',
    tLinkCheckout / tCp <= 0.1,
    `cp -r ${tCp.toFixed(0)} ms, cairn checkout (hardlink) ${tLinkCheckout.toFixed(0)} ms, of which start-up (cairn --version) ${tStartup.toFixed(0)} ms`,
  );
  fs.writeFileSync(bigConfig, configText);
  fs.rmSync(path.join(bigDir, 'big.bin'));
  cairn(bigDir, 'checkout');

  let tLfsBig;
  if (hasLfs) {
    const lfsDir = path.join(ROOT, 'lfs-big');
    fs.mkdirSync(lfsDir);
    execFileSync('git', ['init', '-q'], { cwd: lfsDir });
    sh(
      'git lfs install --local >/dev/null && git lfs track "*.bin" >/dev/null && git add .gitattributes',
      lfsDir,
    );
    fs.renameSync(path.join(bigDir, 'big.bin'), path.join(lfsDir, 'big.bin'));
    tLfsBig = run('git', ['add', 'big.bin'], lfsDir);
    report(
      'cold add of one 1 GB file vs git lfs (git add)',
      tLfsBig / tAddBig,
      'x faster',
      '>= 5x',
      tLfsBig / tAddBig >= 5,
      `git lfs ${tLfsBig.toFixed(0)} ms, cairn add ${tAddBig.toFixed(0)} ms`,
    );
  }
  fs.rmSync(bigDir, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'lfs-big'), { recursive: true, force: true });
}

if (want('small')) {
  // 2. 20,000 small files (1-64 KB, like images or shards).
  const smallDir = path.join(ROOT, 'small');
  gitRepo(smallDir);
  const nSmall = Math.round(20000 * SCALE);
  sh(
    `python3 - <<'PY'
import os, random
random.seed(7)
for i in range(${nSmall}):
    d = f"data/c{i % 100:03d}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/img{i:05d}.bin", "wb") as f:
        f.write(os.urandom(random.randint(1024, 65536)))
PY`,
    smallDir,
  );
  sh('cat data/*/* > /dev/null', smallDir);
  const tOpensslSmall = times(3, null, () =>
    sh('find data -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null', smallDir),
  );
  const tAddSmall = times(
    3,
    () => coldCache(smallDir),
    () => cairn(smallDir, 'add', 'data'),
  );
  report(
    'cold add of 20,000 small files vs openssl dgst -sha256',
    tOpensslSmall / tAddSmall,
    'x throughput',
    '>= 1.3x',
    tOpensslSmall / tAddSmall >= 1.3,
    `openssl ${tOpensslSmall.toFixed(0)} ms, cairn add ${tAddSmall.toFixed(0)} ms`,
  );
  if (hasLfs) {
    const lfsDir = path.join(ROOT, 'lfs-small');
    fs.mkdirSync(lfsDir);
    execFileSync('git', ['init', '-q'], { cwd: lfsDir });
    sh(
      'git lfs install --local >/dev/null && git lfs track "*.bin" >/dev/null && git add .gitattributes',
      lfsDir,
    );
    sh(`cp -r '${path.join(smallDir, 'data')}' data`, lfsDir);
    const tLfsSmall = run('git', ['add', 'data'], lfsDir);
    report(
      'cold add of 20,000 small files vs git lfs (git add)',
      tLfsSmall / tAddSmall,
      'x faster',
      '>= 5x',
      tLfsSmall / tAddSmall >= 5,
      `git lfs ${tLfsSmall.toFixed(0)} ms, cairn add ${tAddSmall.toFixed(0)} ms`,
    );
    fs.rmSync(lfsDir, { recursive: true, force: true });
  } else {
    console.log('SKIP  git lfs comparisons: install git-lfs (apt-get install git-lfs) to run them');
  }
  fs.rmSync(smallDir, { recursive: true, force: true });
}

if (want('startup')) {
  // 3. Start-up: status of a small project vs node -e 0.
  const tinyDir = path.join(ROOT, 'tiny');
  gitRepo(tinyDir);
  fs.writeFileSync(path.join(tinyDir, 'params.json'), '{"lr": 0.1}\n');
  cairn(tinyDir, 'add', 'params.json');
  cairn(tinyDir, 'status');
  const tNode = times(11, null, () => run(process.execPath, ['-e', '0'], tinyDir));
  const tTiny = times(11, null, () => cairn(tinyDir, 'status'));
  report(
    'status of a small project vs node -e 0 (start-up)',
    tTiny / tNode,
    'x time',
    '<= 1.5x',
    tTiny / tNode <= 1.5,
    `node -e 0 ${tNode.toFixed(0)} ms, cairn status ${tTiny.toFixed(0)} ms`,
  );
  fs.rmSync(tinyDir, { recursive: true, force: true });
}

/** A Cairn project and a plain Git repository with the same n tiny files; no-op status of both. */
function statusRow(n, label, target) {
  const dir = path.join(ROOT, `status-${n}`);
  gitRepo(dir);
  sh(
    `python3 - <<'PY'
import os
for i in range(${n}):
    d = f"data/d{i // 1000:04d}"
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:07d}.txt", "w") as f:
        f.write(f"row {i}\\n")
PY`,
    dir,
  );
  // Settled times, so that add's state can answer a no-op status quickly.
  execFileSync('sleep', ['0.2']);
  const [tAdd, peak] = hasTime ? cairnPeak(dir, 'add', 'data') : [cairn(dir, 'add', 'data'), NaN];
  cairn(dir, 'status');
  // Git gets the very same files: a repository of its own whose work tree is the data folder.
  const gitDir = path.join(ROOT, `status-${n}-git`);
  // No automatic gc in the background: it would still be writing when the folder is removed.
  const g = [
    '--git-dir',
    gitDir,
    '--work-tree',
    path.join(dir, 'data'),
    '-c',
    'gc.auto=0',
    '-c',
    'maintenance.auto=false',
  ];
  execFileSync('git', ['init', '-q', '--bare', gitDir]);
  execFileSync('git', [...g, 'add', '-A'], { maxBuffer: 1 << 30 });
  execFileSync('git', [...g, '-c', 'user.email=b@e', '-c', 'user.name=B', 'commit', '-qm', 'data']);
  execFileSync('git', [...g, 'status'], { maxBuffer: 1 << 30 });
  const tGit = times(5, null, () => run('git', [...g, 'status'], dir));
  const tCairn = times(5, null, () => cairn(dir, 'status'));
  report(
    `status, nothing changed, ${label} files vs git status`,
    tCairn / tGit,
    'x time',
    `<= ${target}x`,
    tCairn / tGit <= target,
    `git status ${tGit.toFixed(0)} ms, cairn status ${tCairn.toFixed(0)} ms`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(gitDir, { recursive: true, force: true });
  return [tAdd, peak];
}
if (want('status')) {
  statusRow(Math.round(20000 * SCALE), (20000 * SCALE).toLocaleString('en'), 3);
  // 4. status with nothing changed on 100,000 files vs git status on the same files.
  statusRow(Math.round(100000 * SCALE), (100000 * SCALE).toLocaleString('en'), 1.5);
}

if (want('million')) {
  // 6. A million tiny files: add time and peak memory, and a no-op status vs git status.
  const nMillion = Math.round(1_000_000 * SCALE);
  const [tMillion, peakMillion] = statusRow(nMillion, nMillion.toLocaleString('en'), 1.5);
  report(
    `cairn add of ${nMillion.toLocaleString('en')} tiny files`,
    tMillion / 1000,
    ' s',
    `<= ${(100 * SCALE).toFixed(0)} s`,
    tMillion / 1000 <= 100 * SCALE,
    `peak memory ${Number.isNaN(peakMillion) ? 'not measured (no /usr/bin/time)' : `${peakMillion.toFixed(0)} MB`}`,
  );
  if (!Number.isNaN(peakMillion))
    report(
      `peak memory of that add`,
      peakMillion,
      ' MB',
      `<= ${(1024 * Math.max(SCALE, 0.25)).toFixed(0)} MB`,
      peakMillion <= 1024 * Math.max(SCALE, 0.25),
      'resident set size from /usr/bin/time',
    );
}

fs.rmSync(ROOT, { recursive: true, force: true });
const missed = results.filter((r) => !r.ok).length;
console.log(
  `\n${results.length - missed} of ${results.length} targets met (scale ${SCALE}, ${os.availableParallelism()} cores).`,
);
