// `executors:` in cairn.yaml: where runs can be sent besides this machine.
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { readConfig, type ProjectConfig } from '../project/config.js';
import type { Project } from '../project/project.js';
import { fail } from '../runs/taskConfig.js';

/** A SLURM cluster reached through sbatch, squeue, scontrol and scancel on this machine. */
export interface SlurmExecutor {
  readonly name: string;
  readonly type: 'slurm';
  readonly partition?: string;
  readonly gpus?: number;
  readonly cpus?: number;
  /** sbatch's --time (`02:00:00`, `30`, `1-00:00:00`). */
  readonly time?: string;
  /** sbatch's --mem (`16G`). */
  readonly mem?: string;
  /** Shell lines run on the node before the job (`module load python/3.11`). */
  readonly setup?: string;
  /** More sbatch options, as given (`--account=ml`, `--qos=short`). */
  readonly sbatchArgs: readonly string[];
  /**
   * Where the jobs' working folders are made: a folder every node can read and write (a shared
   * file system). Absolute, or relative to the project. Default: .cairn/jobs in the project.
   */
  readonly workdir: string;
  /** How a node starts Cairn (`cairn`, or `/opt/cairn/bin/cairn`); default: as this CLI was started. */
  readonly cairn?: string;
}

export type ExecutorConfig = SlurmExecutor;

const SLURM_KEYS = [
  'type',
  'partition',
  'gpus',
  'cpus',
  'time',
  'mem',
  'setup',
  'sbatch_args',
  'workdir',
  'cairn',
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseExecutor(
  project: Project,
  config: ProjectConfig,
  name: string,
  raw: unknown,
): ExecutorConfig {
  const at = ['executors', name];
  if (!/^[A-Za-z0-9_][\w.-]*$/.test(name) || name === 'local')
    fail(config, at, 'is not a valid executor name (letters, digits, _ . -; not local)');
  if (!isRecord(raw)) fail(config, at, 'must be a mapping with type: slurm');
  const type = raw['type'];
  if (type !== 'slurm')
    fail(
      config,
      raw['type'] === undefined ? at : [...at, 'type'],
      type === 'ssh'
        ? 'type ssh is not supported by this version of Cairn; use type: slurm'
        : 'needs type: slurm',
    );
  for (const key of Object.keys(raw))
    if (!SLURM_KEYS.includes(key))
      fail(config, [...at, key], `is not a slurm executor field; use ${SLURM_KEYS.join(', ')}`);
  const text = (key: string, pattern?: RegExp, what?: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || s.trim() === '') fail(config, [...at, key], 'must be a string');
    if (pattern && !pattern.test(s.trim())) fail(config, [...at, key], what ?? 'is not valid');
    return s.trim();
  };
  const count = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0)
      fail(config, [...at, key], 'must be a whole number');
    return v as number;
  };
  const args = raw['sbatch_args'];
  if (
    args !== undefined &&
    (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || !a.startsWith('-')))
  )
    fail(config, [...at, 'sbatch_args'], 'must be a list of sbatch options such as --qos=short');
  const setup = raw['setup'];
  if (setup !== undefined && setup !== null && typeof setup !== 'string')
    fail(config, [...at, 'setup'], 'must be shell lines (a string)');
  const workdir = text('workdir') ?? path.join(project.dataDir, 'jobs');
  const partition = text('partition', /^[\w.-]+$/, 'must be a partition name');
  const time = text('time', /^[\d:-]+$/, 'must be a SLURM time such as 02:00:00 or 30');
  const mem = text('mem', /^\d+[KMGT]?$/i, 'must be a SLURM memory size such as 16G');
  const gpus = count('gpus');
  const cpus = count('cpus');
  const cairn = text('cairn');
  return {
    name,
    type: 'slurm',
    ...(partition ? { partition } : {}),
    ...(gpus !== undefined ? { gpus } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(time ? { time } : {}),
    ...(mem ? { mem } : {}),
    ...(typeof setup === 'string' && setup.trim() ? { setup } : {}),
    sbatchArgs: (args as string[] | undefined) ?? [],
    workdir: path.resolve(project.root, workdir),
    ...(cairn ? { cairn } : {}),
  };
}

/** The executors cairn.yaml declares, validated; errors name the file, line and key. */
export function readExecutors(project: Project): ExecutorConfig[] {
  const config = readConfig(project);
  const raw = config.raw['executors'];
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw)) fail(config, ['executors'], 'must be a mapping of name to executor');
  return Object.entries(raw).map(([name, e]) => parseExecutor(project, config, name, e));
}

/** One executor by name, or an error that lists those there are. */
export function getExecutor(project: Project, name: string): ExecutorConfig {
  const all = readExecutors(project);
  const found = all.find((e) => e.name === name);
  if (found) return found;
  throw new CairnError(
    'not-found',
    `No executor '${name}' in cairn.yaml; ${all.length > 0 ? `the executors are: local, ${all.map((e) => e.name).join(', ')}` : 'declare it under executors: (for example gpu: { type: slurm, partition: gpu })'}`,
    project.configFile,
  );
}

/** The resources a job asks for, as a short line for records and tooltips. */
export function resourcesText(e: ExecutorConfig): string {
  return [
    e.gpus !== undefined ? `gpus=${e.gpus}` : '',
    e.cpus !== undefined ? `cpus=${e.cpus}` : '',
    e.mem ? `mem=${e.mem}` : '',
    e.time ? `time=${e.time}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
