import * as vscode from 'vscode';
import { safeMessage } from './safeText.js';

// The one way the extension shows a notification: names in messages come from files anyone can
// write, so their control characters are shown as escapes (safeText.ts). Same signatures as
// vscode.window's, which is looked up on each call (not captured at load).

/** vscode.window.showInformationMessage, with the message made safe. */
export const showInformation = wrap('showInformationMessage');
/** vscode.window.showWarningMessage, with the message made safe. */
export const showWarning = wrap('showWarningMessage');
/** vscode.window.showErrorMessage, with the message made safe. */
export const showErrorMessage = wrap('showErrorMessage');

type Show = 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage';

function wrap<K extends Show>(name: K): (typeof vscode.window)[K] {
  return ((message: string, ...rest: unknown[]) =>
    (vscode.window[name] as (m: string, ...r: unknown[]) => unknown)(
      safeMessage(message),
      ...rest,
    )) as (typeof vscode.window)[K];
}
