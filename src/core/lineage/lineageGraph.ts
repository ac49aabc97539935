import { gitMaybe } from '../git/git.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import type { RunStatus } from '../runs/runRecord.js';
import { listRuns, readRun } from '../runs/runStore.js';
import { readRegistry } from '../registry/registry.js';
import { listArtifacts } from '../versioning/artifacts.js';
import { commitNames } from '../versioning/commitNames.js';

/** A version of an artifact: the commits that named it and the run that produced it. */
export interface ArtifactVersionNode {
  readonly type: 'artifact';
  /** `artifact:<path>@<hash>` */
  readonly id: string;
  readonly path: string;
  readonly hash: string;
  readonly kind: 'data' | 'model' | null;
  /** Commits whose pointer file introduced this version, oldest first. */
  readonly commits: string[];
  /** The version the work tree's pointer file names now. */
  readonly current: boolean;
  /** Where the registry has this version: `churn@v1.3.0` and the stages it holds. */
  readonly registered?: readonly { name: string; version: string; stages: readonly string[] }[];
}

export interface RunNode {
  readonly type: 'run';
  /** `run:<id>` */
  readonly id: string;
  readonly runId: string;
  readonly name: string;
  readonly task: string | null;
  readonly status: RunStatus;
  readonly startMs: number;
  readonly commit: string | null;
  readonly metrics: Record<string, number>;
}

export type LineageNode = ArtifactVersionNode | RunNode;

export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  /** input: artifact version → run; output: run → artifact version. */
  readonly type: 'input' | 'output';
}

export interface CommitInfo {
  readonly hash: string;
  readonly timeMs: number;
  readonly subject: string;
  /** A tag on the commit (see commitNames), or null. */
  readonly tag: string | null;
}

/** artifact versions → runs → artifact versions, with the commits involved. Plain JSON. */
export interface LineageGraph {
  readonly nodes: LineageNode[];
  readonly edges: LineageEdge[];
  readonly commits: CommitInfo[];
}

const artifactId = (path: string, hash: string) => `artifact:${path}@${hash}`;

/** Versions introduced by each commit, from one `git log -p` over the pointer files. */
async function pointerHistory(root: string): Promise<{
  versions: Map<
    string,
    { path: string; hash: string; kind: 'data' | 'model' | null; commits: string[] }
  >;
  commits: Map<string, CommitInfo>;
}> {
  const out =
    (await gitMaybe(root, [
      'log',
      '--reverse',
      '--no-color',
      '--no-ext-diff',
      '--unified=0',
      '--format=%x01%H%x02%ct%x02%s',
      '-p',
      '--',
      ':(glob)**/*' + POINTER_SUFFIX,
    ])) ?? '';
  const versions = new Map<
    string,
    { path: string; hash: string; kind: 'data' | 'model' | null; commits: string[] }
  >();
  const commits = new Map<string, CommitInfo>();
  // A diff with no context shows `kind:` only where it changed, so a later version of a path
  // has the kind its file last set (usually in the commit that added it).
  const kindOf = new Map<string, 'data' | 'model'>();
  let commit = '';
  let file = '';
  let kind: 'data' | 'model' | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('\x01')) {
      const [hash = '', ct = '0', subject = ''] = line.slice(1).split('\x02');
      commit = hash;
      commits.set(hash, { hash, timeMs: Number(ct) * 1000, subject, tag: null });
    } else if (line.startsWith('+++ ')) {
      const p = line.slice(4);
      file =
        p.startsWith('b/') && p.endsWith(POINTER_SUFFIX) ? p.slice(2, -POINTER_SUFFIX.length) : '';
      kind = kindOf.get(file) ?? null;
    } else if (file && line.startsWith('+kind: ')) {
      const k = line.slice(7).trim();
      kind = k === 'model' || k === 'data' ? k : null;
      if (kind !== null) kindOf.set(file, kind);
    } else if (file && line.startsWith('+hash: ')) {
      const hash = line.slice(7).trim();
      const id = artifactId(file, hash);
      const v = versions.get(id) ?? { path: file, hash, kind, commits: [] };
      if (!v.commits.includes(commit)) v.commits.push(commit);
      versions.set(id, v);
    }
  }
  // The hash line can come before the kind line of the same hunk.
  for (const v of versions.values()) v.kind ??= kindOf.get(v.path) ?? null;
  return { versions, commits };
}

/**
 * Builds the lineage graph from run records and Git history. With `focus` (a run id or an
 * artifact path), only what is connected to it, upstream and downstream.
 */
