import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { shellQuote, splitCommand } from '../shell.js';
import { containingArtifact } from '../versioning/containingArtifact.js';
import { readPointer } from '../versioning/pointerFile.js';
import { assertParamKey } from './paramKeys.js';
import { unroutedParams } from './paramRoutes.js';
import { scriptLanguage } from './scriptScan.js';
import {
  applyOverridesToText,
  lockParamsFile,
  readParamsFile,
  recoverParamsFiles,
  type ParamsFileLock,
} from './paramsFile.js';
import type { RunRequest } from './runRequest.js';
import type { ArtifactVersion, RunRecord, RunSpec } from './runRecord.js';
import { allocateRunDir, listRuns, RUN_FILES, runJsonReplacer, saveRun } from './runStore.js';
import type { ParamValue } from './taskConfig.js';

/** A run ready to start: its record saved as running, its params file overridden. */
export interface PreparedRun {
  readonly id: string;
  readonly dir: string;
  /** Where the program runs and its files are. */
  readonly work: Project;
  readonly spec: RunSpec;
  readonly record: RunRecord;
  /** The program and its arguments. */
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** The params file's lock, while the run overrides it. */
  readonly lock: ParamsFileLock | undefined;
  /** The metrics files the task declares, with what they were before the run (undefined: absent). */
  readonly metricFilesBefore: ReadonlyMap<string, string | undefined>;
}

// Linux refuses an environment string over 128 KB (E2BIG); the params file carries any size.
const MAX_PARAMS_ENV_BYTES = 32 * 1024;

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

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/**
 * Puts params into a task's command where it says `{{name}}` (shell-quoted), so that programs
 * that take their params as arguments need no params file (and sweeps over them run in parallel).
 */
export function expandParams(cmd: string, params: Record<string, ParamValue>): string {
  return cmd.replace(PLACEHOLDER, (_m, key: string) => {
    if (!Object.hasOwn(params, key))
      throw new CairnError(
        'usage',
        `The task's cmd uses {{${key}}}, but no param ${key} is given; add it to the params or pass -p ${key}=...`,
      );
    return shellQuote(String(params[key]));
  });
}

async function gitInfo(root: string, dir: string): Promise<RunRecord['git']> {
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
    const file = path.join(dir, RUN_FILES.diff);
    try {
      fs.writeFileSync(file, diff);
    } catch (err) {
      throw fromSystemError(err, file, 'Could not save the uncommitted changes to');
    }
    diffFile = RUN_FILES.diff;
  }
  return { commit, branch, dirty: diff.length > 0, diffFile };
}

