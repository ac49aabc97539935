import { shortHash } from '../core/format.js';
import { CairnError } from '../core/errors.js';
import { buildLineage } from '../core/lineage/lineageGraph.js';
import { staleNodes } from '../core/lineage/lineageStaleness.js';
import { findProject, type Project } from '../core/project/project.js';
import { runInputStates } from '../core/data/runDrift.js';
import { compareRuns, type Comparison } from '../core/runs/compare.js';
import { recoverParamsFiles } from '../core/runs/paramsFile.js';
import { reproduceRun } from '../core/runs/reproduce.js';
import { exitCodeOf, specOf, startRun, type RunHandle } from '../core/runs/runRecorder.js';
import type { RunRecord, RunSummary } from '../core/runs/runRecord.js';
import { reconcileJobs } from '../core/executors/jobs.js';
import {
  deleteRun,
  getRun,
  listRuns,
  resolveRunId,
  runFiles,
  runJsonReplacer,
} from '../core/runs/runStore.js';
import {
  newSweepId,
  parseSweepArgs,
  runSweep,
  sampleRandom,
  sweepGrid,
} from '../core/runs/sweep.js';
import { getExecutor, type ExecutorConfig } from '../core/executors/executorConfig.js';
import { submitAndFollow } from './jobCommands.js';
import { getTask, parseOverrideArgs } from '../core/runs/taskConfig.js';
import { defineCommand, type Command, type CommandArgs } from './command.js';
import { err, out, printJson } from './printer.js';
import { formatDuration, formatValue, reportRun, table } from './runReport.js';
import { processTerminal } from './processTerminal.js';

const json = { json: { type: 'boolean' } } as const;

function printJsonSafe(value: unknown): void {
  printJson(JSON.parse(JSON.stringify(value, runJsonReplacer)));
}

function project(args: CommandArgs): Project {
  const p = findProject(args.cwd);
  recoverParamsFiles(p);
  return p;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new CairnError('usage', `${flag} needs a whole number of at least 1, not '${v}'`);
  return n;
}

/** Stops the given runs on Ctrl-C, SIGTERM or SIGHUP; returns a function that removes the handlers. */
export function stopOnSignals(stop: () => void): () => void {
  const handler = () => stop();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}

const onExecutor = {
  on: { type: 'string' },
  detach: { type: 'boolean' },
} as const;

/** The executor a run goes to: --on, else the task's on:, else none (here). */
function executorFor(
  p: Project,
  explicit: string | undefined,
  taskDefault: string | undefined,
): ExecutorConfig | undefined {
  const name = explicit ?? taskDefault;
  if (name === undefined || name === 'local') return undefined;
  return getExecutor(p, name);
}

function followOptions(args: CommandArgs<typeof onExecutor>): { detach: boolean } {
  return { detach: args.values.detach === true };
}

const run = defineCommand({
  name: 'run',
  usage:
    'cairn run <task> [-p key=value]... [--name <name>] [--on <executor> [--detach]] | cairn run -- <command...>',
  summary: 'run a task or a command, recording params, code, data, metrics and outputs',
  options: {
    param: { type: 'string', short: 'p', multiple: true },
    name: { type: 'string' },
    ...onExecutor,
  },
  async run(args) {
    const p = project(args);
    const explicit = args.values['on'];
    const raw = args.argv ?? [];
    const dashdash = raw.indexOf('--');
    const { overrides, newParams } = parseOverrideArgs(args.values['param'] ?? []);
    const name = args.values['name'];
    let handle: RunHandle;
    const terminal = processTerminal();
    const common = {
      overrides,
      newParams,
      ...(terminal ? { terminal } : {}),
      ...(typeof name === 'string' ? { name } : {}),
      onWait: (holder: string) =>
        err(`cairn: waiting for run ${holder}, which is using the params file`),
    };
    if (dashdash !== -1) {
      const argv = raw.slice(dashdash + 1);
      if (argv.length === 0)
        throw new CairnError(
          'usage',
          'Give the command to run after --, e.g. cairn run -- python train.py',
        );
      if (args.positionals.length > argv.length)
        throw new CairnError('usage', 'Give either a task name or a command after --, not both');
      const executor = executorFor(p, explicit, undefined);
      if (executor)
        return (await submitAndFollow(p, executor, [{ argv, ...common }], followOptions(args)))
          .code;
      handle = await startRun(p, { argv, ...common });
    } else {
      if (args.positionals.length !== 1)
        throw new CairnError(
          'usage',
          'Give one task name (cairn run <task>) or a command after -- (cairn run -- python train.py)',
        );
      const task = getTask(p, args.positionals[0]!);
      const request = {
        task: { name: task.name, spec: specOf(task) },
        paramDefaults: task.paramDefaults,
        ...common,
      };
      const executor = executorFor(p, explicit, task.on);
      if (executor)
        return (await submitAndFollow(p, executor, [request], followOptions(args))).code;
      handle = await startRun(p, request);
    }
    return finishRun(handle);
  },
});

