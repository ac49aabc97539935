import * as vscode from 'vscode';
import type { CommandId } from '../ids.js';
import type { Container } from '../container.js';
import { showError } from './userErrors.js';

/**
 * Registers a command whose failures reach the user as one actionable message (and the log),
 * never as an unhandled rejection.
 */
export function registerCommand(
  container: Container,
  id: CommandId,
  doing: string,
  handler: (...args: never[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      // Not awaited: the command has ended; the message waits for the user.
      void showError(container.log, doing, err);
      return undefined;
    }
  });
}
