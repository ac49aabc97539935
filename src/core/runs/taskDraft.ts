// A task drafted from a training script, for the user to confirm: cmd (with `--flag {{name}}`
// for the options the script defines), params (its params file, or the options' defaults), deps
// (the script and the data it reads), outs (the models it writes) and stdout metrics. Then
// written into cairn.yaml, keeping the file's comments and layout.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, parseDocument, YAMLMap } from 'yaml';
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

/** Adds a task under `tasks:` in cairn.yaml, keeping comments; refuses a name already there. */
export function addTask(project: Project, draft: Omit<TaskDraft, 'notes'>): void {
  const file = project.configFile;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new CairnError(
      'bad-config',
      `${path.basename(file)}: fix its YAML before adding a task (${doc.errors[0]!.message.split('\n')[0]})`,
      file,
    );
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (!isMap(doc.contents)) {
    throw new CairnError(
      'bad-config',
      `${path.basename(file)}:1: the file must be a mapping (keys such as tasks:)`,
      file,
      1,
    );
  }
  let tasks = doc.get('tasks', true);
  if (!isMap(tasks)) {
    tasks = new YAMLMap();
    doc.set('tasks', tasks);
  }
  const map = tasks as YAMLMap;
  if (map.has(draft.name)) {
    throw new CairnError(
      'usage',
      `${path.basename(file)} already has a task '${draft.name}'; pick another name`,
      file,
    );
  }
  map.flow = false;
  const { name, ...task } = draft;
  const node = doc.createNode({
    cmd: task.cmd,
    ...(task.params !== undefined ? { params: task.params } : {}),
    deps: task.deps,
    ...(task.outs.length > 0 ? { outs: task.outs } : {}),
    metrics: task.metrics,
  });
  // Short lists stay on one line (deps: [train.py, data]), as hand-written tasks are.
  for (const key of ['deps', 'outs', 'metrics']) {
    const seq = (node as YAMLMap).get(key, true) as { flow?: boolean } | undefined;
    if (seq) seq.flow = true;
  }
  map.set(name, node);
  writeFileAtomic(file, doc.toString({ lineWidth: 0 }));
  readTasks(project); // what was written must read back as a valid task
}
