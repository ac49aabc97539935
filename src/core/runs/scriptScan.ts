// What a training script's source says about its parameters and files, found by reading it (no
// execution): argparse (and JS `--flag` parsing) arguments with their defaults, `params.get(...)`
// reads, the params files and data it opens, the models it writes, and whether it reads Cairn's
// params. Used to draft a task for a script and to tell when a task's params cannot reach it.
import * as path from 'node:path';
import { parseParamValue, type ParamValue } from './taskConfig.js';

export type ScriptLanguage = 'python' | 'javascript';

/** A command-line option the script defines (`parser.add_argument('--lr', default=0.01)`). */
export interface ScriptOption {
  /** The option as given on the command line: `--lr`, `--hidden-size`. */
  readonly flag: string;
  /** The param name it maps to (argparse's dest): `lr`, `hidden_size`. */
  readonly name: string;
  readonly default?: ParamValue;
  /** A flag without a value (`action='store_true'`). */
  readonly isSwitch: boolean;
  readonly line: number;
}

/** What the scan found. */
export interface ScriptScan {
  readonly language: ScriptLanguage;
  readonly options: ScriptOption[];
  /** Names read with `params.get('lr', 0.01)` or `params['lr']`, with the default when given. */
  readonly paramReads: {
    readonly name: string;
    readonly default?: ParamValue;
    readonly line: number;
  }[];
  /** Quoted file names with a .yaml/.yml/.json ending that look like params files. */
  readonly paramsFiles: string[];
  /** Reads CAIRN_PARAMS or calls the helper's `cairn.params()`. */
  readonly readsCairnParams: boolean;
  /** Quoted paths it reads (data) and writes (models, outputs), project-relative as written. */
  readonly reads: string[];
  readonly writes: string[];
  /** Prints metrics or logs them with the helper. */
  readonly logsMetrics: boolean;
}

/** The language of a script, by its name. */
export function scriptLanguage(file: string): ScriptLanguage | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.py') return 'python';
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs' || ext === '.ts') return 'javascript';
  return undefined;
}

