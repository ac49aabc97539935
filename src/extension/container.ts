import * as vscode from 'vscode';
import { ReadOnlyDocuments, READ_ONLY_SCHEME } from './runs/readOnlyDocuments.js';
import { RunModel } from './runs/runModel.js';
import { CairnStatusBar } from './shared/cairnStatusBar.js';
import { ContextKeys } from './shared/contextKeys.js';
import { OperationLog } from './shared/operationLog.js';
import { PanelMessages } from './shared/panelMessages.js';
import { WorkspaceProject } from './shared/workspaceProject.js';
import { ArtifactModel } from './versioning/artifactModel.js';
import { RemoteState } from './versioning/remoteState.js';

/**
 * What the features share, each part built on first use and disposed with the extension (the
 * GitLens container): activate() builds the container, and every feature's register() takes it.
 * The heavy halves (engine.ts) are loaded by shared/engineLoader.ts, not kept here.
 */
export class Container {
  private readonly built = new Map<string, unknown>();

  /** The extension's context (its URI, its terminals' environment, its subscriptions). */
  constructor(readonly context: vscode.ExtensionContext) {}

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  /** The Cairn output channel. */
  get log(): OperationLog {
    return this.lazy('log', () => new OperationLog());
  }

  /** The project of this window (looked up on first use). */
  get project(): WorkspaceProject {
    return this.lazy('project', () => new WorkspaceProject(this.contexts));
  }

  /** The context keys the extension sets (when clauses, the walkthrough's progress). */
  get contexts(): ContextKeys {
    return this.lazy('contexts', () => new ContextKeys());
  }

  /** The tracked artifacts and their states (versioning owns them; data and runs read them). */
  get artifacts(): ArtifactModel {
    return this.lazy('artifacts', () => new ArtifactModel(this.project, this.log, this.contexts));
  }

  /** Whether the artifacts' versions are on the default remote (versioning owns it). */
  get remotes(): RemoteState {
    return this.lazy('remotes', () => new RemoteState(this.project, this.log));
  }

  /** The recorded runs (runs owns them; data reads them). */
  get runs(): RunModel {
    return this.lazy('runs', () => new RunModel(this.project, this.log, this.contexts));
  }

  /** Read-only Markdown documents the extension shows (comparisons, lineage, maturity). */
  get documents(): ReadOnlyDocuments {
    return this.lazy('documents', () => {
      const docs = new ReadOnlyDocuments();
      this.own(vscode.workspace.registerTextDocumentContentProvider(READ_ONLY_SCHEME, docs));
      return docs;
    });
  }

  /** The one status bar item, to which features add their counts. */
  get statusBar(): CairnStatusBar {
    return this.lazy('statusBar', () => new CairnStatusBar(this.artifacts));
  }

  /** What the panels delivered to their pages (an event; see activate()'s API). */
  get panelMessages(): PanelMessages {
    return this.lazy('panelMessages', () => new PanelMessages());
  }

  /** Disposes `d` with the extension; returns it. */
  own<T extends vscode.Disposable>(d: T): T {
    this.context.subscriptions.push(d);
    return d;
  }

  private lazy<T extends vscode.Disposable>(key: string, build: () => T): T {
    let value = this.built.get(key) as T | undefined;
    if (!value) {
      value = this.own(build());
      this.built.set(key, value);
    }
    return value;
  }
}