/** Waits for a run (Ctrl-C and SIGTERM stop it), reports it, and returns the exit code. */
export async function finishRun(handle: RunHandle): Promise<number> {
  const off = stopOnSignals(() => handle.stop());
  try {
    const record = await handle.done;
    reportRun(record);
    return exitCodeOf(record);
  } finally {
    off();
  }
}

const sweep = defineCommand({
  name: 'sweep',
  usage: 'cairn sweep <task> -p key=v1,v2 ... [-j N] [--random N] [--on <executor> [--detach]]',
  summary:
    'run a task over a grid (or N random points) of params, N runs at a time (a job array --on a cluster)',
  options: {
    param: { type: 'string', short: 'p', multiple: true },
    jobs: { type: 'string', short: 'j' },
    random: { type: 'string' },
    ...onExecutor,
    ...json,
  },
  async run(args) {
    const p = project(args);
    if (args.positionals.length !== 1)
      throw new CairnError('usage', 'Give one task name: cairn sweep <task> -p key=v1,v2');
    const task = getTask(p, args.positionals[0]!);
    const { axes, newParams } = parseSweepArgs(args.values['param'] ?? []);
    if (Object.keys(axes).length === 0)
      throw new CairnError('usage', 'Give at least one parameter to sweep: -p key=v1,v2');
    const jobs = positiveInt(args.values['jobs'], '-j') ?? 1;
    const random = positiveInt(args.values['random'], '--random');
    const grid = sweepGrid(axes);
    const combos = random !== undefined ? sampleRandom(grid, random) : grid;
    const asJson = args.values['json'] === true;
    err(`cairn: sweeping ${task.name} over ${combos.length} combination(s), ${jobs} at a time`);
    const executor = executorFor(p, args.values['on'], task.on);
    if (executor) {
      const sweepId = newSweepId();
      const requests = combos.map((overrides) => ({
        task: { name: task.name, spec: specOf(task) },
        paramDefaults: task.paramDefaults,
        overrides,
        newParams,
        sweep: sweepId,
      }));
      const { code, records } = await submitAndFollow(p, executor, requests, {
        ...followOptions(args),
        parallel: jobs,
      });
      printSweep(sweepId, records, Object.keys(axes), asJson);
      return code;
    }
    const terminal = asJson ? undefined : processTerminal();
    const handle = runSweep(p, task, combos, {
      jobs,
      echo: !asJson,
      newParams,
      ...(terminal ? { terminal } : {}),
      onRunStart: (id, params) =>
        err(
          `cairn: started ${id} ${Object.entries(params)
            .map(([k, v]) => `${k}=${formatValue(v)}`)
            .join(' ')}`,
        ),
      onRunEnd: (r) => reportRun(r),
      onWait: (holder) => err(`cairn: waiting for run ${holder}, which is using the params file`),
    });
    let interrupted = false;
    const off = stopOnSignals(() => {
      interrupted = true;
      handle.stop();
    });
    let records: RunRecord[];
    try {
      records = await handle.done;
    } finally {
      off();
    }
    printSweep(handle.sweepId, records, Object.keys(axes), asJson);
    if (interrupted) return 130;
    return records.every((r) => r.status === 'completed') ? 0 : 1;
  },
});

