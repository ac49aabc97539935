import * as vscode from 'vscode';
import type { ids } from '../ids.js';

export type ContextKey = (typeof ids.contexts)[keyof typeof ids.contexts];

/**
 * The extension's context keys (when clauses, the walkthrough's completion events): set through
 * here so that each is sent to VS Code only when it changes, and so that the host tests can read
 * them (VS Code has no command that reads a context key back).
 */
export class ContextKeys implements vscode.Disposable {
  private readonly values = new Map<ContextKey, boolean>();

  set(key: ContextKey, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  /** The value last set, or undefined when the extension has not set it yet. */
  get(key: ContextKey): boolean | undefined {
    return this.values.get(key);
  }

  dispose(): void {
    this.values.clear();
  }
}
