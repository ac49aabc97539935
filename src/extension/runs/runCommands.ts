import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArtifactNode } from '../versioning/artifactTree.js';
import type { ReadOnlyDocuments } from './readOnlyDocuments.js';
import { ids } from '../ids.js';
import type { RunModel, RunView } from './runModel.js';
import type { RunNode } from './runTree.js';
import type { Container } from '../container.js';
import { engine } from '../shared/engineLoader.js';
import { safeLine, safeMessage } from '../shared/safeText.js';
import { allowedToRun } from '../shared/workspaceTrust.js';
import { TASK_TYPE, type CairnTaskProvider } from './cairnTaskProvider.js';
import type { RunPanels } from './runPanels.js';
import { registerCommand } from '../shared/registerCommand.js';
import { showErrorMessage, showInformation, showWarning } from '../shared/notify.js';
import { errorMessage } from '../shared/operationLog.js';

/** What the run commands need beyond the shared services. */
export interface RunSurfaces {
  readonly runs: RunModel;
  readonly tasks: CairnTaskProvider;
  readonly documents: ReadOnlyDocuments;
  /** The compare and lineage panels (built on first use, from the lazily loaded engine). */
  readonly panels: () => RunPanels;
  /** Task executions started here, by the pid of their process (the CLI that records the run). */
  readonly executions: Map<number, vscode.TaskExecution>;
}

/** The run commands: run task, run file, sweep, stop, rerun, delete, log, compare, lineage, reproduce. */
export function registerRunCommands(s: Container, r: RunSurfaces): vscode.Disposable[] {
  return [
    vscode.tasks.onDidStartTaskProcess((e) => {
      if (e.execution.task.definition.type !== TASK_TYPE) return;
      r.executions.set(e.processId, e.execution);
      // Read the runs now, so that their watchers see this one start (and Stop Run appears).
      if (!r.runs.loaded) r.runs.refresh();
    }),
    vscode.tasks.onDidEndTaskProcess((e) => {
      for (const [pid, ex] of r.executions) if (ex === e.execution) r.executions.delete(pid);
      r.runs.refresh();
    }),
    registerCommand(s, ids.commands.runTask, 'Run task', (arg?: string | RunNode) =>
      runTask(s, r, arg),
    ),
    registerCommand(s, ids.commands.runFile, 'Run file', (uri?: vscode.Uri) => runFile(s, r, uri)),
    registerCommand(s, ids.commands.createTask, 'Create task', (uri?: vscode.Uri) =>
      createTask(s, r, uri),
    ),
    registerCommand(s, ids.commands.sweep, 'Sweep', (arg?: string | RunNode) => sweep(s, r, arg)),
    registerCommand(s, ids.commands.stopRun, 'Stop run', (node?: RunNode) => stopRun(s, r, node)),
    registerCommand(s, ids.commands.rerun, 'Rerun', (arg?: string | RunNode) =>
      rerun(s, r, typeof arg === 'string' ? runNodeOf(r, arg) : arg),
    ),
    registerCommand(s, ids.commands.deleteRun, 'Delete runs', (node?: RunNode, all?: RunNode[]) =>
      deleteRuns(s, r, node, all),
    ),
    registerCommand(s, ids.commands.openRun, 'Open run', (arg?: string | RunNode) =>
      openRun(s, r, arg),
    ),
    registerCommand(s, ids.commands.openLog, 'Open run log', (arg?: string | RunNode) =>
      openLog(s, r, arg),
    ),
    registerCommand(s, ids.commands.compare, 'Compare runs', (node?: RunNode, all?: RunNode[]) =>
      compare(s, r, node, all),
    ),
    registerCommand(s, ids.commands.showLineage, 'Show lineage', (node?: RunNode | ArtifactNode) =>
      showLineage(s, r, node),
    ),
    registerCommand(s, ids.commands.reproduce, 'Reproduce run', (arg?: string | RunNode) =>
      reproduce(s, r, typeof arg === 'string' ? runNodeOf(r, arg) : arg),
    ),
    registerCommand(s, ids.commands.refreshRuns, 'Refresh runs', () => r.runs.refresh()),
  ];
}