/** A sweep's runs: a table of params and metrics, or JSON. */
function printSweep(
  sweepId: string,
  records: readonly RunRecord[],
  keys: readonly string[],
  asJson: boolean,
): void {
  if (asJson)
    printJsonSafe({
      sweep: sweepId,
      runs: records.map((r) => ({
        id: r.id,
        status: r.status,
        params: r.overrides,
        metrics: Object.fromEntries(Object.entries(r.summary).map(([k, s]) => [k, s.last])),
      })),
    });
  else {
    const names = [...new Set(records.flatMap((r) => Object.keys(r.summary)))].slice(0, 6);
    out(
      table([
        ['run', 'status', ...keys, ...names],
        ...records.map((r) => [
          r.id,
          r.status,
          ...keys.map((k) => formatValue(r.overrides[k])),
          ...names.map((n) => formatValue(r.summary[n]?.last)),
        ]),
      ]),
    );
  }
}

const runsLs = defineCommand({
  name: 'runs ls',
  usage: 'cairn runs ls [--json]',
  summary: 'list recorded runs, newest first',
  options: json,
  async run(args) {
    const p = project(args);
    await settleJobs(p);
    const runs = listRuns(p);
    if (args.values['json']) {
      printJsonSafe({ runs });
      return 0;
    }
    if (runs.length === 0) {
      out("No runs yet. Record one with 'cairn run <task>' or 'cairn run -- <command>'.");
      return 0;
    }
    out(
      table([
        ['id', 'status', 'duration', 'where', 'name', 'metrics'],
        ...runs.map((r) => [
          r.id,
          r.status,
          formatDuration(r.durationMs),
          whereRan(r),
          r.name,
          Object.entries(r.metrics)
            .slice(0, 4)
            .map(([k, v]) => `${k}=${formatValue(v)}`)
            .join(' '),
        ]),
      ]),
    );
    return 0;
  },
});

/** Settles the runs on executors whose jobs ended; an executor that does not answer is only a warning. */
async function settleJobs(p: Project): Promise<void> {
  try {
    await reconcileJobs(p);
  } catch (e) {
    err(`cairn: warning: could not ask an executor about its runs: ${(e as Error).message}`);
  }
}

/** Where a run ran: the host, or the executor and node (`gpu:node7`) of a cluster run. */
function whereRan(r: RunSummary): string {
  const e = r.executor;
  if (!e) return r.host;
  return `${e.name}:${e.node ?? (r.status === 'queued' ? 'queued' : '?')}`;
}

