// `cairn model …`: the model registry in Git tags (GTO's format), and `cairn check`, the
// retraining check for a scheduled CI job.
import * as path from 'node:path';
import { CairnError } from '../core/errors.js';
import { shortHash } from '../core/format.js';
import { findProject } from '../core/project/project.js';
import { getModel } from '../core/registry/modelGet.js';
import { checkModels } from '../core/registry/modelCheck.js';
import {
  demoteModel,
  promoteModel,
  readRegistry,
  registerModel,
  type ModelVersion,
} from '../core/registry/registry.js';
import { defineCommand, type Command } from './command.js';
import { err, out, printJson } from './printer.js';
import { formatValue, table } from './runReport.js';

function one(args: { positionals: string[] }, usage: string): string {
  if (args.positionals.length !== 1) throw new CairnError('usage', `Usage: ${usage}`);
  return args.positionals[0]!;
}

function stageOf(args: { values: { stage?: string } }, usage: string): string {
  const s = args.values.stage;
  if (!s) throw new CairnError('usage', `Give the stage with --stage: ${usage}`);
  return s;
}

function said(v: ModelVersion): string {
  return `${v.name}@${v.version} (${v.path} ${shortHash(v.hash)}, commit ${shortHash(v.commit)})`;
}

const register = defineCommand({
  name: 'model register',
  usage: 'cairn model register <model path> --name <name> [--version <x.y.z>] [--json]',
  summary: "register the committed version of a model: a Git tag <name>@v<x.y.z> (GTO's format)",
  options: { name: { type: 'string' }, version: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const usage = 'cairn model register <model path> --name <name> [--version <x.y.z>]';
    const p = findProject(args.cwd);
    const artifact = path.relative(p.root, path.resolve(args.cwd, one(args, usage)));
    const name = args.values.name;
    if (!name) throw new CairnError('usage', `Give the model a name with --name: ${usage}`);
    const v = await registerModel(p, artifact, {
      name,
      ...(args.values.version !== undefined ? { version: args.values.version } : {}),
    });
    if (args.values.json) printJson(v);
    else {
      out(`Registered ${said(v)}${v.run ? `, made by run ${v.run}` : ''}`);
      err(
        `cairn: share it with 'git push origin ${v.name}@${v.version}' and 'cairn push'; promote it with 'cairn model promote ${v.name}@${v.version} --stage prod'`,
      );
    }
    return 0;
  },
});

const promote = defineCommand({
  name: 'model promote',
  usage: 'cairn model promote <name>@<version> --stage <stage> [--json]',
  summary: 'put a registered version in a stage: a Git tag <name>#<stage>#<n>',
  options: { stage: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const usage = 'cairn model promote <name>@<version> --stage <stage>';
    const p = findProject(args.cwd);
    const v = await promoteModel(p, one(args, usage), stageOf(args, usage));
    if (args.values.json) printJson(v);
    else out(`${v.name}@${v.version} is in stage ${args.values.stage}`);
    return 0;
  },
});

const demote = defineCommand({
  name: 'model demote',
  usage: 'cairn model demote <name>[@<version>] --stage <stage> [--json]',
  summary: 'take a stage back from the version that holds it: a Git tag <name>#<stage>!#<n>',
  options: { stage: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const usage = 'cairn model demote <name>[@<version>] --stage <stage>';
    const p = findProject(args.cwd);
    const v = await demoteModel(p, one(args, usage), stageOf(args, usage));
    if (args.values.json) printJson(v);
    else out(`${v.name}@${v.version} is no longer in stage ${args.values.stage}`);
    return 0;
  },
});

const ls = defineCommand({
  name: 'model ls',
  usage: 'cairn model ls [--json]',
  summary:
    'the registered models: versions, stages, metrics of the run that made each, data and its drift',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const p = findProject(args.cwd);
    const models = await readRegistry(p);
    const checks = await checkModels(
      p,
      models.flatMap((m) => m.versions.map((v) => `${m.name}@${v.version}`)),
      models,
    );
    const dataOf = (v: ModelVersion) =>
      checks.find((c) => c.model.name === v.name && c.model.version === v.version)?.inputs ?? [];
    if (args.values.json) {
      printJson({
        models: models.map((m) => ({
          ...m,
          versions: m.versions.map((v) => ({ ...v, dataState: dataOf(v) })),
        })),
      });
      return 0;
    }
    if (models.length === 0) {
      out(
        "No registered models. Register a model a run made with 'cairn model register <model path> --name <name>'.",
      );
      return 0;
    }
    for (const m of models) {
      out(
        `${m.name}${
          Object.keys(m.stages).length
            ? `  (${Object.entries(m.stages)
                .map(([s, v]) => `${s}: ${v}`)
                .join(', ')})`
            : ''
        }`,
      );
      const rows = m.versions.map((v) => [
        v.version,
        v.stages.join(',') || '-',
        shortHash(v.commit),
        v.run ?? '-',
        Object.entries(v.metrics)
          .map(([k, x]) => `${k}=${formatValue(x)}`)
          .join(' ') || '-',
        dataOf(v)
          .map((d) => `${d.path}: ${d.state}`)
          .join(', ') || '-',
      ]);
      out(table([['version', 'stages', 'commit', 'run', 'metrics', 'data since'], ...rows]));
    }
    return 0;
  },
});

const get = defineCommand({
  name: 'model get',
  usage: 'cairn model get <name>[@<version> | #<stage>] [--out <path>] [--force] [--json]',
  summary: "write a registered version's content, from the cache or the remote, without checkout",
  options: { out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args) {
    const p = findProject(args.cwd);
    const ref = one(args, 'cairn model get <name>[@<version> | #<stage>] [--out <path>]');
    const r = await getModel(p, ref, {
      cwd: args.cwd,
      ...(args.values.out !== undefined ? { out: args.values.out } : {}),
      force: args.values.force === true,
    });
    if (args.values.json) printJson(r);
    else
      out(
        `Wrote ${said(r.model)} to ${path.relative(args.cwd, r.out) || r.out}${r.files > 1 ? ` (${r.files} files)` : ''}${r.fetched ? ', fetched from the remote' : ''}`,
      );
    return 0;
  },
});

const check = defineCommand({
  name: 'check',
  usage: 'cairn check [--model <name>#<stage> | <name>@<version>]... [--json]',
  summary:
    'exit 1 when the data a model was trained on has newer versions or drifted (default: every model in prod)',
  options: { model: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  async run(args) {
    const p = findProject(args.cwd);
    const models = await readRegistry(p);
    let refs = args.values.model ?? [];
    if (refs.length === 0) {
      refs = models.filter((m) => m.stages['prod']).map((m) => `${m.name}#prod`);
      if (refs.length === 0)
        throw new CairnError(
          'usage',
          "No model is in stage prod; name one with --model <name>@<version>, or promote one with 'cairn model promote <name>@<version> --stage prod'",
        );
    }
    const results = await checkModels(p, refs, models);
    if (args.values.json) printJson({ stale: results.some((r) => r.stale), models: results });
    else for (const r of results) out(r.paragraph);
    return results.some((r) => r.stale) ? 1 : 0;
  },
});

export const modelCommands: readonly Command[] = [register, promote, demote, ls, get, check];
