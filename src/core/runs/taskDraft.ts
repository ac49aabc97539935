// A task drafted from a training script, for the user to confirm: cmd (with `--flag {{name}}`
// for the options the script defines), params (its params file, or the options' defaults), deps
// (the script and the data it reads), outs (the models it writes) and stdout metrics. Then
// written into cairn.yaml, keeping the file's comments and layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, parseDocument, stringify } from 'yaml';
import { CairnError } from '../errors.js';
import { writeFileAtomic } from '../fsSafe.js';
import { POINTER_SUFFIX, type Project } from '../project/project.js';
import { shellQuote } from '../shell.js';
import { scanProjectScript } from './paramRoutes.js';
import { readTasks, type ParamValue } from './taskConfig.js';

/** A task as it will be written under `tasks:`. */
export interface TaskDraft {
  readonly name: string;
  readonly cmd: string;
  readonly params?: string | { readonly defaults: Record<string, ParamValue> };
  readonly deps: string[];
  readonly outs: string[];
  readonly metrics: ['stdout'];
  /** What was found and assumed, one line each, to show beside the draft. */
  readonly notes: string[];
}

/** The tracked artifact (or existing path) a path the script mentions belongs to. */
function projectPath(project: Project, rel: string): string | undefined {
  const clean = path.posix.normalize(rel.replace(/\\/g, '/'));
  if (clean.startsWith('..') || path.posix.isAbsolute(clean)) return undefined;
  const parts = clean.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (fs.existsSync(path.join(project.root, prefix + POINTER_SUFFIX))) return prefix;
  }
  return fs.existsSync(path.join(project.root, clean)) ? clean : undefined;
}

function interpreter(script: string): string {
  return script.endsWith('.py') ? 'python3' : 'node';
}

