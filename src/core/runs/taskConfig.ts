import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { assertSafeRelativePath } from '../fsSafe.js';
import { lineOf, readConfig, type ProjectConfig } from '../project/config.js';
import { assertParamKey, splitNewParamMark } from './paramKeys.js';
import type { Project } from '../project/project.js';

/** A parameter value as recorded: typed from its text (`0.1` is a number, `adam` a string). */
export type ParamValue = string | number | boolean | null;

/** Which way a metric improves. */
export type Goal = 'min' | 'max';

/** Where a task's metrics come from. */
export type MetricSource =
  | { readonly type: 'stdout' }
  | { readonly type: 'file'; readonly file: string }
  | { readonly type: 'pattern'; readonly pattern: string };

/** An output the task produces, versioned after a successful run. */
export interface TaskOut {
  readonly path: string;
  readonly kind?: 'data' | 'model';
}

/** A validated task from cairn.yaml (`tasks.<name>`), plain JSON. */
export interface TaskSpec {
  readonly name: string;
  readonly cmd: string;
  /** Project-relative params file the program reads; overrides are written through it. */
  readonly paramsFile?: string;
  readonly paramDefaults: Record<string, ParamValue>;
  readonly deps: readonly string[];
  readonly outs: readonly TaskOut[];
  readonly metrics: readonly MetricSource[];
  readonly goal: Record<string, Goal>;
  /** The executor the task runs on unless told otherwise (`on:`; absent: here). */
  readonly on?: string;
  /** Line of the task in cairn.yaml, for CodeLenses and errors. */
  readonly line?: number;
}

const TASK_KEYS = new Set([
  'cmd',
  'params',
  'deps',
  'outs',
  'metrics',
  'goal',
  'on',
  'description',
]);

/** Types a parameter given as text: numbers, booleans and null by their YAML spelling, else a string. */
export function parseParamValue(text: string): ParamValue {
  const t = text.trim();
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'True') return true;
  if (t === 'false' || t === 'False') return false;
  if (t === 'null' || t === '~' || t === 'None') return null;
  return text;
}

/** `-p` overrides: the typed values, and the keys given as `+key`, which may be new params. */
export interface OverrideArgs {
  readonly overrides: Record<string, ParamValue>;
  readonly newParams: string[];
}

/**
 * Parses `key=value` overrides (as given to `-p`; `+key=value` adds a param the task does not
 * have yet) into typed values; errors name the bad one.
 */
export function parseOverrideArgs(items: readonly string[]): OverrideArgs {
  // A plain object is safe: keys that reach a prototype are refused below.
  const overrides: Record<string, ParamValue> = {};
  const newParams: string[] = [];
  for (const item of items) {
    const { added, text } = splitNewParamMark(item);
    const eq = text.indexOf('=');
    const key = eq > 0 ? text.slice(0, eq).trim() : '';
    if (eq <= 0 || !/^[A-Za-z_][\w.-]*$/.test(key)) {
      throw new CairnError(
        'usage',
        `-p ${item}: a parameter is given as key=value (for example -p lr=0.1; -p +key=value adds a new one)`,
      );
    }
    assertParamKey(key, `-p ${item}`);
    overrides[key] = parseParamValue(text.slice(eq + 1));
    if (added) newParams.push(key);
  }
  return { overrides, newParams };
}

/** Parses `key=value` overrides (as given to `-p`) into typed values; errors name the bad one. */
export function parseOverrides(items: readonly string[]): Record<string, ParamValue> {
  return parseOverrideArgs(items).overrides;
}

/** The line of a mapping key itself (where `train:` is written), not of its value. */
function keyLine(config: ProjectConfig, keyPath: (string | number)[]): number | undefined {
  return config.keyLines.get(keyPath) ?? lineOf(config.doc, config.lines, keyPath);
}

