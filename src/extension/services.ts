import type * as vscode from 'vscode';
import type { ArtifactModel } from './artifacts/artifactModel.js';
import type { WorkspaceProject } from './project/workspaceProject.js';
import type { OperationLog } from './shared/operationLog.js';

/** What the surfaces share; built in extension.ts, each part cheap until first used. */
export interface Services {
  readonly extensionUri: vscode.Uri;
  readonly project: WorkspaceProject;
  readonly artifacts: ArtifactModel;
  readonly log: OperationLog;
}
