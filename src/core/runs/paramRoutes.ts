// Whether a task's params can reach its program. A param reaches it through the params file the
// program reads (overrides are written into it), a `{{name}}` in cmd, or the CAIRN_PARAMS the
// recorder sets. With none of these, a sweep records runs whose params differ while the program
// ran the same way each time; this finds that before anything runs, and offers the fix.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Project } from '../project/project.js';
import { scanScript, scriptLanguage, type ScriptOption, type ScriptScan } from './scriptScan.js';
import { splitCommand } from '../shell.js';
import type { TaskSpec } from './taskConfig.js';

/** Params that cannot reach the program, and the cmd that would pass them, when there is one. */
export interface UnroutedParams {
  readonly params: string[];
  /** The entry script that was read. */
  readonly script: string;
  /** `cmd` with `--flag {{name}}` appended for the options the script defines. */
  readonly fixedCmd?: string;
  /** One sentence for the user. */
  readonly message: string;
}

/** The project-relative entry script of a command (the first .py/.js argument), if it has one. */
export function entryScript(project: Project, cmd: string): string | undefined {
  let words: string[];
  try {
    words = splitCommand(cmd);
  } catch {
    return undefined;
  }
  for (const w of words) {
    if (!scriptLanguage(w)) continue;
    const abs = path.resolve(project.root, w);
    const rel = path.relative(project.root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }
  return undefined;
}

/** Reads and scans a project script; undefined when it cannot be read. */
export function scanProjectScript(project: Project, rel: string): ScriptScan | undefined {
  const language = scriptLanguage(rel);
  if (!language) return undefined;
  try {
    return scanScript(fs.readFileSync(path.join(project.root, rel), 'utf8'), language);
  } catch {
    return undefined;
  }
}

/**
 * Whether the script, or a module beside it in the same language (where a config loader that
 * the script imports would be), mentions `text`.
 */
function mentionedBeside(project: Project, script: string, text: string): boolean {
  const dir = path.join(project.root, path.dirname(script));
  const language = scriptLanguage(script);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => scriptLanguage(n) === language);
  } catch {
    return false;
  }
  return names.slice(0, 200).some((n) => {
    try {
      return fs.readFileSync(path.join(dir, n), 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}

const norm = (name: string): string => name.toLowerCase().replace(/-/g, '_');

/** The script option a param name maps to (`hidden_size` ↔ `--hidden-size`). */
export function optionFor(scan: ScriptScan, param: string): ScriptOption | undefined {
  const key = norm(param.split('.').pop()!);
  return scan.options.find((o) => norm(o.name) === key);
}

/**
 * Which of `names` (default: every param of the task) cannot reach the program. Undefined when
 * all can, or when the entry script cannot be read (then nothing is known, and nothing is said).
 */
export function unroutedParams(
  project: Project,
  task: Pick<TaskSpec, 'cmd' | 'paramsFile'>,
  paramNames: readonly string[],
): UnroutedParams | undefined {
  if (paramNames.length === 0) return undefined;
  const script = entryScript(project, task.cmd);
  if (!script) return undefined;
  const scan = scanProjectScript(project, script);
  if (!scan || scan.readsCairnParams) return undefined;
  if (task.paramsFile) {
    const base = path.basename(task.paramsFile);
    if (task.cmd.includes(base) || mentionedBeside(project, script, base)) return undefined;
  }
  const missing = paramNames.filter((p) => !task.cmd.includes(`{{${p}}}`));
  if (missing.length === 0) return undefined;
  const options = missing
    .map((p) => ({ p, o: optionFor(scan, p) }))
    .filter((x): x is { p: string; o: ScriptOption } => x.o !== undefined && !x.o.isSwitch);
  const fixedCmd =
    options.length > 0
      ? `${task.cmd} ${options.map(({ p, o }) => `${o.flag} {{${p}}}`).join(' ')}`
      : undefined;
  const list = missing.join(', ');
  const reads = task.paramsFile
    ? `${script} does not read ${task.paramsFile}`
    : 'the task has no params file';
  return {
    params: missing,
    script,
    ...(fixedCmd ? { fixedCmd } : {}),
    message:
      `${list} never ${missing.length === 1 ? 'reaches' : 'reach'} the program: cmd has no {{${missing[0]}}}, ${reads}, and it does not read CAIRN_PARAMS` +
      (fixedCmd
        ? `; ${script} takes ${options.map(({ o }) => o.flag).join(', ')}: set cmd to "${fixedCmd}"`
        : `; put {{${missing[0]}}} in cmd where the program takes it`),
  };
}
