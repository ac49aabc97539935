import * as path from 'node:path';
import * as vscode from 'vscode';
import { artifactOfPointerPath } from '../../core/project/project.js';
import type { ArtifactModel } from './artifactModel.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';

/**
 * Turns workspace file events (VS Code's own watcher, which already watches the workspace) into
 * refreshes of just the artifacts they touch: a changed data file, a new or edited pointer file.
 * The model debounces, so a burst of writes costs one status computation.
 */
export class ArtifactWatcher implements vscode.Disposable {
  private watcher: vscode.FileSystemWatcher | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly project: WorkspaceProject,
    private readonly model: ArtifactModel,
  ) {
    // Nothing to watch before something asked for the artifacts: start with the first load.
    this.subscriptions.push(
      project.onDidChange(() => this.start()),
      model.onDidChange(() => {
        if (!this.watcher) this.start();
      }),
    );
  }

  private start(): void {
    this.watcher?.dispose();
    this.watcher = undefined;
    const project = this.project.current;
    if (!project) return;
    this.watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(project.root), '**/*'),
    );
    const onEvent = (uri: vscode.Uri): void => this.changed(project.root, uri.fsPath);
    this.watcher.onDidChange(onEvent);
    this.watcher.onDidCreate(onEvent);
    this.watcher.onDidDelete(onEvent);
  }

  private changed(root: string, fsPath: string): void {
    const rel = path.relative(root, fsPath).split(path.sep).join('/');
    if (
      rel.startsWith('..') ||
      rel === '' ||
      rel.startsWith('.cairn/') ||
      rel.startsWith('.git/')
    ) {
      return;
    }
    const artifact = artifactOfPointerPath(rel);
    if (artifact !== undefined) {
      this.model.refresh([artifact]);
      return;
    }
    const touched = this.model.known
      .filter((a) => rel === a.path || rel.startsWith(`${a.path}/`) || a.path.startsWith(`${rel}/`))
      .map((a) => a.path);
    if (touched.length > 0) this.model.refresh(touched);
  }

  dispose(): void {
    this.watcher?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