/** A quoted string literal whose quote is capture group `n` (and its text group n + 1). */
const string = (n: number): string => `(['"])((?:(?!\\${n})[^\\\\\\n]|\\\\.)*)\\${n}`;
const STRING = string(1);
const PY_ARGUMENT = /\badd_argument\(\s*([^)]*)\)/g;
const FLAG = new RegExp(`^\\s*${STRING}`);
const DEFAULT = /\bdefault\s*=\s*([^,)\n]+)/;
const DEST = new RegExp(`\\bdest\\s*=\\s*${STRING}`);
const PARAM_GET = new RegExp(
  `\\bparams(?:\\(\\))?\\s*(?:\\.get\\(\\s*${string(1)}\\s*(?:,\\s*([^)\\n]+))?\\)|\\[\\s*${string(4)}\\s*\\])`,
  'g',
);
const QUOTED = new RegExp(STRING, 'g');
const MODEL_FILE = /\.(pkl|pickle|joblib|pt|pth|onnx|h5|keras|safetensors|bin|ckpt|model|tflite)$/i;
const DATA_FILE = /\.(csv|tsv|jsonl|ndjson|parquet|npy|npz|txt)(\.gz)?$/i;
const WRITE_CALL =
  /open\([^)]*['"][wax]b?\+?['"]|\b(?:to_csv|to_parquet|save|dump|savez|writeFileSync|writeFile|save_model|save_pretrained)\s*\(/;

/** A Python or JS literal as a param value: numbers, booleans, None/null and strings. */
function literal(text: string): ParamValue | undefined {
  const t = text.trim();
  const quoted = /^(['"])(.*)\1$/.exec(t);
  if (quoted) return quoted[2]!;
  if (t === 'True' || t === 'true') return true;
  if (t === 'False' || t === 'false') return false;
  if (t === 'None' || t === 'null') return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return parseParamValue(t);
  return undefined;
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

function pythonOptions(source: string): ScriptOption[] {
  const options: ScriptOption[] = [];
  for (const m of source.matchAll(PY_ARGUMENT)) {
    const args = m[1]!;
    const flag = FLAG.exec(args)?.[2];
    if (!flag?.startsWith('--')) continue;
    const dest = DEST.exec(args)?.[2] ?? flag.slice(2).replace(/-/g, '_');
    const value = DEFAULT.exec(args)?.[1];
    const def = value === undefined ? undefined : literal(value);
    const isSwitch = /action\s*=\s*['"]store_(true|false)['"]/.test(args);
    options.push({
      flag,
      name: dest,
      ...(def !== undefined ? { default: def } : isSwitch ? { default: false } : {}),
      isSwitch,
      line: lineAt(source, m.index),
    });
  }
  return options;
}

/** JS scripts: `--name` strings in an option table or `process.argv` parsing (commander, yargs, parseArgs). */
function jsOptions(source: string): ScriptOption[] {
  const options: ScriptOption[] = [];
  const seen = new Set<string>();
  // parseArgs({ options: { lr: { type: 'string', default: '0.01' } } }) and .option('--lr <n>', '', 0.01)
  const patterns = [
    /\.option\(\s*['"]--([\w-]+)[^'"]*['"]\s*(?:,\s*['"][^'"]*['"]\s*)?(?:,\s*([^),\n]+))?/g,
    /\b([A-Za-z_]\w*)\s*:\s*\{\s*type\s*:\s*['"](?:string|boolean|number)['"](?:[^}]*?\bdefault\s*:\s*([^,}\n]+))?[^}]*\}/g,
  ];
  for (const re of patterns) {
    for (const m of source.matchAll(re)) {
      const raw = m[1]!;
      const name = raw.replace(/-/g, '_');
      if (seen.has(name)) continue;
      seen.add(name);
      const def = m[2] === undefined ? undefined : literal(m[2]);
      options.push({
        flag: `--${raw.replace(/_/g, '-')}`,
        name,
        ...(def !== undefined ? { default: def } : {}),
        isSwitch: false,
        line: lineAt(source, m.index),
      });
    }
  }
  return options;
}

/** Reads a script's source for what it says about params and files. */
export function scanScript(source: string, language: ScriptLanguage): ScriptScan {
  const options = language === 'python' ? pythonOptions(source) : jsOptions(source);
  const paramReads: ScriptScan['paramReads'] = [];
  for (const m of source.matchAll(PARAM_GET)) {
    const name = m[2] ?? m[5];
    if (!name) continue;
    const def = m[3] === undefined ? undefined : literal(m[3]);
    paramReads.push({
      name,
      ...(def !== undefined ? { default: def } : {}),
      line: lineAt(source, m.index),
    });
  }
  const paramsFiles = new Set<string>();
  const reads = new Set<string>();
  const writes = new Set<string>();
  for (const line of source.split('\n')) {
    if (/^\s*(#|\/\/)/.test(line)) continue;
    for (const m of line.matchAll(QUOTED)) {
      const s = m[2]!;
      if (s.length === 0 || s.length > 200 || /\s|^-|^\w+:\/\/|[{}%*]/.test(s)) continue;
      if (/(^|\/)[\w.-]*params[\w.-]*\.(ya?ml|json)$/i.test(s) || /\.(ya?ml)$/i.test(s)) {
        paramsFiles.add(s.replace(/^\.\//, ''));
      } else if (
        WRITE_CALL.test(line) &&
        (MODEL_FILE.test(s) || /^(models?|outputs?|artifacts?|checkpoints?)\//.test(s))
      ) {
        writes.add(s.replace(/^\.\//, ''));
      } else if (DATA_FILE.test(s) || /^data(\/|$)/.test(s)) {
        if (!WRITE_CALL.test(line)) reads.add(s.replace(/^\.\//, ''));
      } else if (MODEL_FILE.test(s) && WRITE_CALL.test(line)) {
        writes.add(s.replace(/^\.\//, ''));
      }
    }
  }
  return {
    language,
    options,
    paramReads,
    paramsFiles: [...paramsFiles],
    readsCairnParams: /CAIRN_PARAMS|\bcairn\.params\(/.test(source),
    reads: [...reads],
    writes: [...writes],
    logsMetrics:
      /\bcairn\.log\(/.test(source) ||
      /print\(.*(json\.dumps|[a-z_]+\s*=\s*\{|f["'][^"']*\b\w+=\{)/.test(source) ||
      /console\.log\(.*(JSON\.stringify|\w+=)/.test(source),
  };
}
