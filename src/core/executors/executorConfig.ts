// `executors:` in cairn.yaml: where runs can be sent besides this machine.
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { readConfig, type ProjectConfig, type SshRemoteConfig } from '../project/config.js';
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

/**
 * One machine reached over SSH (keys, ~/.ssh/config and known_hosts as for an ssh:// remote). A
 * run's files and data go there through the connection; its process outlives the connection.
 */
export interface SshExecutor {
  readonly name: string;
  readonly type: 'ssh';
  /** As written (`alice@trainbox`, `trainbox:2222`, or a Host of ~/.ssh/config). */
  readonly host: string;
  /** The host's folder for jobs and for the cache of their data (relative: to the login folder). */
  readonly workdir: string;
  readonly setup?: string;
  /** How the host starts Cairn; default `cairn` (on the host's PATH). */
  readonly cairn?: string;
  /** The host part of `host`, its user and port, as an ssh:// remote's. */
  readonly remote: SshRemoteConfig;
}

export type ExecutorConfig = SlurmExecutor | SshExecutor;

const SSH_KEYS = ['type', 'host', 'workdir', 'setup', 'cairn'];

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
  if (!isRecord(raw)) fail(config, at, 'must be a mapping with type: slurm or type: ssh');
  const type = raw['type'];
  if (type !== 'slurm' && type !== 'ssh')
    fail(
      config,
      raw['type'] === undefined ? at : [...at, 'type'],
      'needs type: slurm or type: ssh',
    );
  const keys = type === 'ssh' ? SSH_KEYS : SLURM_KEYS;
  for (const key of Object.keys(raw))
    if (!keys.includes(key))
      fail(config, [...at, key], `is not a ${type} executor field; use ${keys.join(', ')}`);
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
  const setup = raw['setup'];
  if (setup !== undefined && setup !== null && typeof setup !== 'string')
    fail(config, [...at, 'setup'], 'must be shell lines (a string)');
  const args = raw['sbatch_args'];
  if (
    args !== undefined &&
    (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || !a.startsWith('-')))
  )
    fail(config, [...at, 'sbatch_args'], 'must be a list of sbatch options such as --qos=short');
  if (type === 'ssh') {
    const host = text(
      'host',
      /^(?:[^@\s/:]+@)?[^@\s/:]+(?::\d{1,5})?$/,
      'must be [user@]host[:port]',
    );
    if (!host) fail(config, at, 'needs host: [user@]host[:port] (or a Host of ~/.ssh/config)');
    const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(host)!;
    const workdir = text('workdir') ?? '.cairn-jobs';
    const cairn = text('cairn');
    return {
      name,
      type: 'ssh',
      host,
      workdir,
      ...(typeof setup === 'string' && setup.trim() ? { setup } : {}),
      ...(cairn ? { cairn } : {}),
      remote: {
        kind: 'ssh',
        name: `executor-${name}`,
        url: `ssh://${host}/${workdir}`,
        isDefault: false,
        host: m[2]!,
        path: workdir,
        ...(m[1] ? { user: m[1] } : {}),
        ...(m[3] ? { port: Number(m[3]) } : {}),
      },
    };
  }
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
    `No executor '${name}' in cairn.yaml; ${all.length > 0 ? `the executors are: local, ${all.map((e) => e.name).join(', ')}` : 'declare it under executors: (for example gpu: { type: slurm, partition: gpu } or box: { type: ssh, host: alice@trainbox })'}`,
    project.configFile,
  );
}

/** The resources a job asks for, as a short line for records and tooltips. */
export function resourcesText(e: ExecutorConfig): string {
  if (e.type === 'ssh') return '';
  return [
    e.gpus !== undefined ? `gpus=${e.gpus}` : '',
    e.cpus !== undefined ? `cpus=${e.cpus}` : '',
    e.mem ? `mem=${e.mem}` : '',
    e.time ? `time=${e.time}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
