// Benchmarks for training runs (npm run bench:runs): listing 10,000 runs, ingesting 1,000,000
// metric points, and the recorder's overhead on a program that prints 100,000 lines. Each figure
// is printed with its target and, where there is one, a reference measured in the same run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectAt } from '../src/core/project/project.js';
import { MetricStreamParser } from '../src/core/runs/metricParser.js';
import type { RunRecord } from '../src/core/runs/runRecord.js';
import {
  allocateRunDir,
  listRuns,
  MetricsWriter,
  readSeries,
  saveRun,
} from '../src/core/runs/runStore.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-runs-'));
const cli = path.resolve(__dirname, '..', 'dist', 'cli.js');
const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, repeat = 5): number {
  const xs: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function benchList(): void {
  const project = projectAt(path.join(root, 'list'));
  fs.mkdirSync(project.runsDir, { recursive: true });
  const n = 10_000;
  const t0 = Date.now() - n * 60_000;
  for (let i = 0; i < n; i++) {
    const startMs = t0 + i * 60_000;
    const { id } = allocateRunDir(project, startMs);
    const record: RunRecord = {
      id,
      name: `train lr=${i / n}`,
      task: 'train',
      command: 'python train.py',
      cwd: '',
      params: { lr: i / n, batch: 32 + (i % 4) * 32, opt: i % 2 ? 'adam' : 'sgd', epochs: 10 },
      overrides: { lr: i / n },
      startMs,
      endMs: startMs + 30_000,
      durationMs: 30_000,
      exitCode: 0,
      signal: null,
      status: 'completed',
      host: os.hostname(),
      pid: 1,
      git: { commit: 'a'.repeat(40), branch: 'main', dirty: false, diffFile: null },
      inputs: [{ path: 'data', hash: 'b'.repeat(64), kind: 'data' }],
      outputs: [
        { path: 'models/model.pkl', hash: i.toString(16).padStart(64, '0'), kind: 'model' },
      ],
      summary: {
        loss: { last: 1 / (i + 1), min: 0.1, max: 2, count: 100, lastStep: 99 },
        acc: { last: i / n, min: 0, max: 1, count: 100, lastStep: 99 },
        val_loss: { last: 0.5, min: 0.4, max: 2, count: 10, lastStep: 9 },
      },
      metricPoints: 210,
      skippedLines: 0,
      spec: {
        cmd: 'python train.py',
        deps: ['data'],
        outs: [{ path: 'models/model.pkl' }],
        metrics: [{ type: 'stdout' }],
        goal: {},
      },
    };
    saveRun(project, record);
  }
  let count = 0;
  const ms = time(() => {
    count = listRuns(project).length;
  });
  // Reference: reading every run.json, the naive way to list.
  const ref = time(() => {
    for (const id of fs.readdirSync(project.runsDir)) {
      const f = path.join(project.runsDir, id, 'run.json');
      if (fs.existsSync(f)) JSON.parse(fs.readFileSync(f, 'utf8'));
    }
  }, 3);
  console.log(
    `list ${count} runs: ${ms.toFixed(1)} ms (target < 200 ms); reading every run.json instead: ${ref.toFixed(1)} ms (${(ref / ms).toFixed(1)}x slower)`,
  );
}

function benchIngest(): void {
  const dir = path.join(root, 'ingest');
  fs.mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 500_000; i++)
    lines.push(
      `epoch ${i >> 10} step=${i} loss=${(1 / (i + 1)).toFixed(6)} acc=${(i / 5e5).toFixed(4)}`,
    );
  const data = Buffer.from(lines.join('\n') + '\n');
  const file = path.join(dir, 'metrics.jsonl');
  const xs: number[] = [];
  let points = 0;
  for (let rep = 0; rep < 3; rep++) {
    fs.rmSync(file, { force: true });
    const t = performance.now();
    const writer = new MetricsWriter(file);
    const parser = new MetricStreamParser((r) => writer.add(r, 0), { generic: true });
    for (let off = 0; off < data.length; off += 65536)
      parser.write(data.subarray(off, off + 65536));
    parser.end();
    writer.close();
    xs.push(performance.now() - t);
    points = writer.points;
  }
  const ingest = median(xs);
  const project = projectAt(root);
  fs.mkdirSync(path.join(project.runsDir, 'r1'), { recursive: true });
  fs.copyFileSync(file, path.join(project.runsDir, 'r1', 'metrics.jsonl'));
  let read = 0;
  const readMs = time(() => {
    const s = readSeries(project, 'r1');
    read = Object.values(s).reduce((n, x) => n + x.value.length, 0);
  }, 3);
  console.log(
    `ingest ${points.toLocaleString('en')} metric points from ${(data.length / 1e6).toFixed(0)} MB of output: ${ingest.toFixed(0)} ms (target < 2000 ms); reading the ${read.toLocaleString('en')}-point series back: ${readMs.toFixed(0)} ms`,
  );
}

async function benchOverhead(): Promise<void> {
  const dir = path.join(root, 'overhead');
  fs.mkdirSync(dir);
  spawnSync('git', ['init', '-q'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'cairn.yaml'), 'tasks: {}\n');
  const prog = [
    python,
    '-c',
    "import sys\nfor i in range(100000): print(f'step={i} loss={1/(i+1):.6f} some text')",
  ];
  const run = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(args[0]!, args.slice(1), {
      cwd: dir,
      maxBuffer: 1 << 30,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.toString()}`);
    return performance.now() - t;
  };
  const direct = median([run(prog), run(prog), run(prog)]);
  const wrapped = median([0, 1, 2].map(() => run([process.execPath, cli, 'run', '--', ...prog])));
  const startup = median([0, 1, 2].map(() => run([process.execPath, cli, 'run', '--', 'true'])));
  const pty = await import('node-pty');
  const runPty = (args: string[]) =>
    new Promise<number>((resolve) => {
      const t = performance.now();
      const p = pty.spawn(args[0]!, args.slice(1), {
        cwd: dir,
        cols: 120,
        rows: 40,
        env: process.env,
      });
      p.onData(() => undefined);
      p.onExit(() => resolve(performance.now() - t));
    });
  const ptyDirect: number[] = [];
  const ptyWrapped: number[] = [];
  for (let i = 0; i < 3; i++) {
    ptyDirect.push(await runPty(prog));
    ptyWrapped.push(await runPty([process.execPath, cli, 'run', '--', ...prog]));
  }
  console.log(
    `100,000 lines through 'cairn run' in a terminal (pty): ${median(ptyWrapped).toFixed(0)} ms vs ${median(ptyDirect).toFixed(0)} ms directly in a pty = ${(median(ptyWrapped) / median(ptyDirect)).toFixed(2)}x`,
  );
  console.log(
    `100,000 lines through 'cairn run' (pipes): ${wrapped.toFixed(0)} ms vs ${direct.toFixed(0)} ms directly = ${(wrapped / direct).toFixed(2)}x; of which cairn's fixed start-up and record-keeping (a run of 'true'): ${startup.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error('build first: npm run build');
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  // A reference for this machine's speed right now: JSON round trip of 500,000 small records.
  const t = performance.now();
  const lines: string[] = [];
  for (let i = 0; i < 500_000; i++)
    lines.push(JSON.stringify({ t: 0, s: i, v: { loss: 1 / (i + 1), acc: i / 5e5 } }));
  for (const l of lines) JSON.parse(l);
  console.log(
    `reference: JSON.stringify + JSON.parse of 500,000 two-metric records: ${(performance.now() - t).toFixed(0)} ms`,
  );
  benchList();
  benchIngest();
  await benchOverhead();
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(root, { recursive: true, force: true }));
