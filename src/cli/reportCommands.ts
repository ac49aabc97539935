// `cairn report`: the head revision's runs against the base's best, as Markdown or HTML; and
// `cairn ci`: the CI workflow that runs the changed tasks, pushes and posts the report.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../core/errors.js';
import { findProject } from '../core/project/project.js';
import { postComment } from '../core/ci/ciComment.js';
import {
  changedTasks,
  ciWorkflowText,
  writeCiWorkflow,
  type CiKind,
} from '../core/ci/ciWorkflow.js';
import { assessMaturity, LEVEL_NAMES } from '../core/maturity/maturity.js';
import { buildReport, renderHtml, renderMarkdown } from '../core/reports/report.js';
import { defineCommand, type Command } from './command.js';
import { err, out, printJson } from './printer.js';

const report = defineCommand({
  name: 'report',
  usage: 'cairn report [--base <rev>] [--md | --html | --json] [--out <file>]',
  summary:
    "the head's runs against the base's best: metrics, params, data and drift, models, charts",
  options: {
    base: { type: 'string' },
    md: { type: 'boolean' },
    html: { type: 'boolean' },
    json: { type: 'boolean' },
    out: { type: 'string' },
  },
  async run(args) {
    const v = args.values;
    if ([v.md, v.html, v.json].filter(Boolean).length > 1)
      throw new CairnError('usage', 'Choose one format: --md, --html or --json');
    const p = findProject(args.cwd);
    // An empty --base (a CI's first push has no previous commit) means the default base.
    const r = await buildReport(p, v.base ? { base: v.base } : {});
    const text = v.json
      ? JSON.stringify(r, null, 2) + '\n'
      : v.html
        ? renderHtml(r)
        : renderMarkdown(r);
    if (!v.out) {
      if (v.json) printJson(r);
      else process.stdout.write(text);
      return 0;
    }
    const file = path.resolve(args.cwd, v.out);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    } catch (e) {
      throw fromSystemError(e, file, 'Could not write the report to');
    }
    err(`cairn: wrote the report to ${path.relative(args.cwd, file) || file}`);
    return 0;
  },
});

const ciInit = defineCommand({
  name: 'ci init',
  usage: 'cairn ci init --github | --gitlab [--force] [--print]',
  summary:
    'write a CI workflow: pull, run the changed tasks, push, post the report; a weekly cairn check',
  options: {
    github: { type: 'boolean' },
    gitlab: { type: 'boolean' },
    force: { type: 'boolean' },
    print: { type: 'boolean' },
  },
  run(args) {
    const v = args.values;
    if (Boolean(v.github) === Boolean(v.gitlab))
      throw new CairnError(
        'usage',
        'Choose the CI: cairn ci init --github or cairn ci init --gitlab',
      );
    const kind: CiKind = v.github ? 'github' : 'gitlab';
    const p = findProject(args.cwd);
    if (v.print) {
      process.stdout.write(ciWorkflowText(p, kind));
      return Promise.resolve(0);
    }
    const file = writeCiWorkflow(p, kind, v.force === true);
    out(
      `Wrote ${path.relative(args.cwd, file)}; commit it, and set the secrets its first lines name`,
    );
    return Promise.resolve(0);
  },
});

const ciRun = defineCommand({
  name: 'ci run',
  usage: 'cairn ci run [--base <rev>]',
  summary: 'run the tasks whose inputs (data, code, params, cairn.yaml) changed since the base',
  options: { base: { type: 'string' } },
  async run(args) {
    const p = findProject(args.cwd);
    const tasks = await changedTasks(p, args.values.base || undefined);
    if (tasks.length === 0) {
      out('No task has inputs that changed; nothing to run');
      return 0;
    }
    for (const task of tasks) {
      err(`cairn: running ${task} (its inputs changed)`);
      const r = spawnSync(process.execPath, [process.argv[1]!, 'run', task], {
        cwd: p.root,
        stdio: 'inherit',
      });
      if (r.status !== 0) {
        err(`cairn: task ${task} failed (exit ${r.status ?? r.signal})`);
        return r.status ?? 1;
      }
    }
    return 0;
  },
});

const ciComment = defineCommand({
  name: 'ci comment',
  usage: 'cairn ci comment <file>',
  summary: "post a report on the job's pull request (GitHub) or merge request (GitLab)",
  options: {},
  async run(args) {
    if (args.positionals.length !== 1)
      throw new CairnError('usage', 'Usage: cairn ci comment <file>');
    const r = await postComment(path.resolve(args.cwd, args.positionals[0]!));
    out(`Posted the report to ${r.to}`);
    return 0;
  },
});

const maturity = defineCommand({
  name: 'maturity',
  usage: 'cairn maturity [--json]',
  summary:
    'score the repository against the MLOps levels, with the command that meets each criterion',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const m = await assessMaturity(findProject(args.cwd));
    if (args.values.json) {
      printJson(m);
      return 0;
    }
    out(`MLOps maturity: ${LEVEL_NAMES[m.level]} (${m.met} of ${m.total} criteria met)`);
    for (const level of [1, 2] as const) {
      out('');
      out(`For ${LEVEL_NAMES[level]}:`);
      for (const c of m.criteria.filter((x) => x.level === level)) {
        out(`  ${c.met ? '✓' : '✗'} ${c.title}: ${c.evidence}`);
        if (c.command) out(`      to meet it: ${c.command}`);
      }
    }
    return 0;
  },
});

export const reportCommands: readonly Command[] = [report, ciInit, ciRun, ciComment, maturity];
