import * as path from 'node:path';
import { CairnError } from '../core/errors.js';
import { toProjectPath } from '../core/fsSafe.js';
import { driftBetween } from '../core/data/drift.js';
import { assessRunInputs } from '../core/data/runDrift.js';
import { readRun, resolveRunId } from '../core/runs/runStore.js';
import { evaluateModel } from '../core/data/evaluate.js';
import { inspectModel, scoreModel } from '../core/data/model.js';
import { profilePath, type ColumnProfile } from '../core/data/profile.js';
import { RANK_ERROR_CONFIDENCE } from '../core/data/columnStats.js';
import { shellQuote } from '../core/shell.js';
import { finishRun } from './runCommands.js';
import { findProject, type Project } from '../core/project/project.js';
import { formatBytes } from '../core/format.js';
import { defineCommand, type Command, type CommandArgs } from './command.js';
import { out, printJson } from './printer.js';

function num(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(4);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function columnRow(c: ColumnProfile): string[] {
  return [
    c.name,
    c.type,
    String(c.count),
    `${(c.missingRate * 100).toFixed(1)}%`,
    `${c.distinctExact ? '' : '≈'}${c.distinct}`,
    num(c.mean),
    num(c.std),
    num(c.min),
    c.quantiles ? `${c.sampled ? '≈' : ''}${num(c.quantiles.p50)}` : '',
    num(c.max),
    c.topValues && c.type !== 'number'
      ? c.topValues
          .slice(0, 3)
          .map((v) => `${v.value} (${v.count})`)
          .join(', ')
      : '',
  ];
}

const profile = defineCommand({
  name: 'profile',
  usage: 'cairn profile <path> [--json]',
  summary: 'dataset statistics: per column for tables, sizes and classes for image folders',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const [given] = args.positionals;
    if (!given || args.positionals.length > 1)
      throw new CairnError('usage', 'name one table or image folder: cairn profile <path>');
    const abs = path.resolve(args.cwd, given);
    const p = await profilePath(abs, given);
    if (args.values['json']) {
      printJson(p);
      return 0;
    }
    if (p.kind === 'images') {
      out(
        `${p.path}: ${p.count} images, ${formatBytes(p.sizeBytes)}${p.unreadable ? `, ${p.unreadable} unreadable` : ''}`,
      );
      out(
        `  formats:  ${Object.entries(p.formats)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      out(`  width:    ${p.width.min}–${p.width.max} (mean ${p.width.mean.toFixed(1)})`);
      out(`  height:   ${p.height.min}–${p.height.max} (mean ${p.height.mean.toFixed(1)})`);
      out(
        `  channels: ${Object.entries(p.channels)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')}`,
      );
      out(`  classes:  ${p.classes.map((c) => `${c.name} ${c.count}`).join(', ')}`);
      return 0;
    }
    out(
      `${p.path}: ${p.rows} rows, ${p.columns.length} columns, ${formatBytes(p.sizeBytes)} (${p.format}, ${p.durationMs} ms)`,
    );
    for (const note of p.notes) out(`  assumed: ${note}`);
    out(
      table([
        [
          'column',
          'type',
          'count',
          'missing',
          'distinct',
          'mean',
          'std',
          'min',
          'median',
          'max',
          'top values',
        ],
        ...p.columns.map(columnRow),
      ]),
    );
    const sampled = p.columns.filter((c) => c.sampled);
    if (sampled.length > 0) {
      const size = Math.min(...sampled.map((c) => c.sampleSize ?? 0));
      const rankError = Math.max(...sampled.map((c) => c.quantileRankError ?? 0));
      out(
        `≈ medians, quantiles and histograms of the ${sampled.length} ${sampled.length === 1 ? 'column' : 'columns'} marked are approximate: from a uniform sample (${size} values each) of the ${p.rows} rows, each quantile within ±${(rankError * 100).toFixed(2)}% of its rank (${RANK_ERROR_CONFIDENCE * 100}% confidence); count, mean, std, min and max use every row`,
      );
    }
    const estimated = p.columns.filter((c) => !c.distinctExact).length;
    if (estimated > 0)
      out('≈ distinct counts past 10,000 values are estimates (HyperLogLog, about 1.6%)');
    return 0;
  },
});

/** Whether the data a run used has drifted since: measured now, and remembered. */
async function driftOfRun(project: Project, runId: string, json: boolean): Promise<number> {
  const record = readRun(project, resolveRunId(project, runId));
  const states = await assessRunInputs(project, record);
  if (json) {
    printJson({ run: record.id, inputs: states });
    return 0;
  }
  if (states.length === 0)
    out(`Run ${record.id} recorded no data inputs (declare them as deps of its task).`);
  for (const st of states) {
    const what = {
      current: 'the version the work tree has now',
      changed: 'changed since (no table to compare)',
      stable: 'changed since, without drift',
      drifted: `drifted since: ${st.columns.join(', ')}`,
    }[st.state];
    out(`${st.path}: ${what}`);
    if (st.summary) out(`  ${st.summary}`);
  }
  return 0;
}

const drift = defineCommand({
  name: 'drift',
  usage: 'cairn drift <path> --from <rev> [--to <rev>] [--json] | cairn drift --run <id>',
  summary: 'what changed in a dataset between two versions, column by column (PSI, KS)',
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    run: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args) {
    const [given] = args.positionals;
    const from = args.values['from'];
    const project = findProject(args.cwd);
    const runId = args.values['run'];
    if (runId !== undefined) return driftOfRun(project, runId, args.values['json'] === true);
    if (!given || !from) {
      throw new CairnError(
        'usage',
        'cairn drift <path> --from <rev> [--to <rev>], or cairn drift --run <id>',
      );
    }
    const rel = toProjectPath(project.root, path.resolve(args.cwd, given));
    const report = await driftBetween(project, rel, from, args.values['to']);
    if (args.values['json']) {
      printJson(report);
      return 0;
    }
    out(report.summary);
    out('');
    out(
      table([
        ['', 'column', 'PSI', 'KS', 'p-value', 'missing', 'mean (from → to)', 'why'],
        ...report.columns.map((c) => [
          c.drifted ? '!' : ' ',
          c.name,
          num(c.psi ?? undefined),
          num(c.ks?.statistic),
          c.ks ? (c.ks.pValue < 1e-4 ? '<1e-4' : c.ks.pValue.toFixed(4)) : '-',
          `${((c.from?.missingRate ?? 0) * 100).toFixed(1)}% → ${((c.to?.missingRate ?? 0) * 100).toFixed(1)}%`,
          c.from?.mean !== undefined || c.to?.mean !== undefined
            ? `${num(c.from?.mean)} → ${num(c.to?.mean)}`
            : '',
          c.reasons.join('; '),
        ]),
      ]),
    );
    return 0;
  },
});

