import * as vscode from 'vscode';
import type { ArtifactStatus } from '../../core/versioning/status.js';
import { formatBytes, shortHash } from '../../core/format.js';
import type { ArtifactInfo, ArtifactModel } from './artifactModel.js';
import type { RemoteState } from './remoteState.js';
import { groupItem } from '../shared/groupItem.js';
import { escapeMd, safeTreeItem } from '../shared/safeText.js';

/** A node of the Artifacts view. */
export type ArtifactNode =
  | { readonly type: 'group'; readonly kind: 'data' | 'model'; readonly items: ArtifactInfo[] }
  | { readonly type: 'artifact'; readonly info: ArtifactInfo }
  | { readonly type: 'producer'; readonly run: string }
  | {
      readonly type: 'change';
      readonly artifact: ArtifactInfo;
      readonly file: string;
      readonly change: 'added' | 'removed' | 'modified';
    };

const STATUS_TEXT: Record<ArtifactStatus, string> = {
  ok: 'up to date',
  modified: 'modified',
  missing: 'missing from the workspace',
  'not-in-cache': 'not in the cache',
};

const STATUS_ICON: Record<ArtifactStatus, vscode.ThemeIcon> = {
  ok: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  modified: new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('cairn.artifact.modified')),
  missing: new vscode.ThemeIcon('warning', new vscode.ThemeColor('cairn.artifact.missing')),
  'not-in-cache': new vscode.ThemeIcon(
    'cloud-download',
    new vscode.ThemeColor('cairn.artifact.notInCache'),
  ),
};

const MAX_CHANGES_SHOWN = 200;

