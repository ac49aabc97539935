import * as vscode from 'vscode';

/** What a grouping tree item shows: the group's name, how many it holds, its icon. */
export interface Group {
  label: string;
  /** Stable across refreshes, so the tree keeps the group's expansion. */
  id: string;
  description: string;
  icon: string;
  contextValue: string;
  expanded: boolean;
}

/** A tree item that groups others (a task's runs, a sweep, the datasets or models). */
export function groupItem(g: Group): vscode.TreeItem {
  const item = new vscode.TreeItem(
    g.label,
    g.expanded
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = g.id;
  item.description = g.description;
  item.iconPath = new vscode.ThemeIcon(g.icon);
  item.contextValue = g.contextValue;
  return item;
}
