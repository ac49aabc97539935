import * as path from 'node:path';
import * as vscode from 'vscode';
import { artifactOfPointerPath, POINTER_SUFFIX, type Project } from '../../core/project/project.js';
import type { Pointer } from '../../core/versioning/pointerFile.js';
import type { StatusEntry } from '../../core/versioning/status.js';
import { CairnError } from '../../core/errors.js';
import { engine } from '../shared/engineLoader.js';
import { errorMessage, type OperationLog } from '../shared/operationLog.js';
import type { ContextKeys } from '../shared/contextKeys.js';
import { ids } from '../ids.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';

/** One tracked artifact as the views show it. */
export type ArtifactInfo =
  | {
      readonly ok: true;
      readonly path: string;
      readonly abs: string;
      readonly entry: StatusEntry;
      readonly pointer: Pointer;
    }
  | {
      /** The pointer file could not be read (the message names the file and line). */
      readonly ok: false;
      readonly path: string;
      readonly abs: string;
      readonly error: string;
    };

// Pointer files are found with VS Code's own file search (not `git ls-files`): it needs no Git,
// so it also works in Restricted Mode, where Cairn runs no programs at all.
const POINTER_GLOB = `**/*${POINTER_SUFFIX}`;
const EXCLUDE_GLOB = '{**/.cairn/**,**/.git/**,**/node_modules/**}';

/**
 * The state of every tracked artifact, computed on first use and then kept up to date: callers
 * ask for a refresh of the artifacts a change touched, and the model recomputes only those.
 */
export class ArtifactModel implements vscode.Disposable {
  private artifacts: Map<string, ArtifactInfo> | undefined;
  private loaded: Promise<void> | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly pending = new Set<string>();
  private fullRefreshPending = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the artifacts or their states changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly project: WorkspaceProject,
    private readonly log: OperationLog,
    private readonly contexts: ContextKeys,
  ) {}

  /** Every artifact, sorted by path; loads them the first time. */
  async all(): Promise<ArtifactInfo[]> {
    await (this.loaded ??= this.serial(() => this.loadAll()));
    return [...(this.artifacts?.values() ?? [])].sort((a, b) => a.path.localeCompare(b.path));
  }

  /** The artifacts known so far, without waiting (for decorations and the status bar). */
  get known(): readonly ArtifactInfo[] {
    if (!this.loaded) void this.all();
    return [...(this.artifacts?.values() ?? [])];
  }

  /** The artifact at an absolute path, or the one that contains it. */
  containing(fsPath: string): ArtifactInfo | undefined {
    for (const a of this.known) {
      if (fsPath === a.abs || fsPath.startsWith(a.abs + path.sep)) return a;
    }
    return undefined;
  }

  /** Recomputes the named artifacts (project paths), or all, after a short quiet period. */
  refresh(rels?: Iterable<string>, delayMs = this.delayMs()): void {
    if (rels) for (const r of rels) this.pending.add(r);
    else this.fullRefreshPending = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  /** Recomputes everything now and waits for it. */
  refreshNow(): Promise<void> {
    clearTimeout(this.timer);
    this.fullRefreshPending = true;
    return this.flush();
  }

  private delayMs(): number {
    return vscode.workspace.getConfiguration().get<number>(ids.settings.refreshDelayMs, 300);
  }

  /** Runs computations one at a time, in order; a failure is logged and does not stop the queue. */
  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((err: unknown) => {
      this.log.error(`artifact status failed: ${errorMessage(err)}`);
    });
    this.queue = next;
    return next;
  }

  private flush(): Promise<void> {
    const full = this.fullRefreshPending || !this.loaded;
    const rels = [...this.pending];
    this.fullRefreshPending = false;
    this.pending.clear();
    if (full) return (this.loaded = this.serial(() => this.loadAll()));
    if (rels.length > 0) return this.serial(() => this.update(rels));
    return this.queue;
  }

  private async loadAll(): Promise<void> {
    const project = this.project.current;
    const next = new Map<string, ArtifactInfo>();
    if (project) {
      const rels = await this.findPointers(project);
      await this.log.timed(
        `status of ${rels.length} artifacts`,
        async () => {
          for (const rel of rels) next.set(rel, await this.inspect(project, rel));
        },
        () => summarize([...next.values()]),
      );
    }
    this.artifacts = next;
    this.announce();
  }

  private async update(rels: readonly string[]): Promise<void> {
    const project = this.project.current;
    const artifacts = this.artifacts;
    if (!project || !artifacts) return;
    await this.log.timed(`status of ${rels.join(', ')}`, async () => {
      for (const rel of rels) {
        const info = await this.inspect(project, rel);
        if (!info.ok && info.error === GONE) artifacts.delete(rel);
        else artifacts.set(rel, info);
      }
    });
    this.announce();
  }

  private announce(): void {
    const any = (this.artifacts?.size ?? 0) > 0;
    this.contexts.set(ids.contexts.hasArtifacts, any);
    this.changed.fire();
  }

  private async findPointers(project: Project): Promise<string[]> {
    const uris = await vscode.workspace.findFiles(
      new vscode.RelativePattern(vscode.Uri.file(project.root), POINTER_GLOB),
      EXCLUDE_GLOB,
    );
    return uris
      .map((u) => path.relative(project.root, u.fsPath).split(path.sep).join('/'))
      .map((rel) => artifactOfPointerPath(rel))
      .filter((rel): rel is string => rel !== undefined && !rel.startsWith('..'));
  }

  private async inspect(project: Project, rel: string): Promise<ArtifactInfo> {
    const abs = path.join(project.root, rel);
    try {
      const { pointer } = engine().versioning.readArtifact(project, rel);
      const [entry] = await engine().versioning.artifactStatus(project, [rel]);
      if (!entry) return { ok: false, path: rel, abs, error: GONE };
      return { ok: true, path: rel, abs, entry, pointer };
    } catch (err) {
      if (err instanceof CairnError && err.code === 'not-found' && err.file === rel) {
        // The pointer file is gone: the artifact is no longer tracked.
        return { ok: false, path: rel, abs, error: GONE };
      }
      return { ok: false, path: rel, abs, error: errorMessage(err) };
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.changed.dispose();
  }
}

const GONE = 'untracked';

function summarize(all: readonly ArtifactInfo[]): string {
  const counts = new Map<string, number>();
  for (const a of all) {
    const k = a.ok ? a.entry.status : 'unreadable';
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
}
