import { spawn, type ChildProcess } from 'node:child_process';
import { shellQuote } from '../shell.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { addArtifacts } from '../versioning/add.js';
import { readPointer } from '../versioning/pointerFile.js';
import { MetricStreamParser, readMetricsFile, type MetricRecord } from './metricParser.js';
import {
  overrideParamsFile,
  readParamsFile,
  recoverParamsFiles,
  type ParamsOverride,
} from './paramsFile.js';
import {
  allocateRunDir,
  MetricsWriter,
  RUN_FILES,
  saveRun,
  type ArtifactVersion,
  type RunRecord,
  type RunSpec,
  type RunStatus,
} from './runStore.js';
import type { ParamValue, TaskSpec } from './taskConfig.js';

/** What to run and how. */
export interface RunRequest {
  /** A task from cairn.yaml (or a recorded spec, for reproduce), or... */
  readonly task?: { readonly name: string | null; readonly spec: RunSpec };
  /** ...an ad-hoc command (argv), recorded as a run. */
  readonly argv?: readonly string[];
  readonly overrides?: Record<string, ParamValue>;
  /** Task defaults for parameters the params file lacks. */
  readonly paramDefaults?: Record<string, ParamValue>;
  readonly name?: string;
  readonly sweep?: string;
  readonly reproduces?: string;
  /** Where the program runs and its files are (default: the store's project). */
  readonly workProject?: Project;
  /** Project-relative directory the program runs in (default the root). */
  readonly cwd?: string;
  /** Copy the program's output to this process's stdout as it comes (default true). */
  readonly echo?: boolean;
  /** Give the program a pseudo-terminal (default: when this process's stdout is a TTY). */
  readonly tty?: boolean;
  /** Forward this process's stdin (raw, when a TTY) to the program (default: echo && tty). */
  readonly interactive?: boolean;
  /** Called while another run holds the params file. */
  readonly onWait?: (holderRunId: string) => void;
}

/** A run in progress. */
export interface RunHandle {
  readonly id: string;
  readonly dir: string;
  /** Stops the program and its children (SIGTERM, then SIGKILL after 5 s); the run is `stopped`. */
  stop(): void;
  /** Settles with the final record once the run is saved. */
  readonly done: Promise<RunRecord>;
}

/** The spec of a task as recorded in run.json. */
export function specOf(task: TaskSpec): RunSpec {
  return {
    cmd: task.cmd,
    ...(task.paramsFile ? { paramsFile: task.paramsFile } : {}),
    deps: task.deps,
    outs: task.outs,
    metrics: task.metrics,
    goal: task.goal,
  };
}

/** Folders of the Python and JavaScript logging helpers (shipped in dist/helpers or the repo). */
export function helperDirs(): { python: string; js: string } {
  const candidates = [path.join(__dirname, 'helpers')];
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) candidates.push(d);
  for (const base of candidates) {
    if (fs.existsSync(path.join(base, 'python', 'cairn', '__init__.py')))
      return { python: path.join(base, 'python'), js: path.join(base, 'js') };
  }
  throw new CairnError(
    'run',
    `The logging helpers (python/cairn, js/cairn.js) are missing beside ${__dirname}; reinstall Cairn`,
  );
}

async function gitInfo(
  root: string,
  dir: string,
): Promise<{
  commit: string | null;
  branch: string | null;
  dirty: boolean;
  diffFile: string | null;
}> {
  // In parallel: each git process costs tens of milliseconds on a busy machine.
  const [head, symbolic, diffHead, diffCached] = await Promise.all([
    gitMaybe(root, ['rev-parse', '--verify', '--quiet', 'HEAD']),
    gitMaybe(root, ['symbolic-ref', '--short', '--quiet', 'HEAD']),
    gitMaybe(root, ['diff', '--binary', 'HEAD', '--']),
    gitMaybe(root, ['diff', '--binary', '--cached', '--']),
  ]);
  const commit = head?.trim() || null;
  const branch = symbolic?.trim() || null;
  // Tracked changes, staged or not, against HEAD (or the index before the first commit).
  const diff = (commit ? diffHead : diffCached) ?? '';
  let diffFile: string | null = null;
  if (diff.length > 0) {
    fs.writeFileSync(path.join(dir, RUN_FILES.diff), diff);
    diffFile = RUN_FILES.diff;
  }
  return { commit, branch, dirty: diff.length > 0, diffFile };
}

