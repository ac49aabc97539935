import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CairnError } from '../../core/errors.js';
import {
  CONFIG_FILE,
  keepDataDirOutOfGit,
  projectAt,
  type Project,
} from '../../core/project/project.js';
import { ids } from '../ids.js';
import type { ContextKeys } from './contextKeys.js';

/**
 * The Cairn project of this window: the first workspace folder with a cairn.yaml at its root.
 * Looked up on first use (not at activation) and again after `reset()`.
 */
export class WorkspaceProject implements vscode.Disposable {
  private found: Project | null | undefined;
  private readonly changed = new vscode.EventEmitter<Project | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly folderListener = vscode.workspace.onDidChangeWorkspaceFolders(() =>
    this.reset(),
  );

  constructor(private readonly contexts: ContextKeys) {}

  /** The project, or undefined when no workspace folder has a cairn.yaml. */
  get current(): Project | undefined {
    if (this.found === undefined) {
      this.found = null;
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        if (folder.uri.scheme !== 'file') continue;
        if (fs.existsSync(path.join(folder.uri.fsPath, CONFIG_FILE))) {
          this.found = projectAt(folder.uri.fsPath);
          if (vscode.workspace.isTrusted) keepDataDirOutOfGit(this.found);
          break;
        }
      }
      this.contexts.set(ids.contexts.projectOpen, !!this.found);
    }
    return this.found ?? undefined;
  }

  /** The project, or a CairnError that says how to start one. */
  require(): Project {
    const p = this.current;
    if (!p) {
      throw new CairnError(
        'not-a-project',
        `No ${CONFIG_FILE} in this workspace; run 'Cairn: Initialize Cairn' to start versioning data and models here`,
      );
    }
    return p;
  }

  /** Forgets the lookup (after init, or when folders change) and tells listeners. */
  reset(): void {
    this.found = undefined;
    this.changed.fire(this.current);
  }

  dispose(): void {
    this.folderListener.dispose();
    this.changed.dispose();
  }
}
