import * as vscode from 'vscode';

export const READ_ONLY_SCHEME = 'cairn-view';

/**
 * Read-only documents with text the extension made (a comparison of runs, a lineage): shown
 * like files, never saved, replaced when shown again under the same name.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Shows `text` as a read-only Markdown document named `name`. */
  async show(name: string, text: string): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: READ_ONLY_SCHEME, path: `/${name}.md` });
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const md = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    return vscode.window.showTextDocument(md, { preview: true });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