/** The tracked artifacts the deps name: a dep that is an artifact, or lies inside a tracked directory. */
function inputVersions(project: Project, deps: readonly string[]): ArtifactVersion[] {
  const out = new Map<string, ArtifactVersion>();
  for (const dep of deps) {
    const parts = dep.split('/');
    for (let i = parts.length; i >= 1; i--) {
      const artifact = parts.slice(0, i).join('/');
      const pointerFile = path.join(project.root, artifact + POINTER_SUFFIX);
      if (!fs.existsSync(pointerFile)) continue;
      const p = readPointer(pointerFile);
      out.set(artifact, { path: artifact, hash: p.hash, kind: p.kind });
      break;
    }
  }
  return [...out.values()];
}

function defaultName(task: string | null, argv: string, overrides: Record<string, ParamValue>) {
  const base = task ?? path.basename(argv.split(' ')[0] ?? 'run');
  const ps = Object.entries(overrides).map(([k, v]) => `${k}=${String(v)}`);
  return ps.length > 0 ? `${base} ${ps.join(' ')}` : base;
}

/**
 * Puts params into a task's command where it says `{{name}}` (shell-quoted), so that programs
 * that take their params as arguments need no params file (and sweeps over them run in parallel).
 */
export function expandParams(cmd: string, params: Record<string, ParamValue>): string {
  return cmd.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (_m, key: string) => {
    if (!(key in params))
      throw new CairnError(
        'usage',
        `The task's cmd uses {{${key}}}, but no param ${key} is given; add it to the params or pass -p ${key}=...`,
      );
    return shellQuote(String(params[key]));
  });
}

/** Child process in a pty or with pipes, behind one small interface. */
interface Child {
  readonly pid: number;
  write(data: string | Buffer): void;
  resize?(cols: number, rows: number): void;
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
}

async function spawnPty(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onData: (b: Buffer) => void,
): Promise<Child> {
  const pty = await import('node-pty');
  const cols = process.stdout.columns || 80;
  const rows = process.stdout.rows || 24;
  const p = pty.spawn(file, args, {
    name: process.env['TERM'] ?? 'xterm-256color',
    cols,
    rows,
    cwd,
    env,
    encoding: null,
  });
  p.onData((d: string | Buffer) => onData(typeof d === 'string' ? Buffer.from(d) : d));
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    p.onExit(({ exitCode, signal }) => {
      const sig = signal ? (os.constants.signals as Record<string, number>) : undefined;
      const name = sig ? (Object.entries(sig).find(([, n]) => n === signal)?.[0] ?? null) : null;
      // Output can arrive after the exit event; give the reader a moment to drain.
      setTimeout(() => resolve({ exitCode: name ? null : exitCode, signal: name }), 50);
    });
  });
  return {
    pid: p.pid,
    write: (d) => p.write(typeof d === 'string' ? d : d.toString('utf8')),
    resize: (c, r) => p.resize(c, r),
    exited,
  };
}

function spawnPipes(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onData: (b: Buffer, stream: 'out' | 'err') => void,
): Child {
  const child: ChildProcess = spawn(file, args, {
    cwd,
    env,
    stdio: ['inherit', 'pipe', 'pipe'],
    // Its own process group, so that stop() reaches its children too.
    detached: true,
  });
  child.stdout?.on('data', (b: Buffer) => onData(b, 'out'));
  child.stderr?.on('data', (b: Buffer) => onData(b, 'err'));
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    child.on('error', (e) => {
      onData(Buffer.from(`cairn: could not start ${file}: ${e.message}\n`), 'err');
      resolve({ exitCode: 127, signal: null });
    });
    child.on('close', (code, signal) => resolve({ exitCode: code, signal }));
  });
  return { pid: child.pid ?? -1, write: () => undefined, exited };
}