/** Drafts a task for a project script from what its source says. */
export function draftTask(project: Project, script: string): TaskDraft {
  const scan = scanProjectScript(project, script);
  if (!scan) {
    throw new CairnError(
      'usage',
      `${script}: not a Python or JavaScript file Cairn can read; a task runs any command, so write it in cairn.yaml by hand`,
      script,
    );
  }
  const taken = new Set(safeTaskNames(project));
  const base =
    path
      .basename(script)
      .replace(/\.[^.]+$/, '')
      .replace(/[^\w.-]/g, '_') || 'train';
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}`;

  const notes: string[] = [];
  const valued = scan.options.filter((o) => !o.isSwitch);
  let cmd = `${interpreter(script)} ${shellQuote(script)}`;
  let params: TaskDraft['params'];
  const paramsFile = scan.paramsFiles.find((f) => projectPath(project, f) === f);
  if (valued.length > 0) {
    cmd += ' ' + valued.map((o) => `${o.flag} {{${o.name}}}`).join(' ');
    const defaults: Record<string, ParamValue> = {};
    for (const o of valued) defaults[o.name] = o.default ?? null;
    params = { defaults };
    notes.push(
      `${script} takes ${valued.map((o) => o.flag).join(', ')} (argparse): each is passed from a param of the same name`,
    );
  } else if (paramsFile) {
    params = paramsFile;
    notes.push(`${script} reads ${paramsFile}: overrides (-p) are written into it for a run`);
  } else if (scan.paramReads.length > 0 && scan.readsCairnParams) {
    const defaults: Record<string, ParamValue> = {};
    for (const r of scan.paramReads) defaults[r.name] = r.default ?? null;
    params = { defaults };
    notes.push(`${script} reads ${Object.keys(defaults).join(', ')} from cairn.params()`);
  } else {
    notes.push(`no parameters found in ${script}; add params: when it takes some`);
  }
  const deps = [script];
  for (const r of scan.reads) {
    const p = projectPath(project, r);
    if (p && !deps.includes(p)) deps.push(p);
  }
  const outs = [...new Set(scan.writes.map((w) => w.replace(/^\.\//, '')))];
  if (outs.length > 0) notes.push(`writes ${outs.join(', ')}: versioned as outputs after each run`);
  if (deps.length > 1) notes.push(`reads ${deps.slice(1).join(', ')}: recorded as its data`);
  return {
    name,
    cmd,
    ...(params !== undefined ? { params } : {}),
    deps,
    outs,
    metrics: ['stdout'],
    notes,
  };
}

/** Task names in cairn.yaml, or none when it cannot be read (the draft still gets a name). */
function safeTaskNames(project: Project): string[] {
  try {
    return readTasks(project).map((t) => t.name);
  } catch {
    return [];
  }
}

/** One YAML scalar, quoted only where YAML needs it. */
function scalar(v: ParamValue): string {
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

/** The task as YAML lines at `indent` (the indent of the keys under `tasks:`). */
export function taskLines(draft: Omit<TaskDraft, 'notes'>, indent: string): string[] {
  const list = (items: readonly string[]): string => `[${items.map(scalar).join(', ')}]`;
  const lines = [`${indent}${scalar(draft.name)}:`, `${indent}  cmd: ${scalar(draft.cmd)}`];
  if (typeof draft.params === 'string') lines.push(`${indent}  params: ${scalar(draft.params)}`);
  else if (draft.params) {
    lines.push(`${indent}  params:`, `${indent}    defaults:`);
    for (const [k, v] of Object.entries(draft.params.defaults))
      lines.push(`${indent}      ${scalar(k)}: ${scalar(v)}`);
  }
  lines.push(`${indent}  deps: ${list(draft.deps)}`);
  if (draft.outs.length > 0) lines.push(`${indent}  outs: ${list(draft.outs)}`);
  lines.push(`${indent}  metrics: ${list(draft.metrics)}`);
  return lines;
}

/**
 * Adds a task under `tasks:` in cairn.yaml as text, so that every other line (comments, layout,
 * the user's own style) stays as it was; refuses a name already there, and writes nothing that
 * does not read back as a valid task.
 */
export function addTask(project: Project, draft: Omit<TaskDraft, 'notes'>): void {
  const file = project.configFile;
  const rel = path.basename(file);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new CairnError(
      'bad-config',
      `${rel}: fix its YAML before adding a task (${doc.errors[0]!.message.split('\n')[0]})`,
      file,
    );
  }
  const tasks = doc.get('tasks', true);
  if (isMap(tasks) && tasks.has(draft.name)) {
    throw new CairnError(
      'usage',
      `${rel} already has a task '${draft.name}'; pick another name`,
      file,
    );
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const at = lines.findIndex((l) => /^tasks\s*:/.test(l));
  let out: string[];
  if (at === -1) {
    out = [...lines, 'tasks:', ...taskLines(draft, '  ')];
  } else if (/^tasks\s*:\s*(\{\s*\}|null|~)?\s*(#.*)?$/.test(lines[at]!)) {
    // `tasks:` with a block below it (or nothing yet): append after its last indented line.
    let end = at + 1;
    for (let i = at + 1; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\S/.test(l) && !l.startsWith('#')) break;
      if (/^\s+[^\s#]/.test(l)) end = i + 1;
    }
    const first = lines.slice(at + 1, end).find((l) => /^\s+[^\s#]/.test(l));
    const indent = first ? /^(\s+)/.exec(first)![1]! : '  ';
    const head = lines[at]!.replace(/:\s*(\{\s*\}|null|~)/, ':');
    out = [
      ...lines.slice(0, at),
      head,
      ...lines.slice(at + 1, end),
      ...taskLines(draft, indent),
      ...lines.slice(end),
    ];
  } else {
    throw new CairnError(
      'bad-config',
      `${rel}: tasks: is written in flow style; add the task by hand under it`,
      file,
    );
  }
  writeFileAtomic(file, out.join('\n') + '\n');
  try {
    if (!readTasks(project).some((t) => t.name === draft.name)) throw new Error('not found');
  } catch (e) {
    writeFileAtomic(file, text);
    throw new CairnError(
      'bad-config',
      `${rel}: the drafted task did not read back (${(e as Error).message}); cairn.yaml is unchanged`,
      file,
    );
  }
}