async function pickTask(
  r: RunSurfaces,
  arg: string | RunNode | undefined,
): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  if (arg?.type === 'task' && arg.task) return arg.task;
  if (arg?.type === 'run' && arg.run.task) return arg.run.task;
  const tasks = r.runs.taskList();
  if (tasks.length === 0) {
    const add = 'Create Task from Current File';
    const answer = await showInformation(
      'Cairn: cairn.yaml has no tasks yet. A task is the command Cairn runs and records; create one from your training script.',
      add,
    );
    if (answer === add) await vscode.commands.executeCommand(ids.commands.createTask);
    return undefined;
  }
  if (tasks.length === 1) return tasks[0]!.name;
  const pick = await vscode.window.showQuickPick(
    tasks.map((t) => ({ label: t.name, description: safeLine(t.cmd) })),
    { title: 'Run which task?' },
  );
  return pick?.label;
}

async function execute(task: vscode.Task): Promise<vscode.TaskExecution> {
  return vscode.tasks.executeTask(task);
}

async function runTask(s: Container, r: RunSurfaces, arg?: string | RunNode): Promise<void> {
  if (!allowedToRun('run tasks')) return;
  s.project.require();
  const name = await pickTask(r, arg);
  if (!name) return;
  const on = await pickExecutor(r, name);
  if (on === null) return;
  s.log.info(`run task ${name}${on ? ` on ${on}` : ''}`);
  await execute(r.tasks.taskFor({ type: TASK_TYPE, task: name, ...(on ? { on } : {}) }));
}

/**
 * Where to run a task when cairn.yaml declares executors: here or one of them (the task's `on:`
 * first). Undefined: there is no choice to make; null: the user cancelled.
 */
async function pickExecutor(r: RunSurfaces, task: string): Promise<string | undefined | null> {
  const executors = r.runs.executorList();
  if (executors.length === 0) return undefined;
  const preferred = r.runs.taskList().find((t) => t.name === task)?.on ?? 'local';
  const items = [
    { label: 'local', description: 'this machine', detail: undefined as string | undefined },
    ...executors.map((e) => ({
      label: e.name,
      description: e.description,
      detail: e.resources || undefined,
    })),
  ].sort((a, b) => Number(b.label === preferred) - Number(a.label === preferred));
  const pick = await vscode.window.showQuickPick(items, {
    title: `Run ${task} where?`,
    placeHolder: 'Here, or on an executor of cairn.yaml',
  });
  return pick ? pick.label : null;
}

/**
 * Drafts a task from the current script (its argparse options become params passed as
 * `--flag {{name}}`, the data it reads deps, the models it writes outs), shows it, and adds it to
 * cairn.yaml once confirmed.
 */
async function createTask(s: Container, r: RunSurfaces, uri?: vscode.Uri): Promise<void> {
  const project = s.project.require();
  const target = uri ?? (await scriptToDraftFrom(project.root));
  if (target === undefined) return;
  const rel = target.scheme === 'file' ? path.relative(project.root, target.fsPath) : undefined;
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) {
    void showInformation(
      'Cairn: open the training script (a .py or .js file in the project) first.',
    );
    return;
  }
  const draft = engine().runs.draftTask(project, rel.split(path.sep).join('/'));
  // The preview is the text that will be written, as addTask writes it.
  const preview = engine().runs.taskLines(draft, '').join('\n');
  const add = 'Add Task';
  const addAndRun = 'Add and Run';
  const answer = await showInformation(
    `Add the task '${draft.name}' to cairn.yaml?`,
    { modal: true, detail: safeMessage(`${preview}\n\n${draft.notes.join('\n')}`) },
    add,
    addAndRun,
  );
  if (answer !== add && answer !== addAndRun) return;
  engine().runs.addTask(project, draft);
  s.log.info(`added task ${draft.name} for ${rel} to cairn.yaml`);
  r.runs.refresh();
  const config = await vscode.workspace.openTextDocument(vscode.Uri.file(project.configFile));
  const line = config
    .getText()
    .split('\n')
    .findIndex((l) => l.startsWith(`  ${draft.name}:`));
  await vscode.window.showTextDocument(config, {
    preview: false,
    selection: new vscode.Range(Math.max(0, line), 0, Math.max(0, line), 0),
  });
  if (answer === addAndRun) await runTask(s, r, draft.name);
}

const SCRIPT_EXTENSIONS = ['py', 'js', 'mjs', 'cjs'];

/**
 * The script a task is drafted from when no file was given: the active editor's, else a script
 * open beside (the walkthrough's page is active when its button runs this), else one the user
 * picks; undefined when they cancel.
 */
async function scriptToDraftFrom(root: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active !== undefined) return active;
  const isScript = (u: vscode.Uri): boolean =>
    u.scheme === 'file' && SCRIPT_EXTENSIONS.includes(path.extname(u.fsPath).slice(1));
  const visible = vscode.window.visibleTextEditors.map((e) => e.document.uri).find(isScript);
  if (visible !== undefined) return visible;
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.Uri.file(root),
    filters: { 'Training scripts': SCRIPT_EXTENSIONS },
    openLabel: 'Create Task',
    title: 'Create a task from a training script',
  });
  return picked?.[0];
}

