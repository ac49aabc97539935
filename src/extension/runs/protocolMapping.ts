// Maps core's run records and lineage graph onto the webviews' protocol states. Pure (core is
// imported as types only), so the panels stay free of domain logic and this is unit-tested.
import type { LineageGraph } from '../../core/lineage/lineageGraph.js';
import type { ArtifactVersion, RunRecord } from '../../core/runs/runRecord.js';
import {
  packSeries,
  type CompareState,
  type Goal,
  type MetricSeries,
  type RunRow,
} from '../../protocol/compare.js';
import { encodeNumber } from '../../protocol/guards.js';
import type { LineageEdge, LineageNode, LineageState } from '../../protocol/lineage.js';
import type { RunPageArtifact, RunPageState } from '../../protocol/runPage.js';
import { versionLabel, type CommitName } from '../../core/versioning/versionLabel.js';

/** One run as a compare-table row; the summary's last value is the compared metric. */
export function runRowFromRecord(r: RunRecord): RunRow {
  const metrics: RunRow['metrics'] = {};
  for (const [name, s] of Object.entries(r.summary)) metrics[name] = encodeNumber(s.last);
  const dataVersions: Record<string, string> = {};
  for (const v of [...r.inputs, ...r.outputs]) dataVersions[v.path] = v.hash;
  return {
    id: r.id,
    name: r.name,
    task: r.task,
    status: r.status,
    startedMs: r.startMs,
    durationMs: r.durationMs,
    params: { ...r.params },
    metrics,
    commit: r.git.commit,
    dirty: r.git.dirty,
    dataVersions,
  };
}

/** The compare state of some runs; goals come from each run's task spec (later runs win). */
export function compareStateFromRecords(
  records: readonly RunRecord[],
  series: MetricSeries[] = [],
): CompareState {
  const goals: Record<string, Goal> = {};
  for (const r of records) Object.assign(goals, r.spec.goal);
  return { runs: records.map(runRowFromRecord), goals, series };
}

/** A metric series of one run, packed for the message (see packedNumbers.ts). */
export function metricSeries(
  runId: string,
  metric: string,
  points: readonly { step: number; value: number }[],
): MetricSeries {
  return packSeries(
    runId,
    metric,
    points.map((p) => p.step),
    points.map((p) => p.value),
  );
}

/** What the run page needs beyond the record: read from the work tree, Git and other runs. */
export interface RunPageContext {
  series: MetricSeries[];
  /** The names of runs by id (for "produced by", "reproduces", "previous"). */
  names: ReadonlyMap<string, string>;
  /** Per artifact path: the hash the work tree names now and the run that produced it. */
  current: ReadonlyMap<string, { hash: string; run: string | null }>;
  subject: string | null;
  diff: string | null;
  log: { tail: string; hiddenLines: number };
  previous: string | null;
}

/** The run page of one run: its record, laid out for the page, with names instead of ids. */
export function runPageStateFromRecord(r: RunRecord, c: RunPageContext): RunPageState {
  const named = (id: string | null | undefined): { id: string; name: string } | null =>
    id ? { id, name: c.names.get(id) ?? id } : null;
  const artifact = (v: ArtifactVersion): RunPageArtifact => {
    const now = c.current.get(v.path);
    const current = now?.hash === v.hash;
    return {
      path: v.path,
      kind: v.kind,
      hash: v.hash,
      // Another run's version: a run's own outputs need no "produced by".
      producedBy: current && now.run !== r.id ? named(now.run) : null,
      current,
    };
  };
  return {
    run: {
      id: r.id,
      name: r.name,
      task: r.task,
      status: r.status,
      command: r.command,
      startedMs: r.startMs,
      durationMs: r.durationMs,
      exitCode: r.exitCode,
      host: r.host,
      user: r.user ?? null,
      error: r.error ?? null,
      sweep: r.sweep ?? null,
      reproduces: named(r.reproduces),
    },
    params: Object.keys(r.params)
      .sort()
      .map((key) => ({ key, value: r.params[key]!, overridden: key in r.overrides })),
    metrics: Object.entries(r.summary).map(([name, m]) => ({
      name,
      last: encodeNumber(m.last),
      min: encodeNumber(m.min),
      max: encodeNumber(m.max),
      count: m.count,
      goal: r.spec.goal[name] ?? null,
    })),
    series: c.series,
    inputs: r.inputs.map(artifact),
    outputs: r.outputs.map(artifact),
    code: {
      commit: r.git.commit,
      subject: c.subject,
      branch: r.git.branch,
      dirty: r.git.dirty,
      diff: c.diff,
    },
    log: c.log,
    previous: named(c.previous),
  };
}

