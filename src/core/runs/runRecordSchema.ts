import { assertSafeRelativePath } from '../fsSafe.js';
import { isHash } from '../versioning/cache.js';
import { isForbiddenKey } from './paramKeys.js';
import { isRunId } from './runId.js';
import { metricValue } from './metricParser.js';
import type { MetricSummary, RunExecutor, RunRecord, RunSummary } from './runRecord.js';

/*
 * run.json arrives from Git (a force-added .cairn/) and from remotes (pull), so it is checked
 * like any input before a command acts on it: types, run-id shape, and paths that stay inside
 * the project (reproduce writes the params file and runs in `cwd`). Maps come back without a
 * prototype, so no name (a metric called `constructor`) can reach Object.prototype.
 */

type Obj = Record<string, unknown>;

/** A run record that fails the check: the field and what is wrong with it. */
export class RunRecordProblem extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

function fail(field: string, problem: string): never {
  throw new RunRecordProblem(field, problem);
}

function obj(v: unknown, field: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'is not an object');
  return v as Obj;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') fail(field, 'is not a string');
  return v;
}

function strOrNull(v: unknown, field: string): string | null {
  return v === null ? null : str(v, field);
}

function num(v: unknown, field: string): number {
  const n = metricValue(v);
  if (n === undefined) fail(field, 'is not a number');
  return n;
}

function numOrNull(v: unknown, field: string): number | null {
  return v === null ? null : num(v, field);
}

function int(v: unknown, field: string): number {
  if (!Number.isSafeInteger(v)) fail(field, 'is not a whole number');
  return v as number;
}

function relPath(v: unknown, field: string): string {
  const p = str(v, field);
  try {
    return assertSafeRelativePath(p, field);
  } catch {
    fail(field, `${JSON.stringify(p)} is not a path inside the project`);
  }
}

function optional<T>(o: Obj, key: string, read: (v: unknown, field: string) => T, field: string) {
  return o[key] === undefined ? {} : { [key]: read(o[key], field ? `${field}.${key}` : key) };
}

/** A name → value map without a prototype; names that could reach one are refused. */
function dict<T>(
  v: unknown,
  field: string,
  value: (v: unknown, field: string) => T,
): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, x] of Object.entries(obj(v, field))) {
    if (isForbiddenKey(k)) fail(`${field}.${k}`, 'is a reserved name');
    out[k] = value(x, `${field}.${k}`);
  }
  return out;
}

function list<T>(v: unknown, field: string, item: (v: unknown, field: string) => T): T[] {
  if (!Array.isArray(v)) fail(field, 'is not a list');
  return v.map((x, i) => item(x, `${field}[${i}]`));
}

function paramValue(v: unknown, field: string): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return v;
  fail(field, 'is not a string, number, true, false or null');
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (!values.includes(v as T)) fail(field, `is not one of ${values.join(', ')}`);
  return v as T;
}

function artifact(v: unknown, field: string) {
  const a = obj(v, field);
  const hash = a['hash'];
  if (!isHash(hash)) fail(`${field}.hash`, 'is not a sha256');
  return {
    path: relPath(a['path'], `${field}.path`),
    hash,
    kind: oneOf(a['kind'], `${field}.kind`, ['data', 'model'] as const),
  };
}

/** A scheduler job id: `123`, or `123_4` for an element of a job array. */
export const JOB_ID = /^\d{1,12}(_\d{1,9})?$/;
/** A job's folder under an executor's workdir: `<batch>/w<index>`. */
export const JOB_DIR = /^b-[a-z0-9]{6,40}\/w\d{1,9}$/;

function executor(v: unknown, field: string): RunExecutor {
  const e = obj(v, field);
  const name = str(e['name'], `${field}.name`);
  if (!/^[A-Za-z0-9_][\w.-]*$/.test(name)) fail(`${field}.name`, 'is not an executor name');
  const jobDir = str(e['jobDir'], `${field}.jobDir`);
  if (!JOB_DIR.test(jobDir)) fail(`${field}.jobDir`, 'is not a job folder name');
  const jobId = e['jobId'] === undefined ? undefined : str(e['jobId'], `${field}.jobId`);
  if (jobId !== undefined && !JOB_ID.test(jobId)) fail(`${field}.jobId`, 'is not a job id');
  return {
    name,
    type: oneOf(e['type'], `${field}.type`, ['slurm', 'ssh'] as const),
    jobDir,
    submittedFrom: str(e['submittedFrom'], `${field}.submittedFrom`),
    ...(jobId !== undefined ? { jobId } : {}),
    ...optional(e, 'partition', str, field),
    ...optional(e, 'resources', str, field),
    ...optional(e, 'node', str, field),
    ...optional(e, 'state', str, field),
    ...(e['settled'] === true ? { settled: true } : {}),
  };
}

