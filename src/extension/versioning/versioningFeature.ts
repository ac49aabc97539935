import * as vscode from 'vscode';
import type { Container } from '../container.js';
import { ids } from '../ids.js';
import { ArtifactDecorations } from './artifactDecorations.js';
import { ArtifactTree } from './artifactTree.js';
import { ArtifactWatcher } from './artifactWatcher.js';
import { BranchWatcher } from './branchWatcher.js';
import { checkoutWithProgress, registerVersioningCommands } from './versioningCommands.js';

/** What the versioning feature shows, for the host tests (through activate()'s API). */
export interface VersioningSurfaces {
  readonly artifactTree: ArtifactTree;
  readonly decorations: ArtifactDecorations;
  readonly branchWatcher: BranchWatcher;
}

/** Versioning: the artifacts view, decorations, track/checkout/push/pull/gc/hooks, branch follow. */
export function register(c: Container): VersioningSurfaces {
  const artifactTree = c.own(new ArtifactTree(c.artifacts, c.remotes));
  const decorations = c.own(new ArtifactDecorations(c.artifacts));
  const branchWatcher = c.own(
    new BranchWatcher(
      c.project,
      c.artifacts,
      async (reason) => {
        await checkoutWithProgress(c, undefined, reason);
      },
      c.log,
    ),
  );
  c.own(
    vscode.window.createTreeView(ids.views.artifacts, {
      treeDataProvider: artifactTree,
      showCollapseAll: true,
    }),
  );
  c.own(vscode.window.registerFileDecorationProvider(decorations));
  c.own(new ArtifactWatcher(c.project, c.artifacts));
  for (const d of registerVersioningCommands(c)) c.own(d);
  return { artifactTree, decorations, branchWatcher };
}
