import type * as vscode from 'vscode';
import type { OperationLog } from './operationLog.js';
import type { PanelMessages } from './panelMessages.js';
import type { PanelContext } from './webviewPanel.js';
import type { WorkspaceProject } from './workspaceProject.js';

/** What the panels (in the lazily loaded engine) use of the extension: a narrow, light part. */
export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly project: WorkspaceProject;
  readonly log: OperationLog;
  readonly panelMessages: PanelMessages;
}

/** Where a feature's panels open: the host's resources and messages, disposed with `subscriptions`. */
export function panelContext(host: PanelHost, subscriptions: vscode.Disposable[]): PanelContext {
  return { extensionUri: host.extensionUri, subscriptions, panelMessages: host.panelMessages };
}
