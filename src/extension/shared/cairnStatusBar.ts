import * as vscode from 'vscode';
import { ids } from '../ids.js';
import type { ArtifactModel } from '../versioning/artifactModel.js';

/** Live counts another surface adds to the status bar item (running runs, for instance). */
export interface StatusContribution {
  readonly onDidChange: vscode.Event<void>;
  /** Short text with codicons, or undefined when there is nothing to say. */
  statusText(): string | undefined;
}

/**
 * One status bar item: modified or missing artifacts and running runs; it opens the Cairn view.
 * It shows nothing until something asked for the artifacts (no work at activation).
 */
export class CairnStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'cairn.status',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly contributions: StatusContribution[] = [];

  constructor(private readonly model: ArtifactModel) {
    this.item.name = 'Cairn';
    this.item.command = `${ids.views.artifacts}.focus`;
    this.subscriptions.push(
      model.onDidChange(() => this.update()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(ids.settings.statusBar)) this.update();
      }),
    );
  }

  add(contribution: StatusContribution): void {
    this.contributions.push(contribution);
    this.subscriptions.push(contribution.onDidChange(() => this.update()));
    this.update();
  }

  /** The text shown now (for tests and the log). */
  get text(): string {
    return this.item.text;
  }

  /** The tooltip and background colour shown now (for tests). */
  get look(): { tooltip: string; backgroundColor: string | undefined } {
    return {
      tooltip: typeof this.item.tooltip === 'string' ? this.item.tooltip : '',
      backgroundColor: this.item.backgroundColor?.id,
    };
  }

  private update(): void {
    if (!vscode.workspace.getConfiguration().get<boolean>(ids.settings.statusBar, true)) {
      this.item.hide();
      return;
    }
    const parts: string[] = [];
    const tips: string[] = [];
    for (const c of this.contributions) {
      const t = c.statusText();
      if (t) parts.push(t);
    }
    const known = this.model.known;
    const count = (s: string): number => known.filter((a) => a.ok && a.entry.status === s).length;
    const modified = count('modified');
    const missing = count('missing') + count('not-in-cache');
    if (modified > 0) {
      parts.push(`$(diff-modified) ${modified}`);
      tips.push(
        `${modified} modified artifact${modified === 1 ? '' : 's'}: track ${modified === 1 ? 'it' : 'them'} to record a new version`,
      );
    }
    if (missing > 0) {
      parts.push(`$(warning) ${missing}`);
      tips.push(`${missing} artifact${missing === 1 ? '' : 's'} missing or not in the cache`);
    }
    const unreadable = known.filter((a) => !a.ok).length;
    if (unreadable > 0) {
      parts.push(`$(error) ${unreadable}`);
      tips.push(
        `${unreadable} pointer file${unreadable === 1 ? '' : 's'} cannot be read (see the Artifacts view)`,
      );
    }
    if (parts.length === 0 && known.length > 0) {
      parts.push(`$(database) ${known.length}`);
      tips.push(`${known.length} tracked artifact${known.length === 1 ? '' : 's'}, all up to date`);
    }
    if (parts.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `Cairn ${parts.join('  ')}`;
    this.item.tooltip = tips.join('\n') || 'Cairn';
    // Modified data is normal work; the warning colour is kept for problems.
    this.item.backgroundColor =
      unreadable > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