export async function buildLineage(project: Project, focus?: string): Promise<LineageGraph> {
  const { versions, commits } = await pointerHistory(project.root);
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const current = new Set<string>();
  // The work tree's pointer file says what an artifact is (as the Artifacts view does); its
  // older versions are the same kind of thing.
  const workTreeKind = new Map<string, 'data' | 'model'>();
  try {
    for (const a of await listArtifacts(project)) {
      const id = artifactId(a.path, a.pointer.hash);
      current.add(id);
      workTreeKind.set(a.path, a.pointer.kind);
      const v = versions.get(id);
      if (v === undefined)
        versions.set(id, { path: a.path, hash: a.pointer.hash, kind: a.pointer.kind, commits: [] });
      else v.kind = a.pointer.kind;
    }
  } catch {
    /* a malformed pointer file leaves its artifact out; status reports it */
  }
  const addArtifact = (path: string, hash: string, kind: 'data' | 'model' | null) => {
    const id = artifactId(path, hash);
    if (!nodes.has(id)) {
      const v = versions.get(id);
      nodes.set(id, {
        type: 'artifact',
        id,
        path,
        hash,
        kind: workTreeKind.get(path) ?? v?.kind ?? kind,
        commits: v?.commits ?? [],
        current: current.has(id),
      });
    }
    return id;
  };
  for (const v of versions.values()) addArtifact(v.path, v.hash, v.kind);
  for (const row of listRuns(project)) {
    let rec;
    try {
      rec = readRun(project, row.id);
    } catch {
      continue;
    }
    const id = `run:${rec.id}`;
    nodes.set(id, {
      type: 'run',
      id,
      runId: rec.id,
      name: rec.name,
      task: rec.task,
      status: rec.status,
      startMs: rec.startMs,
      commit: rec.git.commit,
      metrics: row.metrics,
    });
    for (const a of rec.inputs)
      edges.push({ from: addArtifact(a.path, a.hash, a.kind), to: id, type: 'input' });
    for (const a of rec.outputs)
      edges.push({ from: id, to: addArtifact(a.path, a.hash, a.kind), type: 'output' });
  }
  let keep: Set<string> | undefined;
  if (focus !== undefined) {
    const f = focus.replace(/\/+$/, '').replace(new RegExp(`\\${POINTER_SUFFIX}$`), '');
    const start = [...nodes.values()].filter((n) =>
      n.type === 'run'
        ? n.runId === f || n.runId.startsWith(f) || n.name === f
        : n.path === f || n.id === f,
    );
    keep = new Set(start.map((n) => n.id));
    // Upstream and downstream separately, so siblings of a shared input stay out.
    for (const dir of ['up', 'down'] as const) {
      const queue = start.map((n) => n.id);
      const seen = new Set(queue);
      while (queue.length > 0) {
        const cur = queue.pop()!;
        for (const e of edges) {
          const nextId =
            dir === 'down'
              ? e.from === cur
                ? e.to
                : undefined
              : e.to === cur
                ? e.from
                : undefined;
          if (nextId && !seen.has(nextId)) {
            seen.add(nextId);
            keep.add(nextId);
            queue.push(nextId);
          }
        }
      }
    }
  }
  // Registered model versions: their names and stages go on the version's node.
  try {
    for (const m of await readRegistry(project))
      for (const v of m.versions) {
        const n = nodes.get(artifactId(v.path, v.hash));
        if (n?.type !== 'artifact') continue;
        nodes.set(n.id, {
          ...n,
          registered: [
            ...(n.registered ?? []),
            { name: m.name, version: v.version, stages: v.stages },
          ],
        });
      }
  } catch {
    // no tags to read: the graph without the registry
  }
  const finalNodes = [...nodes.values()].filter((n) => !keep || keep.has(n.id));
  const finalEdges = edges.filter((e) => !keep || (keep.has(e.from) && keep.has(e.to)));
  const used = new Set<string>();
  for (const n of finalNodes) {
    if (n.type === 'run' && n.commit) used.add(n.commit);
    if (n.type === 'artifact') n.commits.forEach((c) => used.add(c));
  }
  const commitList: CommitInfo[] = [];
  const names = await commitNames(project.root, used);
  for (const h of used) {
    const tag = names.get(h)?.tag ?? null;
    const c = commits.get(h);
    if (c) commitList.push({ ...c, tag });
    else {
      const info = (
        await gitMaybe(project.root, ['show', '-s', '--format=%H%x02%ct%x02%s', h])
      )?.trim();
      const [hash = h, ct = '0', subject = ''] = (info ?? '').split('\x02');
      commitList.push({ hash, timeMs: Number(ct) * 1000, subject, tag });
    }
  }
  commitList.sort((a, b) => a.timeMs - b.timeMs);
  return { nodes: finalNodes, edges: finalEdges, commits: commitList };
}