/** The interpreter for a file, by its extension. */
function interpreterFor(file: string): string[] {
  switch (path.extname(file).toLowerCase()) {
    case '.py':
      return [vscode.workspace.getConfiguration().get<string>(ids.settings.python, 'python3')];
    case '.js':
    case '.mjs':
    case '.cjs':
      return ['node'];
    case '.sh':
      return ['bash'];
    default:
      return [];
  }
}

async function runFile(s: Container, r: RunSurfaces, uri?: vscode.Uri): Promise<void> {
  if (!allowedToRun('run programs')) return;
  const project = s.project.require();
  const target = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== 'file') {
    void showInformation('Cairn: open the script to run first.');
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc?.isDirty) await doc.save();
  const rel = path.relative(project.root, target.fsPath).split(path.sep).join('/');
  const argv = [...interpreterFor(rel), rel];
  s.log.info(`run ${argv.join(' ')}`);
  await execute(
    r.tasks.cliTask({ type: TASK_TYPE, args: ['run', '--', ...argv] }, path.basename(rel), [
      'run',
      '--',
      ...argv,
    ]),
  );
}

async function sweep(s: Container, r: RunSurfaces, arg?: string | RunNode): Promise<void> {
  if (!allowedToRun('run sweeps')) return;
  const project = s.project.require();
  const name = await pickTask(r, arg);
  if (!name) return;
  // Offer the current params as a starting point: `lr=0.01` becomes `lr=0.01,`.
  const latest = r.runs.all().find((x) => x.task === name);
  const example = Object.entries(latest?.params ?? {})
    .filter(([, v]) => typeof v === 'number')
    .slice(0, 1)
    .map(([k, v]) => `${k}=${String(v)},`)
    .join(' ');
  const text = await vscode.window.showInputBox({
    title: `Sweep ${name}`,
    prompt:
      'Parameters and the values to try, e.g. lr=0.001,0.01,0.1 epochs=3,5 (+name=… adds a param the task does not have yet)',
    value: example,
    validateInput: (v) =>
      v
        .trim()
        .split(/\s+/)
        .every((p) => /^\+?[A-Za-z_][\w.-]*=[^=]+$/.test(p))
        ? undefined
        : 'Write key=v1,v2 pairs separated by spaces (+key=v1,v2 for a new param)',
  });
  if (!text) return;
  const on = await pickExecutor(r, name);
  if (on === null) return;
  const args = ['sweep', name];
  for (const p of text.trim().split(/\s+/)) args.push('-p', p);
  if (on) args.push('--on', on);
  s.log.info(`sweep ${name} ${text} in ${project.root}`);
  await execute(r.tasks.cliTask({ type: TASK_TYPE, args }, `sweep ${name}`, args));
}

/** A run given by id (from a webview) as the tree would hand it over. */
function runNodeOf(r: RunSurfaces, id: string): RunNode | undefined {
  const run = r.runs.all().find((x) => x.id === id);
  return run ? { type: 'run', run } : undefined;
}

function selectedRun(node: RunNode | undefined): RunView | undefined {
  return node?.type === 'run' ? node.run : undefined;
}

async function stopRun(s: Container, r: RunSurfaces, node?: RunNode): Promise<void> {
  const run = selectedRun(node) ?? r.runs.running[0];
  if (!run || (run.status !== 'running' && run.status !== 'queued')) {
    void showInformation('Cairn: no run is running.');
    return;
  }
  if (run.executor) {
    // A cluster run: its job is cancelled; the view shows it end once SLURM says so.
    try {
      await engine().runs.stopRun(s.project.require(), run.id);
      s.log.info(`cancelled SLURM job ${run.executor.jobId ?? '?'} of run ${run.id}`);
    } catch (err) {
      void showErrorMessage(`Cairn: could not stop run ${run.id}: ${errorMessage(err)}`);
    }
    r.runs.pollJobs();
    return;
  }
  const execution = r.executions.get(run.pid);
  if (execution) {
    execution.terminate();
    return;
  }
  // Started elsewhere (a terminal, another window): the recorder stops the run on SIGTERM.
  if (run.host !== os.hostname()) {
    void showWarning(`Cairn: run ${run.id} runs on ${run.host}; stop it there.`);
    return;
  }
  try {
    process.kill(run.pid, 'SIGTERM');
  } catch {
    r.runs.refresh();
  }
}

