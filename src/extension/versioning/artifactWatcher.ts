import * as path from 'node:path';
import * as vscode from 'vscode';
import { artifactOfPointerPath } from '../../core/project/project.js';
import type { ArtifactModel } from './artifactModel.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import { ProjectFileWatcher } from './projectFileWatcher.js';

/**
 * Turns workspace file events (VS Code's own watcher, which already watches the workspace) into
 * refreshes of just the artifacts they touch: a changed data file, a new or edited pointer file.
 * The model debounces, so a burst of writes costs one status computation.
 */
export class ArtifactWatcher implements vscode.Disposable {
  private readonly watcher: ProjectFileWatcher;

  constructor(
    project: WorkspaceProject,
    private readonly model: ArtifactModel,
  ) {
    this.watcher = new ProjectFileWatcher(project, model, {
      start: (p) => new vscode.RelativePattern(vscode.Uri.file(p.root), '**/*'),
      onEvent: (p, uri) => this.changed(p.root, uri.fsPath),
      deletions: true,
    });
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
    this.watcher.dispose();
  }
}