/** A configuration error naming cairn.yaml's line and the key path. */
export function fail(config: ProjectConfig, keyPath: (string | number)[], what: string): never {
  const rel = path.basename(config.file);
  const line = keyLine(config, keyPath) ?? 1;
  throw new CairnError(
    'bad-config',
    `${rel}:${line}: ${keyPath.join('.')} ${what}`,
    config.file,
    line,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function relPath(config: ProjectConfig, keyPath: (string | number)[], v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') fail(config, keyPath, 'must be a path (a string)');
  const p = v.trim().replace(/\/+$/, '');
  try {
    return assertSafeRelativePath(p.replace(/^\.\//, ''), 'cairn.yaml');
  } catch {
    fail(config, keyPath, `must be a path inside the project, not ${JSON.stringify(v)}`);
  }
}

function flattenParams(
  value: Record<string, unknown>,
  prefix: string,
  out: Record<string, ParamValue>,
): void {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isRecord(v)) flattenParams(v, key, out);
    else if (v === null || ['string', 'number', 'boolean'].includes(typeof v))
      out[key] = v as ParamValue;
    else out[key] = JSON.stringify(v);
  }
}

function validateTask(config: ProjectConfig, name: string, raw: unknown): TaskSpec {
  const at = ['tasks', name];
  if (typeof raw === 'string') raw = { cmd: raw };
  if (!isRecord(raw)) fail(config, at, 'must be a mapping with at least cmd:');
  for (const key of Object.keys(raw)) {
    if (!TASK_KEYS.has(key))
      fail(
        config,
        [...at, key],
        `is not a task field; use cmd, params, deps, outs, metrics, goal or on`,
      );
  }
  const cmd = raw['cmd'];
  if (typeof cmd !== 'string' || cmd.trim() === '')
    fail(config, raw['cmd'] === undefined ? at : [...at, 'cmd'], 'needs cmd: the command to run');

  let paramsFile: string | undefined;
  const paramDefaults: Record<string, ParamValue> = {};
  const params = raw['params'];
  if (typeof params === 'string') paramsFile = relPath(config, [...at, 'params'], params);
  else if (isRecord(params)) {
    for (const k of Object.keys(params)) {
      if (k !== 'file' && k !== 'defaults')
        fail(config, [...at, 'params', k], 'is not allowed; params takes file: and defaults:');
    }
    if (params['file'] !== undefined)
      paramsFile = relPath(config, [...at, 'params', 'file'], params['file']);
    const defaults = params['defaults'];
    if (defaults !== undefined) {
      if (!isRecord(defaults))
        fail(config, [...at, 'params', 'defaults'], 'must be a mapping of name to value');
      flattenParams(defaults, '', paramDefaults);
    }
  } else if (params !== undefined && params !== null)
    fail(
      config,
      [...at, 'params'],
      'must be a params file path or a mapping with file: and defaults:',
    );
  if (paramsFile && !/\.(ya?ml|json)$/i.test(paramsFile))
    fail(config, [...at, 'params'], 'must name a .yaml, .yml or .json file');

  const list = (key: string): unknown[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v)) fail(config, [...at, key], 'must be a list');
    return v as unknown[];
  };
  const deps = list('deps').map((d, i) => relPath(config, [...at, 'deps', i], d));
  const outs: TaskOut[] = list('outs').map((o, i) => {
    if (isRecord(o)) {
      const kind = o['kind'];
      if (kind !== undefined && kind !== 'data' && kind !== 'model')
        fail(config, [...at, 'outs', i, 'kind'], 'must be data or model');
      return {
        path: relPath(config, [...at, 'outs', i, 'path'], o['path']),
        ...(kind ? { kind } : {}),
      };
    }
    return { path: relPath(config, [...at, 'outs', i], o) };
  });
  const metrics: MetricSource[] = list('metrics').map((m, i) => {
    if (m === 'stdout') return { type: 'stdout' };
    if (isRecord(m) && typeof m['file'] === 'string') {
      const file = relPath(config, [...at, 'metrics', i, 'file'], m['file']);
      if (!/\.(json|ya?ml|csv)$/i.test(file))
        fail(config, [...at, 'metrics', i, 'file'], 'must be a .json, .yaml or .csv file');
      return { type: 'file', file };
    }
    if (isRecord(m) && typeof m['pattern'] === 'string') {
      const pattern = m['pattern'];
      try {
        const re = new RegExp(pattern);
        if (!/\(\?<\w+>/.test(pattern)) throw new Error('no named groups');
        void re;
      } catch {
        fail(
          config,
          [...at, 'metrics', i, 'pattern'],
          'must be a regular expression with named groups, e.g. "loss (?<loss>\\S+)"',
        );
      }
      return { type: 'pattern', pattern };
    }
    fail(config, [...at, 'metrics', i], 'must be stdout, {file: <path>} or {pattern: <regex>}');
  });
  const goal: Record<string, Goal> = {};
  const goalRaw = raw['goal'];
  if (goalRaw !== undefined && goalRaw !== null) {
    if (!isRecord(goalRaw)) fail(config, [...at, 'goal'], 'must map metric names to min or max');
    for (const [k, v] of Object.entries(goalRaw)) {
      if (v !== 'min' && v !== 'max') fail(config, [...at, 'goal', k], 'must be min or max');
      goal[k] = v;
    }
  }
  const on = raw['on'];
  if (on !== undefined && on !== null && (typeof on !== 'string' || on.trim() === ''))
    fail(config, [...at, 'on'], 'must name an executor from executors: (or local)');
  const line = keyLine(config, at);
  return {
    name,
    cmd: cmd.trim(),
    ...(paramsFile ? { paramsFile } : {}),
    paramDefaults,
    deps,
    outs,
    // With no metrics declared, the program's output is still read.
    metrics: metrics.length > 0 ? metrics : [{ type: 'stdout' }],
    goal,
    ...(typeof on === 'string' && on.trim() !== 'local' ? { on: on.trim() } : {}),
    ...(line !== undefined ? { line } : {}),
  };
}

/** Every task in cairn.yaml, validated; errors name the file, line and field. */
export function readTasks(project: Project): TaskSpec[] {
  const config = readConfig(project);
  const tasks = config.raw['tasks'];
  if (tasks === undefined || tasks === null) return [];
  if (!isRecord(tasks)) fail(config, ['tasks'], 'must be a mapping of task name to task');
  return Object.entries(tasks).map(([name, raw]) => {
    if (!/^[A-Za-z0-9_][\w.-]*$/.test(name))
      fail(config, ['tasks', name], 'is not a valid task name (letters, digits, _ . -)');
    return validateTask(config, name, raw);
  });
}

/** One task by name, or an error that lists the tasks there are. */
export function getTask(project: Project, name: string): TaskSpec {
  const tasks = readTasks(project);
  const task = tasks.find((t) => t.name === name);
  if (!task) {
    const names = tasks.map((t) => t.name);
    throw new CairnError(
      'not-found',
      `No task '${name}' in cairn.yaml; ${names.length > 0 ? `the tasks are: ${names.join(', ')}` : 'add it under tasks: with a cmd:'}`,
      project.configFile,
    );
  }
  return task;
}
