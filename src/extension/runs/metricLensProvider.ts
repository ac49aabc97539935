import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Goal, ParamValue, TaskSpec } from '../../core/runs/taskConfig.js';
import { ids } from '../ids.js';
import type { WorkspaceProject } from '../shared/workspaceProject.js';
import type { RunModel, RunView } from './runModel.js';
import { formatNumber, type RunNode } from './runTree.js';

type LensData =
  | {
      readonly kind: 'param';
      readonly task: string;
      readonly key: string;
      readonly value: ParamValue;
      /** Another task reads the same file: the lens names its task. */
      readonly shared: boolean;
    }
  | { readonly kind: 'metric'; readonly task: string; readonly names: string[] };

/** A CodeLens whose numbers are looked up in resolveCodeLens. */
class MetricLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly data: LensData,
  ) {
    super(range);
  }
}

const PARAM_LINE = /^([A-Za-z_][\w.-]*)\s*:\s*([^#\s][^#]*?)\s*(#.*)?$/;
const PY_ASSIGN =
  /^\s*([A-Za-z_]\w*)\s*=\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?|True|False|'[^']*'|"[^"]*")\s*(#.*)?$/;
const JS_ASSIGN =
  /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?|true|false|'[^']*'|"[^"]*")\s*;?\s*(\/\/.*)?$/;
