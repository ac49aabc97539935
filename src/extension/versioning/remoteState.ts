import * as vscode from 'vscode';
import type { RemoteArtifactStatus } from '../../core/remotes/transfer.js';
import { engine } from '../shared/engineLoader.js';
import type { OperationLog } from '../shared/operationLog.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';

/**
 * Whether each artifact's version is on the default remote, for the Artifacts view: checked in the
 * background (a remote may be slow or out of reach: then the view just says nothing about it),
 * when the view first shows and after each track, push and pull.
 */
export class RemoteState implements vscode.Disposable {
  private byPath = new Map<string, RemoteArtifactStatus>();
  private remote: string | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly project: WorkspaceProject,
    private readonly log: OperationLog,
  ) {}

  /** The status of an artifact on the default remote, once known. */
  of(path: string, hash: string): { remote: string; status: RemoteArtifactStatus } | undefined {
    const status = this.byPath.get(path);
    return status && this.remote && status.hash === hash
      ? { remote: this.remote, status }
      : undefined;
  }

  /** Checks again (one check at a time; a request during one runs once it ends). */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.check();
      }
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const project = this.project.current;
    if (!project || !vscode.workspace.isTrusted) return;
    try {
      if (engine().versioning.readConfig(project).remotes.length === 0) {
        if (this.byPath.size > 0) this.clear();
        return;
      }
      const r = await this.log.timed(
        'status --remote',
        () => engine().versioning.remoteStatus(project),
        (x) => `${x.artifacts.filter((a) => !a.onRemote).length} not on ${x.remote}`,
      );
      this.remote = r.remote;
      this.byPath = new Map(r.artifacts.map((a) => [a.path, a]));
      this.changed.fire();
    } catch {
      // Logged by timed(); without an answer the view shows no remote state.
      this.clear();
    }
  }

  private clear(): void {
    this.byPath = new Map();
    this.remote = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