/** The stages a model version holds in the registry (`prod, staging`), or ''. */
function stagesOf(n: { registered?: readonly { stages: readonly string[] }[] }): string {
  return [...new Set((n.registered ?? []).flatMap((r) => r.stages))].join(', ');
}

/**
 * The lineage state of a core graph: artifact versions, runs, and the commits that ran them or
 * introduced a version. A run is stale when one of its inputs is not the version the workspace
 * names now (another version of that path is current); the versions it produced are stale too.
 */
export function lineageStateFromGraph(
  graph: LineageGraph,
  focusId: string | null = null,
): LineageState {
  const nodes: LineageNode[] = [];
  const edges: LineageEdge[] = [];
  const currentHash = new Map<string, string>();
  for (const n of graph.nodes)
    if (n.type === 'artifact' && n.current) currentHash.set(n.path, n.hash);
  const artifacts = new Map<string, { path: string; hash: string }>();
  for (const n of graph.nodes) if (n.type === 'artifact') artifacts.set(n.id, n);
  const staleRuns = new Set<string>();
  for (const e of graph.edges) {
    if (e.type !== 'input') continue;
    const a = artifacts.get(e.from);
    const current = a === undefined ? undefined : currentHash.get(a.path);
    if (a !== undefined && current !== undefined && current !== a.hash) staleRuns.add(e.to);
  }
  const staleOutputs = new Set<string>();
  for (const e of graph.edges)
    if (e.type === 'output' && staleRuns.has(e.from)) staleOutputs.add(e.to);
  const commits = new Map(graph.commits.map((c) => [c.hash, c]));
  const commitName = (hash: string | undefined): CommitName | undefined => {
    const c = hash === undefined ? undefined : commits.get(hash);
    return c === undefined ? undefined : { commit: c.hash, tag: c.tag, subject: c.subject };
  };
  const usedCommits = new Set<string>();
  const commitId = (hash: string): string => `commit:${hash}`;
  for (const n of graph.nodes) {
    if (n.type === 'artifact') {
      nodes.push({
        id: n.id,
        kind: n.kind === 'model' ? 'model' : 'data',
        // The content hash, named by the commit that introduced it (its tag or subject).
        label: `${n.path} @${versionLabel(n.hash, commitName(n.commits[0]))}${stagesOf(n) ? ` · ${stagesOf(n)}` : ''}`,
        detail: [
          n.commits.length > 0
            ? `introduced in ${n.commits.map((c) => versionLabel(c, commitName(c))).join(', ')}`
            : 'not committed',
          ...(n.registered ?? []).map(
            (r) =>
              `registered as ${r.name}@${r.version}${r.stages.length ? ` (${r.stages.join(', ')})` : ''}`,
          ),
        ].join('; '),
        path: n.path,
        hash: n.hash,
        runId: null,
        status: null,
        timeMs: n.commits.length > 0 ? (commits.get(n.commits[0]!)?.timeMs ?? null) : null,
        stale: staleOutputs.has(n.id),
        current: n.current,
      });
      for (const c of n.commits) {
        usedCommits.add(c);
        edges.push({ from: commitId(c), to: n.id, kind: 'commit' });
      }
    } else {
      nodes.push({
        id: n.id,
        kind: 'run',
        label: n.name,
        detail: `${n.task ?? 'command'} · ${n.status}`,
        path: null,
        hash: null,
        runId: n.runId,
        status: n.status,
        timeMs: n.startMs,
        stale: staleRuns.has(n.id),
        current: false,
      });
      if (n.commit !== null) {
        usedCommits.add(n.commit);
        edges.push({ from: commitId(n.commit), to: n.id, kind: 'commit' });
      }
    }
  }
  for (const hash of usedCommits) {
    const c = commits.get(hash);
    nodes.push({
      id: commitId(hash),
      kind: 'commit',
      label: versionLabel(hash, commitName(hash)),
      detail: c?.subject ?? '',
      path: null,
      hash,
      runId: null,
      status: null,
      timeMs: c?.timeMs ?? null,
      stale: false,
      current: false,
    });
  }
  for (const e of graph.edges) edges.push({ from: e.from, to: e.to, kind: e.type });
  return { nodes, edges, focusId };
}
