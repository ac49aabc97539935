import * as fs from 'node:fs';
import { stripAnsi } from '../text/controlChars.js';
import { parse as parseYaml } from 'yaml';
import { CairnError, fromSystemError } from '../errors.js';
import { isForbiddenKey } from './paramKeys.js';

/** Metric values found on one line (or one record): NaN and ±Infinity are kept. */
export interface MetricRecord {
  readonly step?: number;
  readonly values: Record<string, number>;
}

/** Keys that name the step rather than a metric, strongest first. */
const STEP_KEYS = ['step', 'global_step', 'iteration', 'iter', 'epoch'] as const;
const STEP_RANK = new Map<string, number>(STEP_KEYS.map((k, i) => [k, i]));

// A key, '=' or ':', and a value token; the value is checked with Number() afterwards, which is
// much cheaper than spelling every number form in the pattern.
const PAIR = /([A-Za-z_][\w./-]*) ?[=:] ?([^\s,;|\])}%=:]+)(?=$|[\s,;|\])}%])/g;
const SEPARATORS = ' \t,;|[({';
const BARE_STEP = /\b(epoch|step|iter|iteration)\s+(\d+)\b/i;

/** A number from its text, including nan / inf spellings. */
export function parseNumber(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 46 || ((c === 45 || c === 43) && text.length > 1)) {
    const n = Number(text);
    if (!Number.isNaN(n)) return n;
  }
  const t = text.trim().toLowerCase();
  if (t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** JSON numbers plus the strings Cairn (and Python's json) use for non-finite values. */
export function metricValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN' || v === 'nan') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
  }
  return undefined;
}

function collect(
  obj: Record<string, unknown>,
  prefix: string,
  values: Record<string, number>,
  depth: number,
): void {
  for (const [k, v] of Object.entries(obj)) {
    // Plain objects stay safe: names that reach a prototype are never metric names.
    if (isForbiddenKey(k)) continue;
    const key = prefix ? `${prefix}.${k}` : k;
    const n = metricValue(v);
    if (n !== undefined) values[key] = n;
    else if (depth < 4 && typeof v === 'object' && v !== null && !Array.isArray(v))
      collect(v as Record<string, unknown>, key, values, depth + 1);
  }
}

/** Splits out the step key (step, epoch, ...) from a set of values. */
function withStep(values: Record<string, number>, step?: number): MetricRecord | undefined {
  let s = step;
  let rank = Infinity;
  let hasStepKey = false;
  let hasMetric = false;
  for (const key in values) {
    const r = STEP_RANK.get(key);
    if (r === undefined) hasMetric = true;
    else {
      hasStepKey = true;
      const v = values[key]!;
      if (step === undefined && r < rank && Number.isFinite(v)) {
        s = v;
        rank = r;
      }
    }
  }
  if (!hasMetric) return undefined;
  if (hasStepKey) {
    const clean: Record<string, number> = {};
    for (const key in values) if (!STEP_RANK.has(key)) clean[key] = values[key]!;
    values = clean;
  }
  return s === undefined ? { values } : { step: s, values };
}

