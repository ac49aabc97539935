import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactStatus } from '../../core/versioning/status.js';
import { ids } from '../ids.js';
import type { ArtifactInfo, ArtifactModel } from './artifactModel.js';

const BADGE: Record<ArtifactStatus, string> = {
  ok: '◆',
  modified: '◆',
  missing: '!',
  'not-in-cache': '↓',
};

const COLOR: Partial<Record<ArtifactStatus, vscode.ThemeColor>> = {
  modified: new vscode.ThemeColor('cairn.artifact.modified'),
  missing: new vscode.ThemeColor('cairn.artifact.missing'),
  'not-in-cache': new vscode.ThemeColor('cairn.artifact.notInCache'),
};

const TOOLTIP: Record<ArtifactStatus, string> = {
  ok: 'Tracked by Cairn: up to date',
  modified: 'Tracked by Cairn: modified since this version was added',
  missing: 'Tracked by Cairn: missing',
  'not-in-cache': 'Tracked by Cairn: this version is not in the cache',
};

/**
 * Badges and colours on tracked artifacts in the Explorer (and in the Artifacts view, whose items
 * carry the artifact's URI), and on the files that changed inside a modified directory.
 */
export class ArtifactDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private shown = new Set<string>();

  constructor(private readonly model: ArtifactModel) {
    this.subscriptions = [
      model.onDidChange(() => this.refire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(ids.settings.decorations)) this.changed.fire(undefined);
      }),
    ];
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file' || !this.enabled()) return undefined;
    const a = this.model.containing(uri.fsPath);
    if (!a) return undefined;
    const d = decorationFor(a, uri.fsPath);
    if (d) this.shown.add(uri.toString());
    return d;
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration().get<boolean>(ids.settings.decorations, true);
  }

  /** Asks again for every URI decorated before and every artifact now known. */
  private refire(): void {
    const uris = new Set(this.shown);
    for (const a of this.model.known) {
      uris.add(vscode.Uri.file(a.abs).toString());
      if (a.ok && a.entry.changes) {
        for (const f of [...a.entry.changes.modified, ...a.entry.changes.added]) {
          uris.add(vscode.Uri.file(path.join(a.abs, f)).toString());
        }
      }
    }
    this.shown = new Set();
    this.changed.fire([...uris].map((u) => vscode.Uri.parse(u)));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function decorationFor(a: ArtifactInfo, fsPath: string): vscode.FileDecoration | undefined {
  if (!a.ok) {
    return fsPath === a.abs
      ? new vscode.FileDecoration(
          '?',
          `Cairn: ${a.error}`,
          new vscode.ThemeColor('errorForeground'),
        )
      : undefined;
  }
  const status = a.entry.status;
  if (fsPath === a.abs) {
    const d = new vscode.FileDecoration(BADGE[status], TOOLTIP[status], COLOR[status]);
    d.propagate = false;
    return d;
  }
  // A file inside a tracked directory: marked only when it differs from the version.
  const rel = path.relative(a.abs, fsPath).split(path.sep).join('/');
  const c = a.entry.changes;
  if (!c) return undefined;
  if (c.modified.includes(rel)) {
    return new vscode.FileDecoration(
      'M',
      'Changed since this version was added (Cairn)',
      COLOR.modified,
    );
  }
  if (c.added.includes(rel)) {
    return new vscode.FileDecoration('A', 'Not in the tracked version (Cairn)', COLOR.modified);
  }
  return undefined;
}
