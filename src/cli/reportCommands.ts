// `cairn report`: the head revision's runs against the base's best, as Markdown or HTML.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../core/errors.js';
import { findProject } from '../core/project/project.js';
import { buildReport, renderHtml, renderMarkdown } from '../core/reports/report.js';
import { defineCommand, type Command } from './command.js';
import { err, printJson } from './printer.js';

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
    const r = await buildReport(p, v.base !== undefined ? { base: v.base } : {});
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

export const reportCommands: readonly Command[] = [report];
