import * as vscode from 'vscode';

/**
 * In Restricted Mode Cairn reads and shows, but runs nothing and changes nothing: no tasks, no
 * Git, no hooks, no writes. Returns whether `what` may go ahead, and tells the user otherwise.
 */
export function allowedToRun(what: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(
      `Cairn does not ${what} in Restricted Mode. Trust this workspace to allow it.`,
      manage,
    )
    .then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
