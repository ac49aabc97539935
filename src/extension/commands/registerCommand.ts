import * as vscode from 'vscode';
import type { CommandId } from '../ids.js';
import type { Services } from '../services.js';
import { showError } from '../shared/userErrors.js';

/**
 * Registers a command whose failures reach the user as one actionable message (and the log),
 * never as an unhandled rejection.
 */
export function registerCommand(
  services: Services,
  id: CommandId,
  doing: string,
  handler: (...args: never[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await (handler as (...a: unknown[]) => unknown)(...args);
    } catch (err) {
      // Not awaited: the command has ended; the message waits for the user.
      void showError(services.log, doing, err);
      return undefined;
    }
  });
}
