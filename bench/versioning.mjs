// Versioning benchmarks: each figure is a ratio against a reference tool measured in the same run
// on the same data (DESIGN.md, "Performance targets"). Run with `npm run bench`.
//   BENCH_SCALE=0.1 npm run bench   runs everything on a tenth of the data (a quick check)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ROOT = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'cairn-bench-'));
const results = [];

function run(cmd, args, cwd, env = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
    maxBuffer: 1 << 30,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}
const sh = (script, cwd) => run('bash', ['-c', script], cwd);
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
}
function report(name, value, unit, target, ok, detail) {
  results.push({ name, value, unit, target, ok, detail });
  console.log(
    `${ok ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(2)}${unit}  (target ${target}; ${detail})`,
  );
}
const hasLfs = spawnSync('git', ['lfs', 'version']).status === 0;

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
const tCp = times(
  3,
  () => fs.rmSync(path.join(ROOT, 'cp-dest'), { recursive: true, force: true }),
  () => sh(`cp -r '${objects}' '${path.join(ROOT, 'cp-dest')}'`, ROOT),
);
fs.rmSync(path.join(ROOT, 'cp-dest'), { recursive: true, force: true });
const tCheckout = times(
  3,
  () => fs.rmSync(path.join(bigDir, 'big.bin'), { force: true }),
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
  () => fs.rmSync(path.join(bigDir, 'big.bin'), { force: true }),
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

// 4. status with nothing changed on 100,000 files vs git status on the same tree.
const statusDir = path.join(ROOT, 'status');
gitRepo(statusDir);
const nStatus = Math.round(100000 * SCALE);
sh(
  `python3 - <<'PY'
import os
for i in range(${nStatus}):
    d = f"data/d{i // 1000:03d}"
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    with open(f"{d}/f{i:06d}.txt", "w") as f:
        f.write(f"row {i}\\n")
PY`,
  statusDir,
);
cairn(statusDir, 'add', 'data');
cairn(statusDir, 'status');
// The same tree in a plain Git repository (committed, so git status has the same work to do).
const gitDir = path.join(ROOT, 'status-git');
fs.mkdirSync(gitDir);
execFileSync('git', ['init', '-q'], { cwd: gitDir });
sh(
  `cp -r '${path.join(statusDir, 'data')}' data && git add -A && git -c user.email=b@e -c user.name=B commit -qm data && git status > /dev/null`,
  gitDir,
);
const tGitStatus = times(5, null, () => run('git', ['status'], gitDir));
const tStatus = times(5, null, () => cairn(statusDir, 'status'));
report(
  'status, nothing changed, 100,000 files vs git status',
  tStatus / tGitStatus,
  'x time',
  '<= 1.5x',
  tStatus / tGitStatus <= 1.5,
  `git status ${tGitStatus.toFixed(0)} ms, cairn status ${tStatus.toFixed(0)} ms`,
);

fs.rmSync(ROOT, { recursive: true, force: true });
const missed = results.filter((r) => !r.ok).length;
console.log(
  `\n${results.length - missed} of ${results.length} targets met (scale ${SCALE}, ${os.availableParallelism()} cores).`,
);
