import * as vscode from 'vscode';
import type { ParamValue } from '../../core/runs/taskConfig.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import type { RunModel } from './runModel.js';
import { cliLauncher } from './cliLauncher.js';

export const TASK_TYPE = 'cairn';

/** A `cairn` task in tasks.json or from this provider. */
export interface CairnTaskDefinition extends vscode.TaskDefinition {
  readonly type: typeof TASK_TYPE;
  /** The task of cairn.yaml to run... */
  readonly task?: string;
  /** ...or the CLI's arguments as they are (`run -- python x.py`, `sweep`, `reproduce`). */
  readonly args?: readonly string[];
  /** Parameter overrides (`-p key=value`). */
  readonly params?: Record<string, ParamValue>;
  /** Where to run: an executor of cairn.yaml, or `local` (`--on`). */
  readonly on?: string;
}

/**
 * Tasks of cairn.yaml under "Run Task": each runs `cairn run <task>` in a terminal with the
 * bundled CLI, which records the run; terminating the task stops the run (the CLI turns the
 * signal into a clean stop).
 */
export class CairnTaskProvider implements vscode.TaskProvider {
  constructor(
    private readonly project: WorkspaceProject,
    private readonly runs: RunModel,
    private readonly extensionUri: vscode.Uri,
  ) {}

  provideTasks(): vscode.Task[] {
    if (!vscode.workspace.isTrusted || !this.project.current) return [];
    return this.runs.taskList().map((t) => this.taskFor({ type: TASK_TYPE, task: t.name }));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as Partial<CairnTaskDefinition>;
    if (def.type !== TASK_TYPE || !vscode.workspace.isTrusted) return undefined;
    const args: unknown = def.args;
    if (Array.isArray(args)) {
      return this.cliTask(task.definition, task.name, args.map(String), task);
    }
    if (typeof def.task !== 'string') return undefined;
    return this.taskFor(def as CairnTaskDefinition & { task: string }, task);
  }

  /** The VS Code task that runs a cairn.yaml task with the given overrides. */
  taskFor(def: CairnTaskDefinition & { task: string }, original?: vscode.Task): vscode.Task {
    const args = ['run', def.task];
    for (const [k, v] of Object.entries(def.params ?? {})) args.push('-p', `${k}=${String(v)}`);
    if (def.on) args.push('--on', def.on);
    const params = Object.entries(def.params ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ');
    const label = [def.task, params, def.on && def.on !== 'local' ? `on ${def.on}` : '']
      .filter(Boolean)
      .join(' ');
    return this.cliTask(def, label, args, original);
  }

  /** A task that runs the bundled CLI with `args` in the project root. */
  cliTask(
    definition: vscode.TaskDefinition,
    name: string,
    args: string[],
    original?: vscode.Task,
  ): vscode.Task {
    const root = this.project.require().root;
    const { node, cli, env } = cliLauncher(this.extensionUri);
    const execution = new vscode.ProcessExecution(node, [cli, ...args], { cwd: root, env });
    const folder =
      vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root)) ?? vscode.TaskScope.Workspace;
    const task = new vscode.Task(
      original?.definition ?? definition,
      original?.scope ?? folder,
      name,
      TASK_TYPE,
      execution,
      [],
    );
    task.detail = `cairn ${args.join(' ')}`;
    task.presentationOptions = {
      reveal: vscode.TaskRevealKind.Always,
      panel: vscode.TaskPanelKind.Dedicated,
      clear: true,
      showReuseMessage: false,
    };
    return task;
  }
}
