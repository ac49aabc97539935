// Shared by the host tests: the extension's API, the fixture workspace, polling.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { CairnApi } from '../../src/extension/extension.js';
import { ids } from '../../src/extension/ids.js';

/** Activates the extension (if the workspace did not already) and returns its API. */
export async function cairn(): Promise<CairnApi> {
  const ext = vscode.extensions.getExtension<CairnApi>(ids.extension);
  assert.ok(ext, `extension ${ids.extension} is not installed`);
  return ext.isActive ? ext.exports : await ext.activate();
}

/** The fixture project the launcher copied and opened (a Git repo with one commit). */
export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri.fsPath;
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs git in the workspace; throws with stderr on failure. */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A message box the extension showed: its text, whether it was modal, and its buttons. */
export interface AskedMessage {
  readonly message: string;
  readonly modal: boolean;
  readonly detail: string | undefined;
  /** The buttons' labels in the order given (a close affordance included). */
  readonly buttons: string[];
  /** The button that Escape and closing the dialog choose, when the extension named one. */
  readonly cancelButton: string | undefined;
}

/**
 * Answers the message boxes the extension shows next (a modal confirmation is user input the
 * test has to give): each message takes the next answer, the button whose label starts with it
 * (undefined dismisses, as Escape does). Returns the messages asked, and a restore function.
 */
export function answerMessages(answers: (string | undefined)[]): {
  asked: string[];
  dialogs: AskedMessage[];
  restore: () => void;
} {
  const asked: string[] = [];
  const dialogs: AskedMessage[] = [];
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  const label = (b: string | vscode.MessageItem): string => (typeof b === 'string' ? b : b.title);
  for (const name of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage']) {
    originals.set(name, w[name]);
    w[name] = (message: string, ...items: unknown[]) => {
      asked.push(message);
      const options = items.find(
        (i): i is vscode.MessageOptions => typeof i === 'object' && i !== null && !('title' in i),
      );
      const buttons = items.filter(
        (i): i is string | vscode.MessageItem =>
          typeof i === 'string' || (typeof i === 'object' && i !== null && 'title' in i),
      );
      const cancel = buttons.find((b) => typeof b !== 'string' && b.isCloseAffordance);
      dialogs.push({
        message,
        modal: options?.modal === true,
        detail: options?.detail,
        buttons: buttons.map(label),
        cancelButton: cancel ? label(cancel) : undefined,
      });
      const answer = answers.shift();
      return Promise.resolve(
        answer === undefined ? cancel : buttons.find((b) => label(b).startsWith(answer)),
      );
    };
  }
  return {
    asked,
    dialogs,
    restore: () => {
      for (const [name, fn] of originals) w[name] = fn;
    },
  };
}

/** What the extension's panels delivered to their pages since `pageMessages()` was called. */
export interface PageMessages {
  /** The state in the newest message of this type that a page received, if any. */
  stateOf<S>(messageType: string): S | undefined;
  dispose(): void;
}

/** Starts recording the messages the panels deliver to their pages (through the extension's API). */
export async function pageMessages(): Promise<PageMessages> {
  const received: unknown[] = [];
  const sub = (await cairn()).onDidDeliverToPanel((d) => received.push(d.message));
  return {
    stateOf<S>(messageType: string): S | undefined {
      for (let i = received.length - 1; i >= 0; i--) {
        const m = received[i] as { type?: unknown; state?: S } | null;
        if (m?.type === messageType) return m.state;
      }
      return undefined;
    },
    dispose: () => {
      sub.dispose();
    },
  };
}

/**
 * Records the context keys the extension sets from now on (`setContext`, which `when` clauses of
 * menus and the Command Palette read; the API has no way to read a key back).
 */
export function contextKeys(): { valueOf(key: string): unknown; restore: () => void } {
  const values = new Map<string, unknown>();
  const commands = vscode.commands as unknown as Record<string, unknown>;
  const original = vscode.commands.executeCommand;
  commands['executeCommand'] = (command: string, ...args: unknown[]) => {
    if (command === 'setContext') values.set(String(args[0]), args[1]);
    return original.call(vscode.commands, command, ...args);
  };
  return {
    valueOf: (key) => values.get(key),
    restore: () => {
      commands['executeCommand'] = original;
    },
  };
}
