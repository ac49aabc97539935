import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactNode } from '../versioning/artifactTree.js';
import { ids } from '../ids.js';
import type { RunModel } from '../runs/runModel.js';
import type { RunNode } from '../runs/runTree.js';
import type { Container } from '../container.js';
import { engine } from '../shared/engineLoader.js';
import type { DataPanels } from './dataPanels.js';
import { registerCommand } from '../shared/registerCommand.js';
import { showInformation } from '../shared/notify.js';
import { shortHash } from '../../core/format.js';

/** The data commands: profile a dataset, compare its versions (drift), check a run's data for drift. */
export function registerDataCommands(s: Container, panels: () => DataPanels): vscode.Disposable[] {
  return [
    registerCommand(
      s,
      ids.commands.profile,
      'Profile data',
      async (arg?: ArtifactNode | vscode.Uri) => {
        const rel = await datasetPath(s, arg, 'Profile which dataset?');
        const table = rel === undefined ? undefined : await oneTableOf(s, rel);
        if (table) panels().showProfile(table);
      },
    ),
    registerCommand(
      s,
      ids.commands.drift,
      'Compare data versions',
      async (arg?: ArtifactNode | vscode.Uri) => {
        const rel = await datasetPath(s, arg, 'Compare the versions of which dataset?');
        if (rel) await panels().pickDrift(rel);
      },
    ),
    registerCommand(
      s,
      ids.commands.checkRunDrift,
      'Check the data of a run for drift',
      (node?: RunNode) => checkRunDrift(s, s.runs, node),
    ),
  ];
}

/**
 * What to profile of a dataset: the path itself, or, for a folder of several tables (and no
 * images), the table the user picks from it.
 */
async function oneTableOf(s: Container, rel: string): Promise<string | undefined> {
  const abs = path.join(s.project.require().root, rel);
  if (!fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return rel;
  const { tables, images } = engine().data.folderContents(engine().data.filesUnder(abs));
  if (tables.length < 2 || images.length > 0) return rel;
  const picked = await vscode.window.showQuickPick(
    tables.map((t) => ({ label: t.rel, description: `${rel}/` })),
    { title: `${rel} holds ${tables.length} tables: profile which one?` },
  );
  return picked ? `${rel}/${picked.label}` : undefined;
}

/** The dataset a command is about: the clicked item, the open file, or one picked from the tracked data. */
async function datasetPath(
  s: Container,
  arg: ArtifactNode | vscode.Uri | undefined,
  question: string,
): Promise<string | undefined> {
  const project = s.project.require();
  const rel = (uri: vscode.Uri): string =>
    path.relative(project.root, uri.fsPath).split(path.sep).join('/');
  if (arg instanceof vscode.Uri) return rel(arg);
  if (arg?.type === 'artifact') return arg.info.path;
  const editor = vscode.window.activeTextEditor?.document.uri;
  if (editor?.scheme === 'file' && /\.(csv|tsv|jsonl|ndjson)$/i.test(editor.fsPath))
    return rel(editor);
  const data = (await engine().data.listArtifacts(project)).filter(
    (a) => a.pointer.kind === 'data',
  );
  if (data.length === 0) {
    void showInformation(
      'Cairn: no dataset is tracked yet; track one with "Cairn: Track Dataset or Model…".',
    );
    return undefined;
  }
  return (
    await vscode.window.showQuickPick(
      data.map((a) => ({ label: a.path, description: shortHash(a.pointer.hash) })),
      { title: question },
    )
  )?.label;
}

async function checkRunDrift(s: Container, runs: RunModel, node?: RunNode): Promise<void> {
  const project = s.project.require();
  const run = node?.type === 'run' ? node.run : runs.all()[0];
  if (!run) {
    void showInformation('Cairn: there is no run to check.');
    return;
  }
  const states = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Cairn: measuring how the data of ${run.name} changed`,
    },
    () =>
      s.log.timed(`drift of run ${run.id}`, () =>
        engine().data.assessRunInputs(project, engine().data.readRun(project, run.id)),
      ),
  );
  runs.refresh();
  const drifted = states.filter((x) => x.state === 'drifted');
  const text =
    states.length === 0
      ? `Run ${run.name} recorded no data inputs (declare them as deps of its task).`
      : drifted.length > 0
        ? `The data of ${run.name} drifted since it ran: ${drifted.flatMap((x) => x.columns).join(', ')}.`
        : states.every((x) => x.state === 'current')
          ? `${run.name} used the data the work tree has now.`
          : `The data of ${run.name} changed since it ran, without drift.`;
  void showInformation(`Cairn: ${text}`);
}