/** What makes a file an entry script worth a "Create Task" lens (not every module). */
const ENTRY_SCRIPT = /__name__\s*==\s*['"]__main__['"]|argparse|sys\.argv|process\.argv/;
const PY_ARGPARSE = /add_argument\(\s*['"]--([\w-]+)['"][^)]*?default\s*=\s*([^,)\s]+)/;
const PY_GET = /\.get\(\s*['"]([\w.-]+)['"]\s*,\s*([^)\s]+)\s*\)/;
const LOGGING =
  /print\(|console\.log\(|log_metrics?\(|\.log\(|json\.dumps|logger\.|writer\.add_scalar|mlflow|wandb/;
const DEBOUNCE_MS = 500;
/** The scripts the lenses read: Python, JavaScript and TypeScript. */
export const SCRIPT_FILE = /\.(py|js|mjs|cjs|ts|mts|cts)$/;

/**
 * Numbers from past runs where the code is: on each parameter line (params file, Python
 * assignments and argparse defaults of the task's params) how its values did on the main metric;
 * on metric logging lines the latest and best values and the trend; "▶ Run · Sweep · Compare"
 * above a task's entry script. Finding the lines is cheap; the numbers come in resolveCodeLens.
 */
export class MetricLensProvider
  implements vscode.CodeLensProvider<vscode.CodeLens>, vscode.Disposable
{
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly project: WorkspaceProject,
    private readonly runs: RunModel,
  ) {
    this.subscriptions = [
      runs.onDidChange(() => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.changed.fire(), DEBOUNCE_MS);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(ids.settings.codeLens)) this.changed.fire();
      }),
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration().get<boolean>(ids.settings.codeLens, true)) return [];
    const project = this.project.current;
    if (!project || doc.uri.scheme !== 'file') return [];
    const rel = path.relative(project.root, doc.uri.fsPath).split(path.sep).join('/');
    if (rel.startsWith('..')) return [];
    const tasks = this.runs.taskList();
    const lenses: vscode.CodeLens[] = [];
    const entryOf = tasks.filter((t) => t.cmd.split(/\s+/).includes(rel));
    const codeOf = tasks.filter((t) => entryOf.includes(t) || t.deps.includes(rel));
    const paramsOf = tasks.filter((t) => t.paramsFile === rel);
    const top = new vscode.Range(0, 0, 0, 0);
    for (const t of entryOf) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: `▶ Run ${t.name}`,
          command: ids.commands.runTask,
          arguments: [t.name],
        }),
        new vscode.CodeLens(top, {
          title: 'Sweep',
          command: ids.commands.sweep,
          arguments: [t.name],
        }),
        new vscode.CodeLens(top, { title: 'Compare', command: ids.commands.compare }),
      );
    }
    if (
      entryOf.length === 0 &&
      codeOf.length === 0 &&
      SCRIPT_FILE.test(rel) &&
      ENTRY_SCRIPT.test(doc.getText())
    ) {
      lenses.push(
        new vscode.CodeLens(top, {
          title: 'Create Task from This File',
          command: ids.commands.createTask,
          arguments: [doc.uri],
          tooltip: 'Add a task to cairn.yaml that runs this script, so that its runs are recorded',
        }),
      );
    }
    if (paramsOf.length === 0 && codeOf.length === 0) return lenses;
    const isPython = rel.endsWith('.py');
    const isScript = SCRIPT_FILE.test(rel);
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      if (text.length > 400) continue;
      const range = new vscode.Range(i, 0, i, 0);
      for (const t of paramsOf) {
        const m = PARAM_LINE.exec(text);
        if (m)
          lenses.push(
            new MetricLens(range, {
              kind: 'param',
              task: t.name,
              key: m[1]!,
              value: literal(m[2]!),
              shared: paramsOf.length > 1,
            }),
          );
      }
      if (!isScript) continue;
      for (const t of codeOf) {
        const m = isPython
          ? (PY_ASSIGN.exec(text) ?? PY_ARGPARSE.exec(text) ?? PY_GET.exec(text))
          : (JS_ASSIGN.exec(text) ?? PY_GET.exec(text));
        if (m) {
          const key = m[1]!.replace(/-/g, '_');
          if (this.paramKeys(t.name).has(key)) {
            lenses.push(
              new MetricLens(range, {
                kind: 'param',
                task: t.name,
                key,
                value: literal(m[2]!),
                shared: false,
              }),
            );
            continue;
          }
        }
        if (LOGGING.test(text)) {
          const names = [...this.metricNames(t.name)].filter((n) =>
            new RegExp(`['"]${escapeRe(n)}['"]|\\b${escapeRe(n)}\\s*=`).test(text),
          );
          if (names.length > 0)
            lenses.push(new MetricLens(range, { kind: 'metric', task: t.name, names }));
        }
      }
    }
    return lenses;
  }

  resolveCodeLens(lens: vscode.CodeLens): vscode.CodeLens {
    if (!(lens instanceof MetricLens)) return lens;
    const task = this.runs.taskList().find((t) => t.name === lens.data.task);
    const runs = this.runs.all().filter((r) => r.task === lens.data.task && r.status !== 'failed');
    const { title, named } =
      lens.data.kind === 'param'
        ? paramLens(lens.data.key, lens.data.value, runs, task)
        : metricLens(lens.data.names, runs, task);
    const shown =
      lens.data.kind === 'param' && lens.data.shared ? `${lens.data.task}: ${title}` : title;
    // The runs the lens speaks of, as a selection in the Runs view would pass them.
    const nodes: RunNode[] = named.map((run) => ({ type: 'run', run }));
    lens.command = {
      title: shown,
      command: ids.commands.compare,
      arguments: nodes.length > 0 ? [nodes[0], nodes] : [],
      tooltip: `Compare the runs of ${lens.data.task} this line is about`,
    };
    return lens;
  }

  private paramKeys(task: string): Set<string> {
    const keys = new Set<string>();
    for (const r of this.runs.all())
      if (r.task === task) for (const k of Object.keys(r.params)) keys.add(k);
    return keys;
  }

  private metricNames(task: string): Set<string> {
    const names = new Set<string>();
    for (const r of this.runs.all())
      if (r.task === task) for (const k of Object.keys(r.latest)) names.add(k);
    return names;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function literal(text: string): ParamValue {
  const t = text.trim().replace(/^['"]|['"]$/g, '');
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'True') return true;
  if (t === 'false' || t === 'False') return false;
  if (t === 'null' || t === 'None' || t === '~') return null;
  return t;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The metric a task is judged by, and which way is better. */
export function mainMetric(
  runs: readonly RunView[],
  task?: TaskSpec,
): { name: string; goal: Goal } | undefined {
  const declared = Object.entries(task?.goal ?? {})[0];
  if (declared) return { name: declared[0], goal: declared[1] };
  const name = Object.keys(runs[0]?.latest ?? {}).find((n) => n !== 'step' && n !== 'epoch');
  if (!name) return undefined;
  return { name, goal: /loss|err|mse|mae|rmse|time|perplexity/i.test(name) ? 'min' : 'max' };
}

function better(goal: Goal, a: number, b: number): boolean {
  return goal === 'max' ? a > b : a < b;
}

function bestRun(runs: readonly RunView[], metric: string, goal: Goal): RunView | undefined {
  let best: RunView | undefined;
  for (const r of runs) {
    const v = r.latest[metric];
    if (v === undefined || Number.isNaN(v)) continue;
    if (!best || better(goal, v, best.latest[metric]!)) best = r;
  }
  return best;
}

function sameValue(a: ParamValue | undefined, b: ParamValue): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-12);
}

/** `lr = 0.01 → val_acc 0.91 best of 6 runs · 0.003 gave 0.93`, and the runs it speaks of. */
export function paramLens(
  key: string,
  value: ParamValue,
  runs: readonly RunView[],
  task?: TaskSpec,
): { title: string; named: RunView[] } {
  const head = `${key} = ${String(value)}`;
  const main = mainMetric(runs, task);
  if (!main) return { title: `${head} → no runs yet`, named: [] };
  const withValue = runs.filter((r) => sameValue(r.params[key], value));
  const mine = bestRun(withValue, main.name, main.goal);
  const overall = bestRun(runs, main.name, main.goal);
  const named = [...withValue];
  const parts: string[] = [];
  parts.push(
    mine
      ? `${main.name} ${formatNumber(mine.latest[main.name]!)} ${withValue.length === 1 ? 'in 1 run' : `best of ${withValue.length} runs`}`
      : `no runs with this value`,
  );
  const overallValue = overall?.latest[main.name];
  const mineValue = mine?.latest[main.name];
  if (
    overall &&
    overallValue !== undefined &&
    !sameValue(overall.params[key], value) &&
    (mineValue === undefined || better(main.goal, overallValue, mineValue))
  ) {
    parts.push(
      `${String(overall.params[key] ?? '—')} gave ${formatNumber(overall.latest[main.name]!)}`,
    );
    named.push(overall);
  }
  return { title: `${head} → ${parts.join(' · ')}`, named };
}

/**
 * `val_acc: latest 0.95 · best 0.97 (lr=0.1) · ↗ over 5 runs` (`val_acc 0.95 in 1 run` when
 * there is one), and the runs it speaks of.
 */
export function metricLens(
  names: readonly string[],
  runs: readonly RunView[],
  task?: TaskSpec,
): { title: string; named: RunView[] } {
  if (runs.length === 0) return { title: `${names.join(', ')}: no runs yet`, named: [] };
  const named = new Set<RunView>();
  const title = names
    .map((name) => {
      const withIt = runs.filter((r) => r.latest[name] !== undefined);
      const latest = withIt[0];
      if (!latest) return `${name}: not logged yet`;
      const goal = task?.goal[name] ?? (/loss|err|mse|mae|time/i.test(name) ? 'min' : 'max');
      const best = bestRun(withIt, name, goal)!;
      const recent = withIt.slice(0, 5);
      for (const r of [...recent, best]) named.add(r);
      if (withIt.length === 1) return `${name} ${formatNumber(latest.latest[name]!)} in 1 run`;
      const values = recent.map((r) => r.latest[name]!);
      const first = values[values.length - 1]!;
      const trend = values[0]! > first ? ' · ↗' : values[0]! < first ? ' · ↘' : ' · →';
      return `${name}: latest ${formatNumber(latest.latest[name]!)} · best ${formatNumber(best.latest[name]!)}${best === latest ? ' (latest)' : ` (${best.name})`}${trend} over ${values.length} runs`;
    })
    .join('  ·  ');
  return { title, named: [...named] };
}
