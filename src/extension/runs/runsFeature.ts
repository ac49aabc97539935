import * as vscode from 'vscode';
import type { Container } from '../container.js';
import { ids } from '../ids.js';
import { engine } from '../shared/engineLoader.js';
import { CairnTaskProvider, TASK_TYPE } from './cairnTaskProvider.js';
import { exposeCliInTerminals } from './cliLauncher.js';
import { MetricLensProvider } from './metricLensProvider.js';
import { announceCompletions } from './runCompletionNotice.js';
import { registerRunCommands } from './runCommands.js';
import type { RunPanels } from './runPanels.js';
import { RunTree } from './runTree.js';

/** What the runs feature shows, for the host tests (through activate()'s API). */
export interface RunsSurfaces {
  readonly runTree: RunTree;
  readonly codeLenses: MetricLensProvider;
  /** The compare and lineage panels, built (from the lazily loaded engine) on first use. */
  readonly panels: () => RunPanels;
}

/**
 * Runs: the runs view, the task provider and terminal, the run commands, CodeLenses, the compare
 * and lineage panels.
 */
export function register(c: Container): RunsSurfaces {
  const runTree = c.own(new RunTree(c.runs));
  const tasks = new CairnTaskProvider(c.project, c.runs, c.extensionUri);
  const documents = c.documents;
  const codeLenses = c.own(new MetricLensProvider(c.project, c.runs));
  let panels: RunPanels | undefined;
  const runPanels = (): RunPanels => (panels ??= c.own(new (engine().runs.RunPanels)(c)));
  c.statusBar.add({
    onDidChange: c.runs.onDidChange,
    statusText: () => {
      // Only once something asked for the runs: the status bar does not start the work.
      const n = c.runs.loaded ? c.runs.running.length : 0;
      return n > 0 ? `$(sync~spin) ${n} running` : undefined;
    },
  });
  // Stop Run is in the Command Palette only while a run runs.
  let runActive = false;
  c.own(
    c.runs.onDidChange(() => {
      const active =
        c.runs.loaded && c.runs.all().some((r) => r.status === 'running' || r.status === 'queued');
      if (active === runActive) return;
      runActive = active;
      c.contexts.set(ids.contexts.runActive, active);
    }),
  );
  c.own(
    vscode.window.createTreeView(ids.views.runs, {
      treeDataProvider: runTree,
      canSelectMany: true,
      showCollapseAll: true,
    }),
  );
  c.own(vscode.tasks.registerTaskProvider(TASK_TYPE, tasks));
  c.own(
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'python' },
        { scheme: 'file', language: 'javascript' },
        { scheme: 'file', language: 'typescript' },
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
        { scheme: 'file', pattern: '**/*.{py,js,mjs,cjs,ts,mts,cts,yaml,yml,json}' },
      ],
      codeLenses,
    ),
  );
  const executions = new Map<number, vscode.TaskExecution>();
  for (const d of registerRunCommands(c, {
    runs: c.runs,
    tasks,
    documents,
    panels: runPanels,
    executions,
  })) {
    c.own(d);
  }
  c.own(
    announceCompletions(c.runs, {
      openRun: (id) => runPanels().showRun(id),
      compare: (runIds) => runPanels().showCompare(runIds),
    }),
  );
  exposeCliInTerminals(c.context);
  return { runTree, codeLenses, panels: runPanels };
}
