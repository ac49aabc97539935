import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ids } from '../ids.js';
import type { OperationLog } from '../shared/operationLog.js';
import type { ArtifactModel } from './artifactModel.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import { ProjectFileWatcher } from './projectFileWatcher.js';
import { showInformation } from '../shared/notify.js';
import { shortHash } from '../../core/format.js';

export type OnBranchSwitch = 'ask' | 'always' | 'never';

/**
 * Watches `.git/HEAD`: after a branch switch (or any checkout that moves HEAD) the pointer files
 * name other versions, so the artifacts are re-read and, as the setting says, checked out.
 */
export class BranchWatcher implements vscode.Disposable {
  private readonly watcher: ProjectFileWatcher;
  private head: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private asking = false;
  private handling: Promise<void> = Promise.resolve();

  /** The HEAD last handled (`ref: refs/heads/main` or a commit hash). */
  get currentHead(): string | undefined {
    return this.head;
  }

  /** Resolves when the HEAD changes seen so far have been handled (for tests). */
  async settled(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.handling || this.timer) {
      last = this.handling;
      await new Promise((r) => setTimeout(r, 20));
      await last;
    }
  }

  constructor(
    project: WorkspaceProject,
    private readonly model: ArtifactModel,
    private readonly checkout: (reason: string) => Promise<void>,
    private readonly log: OperationLog,
  ) {
    this.watcher = new ProjectFileWatcher(project, model, {
      start: (p) => {
        const headFile = headFileOf(p.root);
        this.head = readHead(headFile);
        // Based on the .git folder (a non-recursive watch of it): Git replaces HEAD by renaming a
        // lock file over it, which a watch on the file itself stops seeing after the first time.
        return new vscode.RelativePattern(vscode.Uri.file(path.dirname(headFile)), 'HEAD');
      },
      // Git writes HEAD through a lock file and a rename; wait for the burst to settle.
      onEvent: (p) => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.handling = this.handling
            .then(() => this.headMoved(headFileOf(p.root)))
            .catch(() => undefined);
        }, 150);
      },
      deletions: false,
    });
  }

  private async headMoved(headFile: string): Promise<void> {
    const head = readHead(headFile);
    if (head === undefined || head === this.head) return;
    const from = this.head;
    this.head = head;
    this.log.info(`HEAD moved from ${describeHead(from)} to ${describeHead(head)}`);
    await this.model.refreshNow();
    const stale = this.model.known.filter(
      (a) => a.ok && (a.entry.status === 'modified' || a.entry.status === 'missing'),
    );
    if (stale.length === 0 || !vscode.workspace.isTrusted) return;
    const setting = vscode.workspace
      .getConfiguration()
      .get<OnBranchSwitch>(ids.settings.onBranchSwitch, 'ask');
    const where = describeHead(head);
    if (setting === 'never') return;
    if (setting === 'always') {
      await this.checkout(`HEAD moved from ${describeHead(from)} to ${where}`);
      return;
    }
    if (this.asking) return;
    this.asking = true;
    try {
      const names = stale.map((a) => a.path);
      const shown =
        names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
      const yes = 'Check Out';
      const always = 'Always';
      const never = 'Never';
      const choice = await showInformation(
        `Now on ${where}: ${shown} differ${names.length === 1 ? 's' : ''} from the versions this commit names. Check out those versions?`,
        yes,
        always,
        never,
      );
      if (choice === always || choice === never) {
        await vscode.workspace
          .getConfiguration()
          .update(
            ids.settings.onBranchSwitch,
            choice === always ? 'always' : 'never',
            vscode.ConfigurationTarget.Workspace,
          );
      }
      if (choice === yes || choice === always) {
        await this.checkout(`HEAD moved to ${where}`);
      }
    } finally {
      this.asking = false;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher.dispose();
  }
}

function headFileOf(root: string): string {
  return path.join(root, '.git', 'HEAD');
}

function readHead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function describeHead(head: string | undefined): string {
  if (!head) return 'an unknown commit';
  const ref = /^ref: refs\/heads\/(.+)$/.exec(head);
  return ref ? `branch ${ref[1]}` : `commit ${shortHash(head)}`;
}
