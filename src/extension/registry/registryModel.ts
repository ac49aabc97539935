import * as vscode from 'vscode';
import type { ModelCheck } from '../../core/registry/modelCheck.js';
import type { RegisteredModel } from '../../core/registry/registry.js';
import { engine } from '../shared/engineLoader.js';
import { errorMessage, type OperationLog } from '../shared/operationLog.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';

/** The registered models (from the repository's tags) and whether each prod version is stale. */
export interface RegistryState {
  readonly models: readonly RegisteredModel[];
  /** The check of each model's prod version, by model name. */
  readonly prod: ReadonlyMap<string, ModelCheck>;
}

/**
 * The registry as the Models view shows it: read on first use and again after a change (a tag
 * Cairn made, a fetch that brought tags, new data), each prod version checked for staleness.
 * A stale prod model is said once per version in a warning.
 */
export class RegistryModel implements vscode.Disposable {
  private state: Promise<RegistryState> | undefined;
  private readonly warned = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher | undefined;

  constructor(
    private readonly project: WorkspaceProject,
    private readonly log: OperationLog,
  ) {
    const root = vscode.workspace.workspaceFolders?.[0];
    if (root) {
      // New tags (a push from here, a fetch) and new data versions change what the view says.
      this.watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(root, '{.git/refs/tags/**,.git/packed-refs,**/*.cairn}'),
      );
      const again = () => this.refresh();
      this.watcher.onDidCreate(again);
      this.watcher.onDidChange(again);
      this.watcher.onDidDelete(again);
    }
  }

  /** The registry now (loaded the first time). */
  current(): Promise<RegistryState> {
    return (this.state ??= this.load());
  }

  refresh(): void {
    this.state = undefined;
    this.changed.fire();
  }

  private async load(): Promise<RegistryState> {
    const project = this.project.current;
    if (!project || !vscode.workspace.isTrusted) return { models: [], prod: new Map() };
    try {
      const e = engine().registry;
      const models = await e.readRegistry(project);
      const prodRefs = models.filter((m) => m.stages['prod']).map((m) => `${m.name}#prod`);
      const checks = prodRefs.length > 0 ? await e.checkModels(project, prodRefs, models) : [];
      const prod = new Map(checks.map((c) => [c.model.name, c]));
      for (const c of checks) this.warnIfStale(c);
      return { models, prod };
    } catch (err) {
      this.log.warn(`reading the model registry: ${errorMessage(err)}`);
      return { models: [], prod: new Map() };
    }
  }

  private warnIfStale(c: ModelCheck): void {
    const key = `${c.model.name}@${c.model.version}`;
    if (!c.stale || this.warned.has(key)) return;
    this.warned.add(key);
    void vscode.window
      .showWarningMessage(`Cairn: the production model is stale. ${c.paragraph}`, 'Show Models')
      .then((pick) => {
        if (pick) void vscode.commands.executeCommand('cairn.models.focus');
      });
  }

  dispose(): void {
    this.watcher?.dispose();
    this.changed.dispose();
  }
}