function summary(v: unknown, field: string): MetricSummary {
  const s = obj(v, field);
  return {
    last: num(s['last'], `${field}.last`),
    min: num(s['min'], `${field}.min`),
    max: num(s['max'], `${field}.max`),
    count: num(s['count'], `${field}.count`),
    lastStep: num(s['lastStep'], `${field}.lastStep`),
  };
}

function spec(v: unknown, field: string): RunRecord['spec'] {
  const s = obj(v, field);
  return {
    cmd: str(s['cmd'], `${field}.cmd`),
    ...optional(s, 'paramsFile', relPath, field),
    deps: list(s['deps'], `${field}.deps`, relPath),
    outs: list(s['outs'], `${field}.outs`, (o, f) => {
      const out = obj(o, f);
      return {
        path: relPath(out['path'], `${f}.path`),
        ...optional(out, 'kind', (k, kf) => oneOf(k, kf, ['data', 'model'] as const), f),
      };
    }),
    metrics: list(s['metrics'], `${field}.metrics`, (m, f) => {
      const src = obj(m, f);
      const type = oneOf(src['type'], `${f}.type`, ['stdout', 'file', 'pattern'] as const);
      if (type === 'stdout') return { type };
      if (type === 'file') return { type, file: relPath(src['file'], `${f}.file`) };
      return { type, pattern: str(src['pattern'], `${f}.pattern`) };
    }),
    goal: dict(s['goal'], `${field}.goal`, (g, f) => oneOf(g, f, ['min', 'max'] as const)),
  };
}

/** Checks a parsed run.json (its directory is `id`); throws a RunRecordProblem naming the field. */
export function parseRunRecord(value: unknown, id: string): RunRecord {
  const r = obj(value, '');
  if (!isRunId(r['id']) || r['id'] !== id) fail('id', `is not this run's id (${id})`);
  const cwd = str(r['cwd'], 'cwd');
  const git = obj(r['git'], 'git');
  const diffFile = strOrNull(git['diffFile'], 'git.diffFile');
  if (diffFile !== null && diffFile !== 'diff.patch') fail('git.diffFile', 'is not diff.patch');
  const commit = strOrNull(git['commit'], 'git.commit');
  if (commit !== null && !/^[0-9a-f]{40,64}$/.test(commit)) fail('git.commit', 'is not a commit');
  return {
    id,
    name: str(r['name'], 'name'),
    task: strOrNull(r['task'], 'task'),
    command: str(r['command'], 'command'),
    cwd: cwd === '' ? '' : relPath(cwd, 'cwd'),
    params: dict(r['params'], 'params', paramValue),
    overrides: dict(r['overrides'], 'overrides', paramValue),
    startMs: num(r['startMs'], 'startMs'),
    endMs: numOrNull(r['endMs'], 'endMs'),
    durationMs: numOrNull(r['durationMs'], 'durationMs'),
    exitCode: r['exitCode'] === null ? null : int(r['exitCode'], 'exitCode'),
    signal: strOrNull(r['signal'], 'signal'),
    status: oneOf(r['status'], 'status', [
      'queued',
      'running',
      'completed',
      'failed',
      'stopped',
    ] as const),
    host: str(r['host'], 'host'),
    pid: int(r['pid'], 'pid'),
    git: {
      commit,
      branch: strOrNull(git['branch'], 'git.branch'),
      dirty: git['dirty'] === true,
      diffFile,
    },
    inputs: list(r['inputs'], 'inputs', artifact),
    outputs: list(r['outputs'], 'outputs', artifact),
    summary: dict(r['summary'], 'summary', summary),
    metricPoints: num(r['metricPoints'], 'metricPoints'),
    skippedLines: num(r['skippedLines'], 'skippedLines'),
    spec: spec(r['spec'], 'spec'),
    ...optional(r, 'user', str, ''),
    ...optional(r, 'sweep', str, ''),
    ...optional(r, 'reproduces', str, ''),
    ...optional(r, 'executor', executor, ''),
    ...optional(r, 'error', str, ''),
  };
}

/** Whether an index row has the fields and types `runs ls` shows (else run.json is read). */
export function isSummaryRow(row: unknown): row is RunSummary {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Obj;
  const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return (
    isRunId(r['id']) &&
    typeof r['name'] === 'string' &&
    typeof r['command'] === 'string' &&
    typeof r['status'] === 'string' &&
    typeof r['startMs'] === 'number' &&
    typeof r['host'] === 'string' &&
    typeof r['pid'] === 'number' &&
    isMap(r['params']) &&
    isMap(r['metrics'])
  );
}
