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

/**
 * Answers the message boxes the extension shows next (a modal confirmation is user input the
 * test has to give): each message takes the next answer, the button whose label starts with it
 * (undefined dismisses). Returns the messages asked, and a restore function.
 */
export function answerMessages(answers: (string | undefined)[]): {
  asked: string[];
  restore: () => void;
} {
  const asked: string[] = [];
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = new Map<string, unknown>();
  for (const name of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage']) {
    originals.set(name, w[name]);
    w[name] = (message: string, ...items: unknown[]) => {
      asked.push(message);
      const answer = answers.shift();
      const buttons = items.filter((i): i is string => typeof i === 'string');
      return Promise.resolve(
        answer === undefined ? undefined : buttons.find((b) => b.startsWith(answer)),
      );
    };
  }
  return {
    asked,
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
