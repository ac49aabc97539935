import * as vscode from 'vscode';
import type { ModelCheck } from '../../core/registry/modelCheck.js';
import type { ModelVersion, RegisteredModel } from '../../core/registry/registry.js';
import { escapeMd, safeTreeItem } from '../shared/safeText.js';
import type { RegistryModel } from './registryModel.js';

/** A node of the Models view: a registered model, or one of its versions. */
export type RegistryNode =
  | { readonly type: 'model'; readonly model: RegisteredModel; readonly prod?: ModelCheck }
  | { readonly type: 'version'; readonly version: ModelVersion };

function metricsText(v: ModelVersion): string {
  return Object.entries(v.metrics)
    .map(([k, x]) => `${k}=${Number(x.toPrecision(6))}`)
    .join(' ');
}

/** The Models view: the registry in the repository's tags, versions newest first with stages. */
export class RegistryTree implements vscode.TreeDataProvider<RegistryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegistryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly registry: RegistryModel) {
    this.subscription = registry.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: RegistryNode): Promise<RegistryNode[]> {
    if (!node) {
      const state = await this.registry.current();
      return state.models.map((model) => ({
        type: 'model',
        model,
        ...(state.prod.get(model.name) ? { prod: state.prod.get(model.name)! } : {}),
      }));
    }
    if (node.type === 'model')
      return node.model.versions.map((version) => ({ type: 'version', version }));
    return [];
  }

  getTreeItem(node: RegistryNode): vscode.TreeItem {
    return safeTreeItem(this.itemOf(node));
  }

  private itemOf(node: RegistryNode): vscode.TreeItem {
    if (node.type === 'model') {
      const { model, prod } = node;
      const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `model:${model.name}`;
      const stages = Object.entries(model.stages).map(([s, v]) => `${s}: ${v}`);
      item.description = [
        ...(stages.length ? [stages.join(' · ')] : [`${model.versions.length} versions`]),
        ...(prod?.stale ? ['prod is stale'] : []),
      ].join(' · ');
      item.iconPath = prod?.stale
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : new vscode.ThemeIcon('package');
      item.contextValue = 'cairn.model';
      const md = new vscode.MarkdownString(undefined, true);
      md.appendMarkdown(
        `**${escapeMd(model.name)}** — ${model.versions.length} registered versions\n\n`,
      );
      for (const s of stages) md.appendMarkdown(`- ${escapeMd(s)}\n`);
      if (prod) md.appendMarkdown(`\n${escapeMd(prod.paragraph)}\n`);
      item.tooltip = md;
      return item;
    }
    const v = node.version;
    const item = new vscode.TreeItem(v.version, vscode.TreeItemCollapsibleState.None);
    item.id = `model:${v.name}@${v.version}`;
    item.description = [v.stages.join(', '), metricsText(v)].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(v.stages.length ? 'rocket' : 'tag');
    item.contextValue = v.stages.length ? 'cairn.modelVersion.staged' : 'cairn.modelVersion';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(
      `**${escapeMd(`${v.name}@${v.version}`)}**${v.stages.length ? ` — ${escapeMd(v.stages.join(', '))}` : ''}\n\n`,
    );
    md.appendMarkdown(
      `- ${escapeMd(v.path)} \`${v.hash.slice(0, 12)}\` at commit \`${v.commit.slice(0, 10)}\`\n`,
    );
    if (v.run) md.appendMarkdown(`- made by run \`${escapeMd(v.run)}\`\n`);
    if (metricsText(v)) md.appendMarkdown(`- ${escapeMd(metricsText(v))}\n`);
    for (const d of v.data)
      md.appendMarkdown(`- trained on ${escapeMd(d.path)} \`${d.hash.slice(0, 10)}\`\n`);
    item.tooltip = md;
    if (v.run) item.command = { command: 'cairn.runs.open', title: 'Open Run', arguments: [v.run] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