const runsShow = defineCommand({
  name: 'runs show',
  usage: 'cairn runs show <id> [--json]',
  summary: 'everything recorded about one run (--json adds the step series)',
  options: json,
  async run(args) {
    const p = project(args);
    if (args.positionals.length !== 1)
      throw new CairnError('usage', 'Give one run id: cairn runs show <id>');
    const id = resolveRunId(p, args.positionals[0]!);
    await settleJobs(p);
    const detail = getRun(p, id);
    if (args.values['json']) {
      printJsonSafe(detail);
      return 0;
    }
    const rows: string[][] = [
      ['id', detail.id],
      ['name', detail.name],
      ['task', detail.task ?? '(command)'],
      ['command', detail.command],
      [
        'status',
        detail.status +
          (detail.exitCode !== null
            ? ` (exit ${detail.exitCode})`
            : detail.signal
              ? ` (${detail.signal})`
              : ''),
      ],
      ['started', new Date(detail.startMs).toISOString()],
      ['duration', formatDuration(detail.durationMs)],
      ['host', detail.host],
      [
        'commit',
        (detail.git.commit ?? '(none)') +
          (detail.git.dirty ? ' + uncommitted changes' : '') +
          (detail.git.branch ? ` on ${detail.git.branch}` : ''),
      ],
    ];
    const e = detail.executor;
    if (e)
      rows.push(
        [
          'executor',
          `${e.name} (SLURM job ${e.jobId ?? '-'}${e.state ? `, ${e.state}` : ''}${e.partition ? `, partition ${e.partition}` : ''})`,
        ],
        ...(e.node ? [['node', e.node]] : []),
        ...(e.resources ? [['resources', e.resources]] : []),
      );
    if (detail.git.diffFile) rows.push(['diff', `${runFiles(p, detail.id).diff}`]);
    rows.push(['log', runFiles(p, detail.id).log]);
    for (const [k, v] of Object.entries(detail.params)) rows.push([`param ${k}`, formatValue(v)]);
    const states = new Map(runInputStates(p, detail).map((s) => [s.path, s]));
    for (const a of detail.inputs) {
      const s = states.get(a.path);
      const since =
        !s || s.state === 'current'
          ? ''
          : s.state === 'drifted'
            ? ` (drifted since: ${s.columns.join(', ')})`
            : s.state === 'stable'
              ? ' (changed since, no drift)'
              : " (changed since; 'cairn drift' measures how)";
      rows.push(['input', `${a.path} ${shortHash(a.hash)}${since}`]);
    }
    for (const a of detail.outputs)
      rows.push(['output', `${a.kind} ${a.path} ${shortHash(a.hash)}`]);
    for (const [k, s] of Object.entries(detail.summary))
      rows.push([
        `metric ${k}`,
        `${formatValue(s.last)} (min ${formatValue(s.min)}, max ${formatValue(s.max)}, ${s.count} points)`,
      ]);
    if (detail.skippedLines > 0)
      rows.push(['skipped', `${detail.skippedLines} malformed metric line(s)`]);
    if (detail.error) rows.push(['error', detail.error]);
    out(table(rows));
    return 0;
  },
});

function printComparison(c: Comparison): void {
  const header = ['', ...c.runs.map((r) => r.id)];
  const rows: string[][] = [header, ['name', ...c.runs.map((r) => r.name)]];
  for (const pr of c.params)
    rows.push([`${pr.differs ? '* ' : '  '}${pr.name}`, ...pr.values.map(formatValue)]);
  for (const m of c.metrics)
    rows.push([
      `  ${m.name}${m.goal ? ` (${m.goal})` : ''}`,
      ...m.values.map(
        (v, i) => formatValue(v) + (m.best !== null && c.runs[i]!.id === m.best ? ' *best' : ''),
      ),
    ]);
  out(table(rows));
  out('(* marks params that differ; *best the best run per metric)');
}

const runsCompare = defineCommand({
  name: 'runs compare',
  usage: 'cairn runs compare <id>... [--json]',
  summary: 'params and metrics side by side, differing params first, best run per metric',
  options: json,
  run(args) {
    const p = project(args);
    if (args.positionals.length < 1)
      throw new CairnError('usage', 'Give the runs to compare: cairn runs compare <id> <id>...');
    const c = compareRuns(
      p,
      args.positionals.map((id) => resolveRunId(p, id)),
    );
    if (args.values['json']) printJsonSafe(c);
    else printComparison(c);
    return Promise.resolve(0);
  },
});

const runsRm = defineCommand({
  name: 'runs rm',
  usage: 'cairn runs rm <id>...',
  summary: 'delete recorded runs',
  options: json,
  run(args) {
    const p = project(args);
    if (args.positionals.length < 1)
      throw new CairnError('usage', 'Give the runs to delete: cairn runs rm <id>...');
    const ids = args.positionals.map((id) => resolveRunId(p, id));
    for (const id of ids) deleteRun(p, id);
    if (args.values['json']) printJson({ deleted: ids });
    else out(`Deleted ${ids.join(', ')}`);
    return Promise.resolve(0);
  },
});

