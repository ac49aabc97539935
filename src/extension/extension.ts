import * as vscode from 'vscode';
import { ArtifactDecorations } from './artifacts/artifactDecorations.js';
import { ArtifactModel } from './artifacts/artifactModel.js';
import { ArtifactTree } from './artifacts/artifactTree.js';
import { registerRunCommands } from './commands/runCommands.js';
import { LazyPanels } from './webviews/lazyPanels.js';
import { registerDataCommands } from './commands/dataCommands.js';
import { checkoutWithProgress, registerVersioningCommands } from './commands/versioningCommands.js';
import { MetricLensProvider } from './codelens/metricLensProvider.js';
import { READ_ONLY_SCHEME, ReadOnlyDocuments } from './documents/readOnlyDocuments.js';
import { ids } from './ids.js';
import { WorkspaceProject } from './project/workspaceProject.js';
import { RunModel } from './runExplorer/runModel.js';
import { RunTree } from './runExplorer/runTree.js';
import type { Services } from './services.js';
import { OperationLog } from './shared/operationLog.js';
import { CairnStatusBar } from './statusBar/cairnStatusBar.js';
import { CairnTaskProvider, TASK_TYPE } from './terminal/cairnTaskProvider.js';
import { exposeCliInTerminals } from './terminal/cliLauncher.js';
import { ArtifactWatcher } from './watch/artifactWatcher.js';
import { BranchWatcher } from './watch/branchWatcher.js';

// Set by the first line of the bundle (scripts/build.mjs), so that activation time includes
// loading the bundled code, not only the activate() call.
declare const __cairnBundleStart: number | undefined;
declare const __cairnBundleEnd: number | undefined;

/** What activate() returns: timings and the view providers, for the host tests. */
export interface CairnApi {
  readonly activation: { readonly bundleLoadMs: number; readonly activateMs: number };
  readonly artifactTree: ArtifactTree;
  readonly decorations: ArtifactDecorations;
  readonly statusBar: CairnStatusBar;
  readonly artifacts: ArtifactModel;
  readonly branchWatcher: BranchWatcher;
  readonly runs: RunModel;
  readonly runTree: RunTree;
  readonly codeLenses: MetricLensProvider;
  readonly panels: LazyPanels;
}

/** Wires the surfaces together; everything here is cheap, the work starts on first use. */
export function activate(context: vscode.ExtensionContext): CairnApi {
  const started = performance.now();
  const log = new OperationLog();
  const project = new WorkspaceProject();
  const artifacts = new ArtifactModel(project, log);
  const services: Services = { extensionUri: context.extensionUri, project, artifacts, log };
  const artifactTree = new ArtifactTree(artifacts);
  const decorations = new ArtifactDecorations(artifacts);
  const statusBar = new CairnStatusBar(artifacts);
  const branchWatcher = new BranchWatcher(
    project,
    artifacts,
    async (reason) => {
      await checkoutWithProgress(services, undefined, reason);
    },
    log,
  );
  context.subscriptions.push(
    log,
    project,
    artifacts,
    artifactTree,
    decorations,
    statusBar,
    vscode.window.createTreeView(ids.views.artifacts, {
      treeDataProvider: artifactTree,
      showCollapseAll: true,
    }),
    vscode.window.registerFileDecorationProvider(decorations),
    new ArtifactWatcher(project, artifacts),
    branchWatcher,
    ...registerVersioningCommands(services),
  );
  const runs = new RunModel(project, log);
  const runTree = new RunTree(runs);
  const tasks = new CairnTaskProvider(project, runs, context.extensionUri);
  const documents = new ReadOnlyDocuments();
  const panels = new LazyPanels(services);
  const codeLenses = new MetricLensProvider(project, runs);
  statusBar.add({
    onDidChange: runs.onDidChange,
    statusText: () => {
      // Only once something asked for the runs: the status bar does not start the work.
      const n = runs.loaded ? runs.running.length : 0;
      return n > 0 ? `$(sync~spin) ${n} running` : undefined;
    },
  });
  context.subscriptions.push(
    runs,
    runTree,
    documents,
    panels,
    codeLenses,
    vscode.window.createTreeView(ids.views.runs, {
      treeDataProvider: runTree,
      canSelectMany: true,
      showCollapseAll: true,
    }),
    vscode.tasks.registerTaskProvider(TASK_TYPE, tasks),
    vscode.workspace.registerTextDocumentContentProvider(READ_ONLY_SCHEME, documents),
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'python' },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
        { scheme: 'file', pattern: '**/*.{py,yaml,yml,json}' },
      ],
      codeLenses,
    ),
    ...registerRunCommands(services, { runs, tasks, documents, panels }),
    ...registerDataCommands(services, panels, runs),
  );
  exposeCliInTerminals(context);
  const ended = performance.now();
  const activation = {
    bundleLoadMs:
      typeof __cairnBundleStart === 'number' && typeof __cairnBundleEnd === 'number'
        ? __cairnBundleEnd - __cairnBundleStart
        : 0,
    activateMs: ended - started,
  };
  setTimeout(() => {
    log.info(
      `activated in ${(activation.bundleLoadMs + activation.activateMs).toFixed(1)} ms (loading the bundle ${activation.bundleLoadMs.toFixed(1)} ms, activate() ${activation.activateMs.toFixed(1)} ms)`,
    );
  }, 0);
  return {
    activation,
    artifactTree,
    decorations,
    statusBar,
    artifacts,
    branchWatcher,
    runs,
    runTree,
    codeLenses,
    panels,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
