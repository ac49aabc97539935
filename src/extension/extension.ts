import type * as vscode from 'vscode';
import { Container } from './container.js';
import * as data from './data/dataFeature.js';
import type { DataPanels } from './data/dataPanels.js';
import type { RunPanels } from './runs/runPanels.js';
import * as registry from './registry/registryFeature.js';
import * as runs from './runs/runsFeature.js';
import { engineLoaded } from './shared/engineLoader.js';
import * as versioning from './versioning/versioningFeature.js';
import * as walkthrough from './walkthrough/walkthroughProgress.js';

// Set by the first line of the bundle (scripts/build.mjs), so that activation time includes
// loading the bundled code, not only the activate() call.
declare const __cairnBundleStart: number | undefined;
declare const __cairnBundleEnd: number | undefined;

/** What activate() returns: timings and what each feature shows, for the host tests. */
export interface CairnApi extends versioning.VersioningSurfaces, registry.RegistrySurfaces {
  readonly activation: {
    readonly bundleLoadMs: number;
    readonly activateMs: number;
    /** Whether activate() loaded the heavy halves (dist/engine.js); it must not. */
    readonly loadedEngine: boolean;
  };
  readonly artifacts: Container['artifacts'];
  readonly runs: Container['runs'];
  readonly statusBar: Container['statusBar'];
  readonly runTree: runs.RunsSurfaces['runTree'];
  readonly codeLenses: runs.RunsSurfaces['codeLenses'];
  readonly panels: { readonly run: RunPanels; readonly data: DataPanels };
  /** The context keys as the extension last set them (the walkthrough completes on them). */
  readonly contexts: Container['contexts'];
  /** Fires for every message a panel delivered to its page (what each page was shown). */
  readonly onDidDeliverToPanel: Container['panelMessages']['onDidDeliver'];
}

/** Builds the container and registers each feature; everything is cheap, work starts on first use. */
export function activate(context: vscode.ExtensionContext): CairnApi {
  const started = performance.now();
  const container = new Container(context);
  const versioningSurfaces = versioning.register(container);
  const runsSurfaces = runs.register(container);
  const dataSurfaces = data.register(container);
  const registrySurfaces = registry.register(container);
  walkthrough.register(container);
  const activation = {
    bundleLoadMs:
      typeof __cairnBundleStart === 'number' && typeof __cairnBundleEnd === 'number'
        ? __cairnBundleEnd - __cairnBundleStart
        : 0,
    activateMs: performance.now() - started,
    loadedEngine: engineLoaded(),
  };
  setTimeout(() => {
    container.log.info(
      `activated in ${(activation.bundleLoadMs + activation.activateMs).toFixed(1)} ms (loading the bundle ${activation.bundleLoadMs.toFixed(1)} ms, activate() ${activation.activateMs.toFixed(1)} ms)`,
    );
  }, 0);
  return {
    activation,
    artifacts: container.artifacts,
    runs: container.runs,
    statusBar: container.statusBar,
    contexts: container.contexts,
    ...versioningSurfaces,
    ...registrySurfaces,
    runTree: runsSurfaces.runTree,
    codeLenses: runsSurfaces.codeLenses,
    get onDidDeliverToPanel() {
      return container.panelMessages.onDidDeliver;
    },
    panels: {
      get run() {
        return runsSurfaces.panels();
      },
      get data() {
        return dataSurfaces.panels();
      },
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
