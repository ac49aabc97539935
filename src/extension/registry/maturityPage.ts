import * as vscode from 'vscode';
import type { Container } from '../container.js';
import { engine } from '../shared/engineLoader.js';
import type { ReadOnlyDocuments } from '../runs/readOnlyDocuments.js';

/**
 * Cairn: MLOps Maturity: the repository's level, each criterion with its evidence and the command
 * that meets it, as a Markdown page; then the next step offered, to run in a terminal.
 */
export async function showMaturity(c: Container, documents: ReadOnlyDocuments): Promise<void> {
  const project = c.project.current;
  if (!project) throw new Error('Open a folder with cairn.yaml first (or run Cairn: Initialize)');
  const e = engine().registry;
  const m = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Cairn: assessing MLOps maturity' },
    () => e.assessMaturity(project),
  );
  const editor = await documents.show('MLOps Maturity', e.maturityMarkdown(m));
  await vscode.commands.executeCommand('markdown.showPreview', editor.document.uri);
  const next = m.criteria.find((x) => !x.met && x.command);
  if (!next) return;
  const runnable = !/[<>]/.test(next.command!);
  const pick = await vscode.window.showInformationMessage(
    `Next step toward ${next.level === 1 ? 'level 1' : 'level 2'}: ${next.title.toLowerCase()}. ${next.command}`,
    runnable ? 'Run in Terminal' : 'Copy Command',
  );
  if (pick === 'Run in Terminal') {
    const t = vscode.window.createTerminal({ name: 'Cairn', cwd: project.root });
    t.show();
    t.sendText(next.command!);
  } else if (pick === 'Copy Command') await vscode.env.clipboard.writeText(next.command!);
}
