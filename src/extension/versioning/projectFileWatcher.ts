import * as vscode from 'vscode';
import type { Project } from '../../core/project/project.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import type { ArtifactModel } from './artifactModel.js';

/** What a ProjectFileWatcher watches and whom it tells. */
export interface ProjectWatch {
  /** Called on every (re)start with the project; returns what to watch in it. */
  start(project: Project): vscode.RelativePattern;
  /** A file that matched was changed, created or (with `deletions`) deleted. */
  onEvent(project: Project, uri: vscode.Uri): void;
  deletions: boolean;
}

/**
 * A VS Code file watcher (VS Code's own, not chokidar) over part of the current project. Nothing
 * is watched before something asked for the artifacts: it starts with the model's first load,
 * and starts again for the new project when the project changes.
 */
export class ProjectFileWatcher implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly project: WorkspaceProject,
    model: ArtifactModel,
    private readonly watch: ProjectWatch,
  ) {
    this.subscriptions = [
      project.onDidChange(() => this.start()),
      model.onDidChange(() => {
        if (!this.watcher) this.start();
      }),
    ];
  }

  private start(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const project = this.project.current;
    if (!project) return;
    const watcher = vscode.workspace.createFileSystemWatcher(this.watch.start(project));
    const onEvent = (uri: vscode.Uri): void => this.watch.onEvent(project, uri);
    watcher.onDidChange(onEvent);
    watcher.onDidCreate(onEvent);
    if (this.watch.deletions) watcher.onDidDelete(onEvent);
    this.watcher = watcher;
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