/** The Artifacts view: datasets and models, their versions and states. */
export class ArtifactTree implements vscode.TreeDataProvider<ArtifactNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ArtifactNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private remoteChecked = false;

  constructor(
    private readonly model: ArtifactModel,
    private readonly remotes: RemoteState,
  ) {
    this.subscription = vscode.Disposable.from(
      model.onDidChange(() => this.changed.fire(undefined)),
      remotes.onDidChange(() => this.changed.fire(undefined)),
    );
  }

  async getChildren(node?: ArtifactNode): Promise<ArtifactNode[]> {
    if (!node) {
      const all = await this.model.all();
      if (!this.remoteChecked && all.length > 0) {
        this.remoteChecked = true;
        void this.remotes.check();
      }
      if (all.length === 0) return [];
      const data = all.filter((a) => !a.ok || a.pointer.kind === 'data');
      const models = all.filter((a) => a.ok && a.pointer.kind === 'model');
      const groups: ArtifactNode[] = [];
      if (data.length > 0) groups.push({ type: 'group', kind: 'data', items: data });
      if (models.length > 0) groups.push({ type: 'group', kind: 'model', items: models });
      return groups;
    }
    switch (node.type) {
      case 'group':
        return node.items.map((info) => ({ type: 'artifact', info }));
      case 'artifact': {
        const a = node.info;
        if (!a.ok) return [];
        const out: ArtifactNode[] = [];
        if (a.pointer.run) out.push({ type: 'producer', run: a.pointer.run });
        const c = a.entry.changes;
        if (c) {
          const changes = [
            ...c.modified.map((file) => ({ file, change: 'modified' as const })),
            ...c.added.map((file) => ({ file, change: 'added' as const })),
            ...c.removed.map((file) => ({ file, change: 'removed' as const })),
          ];
          for (const ch of changes.slice(0, MAX_CHANGES_SHOWN)) {
            out.push({ type: 'change', artifact: a, ...ch });
          }
        }
        return out;
      }
      case 'producer':
      case 'change':
        return [];
    }
  }

  getTreeItem(node: ArtifactNode): vscode.TreeItem {
    return safeTreeItem(this.itemOf(node));
  }

  private itemOf(node: ArtifactNode): vscode.TreeItem {
    switch (node.type) {
      case 'group':
        return groupItem({
          label: node.kind === 'data' ? 'Datasets' : 'Models',
          id: `group:${node.kind}`,
          description: String(node.items.length),
          icon: node.kind === 'data' ? 'database' : 'package',
          contextValue: 'cairn.group',
          expanded: true,
        });
      case 'artifact':
        return artifactItem(node.info, this.remotes);
      case 'producer': {
        const item = new vscode.TreeItem(`produced by run ${node.run}`);
        item.iconPath = new vscode.ThemeIcon('run');
        item.contextValue = 'cairn.producingRun';
        item.tooltip = `This version was written by run ${node.run}`;
        item.command = {
          command: 'cairn.runs.openLog',
          title: 'Open Log of Run',
          arguments: [node.run],
        };
        return item;
      }
      case 'change': {
        const item = new vscode.TreeItem(node.file);
        item.description = node.change;
        item.iconPath = new vscode.ThemeIcon(
          node.change === 'added'
            ? 'diff-added'
            : node.change === 'removed'
              ? 'diff-removed'
              : 'diff-modified',
        );
        item.contextValue = 'cairn.change';
        if (node.change !== 'removed') {
          const uri = vscode.Uri.joinPath(vscode.Uri.file(node.artifact.abs), node.file);
          item.resourceUri = uri;
          item.command = {
            command: 'vscode.open',
            title: 'Open',
            arguments: [uri, OPEN_IN_PREVIEW],
          };
        }
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

const OPEN_IN_PREVIEW: vscode.TextDocumentShowOptions = { preview: true, preserveFocus: true };

function artifactItem(a: ArtifactInfo, remotes: RemoteState): vscode.TreeItem {
  const uri = vscode.Uri.file(a.abs);
  if (!a.ok) {
    const item = new vscode.TreeItem(a.path, vscode.TreeItemCollapsibleState.None);
    item.id = `artifact:${a.path}`;
    item.description = 'unreadable pointer file';
    item.tooltip = a.error;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    item.contextValue = 'cairn.artifact.unreadable';
    item.command = {
      command: 'vscode.open',
      title: 'Open Pointer File',
      arguments: [vscode.Uri.file(`${a.abs}.cairn`)],
    };
    return item;
  }
  const { entry, pointer } = a;
  const hasChildren = !!pointer.run || (entry.changes !== undefined && countChanges(entry) > 0);
  const item = new vscode.TreeItem(
    a.path,
    hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `artifact:${a.path}`;
  item.resourceUri = uri;
  const size =
    pointer.type === 'dir'
      ? `${pointer.fileCount} file${pointer.fileCount === 1 ? '' : 's'}, ${formatBytes(pointer.sizeBytes)}`
      : formatBytes(pointer.sizeBytes);
  const onRemote = remotes.of(a.path, pointer.hash);
  const notPushed = onRemote && !onRemote.status.onRemote;
  item.description = `${shortHash(pointer.hash)} · ${entry.status === 'ok' ? size : STATUS_TEXT[entry.status]}${notPushed ? ' · not on the remote' : ''}`;
  item.iconPath = STATUS_ICON[entry.status];
  item.contextValue = `cairn.artifact.${entry.status}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(
    `**${escapeMd(a.path)}** — ${pointer.kind === 'data' ? 'dataset' : 'model'}\n\n`,
  );
  md.appendMarkdown(`- version: \`${pointer.hash.slice(0, 16)}\`\n`);
  md.appendMarkdown(`- size: ${size}\n`);
  md.appendMarkdown(`- state: ${STATUS_TEXT[entry.status]}\n`);
  if (entry.changes) {
    const c = entry.changes;
    md.appendMarkdown(
      `- changes: ${c.modified.length} modified, ${c.added.length} added, ${c.removed.length} removed\n`,
    );
  }
  if (pointer.run) md.appendMarkdown(`- produced by run \`${escapeMd(pointer.run)}\`\n`);
  if (onRemote)
    md.appendMarkdown(
      `- remote ${escapeMd(onRemote.remote)}: ${onRemote.status.onRemote ? 'has this version' : `not pushed yet (${onRemote.status.missingObjects} objects to push)`}\n`,
    );
  item.tooltip = md;
  if (pointer.type === 'file' && entry.status !== 'missing' && entry.status !== 'not-in-cache') {
    // Opened as a preview, the Cairn view keeps the focus (revealing it switched to the Explorer).
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, OPEN_IN_PREVIEW] };
  }
  return item;
}

function countChanges(entry: {
  changes?: { added: string[]; removed: string[]; modified: string[] };
}): number {
  const c = entry.changes;
  return c ? c.added.length + c.removed.length + c.modified.length : 0;
}
