import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../project/project.js';
import type { ArtifactVersion, RunRecord } from '../runs/runRecord.js';
import { writeFileAtomic } from '../fsSafe.js';
import { processTmpDir } from '../project/project.js';
import { hasObject } from '../versioning/cache.js';
import { readArtifact } from '../versioning/artifacts.js';
import { isManifestObject } from '../versioning/manifest.js';
import { filesOfVersion } from './datasetVersion.js';
import { tableDrift } from './drift.js';
import type { DataFile } from './profile.js';
import { tabularFormatOf } from './tabularReader.js';

/** How a run's input data stands against the work tree's version of it now. */
export interface RunInputState {
  readonly path: string;
  readonly runHash: string;
  /** The version the work tree's pointer file names now (null: no longer tracked). */
  readonly currentHash: string | null;
  /**
   * current: the run used today's version; changed: the data changed since (drift not measured
   * yet, or not measurable); drifted / stable: changed, and the tables in it drifted or not.
   */
  readonly state: 'current' | 'changed' | 'drifted' | 'stable';
  /** Drifted columns, as `file: column`. */
  readonly columns: string[];
  readonly summary?: string;
}

export interface Verdict {
  readonly drifted: boolean;
  readonly columns: string[];
  readonly summary: string;
}

const MAX_TABLES = 5;

function verdictFile(project: Project, from: string, to: string): string {
  return path.join(project.stateDir, 'drift', `${from}-${to}.json`);
}

function readVerdict(project: Project, from: string, to: string): Verdict | undefined {
  try {
    return JSON.parse(fs.readFileSync(verdictFile(project, from, to), 'utf8')) as Verdict;
  } catch {
    return undefined;
  }
}

function currentHashOf(
  project: Project,
  rel: string,
  memo?: Map<string, string | null>,
): string | null {
  const known = memo?.get(rel);
  if (known !== undefined) return known;
  let hash: string | null;
  try {
    hash = readArtifact(project, rel).pointer.hash;
  } catch {
    hash = null;
  }
  memo?.set(rel, hash);
  return hash;
}

function stateOf(
  project: Project,
  input: ArtifactVersion,
  memo?: Map<string, string | null>,
): RunInputState {
  const currentHash = currentHashOf(project, input.path, memo);
  if (currentHash === input.hash)
    return { path: input.path, runHash: input.hash, currentHash, state: 'current', columns: [] };
  const v = currentHash ? readVerdict(project, input.hash, currentHash) : undefined;
  return {
    path: input.path,
    runHash: input.hash,
    currentHash,
    state: v ? (v.drifted ? 'drifted' : 'stable') : 'changed',
    columns: v?.columns ?? [],
    ...(v ? { summary: v.summary } : {}),
  };
}

/**
 * The state of each data input of a run, from hashes and drift already measured (cheap). Pass
 * the same `memo` for many runs, so that each pointer file is read once.
 */
export function runInputStates(
  project: Project,
  run: { readonly inputs?: readonly ArtifactVersion[] | undefined },
  memo?: Map<string, string | null>,
): RunInputState[] {
  return (run.inputs ?? []).filter((i) => i.kind === 'data').map((i) => stateOf(project, i, memo));
}

/**
 * Measures drift for the data inputs of a run that changed since it ran: every table (CSV, TSV,
 * JSON lines; up to five) whose content differs between the two versions. Verdicts are kept in
 * .cairn/state/drift, so the run explorer and the lineage graph can show them without re-reading.
 */
export async function assessRunInputs(
  project: Project,
  record: Pick<RunRecord, 'id' | 'inputs'>,
): Promise<RunInputState[]> {
  for (const input of record.inputs) {
    if (input.kind !== 'data') continue;
    const currentHash = currentHashOf(project, input.path);
    if (!currentHash || currentHash === input.hash) continue;
    await versionDrift(project, input.path, input.hash, currentHash, `run ${record.id}`);
  }
  return runInputStates(project, record);
}

/**
 * Whether a dataset drifted between two versions (by hash): its tables that differ (up to five)
 * compared column by column; undefined when that cannot be measured (no tables in common, or a
 * version the cache lacks). The verdict is kept in .cairn/state/drift.
 */
export async function versionDrift(
  project: Project,
  rel: string,
  fromHash: string,
  toHash: string,
  fromLabel: string,
  toLabel = 'workspace',
): Promise<Verdict | undefined> {
  const kept = readVerdict(project, fromHash, toHash);
  if (kept) return kept;
  if (!hasObject(project.cacheDir, fromHash) || !hasObject(project.cacheDir, toHash))
    return undefined;
  const type = (h: string): 'file' | 'dir' =>
    isManifestObject(project.cacheDir, h) ? 'dir' : 'file';
  const before = filesOfVersion(
    project,
    rel,
    { type: type(fromHash), hash: fromHash },
    '',
    fromLabel,
  );
  const after = filesOfVersion(
    project,
    rel,
    { type: type(toHash), hash: toHash },
    '',
    'the work tree',
  );
  if (!before || !after) return undefined;
  const old = new Map<string, DataFile>(before.files.map((f) => [f.rel, f]));
  const pairs = after.files
    .filter((f) => tabularFormatOf(f.rel) && old.has(f.rel) && old.get(f.rel)!.abs !== f.abs)
    .slice(0, MAX_TABLES);
  if (pairs.length === 0) return undefined;
  const columns: string[] = [];
  const summaries: string[] = [];
  for (const f of pairs) {
    const shown = before.isDirectory ? `${rel}/${f.rel}` : rel;
    const report = await tableDrift(
      shown,
      old.get(f.rel)!,
      f,
      { rev: fromLabel },
      { rev: toLabel },
    );
    for (const c of report.columns) if (c.drifted) columns.push(`${shown}: ${c.name}`);
    summaries.push(report.summary);
  }
  const verdict: Verdict = { drifted: columns.length > 0, columns, summary: summaries.join(' ') };
  fs.mkdirSync(path.dirname(verdictFile(project, fromHash, toHash)), { recursive: true });
  const tmp = processTmpDir(project);
  try {
    writeFileAtomic(verdictFile(project, fromHash, toHash), JSON.stringify(verdict), {
      tmpDir: tmp,
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return verdict;
}
