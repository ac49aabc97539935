import * as vscode from 'vscode';
import * as os from 'node:os';
import type { RunStatus } from '../../core/runs/runRecord.js';
import type { TaskSpec } from '../../core/runs/taskConfig.js';
import type { RunModel, RunView } from './runModel.js';
import { ids } from '../ids.js';
import { groupItem } from '../shared/groupItem.js';
import { escapeMd, safeTreeItem } from '../shared/safeText.js';
import { shortHash } from '../../core/format.js';
import { sweepLabel } from '../../core/runs/sweepLabel.js';

/** A node of the Runs view: a task (or ad-hoc commands), a sweep, or a run. */
export type RunNode =
  | { readonly type: 'task'; readonly task: string | null; readonly runs: RunView[] }
  | { readonly type: 'sweep'; readonly sweep: string; readonly runs: RunView[] }
  | { readonly type: 'run'; readonly run: RunView };

const STATUS_ICON: Record<RunStatus, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.yellow')),
  running: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  stopped: new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground')),
};

/** The Runs view: runs grouped by task and sweep, newest first, live while running. */
export class RunTree implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly model: RunModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(node?: RunNode): RunNode[] {
    if (!node) {
      const groups = new Map<string | null, RunView[]>();
      for (const r of this.model.all()) {
        const list = groups.get(r.task) ?? [];
        list.push(r);
        groups.set(r.task, list);
      }
      // Tasks in the order of their newest run; ad-hoc commands last.
      return [...groups]
        .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : 0))
        .map(([task, runs]) => ({ type: 'task', task, runs }));
    }
    switch (node.type) {
      case 'task':
      case 'sweep': {
        const out: RunNode[] = [];
        const sweeps = new Map<string, RunView[]>();
        for (const r of node.runs) {
          if (node.type === 'task' && r.sweep) {
            const list = sweeps.get(r.sweep);
            if (list) list.push(r);
            else {
              const fresh = [r];
              sweeps.set(r.sweep, fresh);
              out.push({ type: 'sweep', sweep: r.sweep, runs: fresh });
            }
          } else out.push({ type: 'run', run: r });
        }
        return out;
      }
      case 'run':
        return [];
    }
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    return safeTreeItem(this.itemOf(node));
  }

  private itemOf(node: RunNode): vscode.TreeItem {
    switch (node.type) {
      case 'task':
        return groupItem({
          label: node.task ?? 'commands',
          id: `task:${node.task ?? ''}`,
          description: countText(node.runs),
          icon: node.task ? 'symbol-event' : 'terminal',
          contextValue: node.task ? 'cairn.task' : 'cairn.commands',
          expanded: true,
        });
      case 'sweep': {
        // Labelled by what it sweeps (`lr × hidden (4)`); the id stays in the tooltip.
        const running = node.runs.filter((r) => r.status === 'running').length;
        const item = groupItem({
          label: sweepLabel(node.runs),
          id: `sweep:${node.sweep}`,
          description: running ? `${running} running` : '',
          icon: running ? 'sync~spin' : 'layers',
          contextValue: 'cairn.sweep',
          expanded: false,
        });
        item.tooltip = `${node.sweep}: ${countText(node.runs)}`;
        return item;
      }
      case 'run':
        return runItem(node.run, this.model.taskList());
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function countText(runs: readonly RunView[]): string {
  const running = runs.filter((r) => r.status === 'running').length;
  return `${runs.length} run${runs.length === 1 ? '' : 's'}${running ? `, ${running} running` : ''}`;
}

/** The metrics worth a glance: the task's goals first, then the others, at most three. */
export function keyMetrics(run: RunView, tasks: readonly TaskSpec[]): [string, number][] {
  const goal = tasks.find((t) => t.name === run.task)?.goal ?? {};
  const names = Object.keys(run.latest);
  const ordered = [
    ...Object.keys(goal).filter((n) => names.includes(n)),
    ...names.filter((n) => !(n in goal) && n !== 'step' && n !== 'epoch'),
  ];
  return ordered.slice(0, 3).map((n) => [n, run.latest[n]!]);
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e6)
    ? v.toExponential(2)
    : String(Number(v.toPrecision(4)));
}

function runItem(run: RunView, tasks: readonly TaskSpec[]): vscode.TreeItem {
  const item = new vscode.TreeItem(run.name || run.id, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${run.id}`;
  const metrics = keyMetrics(run, tasks)
    .map(([n, v]) => `${n} ${formatNumber(v)}`)
    .join(' · ');
  const when = new Date(run.startMs);
  const drift = dataDriftText(run.inputStates);
  const e = run.executor;
  item.description = [
    run.status === 'completed' ? '' : run.status,
    drift,
    metrics,
    // A cluster run says where it runs; a teammate's run (pulled from a remote) whose it is.
    e
      ? `on ${e.name}${e.node ? `:${e.node}` : ''}`
      : run.host === os.hostname()
        ? ''
        : `${run.user ?? run.host}`,
    relativeTime(when),
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = STATUS_ICON[run.status];
  item.contextValue = `cairn.run.${run.status}${run.task ? '.task' : ''}`;
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escapeMd(run.name)}** — ${run.status}\n\n`);
  md.appendMarkdown(`\`${run.id}\` · started ${when.toLocaleString()}`);
  if (run.durationMs !== null) md.appendMarkdown(` · ${(run.durationMs / 1000).toFixed(1)} s`);
  md.appendMarkdown(` · ${run.user ? `by ${escapeMd(run.user)} ` : ''}on ${escapeMd(run.host)}`);
  if (run.commit) md.appendMarkdown(` · commit \`${shortHash(run.commit)}\``);
  md.appendMarkdown('\n\n');
  if (e) {
    const ssh = e.type === 'ssh';
    const parts = [
      ssh
        ? `process \`${e.jobId ?? '?'}\` on SSH executor **${escapeMd(e.name)}**`
        : `SLURM job \`${e.jobId ?? '?'}\` on executor **${escapeMd(e.name)}**`,
      e.partition ? `partition ${escapeMd(e.partition)}` : '',
      e.node ? `${ssh ? 'host' : 'node'} ${escapeMd(e.node)}` : 'not started yet',
      e.resources ? escapeMd(e.resources) : '',
      e.state && !ssh ? `SLURM state ${escapeMd(e.state)}` : '',
    ];
    md.appendMarkdown(`${parts.filter(Boolean).join(' · ')}\n\n`);
  }
  if (run.error) md.appendMarkdown(`${escapeMd(run.error)}\n\n`);
  const params = Object.entries(run.params);
  if (params.length > 0) {
    md.appendMarkdown('| param | value |\n| --- | --- |\n');
    for (const [k, v] of params) md.appendMarkdown(`| ${escapeMd(k)} | ${escapeMd(String(v))} |\n`);
    md.appendMarkdown('\n');
  }
  const all = Object.entries(run.latest);
  if (all.length > 0) {
    md.appendMarkdown('| metric | last |\n| --- | --- |\n');
    for (const [k, v] of all) md.appendMarkdown(`| ${escapeMd(k)} | ${formatNumber(v)} |\n`);
  }
  for (const input of run.inputStates) {
    if (input.state === 'current') continue;
    md.appendMarkdown(
      `\n\n**${escapeMd(input.path)}** ${input.state === 'drifted' ? `drifted since this run: ${escapeMd(input.columns.join(', '))}` : input.state === 'stable' ? 'changed since this run, without drift' : 'changed since this run (`cairn drift --run` measures how)'}`,
    );
  }
  item.tooltip = md;
  item.command = { command: ids.commands.openRun, title: 'Open Run', arguments: [run.id] };
  return item;
}

/** What the description says about a run's data: drifted beats changed; nothing when current. */
function dataDriftText(states: RunView['inputStates']): string {
  if (states.some((x) => x.state === 'drifted')) return '⚠ data drifted';
  if (states.some((x) => x.state === 'changed')) return 'data changed';
  return '';
}

function relativeTime(d: Date): string {
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return d.toLocaleDateString();
}