/** Who runs: Git's user.name for the repository, else the login name. */
async function whoRuns(root: string): Promise<string | undefined> {
  const name = (await gitMaybe(root, ['config', 'user.name']))?.trim();
  if (name) return name;
  try {
    return os.userInfo().username || undefined;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

/** The tracked artifacts the deps name: a dep that is an artifact, or lies inside a tracked directory. */
export function inputVersions(project: Project, deps: readonly string[]): ArtifactVersion[] {
  const out = new Map<string, ArtifactVersion>();
  for (const dep of deps) {
    const artifact = containingArtifact(project, dep);
    if (artifact === undefined) continue;
    const p = readPointer(path.join(project.root, artifact + POINTER_SUFFIX));
    out.set(artifact, { path: artifact, hash: p.hash, kind: p.kind });
  }
  return [...out.values()];
}

/**
 * A readable name that tells runs apart: the task (or the script an ad-hoc command runs, not its
 * interpreter), what was overridden, and the run's number among the task's runs: `train lr=0.5 #3`.
 */
function defaultName(
  project: Project,
  task: string | null,
  cmd: string,
  overrides: Record<string, ParamValue>,
): string {
  let base = task;
  if (base === null) {
    let words: string[] = [];
    try {
      words = splitCommand(cmd);
    } catch {
      words = cmd.split(' ');
    }
    const script = words.find((w) => scriptLanguage(w) !== undefined);
    base = path.basename(script ?? words[0] ?? 'run');
  }
  const ps = Object.entries(overrides).map(([k, v]) => `${k}=${String(v)}`);
  const same = listRuns(project).filter((r) =>
    task === null ? r.task === null && r.name.startsWith(base) : r.task === task,
  ).length;
  return `${[base, ...ps].join(' ')} #${same + 1}`;
}

/** A plain record of params without a prototype, so no key can reach Object.prototype. */
function paramRecord(...sources: Record<string, ParamValue>[]): Record<string, ParamValue> {
  const out = Object.create(null) as Record<string, ParamValue>;
  for (const s of sources) for (const [k, v] of Object.entries(s)) out[k] = v;
  return out;
}

/**
 * Refuses overrides of params the task does not have (a typo would otherwise be written into
 * the params file and recorded as a real run), unless the caller marked them as new (`-p +key`).
 */
function checkOverrideKeys(
  overrides: Record<string, ParamValue>,
  newKeys: ReadonlySet<string>,
  known: ReadonlySet<string>,
  source: string,
): void {
  const unknown = Object.keys(overrides).find((k) => !known.has(k) && !newKeys.has(k));
  if (unknown === undefined) return;
  const names = [...known].sort();
  throw new CairnError(
    'usage',
    `-p ${unknown}: the task has no param '${unknown}' (${names.length > 0 ? `${source} has ${names.join(', ')}` : `${source} has none`}); check the spelling, or add it as a new param with -p +${unknown}=${String(overrides[unknown])}`,
  );
}

/** The program's environment: ours, the helpers on its paths, the run's dir, id and params. */
function programEnv(
  id: string,
  dir: string,
  paramsFile: string,
  paramsJson: string,
): Record<string, string> {
  const helpers = helperDirs();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const prepend = (key: string, dirPath: string) =>
    (env[key] = env[key] ? `${dirPath}${path.delimiter}${env[key]}` : dirPath);
  prepend('PYTHONPATH', helpers.python);
  prepend('NODE_PATH', helpers.js);
  env['CAIRN_RUN_DIR'] = dir;
  env['CAIRN_RUN_ID'] = id;
  env['CAIRN_PARAMS_FILE'] = paramsFile;
  if (Buffer.byteLength(paramsJson) <= MAX_PARAMS_ENV_BYTES) env['CAIRN_PARAMS'] = paramsJson;
  else delete env['CAIRN_PARAMS'];
  return env;
}

/** The metrics files' state before the run, so that only files the run wrote count. */
function fileStamp(abs: string): string | undefined {
  try {
    const st = fs.statSync(abs, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}

/** Whether a metrics file was written since `before` was taken. */
export function writtenSince(abs: string, before: string | undefined): boolean {
  const now = fileStamp(abs);
  return now !== undefined && now !== before;
}

/**
 * Prepares a run: takes the params file's lock and reads the params under it, checks the
 * overrides, records Git state and input versions, writes the overrides into the params file and
 * saves the record as running. On failure nothing is left behind: no run, no changed params file.
 */
export async function prepareRun(project: Project, req: RunRequest): Promise<PreparedRun> {
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
  const overrides = paramRecord(req.overrides ?? {});
  for (const key of Object.keys(overrides)) assertParamKey(key, `-p ${key}`);
  const defaults = paramRecord(req.paramDefaults ?? {});

  const { id, dir } = allocateRunDir(project, Date.now());
  let lock: ParamsFileLock | undefined;
  try {
    // Every run of a task with a params file holds its lock, overrides or not: a run without
    // overrides that started while another run had the file overridden would run with (and
    // record) that run's values instead of the user's.
    if (spec.paramsFile && !req.ownsWorkTree)
      lock = await lockParamsFile(work, spec.paramsFile, id, req.onWait);
    const fileParams = lock
      ? lock.params
      : spec.paramsFile
        ? readParamsFile(work, spec.paramsFile)
        : paramRecord();
    if (req.task) {
      const known = new Set([...Object.keys(defaults), ...Object.keys(fileParams)]);
      for (const m of spec.cmd.matchAll(PLACEHOLDER)) known.add(m[1]!);
      checkOverrideKeys(
        overrides,
        new Set(req.newParams ?? []),
        known,
        spec.paramsFile ?? 'cairn.yaml',
      );
      // An override the program never sees would record a run whose params it did not run with.
      const unrouted = unroutedParams(work, spec, Object.keys(overrides));
      if (unrouted) {
        throw new CairnError('usage', `-p ${unrouted.params.join(', -p ')}: ${unrouted.message}`);
      }
    }
    const params = paramRecord(defaults, fileParams, overrides);
    const command = req.task ? expandParams(spec.cmd, params) : spec.cmd;
    // Time spent waiting for another run's params file is not part of this run.
    const startMs = Date.now();
    const [git, user] = await Promise.all([gitInfo(work.root, dir), whoRuns(work.root)]);
    const record: RunRecord = {
      id,
      name: req.name ?? defaultName(project, taskName, spec.cmd, overrides),
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
      status: req.queue ? 'queued' : 'running',
      host: os.hostname(),
      ...(user ? { user } : {}),
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
      ...(req.queue ? { executor: req.queue } : {}),
    };

    const paramsJson = JSON.stringify(params, runJsonReplacer);
    const paramsFile = path.join(dir, RUN_FILES.params);
    const reserve = path.join(dir, RUN_FILES.reserve);
    const recordBytes = Buffer.byteLength(JSON.stringify(record, runJsonReplacer, 2));
    try {
      fs.writeFileSync(paramsFile, paramsJson);
      // Enough for the final record, its temp copy and its index row.
      fs.writeFileSync(reserve, Buffer.alloc(3 * recordBytes + 64 * 1024));
    } catch (err) {
      throw fromSystemError(err, dir, 'Could not prepare the run directory');
    }
    const env = programEnv(id, dir, paramsFile, paramsJson);
    const metricFilesBefore = metricStamps(work, spec);
    if (Object.keys(overrides).length > 0) {
      if (lock) lock.override(overrides);
      else if (spec.paramsFile && req.ownsWorkTree)
        overrideInPlace(work, spec.paramsFile, overrides);
    }
    saveRun(project, record);
    const [file, ...args] = req.argv && !req.task ? [...req.argv] : ['/bin/sh', '-c', command];
    return {
      id,
      dir,
      work,
      spec,
      record,
      file: file!,
      args,
      cwd: path.join(work.root, req.cwd ?? ''),
      env,
      lock,
      metricFilesBefore,
    };
  } catch (err) {
    lock?.restore();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The metrics files' state before a run. */
function metricStamps(work: Project, spec: RunSpec): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const m of spec.metrics)
    if (m.type === 'file') out.set(m.file, fileStamp(path.join(work.root, m.file)));
  return out;
}

/** Writes overrides into a params file of a work tree the run owns (no backup: it is thrown away). */
function overrideInPlace(work: Project, rel: string, overrides: Record<string, ParamValue>): void {
  const abs = path.join(work.root, rel);
  let text = '';
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw fromSystemError(err, rel, 'Could not read the params file');
  }
  try {
    fs.writeFileSync(abs, applyOverridesToText(text, rel, overrides));
  } catch (err) {
    throw fromSystemError(err, abs, 'Could not write the params file');
  }
}

/**
 * A queued run, ready to start where the scheduler put it: its record says what to run, `work`
 * is the job's own work tree (its params file already overridden at submission).
 */
export function preparedFromRecord(record: RunRecord, work: Project, dir: string): PreparedRun {
  const paramsFile = path.join(dir, RUN_FILES.params);
  const env = programEnv(
    record.id,
    dir,
    paramsFile,
    JSON.stringify(record.params, runJsonReplacer),
  );
  return {
    id: record.id,
    dir,
    work,
    spec: record.spec,
    record,
    file: '/bin/sh',
    args: ['-c', record.command],
    cwd: path.join(work.root, record.cwd),
    env,
    lock: undefined,
    metricFilesBefore: metricStamps(work, record.spec),
  };
}