async function rerun(s: Container, r: RunSurfaces, node?: RunNode): Promise<void> {
  if (!allowedToRun('run tasks')) return;
  const run = selectedRun(node);
  if (!run) return;
  const project = s.project.require();
  const record = engine().runs.readRun(project, run.id);
  if (record.task) {
    await execute(
      r.tasks.taskFor({ type: TASK_TYPE, task: record.task, params: record.overrides }),
    );
    return;
  }
  const args = engine().runs.rerunArgs(project, record);
  await execute(r.tasks.cliTask({ type: TASK_TYPE, args }, record.name, args));
}

async function reproduce(s: Container, r: RunSurfaces, node?: RunNode): Promise<void> {
  if (!allowedToRun('reproduce runs')) return;
  const run = selectedRun(node);
  if (!run) return;
  s.project.require();
  const args = ['reproduce', run.id];
  await execute(r.tasks.cliTask({ type: TASK_TYPE, args }, `reproduce ${run.name}`, args));
}

async function deleteRuns(
  s: Container,
  r: RunSurfaces,
  node?: RunNode,
  all?: RunNode[],
): Promise<void> {
  if (!allowedToRun('delete runs')) return;
  const project = s.project.require();
  const runs = (all && all.length > 0 ? all : node ? [node] : [])
    .map(selectedRun)
    .filter((x): x is RunView => !!x);
  if (runs.length === 0) return;
  const yes = runs.length === 1 ? 'Delete Run' : `Delete ${runs.length} Runs`;
  const choice = await showWarning(
    runs.length === 1
      ? `Delete run ${runs[0]!.name} (${runs[0]!.id})?`
      : `Delete ${runs.length} runs?`,
    {
      modal: true,
      detail: `Its record, metrics and log are removed from .cairn/runs; pushed copies on a remote stay.`,
    },
    yes,
  );
  if (choice !== yes) return;
  await s.log.timed(`delete runs ${runs.map((x) => x.id).join(' ')}`, () => {
    for (const run of runs) engine().runs.deleteRun(project, run.id);
    return Promise.resolve();
  });
  r.runs.refresh();
}

/** The run an argument names: an id, a node of the Runs view, or else the newest run. */
function runIdOf(r: RunSurfaces, arg?: string | RunNode): string | undefined {
  return typeof arg === 'string' ? arg : (selectedRun(arg) ?? r.runs.all()[0])?.id;
}

function openRun(s: Container, r: RunSurfaces, arg?: string | RunNode): void {
  s.project.require();
  const id = runIdOf(r, arg);
  if (!id) {
    void showInformation('Cairn: there are no runs yet. Run a task to record one.');
    return;
  }
  r.panels().showRun(id);
}

async function openLog(s: Container, r: RunSurfaces, arg?: string | RunNode): Promise<void> {
  const project = s.project.require();
  const id = runIdOf(r, arg);
  if (!id) return;
  const file = engine().runs.runFiles(project, id).log;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** The task the active editor belongs to (its entry script or params file), if any. */
function currentTask(r: RunSurfaces, project: { root: string }): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const rel = path.relative(project.root, editor.document.uri.fsPath).split(path.sep).join('/');
  return r.runs
    .taskList()
    .find((t) => t.paramsFile === rel || t.cmd.split(/\s+/).includes(rel) || t.deps.includes(rel))
    ?.name;
}

function compare(s: Container, r: RunSurfaces, node?: RunNode, all?: RunNode[]): void {
  const project = s.project.require();
  let runs = (all && all.length > 0 ? all : node ? [node] : [])
    .map(selectedRun)
    .filter((x): x is RunView => !!x);
  if (runs.length < 2) {
    // No selection: the latest runs of the current task (or of the newest run's task).
    const task = currentTask(r, project) ?? runs[0]?.task ?? r.runs.all()[0]?.task ?? null;
    runs = r.runs
      .all()
      .filter((x) => x.task === task && x.status !== 'running')
      .slice(0, 5);
  }
  if (runs.length === 0) {
    void showInformation('Cairn: there are no finished runs to compare yet.');
    return;
  }
  s.log.output.info(`compare ${runs.map((x) => x.id).join(' ')}`);
  r.panels().showCompare(runs.map((x) => x.id));
}

function showLineage(s: Container, r: RunSurfaces, node?: RunNode | ArtifactNode): void {
  if (!allowedToRun('read Git history')) return;
  s.project.require();
  const focus =
    node?.type === 'run' ? node.run.id : node?.type === 'artifact' ? node.info.path : undefined;
  r.panels().showLineage(focus);
}