const modelInspect = defineCommand({
  name: 'model inspect',
  usage: 'cairn model inspect <path> [--json]',
  summary: 'layers, shapes, parameter counts and size of a TensorFlow.js / Keras-format model',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const [given] = args.positionals;
    if (!given)
      throw new CairnError('usage', 'name a model: cairn model inspect <model.json or its folder>');
    const m = await inspectModel(path.resolve(args.cwd, given), given);
    if (args.values['json']) {
      printJson(m);
      return 0;
    }
    const shape = (s: unknown): string => JSON.stringify(s).replace(/null/g, 'None');
    out(
      `${m.path}: ${m.format}, ${m.layers.length} layers, ${m.totalParams.toLocaleString('en')} parameters (${m.trainableParams.toLocaleString('en')} trainable), ${formatBytes(m.sizeBytes)} in ${m.weightFiles + 1} files`,
    );
    out(`input ${shape(m.inputShape)} → output ${shape(m.outputShape)}`);
    out(
      table([
        ['layer', 'type', 'output shape', 'params'],
        ...m.layers.map((l) => [
          l.name,
          l.className,
          shape(l.outputShape),
          l.params.toLocaleString('en'),
        ]),
      ]),
    );
    return 0;
  },
});

const dataAndLabel = { data: { type: 'string' }, label: { type: 'string' } } as const;

function modelArgs(
  args: CommandArgs<typeof dataAndLabel>,
  usage: string,
): { model: string; data: string; label: string } {
  const [model] = args.positionals;
  const data = args.values['data'];
  const label = args.values['label'];
  if (!model || !data || !label) throw new CairnError('usage', usage);
  return { model, data, label };
}

const modelScore = defineCommand({
  name: 'model score',
  usage: 'cairn model score <model> --data <table> --label <column>',
  summary: 'score a model on a table; prints the metrics as one JSON line',
  options: dataAndLabel,
  async run(args) {
    const { model, data, label } = modelArgs(
      args,
      'cairn model score <model> --data <table> --label <column>',
    );
    const s = await scoreModel(
      path.resolve(args.cwd, model),
      model,
      path.resolve(args.cwd, data),
      data,
      label,
    );
    out(JSON.stringify({ ...s.metrics, rows: s.rows }));
    return 0;
  },
});

const modelEval = defineCommand({
  name: 'model eval',
  usage: 'cairn model eval <model> --data <table> --label <column> [--name <name>]',
  summary: 'evaluate a model on a dataset version, recorded as a run',
  options: { ...dataAndLabel, name: { type: 'string' } },
  async run(args) {
    const { model, data, label } = modelArgs(
      args,
      'cairn model eval <model> --data <table> --label <column>',
    );
    const project = findProject(args.cwd);
    const rel = (p: string): string => toProjectPath(project.root, path.resolve(args.cwd, p));
    const name = args.values['name'];
    const handle = await evaluateModel(project, {
      model: rel(model),
      data: rel(data),
      label,
      cli: `${shellQuote(process.execPath)} ${shellQuote(path.join(__dirname, 'cli.js'))}`,
      ...(name ? { name } : {}),
    });
    return finishRun(handle);
  },
});

export const dataCommands: readonly Command[] = [
  profile,
  drift,
  modelInspect,
  modelScore,
  modelEval,
];