const lineage = defineCommand({
  name: 'lineage',
  usage: 'cairn lineage [<artifact|run>] [--json]',
  summary: 'artifact versions → runs → artifact versions, with commits',
  options: json,
  async run(args) {
    const p = project(args);
    const focus = args.positionals[0];
    const graph = await buildLineage(p, focus);
    const stale = staleNodes(graph);
    if (args.values['json']) {
      printJsonSafe({
        ...graph,
        nodes: graph.nodes.map((n) => ({ ...n, stale: stale.has(n.id) })),
      });
      return 0;
    }
    const label = new Map<string, string>();
    for (const n of graph.nodes) {
      const moved = stale.get(n.id);
      const staleNote = moved ? ` [stale: ${moved.join(', ')} changed since]` : '';
      label.set(
        n.id,
        n.type === 'run'
          ? `run ${n.runId} (${n.name}, ${n.status})${staleNote}`
          : `${n.path}@${shortHash(n.hash)}${n.commits.length > 0 ? ` [${n.commits.map((c) => shortHash(c)).join(',')}]` : n.current ? ' [uncommitted]' : ''}${(n.registered ?? []).map((r) => ` ${r.name}@${r.version}${r.stages.length ? ` (${r.stages.join(', ')})` : ''}`).join('')}${staleNote}`,
      );
    }
    const runs = graph.nodes.filter((n) => n.type === 'run');
    if (runs.length === 0 && graph.nodes.length === 0) {
      out(focus ? `Nothing in the lineage matches '${focus}'.` : 'No artifacts or runs yet.');
      return 0;
    }
    for (const r of runs) {
      const ins = graph.edges.filter((e) => e.to === r.id).map((e) => label.get(e.from));
      const outs = graph.edges.filter((e) => e.from === r.id).map((e) => label.get(e.to));
      out(`${label.get(r.id)}${r.commit ? ` at ${shortHash(r.commit)}` : ''}`);
      for (const i of ins) out(`  <- ${i}`);
      for (const o of outs) out(`  -> ${o}`);
    }
    const linked = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
    const lone = graph.nodes.filter((n) => n.type === 'artifact' && !linked.has(n.id));
    if (lone.length > 0) {
      out('Versions no recorded run used or produced:');
      for (const n of lone) out(`  ${label.get(n.id)}`);
    }
    return 0;
  },
});

const reproduce = defineCommand({
  name: 'reproduce',
  usage: 'cairn reproduce <run-id> [--json]',
  summary: 'run a recorded run again at its commit, data versions and params, and compare',
  options: json,
  async run(args) {
    const p = project(args);
    if (args.positionals.length !== 1)
      throw new CairnError('usage', 'Give one run id: cairn reproduce <run-id>');
    const id = resolveRunId(p, args.positionals[0]!);
    const asJson = args.values['json'] === true;
    let handle: RunHandle | undefined;
    let interrupted = false;
    const off = stopOnSignals(() => {
      interrupted = true;
      handle?.stop();
    });
    const terminal = asJson ? undefined : processTerminal();
    try {
      const result = await reproduceRun(p, id, {
        echo: !asJson,
        ...(terminal ? { terminal } : {}),
        onStep: (m) => err(`cairn: ${m}`),
        onStart: (h) => {
          handle = h;
          if (interrupted) h.stop();
        },
      });
      if (asJson) printJsonSafe(result);
      else {
        reportRun(result.reproduction);
        printComparison(result.comparison);
        out(
          result.differingMetrics.length === 0
            ? 'Every metric matches the original run.'
            : `Metrics that differ from the original run: ${result.differingMetrics.join(', ')}`,
        );
        if (result.original.outputs.length > 0)
          out(
            result.differingOutputs.length === 0
              ? 'Every output has the same version as the original run.'
              : `Outputs whose version differs: ${result.differingOutputs.join(', ')}`,
          );
      }
      return exitCodeOf(result.reproduction);
    } finally {
      off();
    }
  },
});

export const runCommands: readonly Command[] = [
  run,
  sweep,
  runsLs,
  runsShow,
  runsCompare,
  runsRm,
  lineage,
  reproduce,
];