// Python's json writes bare NaN / Infinity; make them strings JSON.parse accepts.
const BARE_NONFINITE = /([:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;

/** Parses a JSON object line; 'malformed' when it looks like JSON but is not an object. */
export function parseJsonLine(line: string): MetricRecord | 'malformed' | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    try {
      obj = JSON.parse(line.replace(BARE_NONFINITE, '$1"$2"'));
    } catch {
      return 'malformed';
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return 'malformed';
  const values: Record<string, number> = {};
  collect(obj as Record<string, unknown>, '', values, 0);
  return withStep(values);
}

/**
 * Parses one line of program output: a JSON object, or `key=value` / `key: value` pairs (as in
 * `epoch 3 loss=0.41 acc=0.87`). Returns undefined for a line without metrics and 'malformed'
 * for a line that looks like a JSON object but does not parse.
 */
export function parseMetricLine(line: string): MetricRecord | 'malformed' | undefined {
  const t = line.trim();
  if (t.length === 0) return undefined;
  if (t.startsWith('{') && t.endsWith('}')) return parseJsonLine(t);
  if (!t.includes('=') && !t.includes(':')) return undefined;
  const values: Record<string, number> = {};
  let found = false;
  PAIR.lastIndex = 0;
  for (let m = PAIR.exec(t); m !== null; m = PAIR.exec(t)) {
    if (m.index > 0 && !SEPARATORS.includes(t[m.index - 1]!)) continue;
    if (isForbiddenKey(m[1]!)) continue;
    const n = parseNumber(m[2]!);
    if (n !== undefined) {
      values[m[1]!] = n;
      found = true;
    }
  }
  if (!found) return undefined;
  let step: number | undefined;
  const bare = BARE_STEP.exec(t);
  if (bare) step = Number(bare[2]);
  return withStep(values, step);
}

/** Applies a per-task pattern (named groups; a group named step is the step). */
export function parsePatternLine(line: string, pattern: RegExp): MetricRecord | undefined {
  const re = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g',
  );
  const values: Record<string, number> = {};
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      if (v === undefined || isForbiddenKey(k)) continue;
      const n = parseNumber(v);
      if (n !== undefined) values[k] = n;
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  return withStep(values);
}

export interface StreamParserOptions {
  /** Apply the generic JSON / key=value rules (the task's `stdout` metrics source). */
  readonly generic?: boolean;
  readonly patterns?: readonly RegExp[];
  /** Longer lines are skipped and counted; memory stays bounded whatever the output. */
  readonly maxLineBytes?: number;
  /** Treat every non-empty line as a JSON line (the helpers' files). */
  readonly jsonOnly?: boolean;
}

/**
 * Splits a byte stream into lines (\n or \r, so progress-bar refreshes count as lines), strips
 * terminal escapes and parses each line. Memory is bounded by maxLineBytes, whatever the input:
 * gigabytes of output or bytes that are not UTF-8.
 */
export class MetricStreamParser {
  /** Lines that looked like metrics but could not be parsed, or were too long. */
  skippedLines = 0;
  private readonly parts: Buffer[] = [];
  private partBytes = 0;
  private overflow = false;
  private readonly maxLineBytes: number;

  constructor(
    private readonly onRecord: (record: MetricRecord) => void,
    private readonly options: StreamParserOptions = { generic: true },
  ) {
    this.maxLineBytes = options.maxLineBytes ?? 64 * 1024;
  }

  /** Feeds bytes; complete lines are parsed at once. */
  write(chunk: Buffer): void {
    let start = 0;
    const len = chunk.length;
    while (start < len) {
      let nl = chunk.indexOf(10, start);
      const cr = chunk.indexOf(13, start);
      if (nl === -1 || (cr !== -1 && cr < nl)) nl = cr;
      if (nl === -1) {
        this.append(chunk.subarray(start));
        return;
      }
      if (this.partBytes === 0 && !this.overflow) {
        if (nl > start) this.line(chunk.toString('utf8', start, nl));
      } else {
        this.append(chunk.subarray(start, nl));
        this.flushLine();
      }
      start = nl + 1;
    }
  }

  /** Parses a last line that had no newline. */
  end(): void {
    if (this.partBytes > 0 || this.overflow) this.flushLine();
  }

  private append(b: Buffer): void {
    if (this.overflow) return;
    if (this.partBytes + b.length > this.maxLineBytes) {
      this.overflow = true;
      this.parts.length = 0;
      this.partBytes = 0;
      return;
    }
    this.parts.push(Buffer.from(b)); // a copy: the chunk's memory may be reused
    this.partBytes += b.length;
  }

  private flushLine(): void {
    if (this.overflow) {
      this.skippedLines++;
      this.overflow = false;
    } else if (this.partBytes > 0) {
      this.line(Buffer.concat(this.parts, this.partBytes).toString('utf8'));
    }
    this.parts.length = 0;
    this.partBytes = 0;
  }

  private line(raw: string): void {
    if (raw.length > this.maxLineBytes) {
      this.skippedLines++;
      return;
    }
    const text = stripAnsi(raw);
    if (this.options.jsonOnly) {
      const t = text.trim();
      if (t.length === 0) return;
      const r = parseJsonLine(t);
      if (r === 'malformed') this.skippedLines++;
      else if (r) this.onRecord(r);
      return;
    }
    if (this.options.generic !== false) {
      const r = parseMetricLine(text);
      if (r === 'malformed') this.skippedLines++;
      else if (r) this.onRecord(r);
    }
    for (const p of this.options.patterns ?? []) {
      const r = parsePatternLine(text, p);
      if (r) this.onRecord(r);
    }
  }
}

/** Splits CSV text into rows of cells (quotes with doubled quotes inside, no multi-line cells). */
function csvRows(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim().length > 0)
    .map((line) => {
      const cells: string[] = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i]!;
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (c === '"') quoted = false;
          else cur += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
          cells.push(cur);
          cur = '';
        } else cur += c;
      }
      cells.push(cur);
      return cells;
    });
}

/**
 * Reads a metrics file a task declares (JSON, YAML or CSV). An object gives one record, a list
 * of objects or CSV rows give one record per row (a step, epoch or iter column is the step).
 */
export function readMetricsFile(abs: string, rel: string): MetricRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw fromSystemError(err, rel, 'Could not read the metrics file');
  }
  const records: MetricRecord[] = [];
  const fromObject = (o: unknown) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
    const values: Record<string, number> = {};
    collect(o as Record<string, unknown>, '', values, 0);
    const r = withStep(values);
    if (r) records.push(r);
  };
  if (/\.csv$/i.test(rel)) {
    const [header, ...rows] = csvRows(text);
    if (!header) return [];
    for (const row of rows) {
      const values: Record<string, number> = {};
      header.forEach((h, i) => {
        const n = parseNumber(row[i] ?? '');
        if (n !== undefined && !isForbiddenKey(h.trim())) values[h.trim()] = n;
      });
      const r = withStep(values);
      if (r) records.push(r);
    }
    return records;
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(rel)
      ? JSON.parse(text.replace(BARE_NONFINITE, '$1"$2"'))
      : parseYaml(text);
  } catch (e) {
    throw new CairnError(
      'bad-config',
      `${rel}: the metrics file could not be parsed (${(e as Error).message.split('\n')[0]})`,
      rel,
    );
  }
  if (Array.isArray(data)) data.forEach(fromObject);
  else fromObject(data);
  return records;
}
