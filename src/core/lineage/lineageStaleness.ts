import type { LineageGraph } from './lineageGraph.js';

/**
 * The stale nodes of a lineage graph: a run is stale when one of its inputs is not the version
 * the workspace names now (another version of that path is current), and so are the versions
 * it produced. Maps each stale run's node id to the input paths that moved on.
 */
export function staleNodes(graph: LineageGraph): Map<string, string[]> {
  const currentHash = new Map<string, string>();
  const artifacts = new Map<string, { path: string; hash: string }>();
  for (const n of graph.nodes) {
    if (n.type !== 'artifact') continue;
    artifacts.set(n.id, n);
    if (n.current) currentHash.set(n.path, n.hash);
  }
  const stale = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (e.type !== 'input') continue;
    const a = artifacts.get(e.from);
    const current = a === undefined ? undefined : currentHash.get(a.path);
    if (a !== undefined && current !== undefined && current !== a.hash)
      stale.set(e.to, [...(stale.get(e.to) ?? []), a.path]);
  }
  for (const e of graph.edges)
    if (e.type === 'output' && stale.has(e.from) && !stale.has(e.to))
      stale.set(e.to, stale.get(e.from)!);
  return stale;
}
