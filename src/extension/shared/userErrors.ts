import * as vscode from 'vscode';
import { CairnError } from '../../core/errors.js';
import { errorMessage, type OperationLog } from './operationLog.js';
import { showErrorMessage } from './notify.js';

/**
 * Shows a failure as one message a user can act on: a CairnError's sentence already says what
 * is wrong and what to do, and offers to open the file it names; anything else is unexpected
 * and points to the log.
 */
export async function showError(log: OperationLog, doing: string, err: unknown): Promise<void> {
  const openFile = 'Open File';
  const showLog = 'Show Log';
  if (err instanceof CairnError) {
    const actions = err.file ? [openFile, showLog] : [showLog];
    const choice = await showErrorMessage(err.message, ...actions);
    if (choice === openFile && err.file) await openAt(err.file, err.line);
    if (choice === showLog) log.output.show(true);
    return;
  }
  log.error(`${doing} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const choice = await showErrorMessage(`Cairn: ${doing} failed: ${errorMessage(err)}`, showLog);
  if (choice === showLog) log.output.show(true);
}

async function openAt(file: string, line?: number): Promise<void> {
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos) });
  } catch {
    // a directory or a binary file: reveal it instead
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(file));
  }
}
