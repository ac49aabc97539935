// Profile benchmark: `cairn profile` of a CSV against pandas reading the same CSV and describing
// it (describe(include='all')), measured in the same run on the same file (DESIGN.md,
// "Performance targets"). Run with `npm run bench`.
//   BENCH_SCALE=0.1 npm run bench   profiles a 20 MB CSV instead of 200 MB (a quick check)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const CLI = path.resolve('dist/cli.js');
const PYTHON = '/usr/bin/python3';
const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const ROOT = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'cairn-bench-'));

function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = (n, fn) => median(Array.from({ length: n }, fn));
function report(name, value, unit, target, ok, detail) {
  console.log(
    `${ok ? 'PASS' : 'MISS'}  ${name}: ${value.toFixed(2)}${unit}  (target ${target}; ${detail})`,
  );
  return ok;
}

if (spawnSync(PYTHON, ['-c', 'import pandas']).status !== 0) {
  console.log(
    `SKIP  cairn profile vs pandas: pandas is not installed for ${PYTHON} (apt-get install python3-pandas)`,
  );
  process.exit(0);
}

// A CSV of BENCH_SCALE × 200 MB: four numeric columns (floats of several scales, an integer id,
// a column with missing values) and two categorical ones (a few labels, a few thousand cities).
const file = path.join(ROOT, 'table.csv');
const targetBytes = Math.round(200e6 * SCALE);
{
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'id,price,score,temp,label,city\n');
  const labels = ['cat', 'dog', 'bird', 'fish', 'horse'];
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  let written = 0;
  let chunk = '';
  for (let i = 0; written < targetBytes; i++) {
    const price = (rand() * 1000).toFixed(2);
    const score = (rand() * 2 - 1).toPrecision(12);
    const temp = i % 17 === 0 ? '' : (15 + rand() * 20).toFixed(1);
    chunk += `${i},${price},${score},${temp},${labels[i % 5]},city${Math.floor(rand() * 3000)}\n`;
    if (chunk.length >= 1 << 20) {
      fs.writeSync(fd, chunk);
      written += chunk.length;
      chunk = '';
    }
  }
  if (chunk) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}
const sizeMb = fs.statSync(file).size / 1e6;
spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache

const pandasScript = `import sys, pandas\npandas.read_csv(sys.argv[1]).describe(include='all')`;
const tPandas = times(3, () => run(PYTHON, ['-c', pandasScript, file]));
const tCairn = times(3, () => run(process.execPath, [CLI, 'profile', file]));
const ok = report(
  `profile of a ${sizeMb.toFixed(0)} MB CSV vs pandas read_csv + describe`,
  tCairn / tPandas,
  'x time',
  '<= 1.0x',
  tCairn / tPandas <= 1.0,
  `pandas ${tPandas.toFixed(0)} ms, cairn profile ${tCairn.toFixed(0)} ms`,
);
fs.rmSync(ROOT, { recursive: true, force: true });
console.log(
  `\n${ok ? 1 : 0} of 1 targets met (scale ${SCALE}, ${os.availableParallelism()} cores).`,
);
