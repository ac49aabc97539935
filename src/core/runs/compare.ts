import type { Project } from '../project/project.js';
import type { RunRecord, RunStatus } from './runRecord.js';
import { readRun } from './runStore.js';
import type { Goal, ParamValue } from './taskConfig.js';

/** One parameter across the compared runs (null where a run lacks it). */
export interface ParamRow {
  readonly name: string;
  readonly values: (ParamValue | null)[];
  readonly differs: boolean;
}

/** One metric across the compared runs: last values, direction and the best run. */
export interface MetricRow {
  readonly name: string;
  readonly goal: Goal | null;
  readonly goalSource: 'declared' | 'inferred' | null;
  readonly values: (number | null)[];
  /** Id of the best run by `goal`, or null when there is no direction or no finite value. */
  readonly best: string | null;
}

export interface Comparison {
  readonly runs: {
    readonly id: string;
    readonly name: string;
    readonly task: string | null;
    readonly status: RunStatus;
    readonly startMs: number;
    readonly commit: string | null;
  }[];
  /** Parameters that differ come first, then the rest, each group by name. */
  readonly params: ParamRow[];
  readonly metrics: MetricRow[];
}

const MIN_WORDS = [
  'loss',
  'error',
  'err',
  'mse',
  'mae',
  'rmse',
  'mape',
  'perplexity',
  'ppl',
  'wer',
  'cer',
  'nll',
  'cost',
  'time',
  'latency',
  'regret',
];
const MAX_WORDS = [
  'acc',
  'accuracy',
  'f1',
  'auc',
  'roc',
  'precision',
  'recall',
  'r2',
  'map',
  'bleu',
  'rouge',
  'iou',
  'dice',
  'score',
  'reward',
  'return',
  'sharpe',
  'top1',
  'top5',
];

/** The direction inferred from a metric's name: loss/error/mse... min, acc/f1/auc... max. */
export function inferGoal(name: string): Goal | undefined {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  // The last word decides (val_loss, train/acc, loss_acc is odd but its tail wins).
  for (const w of [...words].reverse()) {
    if (MIN_WORDS.includes(w)) return 'min';
    if (MAX_WORDS.includes(w)) return 'max';
  }
  const flat = name.toLowerCase();
  if (/(loss|error|mse|mae)/.test(flat)) return 'min';
  if (/(acc|f1|auc|precision|recall)/.test(flat)) return 'max';
  return undefined;
}

function same(a: ParamValue | null, b: ParamValue | null): boolean {
  return (
    a === b ||
    (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b))
  );
}

/** Compares recorded runs (the metric value compared is each run's last value). */
export function compareRecords(
  runs: readonly RunRecord[],
  declared: Record<string, Goal> = {},
): Comparison {
  // No prototype: a metric named toString has no goal unless one is declared.
  const goals = Object.create(null) as Record<string, Goal>;
  for (const r of runs) Object.assign(goals, r.spec.goal);
  Object.assign(goals, declared);
  const paramNames = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const params = paramNames.map((name) => {
    const values = runs.map((r) => (name in r.params ? r.params[name]! : null));
    return { name, values, differs: values.some((v) => !same(v, values[0] ?? null)) };
  });
  params.sort((a, b) => Number(b.differs) - Number(a.differs) || (a.name < b.name ? -1 : 1));
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const metrics = metricNames.map((name): MetricRow => {
    const values = runs.map((r) => r.summary[name]?.last ?? null);
    const goal = goals[name] ?? inferGoal(name) ?? null;
    const goalSource = goals[name] ? 'declared' : goal ? 'inferred' : null;
    let best: string | null = null;
    let bestValue = 0;
    values.forEach((v, i) => {
      if (goal === null || v === null || !Number.isFinite(v)) return;
      if (best === null || (goal === 'min' ? v < bestValue : v > bestValue)) {
        best = runs[i]!.id;
        bestValue = v;
      }
    });
    return { name, goal, goalSource, values, best };
  });
  return {
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      task: r.task,
      status: r.status,
      startMs: r.startMs,
      commit: r.git.commit,
    })),
    params,
    metrics,
  };
}

/** Compares runs by id: params that differ first, and the best run per metric. */
export function compareRuns(
  project: Project,
  ids: readonly string[],
  declared: Record<string, Goal> = {},
): Comparison {
  return compareRecords(
    ids.map((id) => readRun(project, id)),
    declared,
  );
}