/**
 * Starts a recorded run: records Git state, input versions and params, applies overrides through
 * the params file, runs the program (in a pseudo-terminal when asked), saves its output to the
 * log while echoing it, parses metrics live, then versions the outputs after success.
 */
export async function startRun(project: Project, req: RunRequest): Promise<RunHandle> {
  recoverParamsFiles(project);
  const work = req.workProject ?? project;
  if (!req.task && (!req.argv || req.argv.length === 0))
    throw new CairnError('usage', 'Give a task name or a command after --');
  const spec: RunSpec = req.task?.spec ?? {
    cmd: req.argv!.map(shellQuote).join(' '),
    deps: [],
    outs: [],
    metrics: [{ type: 'stdout' }],
    goal: {},
  };
  const taskName = req.task?.name ?? null;
  const overrides = req.overrides ?? {};
  const fileParams = spec.paramsFile ? readParamsFile(work, spec.paramsFile) : {};
  const params = { ...(req.paramDefaults ?? {}), ...fileParams, ...overrides };
  const patterns = spec.metrics.flatMap((m) =>
    m.type === 'pattern' ? [new RegExp(m.pattern)] : [],
  );
  const generic = spec.metrics.some((m) => m.type === 'stdout');
  const cwd = path.join(work.root, req.cwd ?? '');
  const command = req.task ? expandParams(spec.cmd, params) : spec.cmd;

  let startMs = Date.now();
  const { id, dir } = allocateRunDir(project, startMs);
  const git = await gitInfo(work.root, dir);
  let record: RunRecord = {
    id,
    name: req.name ?? defaultName(taskName, spec.cmd, overrides),
    task: taskName,
    command,
    cwd: req.cwd ?? '',
    params,
    overrides,
    startMs,
    endMs: null,
    durationMs: null,
    exitCode: null,
    signal: null,
    status: 'running',
    host: os.hostname(),
    pid: process.pid,
    git,
    inputs: inputVersions(work, spec.deps),
    outputs: [],
    summary: {},
    metricPoints: 0,
    skippedLines: 0,
    spec,
    ...(req.sweep ? { sweep: req.sweep } : {}),
    ...(req.reproduces ? { reproduces: req.reproduces } : {}),
  };
  saveRun(project, record);

  let override: ParamsOverride | undefined;
  const finishEarly = (error: string): RunRecord => {
    const endMs = Date.now();
    record = { ...record, status: 'failed', endMs, durationMs: endMs - startMs, error };
    saveRun(project, record);
    return record;
  };
  try {
    if (spec.paramsFile && Object.keys(overrides).length > 0)
      override = await overrideParamsFile(work, spec.paramsFile, overrides, id, req.onWait);
  } catch (err) {
    finishEarly((err as Error).message);
    throw err;
  }
  if (override) {
    // Time spent waiting for another run's params file is not part of this run.
    startMs = Date.now();
    record = { ...record, startMs };
  }

  const helpers = helperDirs();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const prepend = (key: string, dirPath: string) =>
    (env[key] = env[key] ? `${dirPath}${path.delimiter}${env[key]}` : dirPath);
  prepend('PYTHONPATH', helpers.python);
  prepend('NODE_PATH', helpers.js);
  env['CAIRN_RUN_DIR'] = dir;
  env['CAIRN_RUN_ID'] = id;
  env['CAIRN_PARAMS'] = JSON.stringify(params);

  const log = fs.openSync(path.join(dir, RUN_FILES.log), 'a');
  const writer = new MetricsWriter(path.join(dir, RUN_FILES.metrics));
  const onRecord = (r: MetricRecord) => writer.add(r);
  const parser = new MetricStreamParser(onRecord, { generic, patterns });
  const helperParser = new MetricStreamParser(onRecord, { jsonOnly: true });
  const helperFile = path.join(dir, RUN_FILES.helperMetrics);
  let helperOffset = 0;
  const readHelper = () => {
    let fd: number;
    try {
      fd = fs.openSync(helperFile, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, helperOffset);
        if (n <= 0) break;
        helperOffset += n;
        helperParser.write(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  const helperTimer = setInterval(readHelper, 150);

  const echo = req.echo ?? true;
  const useTty = req.tty ?? process.stdout.isTTY === true;
  const onData = (b: Buffer, stream: 'out' | 'err' = 'out') => {
    if (echo) (stream === 'err' ? process.stderr : process.stdout).write(b);
    fs.writeSync(log, b);
    parser.write(b);
  };
  const [file, ...args] = req.argv && !req.task ? [...req.argv] : ['/bin/sh', '-c', command];
  let child: Child;
  try {
    child = useTty
      ? await spawnPty(file!, args, cwd, env, onData)
      : spawnPipes(file!, args, cwd, env, onData);
  } catch (err) {
    clearInterval(helperTimer);
    writer.close();
    fs.closeSync(log);
    override?.restore();
    finishEarly(`could not start the program: ${(err as Error).message}`);
    throw new CairnError('run', `Could not start '${command}': ${(err as Error).message}`);
  }

  let stopRequested = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      try {
        process.kill(child.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  const stop = () => {
    if (stopRequested) return;
    stopRequested = true;
    signalGroup('SIGTERM');
    killTimer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    killTimer.unref();
  };

  // Keystrokes go to the program; Ctrl-C reaches it through its terminal as SIGINT.
  const interactive = req.interactive ?? (echo && useTty && process.stdin.isTTY === true);
  const onStdin = (d: Buffer) => {
    if (d.includes(3)) stopRequested = true;
    child.write(d);
  };
  const onResize = () => child.resize?.(process.stdout.columns, process.stdout.rows);
  if (interactive) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', onStdin);
    process.stdin.resume();
    process.stdout.on('resize', onResize);
  }

  const done = (async (): Promise<RunRecord> => {
    const { exitCode, signal } = await child.exited;
    if (killTimer) clearTimeout(killTimer);
    if (interactive) {
      process.stdin.off('data', onStdin);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      process.stdout.off('resize', onResize);
    }
    clearInterval(helperTimer);
    parser.end();
    readHelper();
    helperParser.end();
    fs.closeSync(log);
    override?.restore();

    let status: RunStatus = stopRequested ? 'stopped' : exitCode === 0 ? 'completed' : 'failed';
    let error: string | undefined;
    for (const m of spec.metrics) {
      if (m.type !== 'file') continue;
      const abs = path.join(work.root, m.file);
      if (!fs.existsSync(abs)) continue;
      try {
        for (const r of readMetricsFile(abs, m.file)) writer.add(r);
      } catch (e) {
        error = (e as Error).message;
      }
    }
    writer.close();
    let outputs: ArtifactVersion[] = [];
    if (status === 'completed' && spec.outs.length > 0) {
      const missing = spec.outs.filter((o) => !fs.existsSync(path.join(work.root, o.path)));
      if (missing.length > 0) {
        status = 'failed';
        error = `the program did not produce ${missing.map((o) => o.path).join(', ')}`;
      } else {
        try {
          for (const o of spec.outs) {
            const [r] = await addArtifacts(work, [o.path], {
              ...(o.kind ? { kind: o.kind } : {}),
              run: id,
            });
            if (r) outputs.push({ path: r.path, hash: r.pointer.hash, kind: r.pointer.kind });
          }
        } catch (e) {
          status = 'failed';
          error = `versioning the outputs failed: ${(e as Error).message}`;
          outputs = [];
        }
      }
    }
    const endMs = Date.now();
    record = {
      ...record,
      endMs,
      durationMs: endMs - startMs,
      exitCode,
      signal,
      status,
      outputs,
      summary: writer.summary,
      metricPoints: writer.points,
      skippedLines: parser.skippedLines + helperParser.skippedLines,
      ...(error ? { error } : {}),
    };
    saveRun(project, record);
    return record;
  })();
  return { id, dir, stop, done };
}

/** The exit code `cairn run` passes on: the program's, or 128 + signal number. */
export function exitCodeOf(record: RunRecord): number {
  if (record.exitCode !== null)
    return record.status === 'completed' || record.exitCode !== 0 ? record.exitCode : 1;
  if (record.signal) {
    const n = (os.constants.signals as Record<string, number>)[record.signal];
    return n ? 128 + n : 1;
  }
  return record.status === 'completed' ? 0 : 1;
}
