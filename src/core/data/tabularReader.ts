import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { CairnError, fromSystemError } from '../errors.js';
import { columnRange, detectTableLayout } from './tableLayout.js';

export type TabularFormat = 'csv' | 'jsonl';

/** A table read as a stream: its header, then rows of raw cell strings (undefined = absent). */
export interface TabularStream {
  readonly format: TabularFormat;
  /** Grows while rows are read when a row has more fields than the columns known so far. */
  readonly columns: string[];
  /** What was assumed about the layout (a preamble line, no header, unnamed columns). */
  readonly notes: string[];
  /**
   * For a CSV that is not gzipped, what a reader of its bytes needs: the delimiter, and how many
   * records (not counting blank ones) come before the first row.
   */
  readonly csv?: { readonly delimiter: string; readonly recordsBeforeRows: number };
  rows(): AsyncGenerator<(string | undefined)[][]>;
  /** Stops reading the file (for a caller that does not read rows() to the end). */
  close(): Promise<void>;
}

/** The table format of a file name (`.gz` is looked through: `train.csv.gz` is CSV). */
export function tabularFormatOf(file: string): TabularFormat | undefined {
  const name = file.toLowerCase().endsWith('.gz') ? file.slice(0, -3) : file;
  const ext = path.extname(name).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return undefined;
}

const CHUNK_BYTES = 1 << 20;
const BATCH_ROWS = 8192;
/** Records read to decide the layout of a CSV (where its header is). */
const LAYOUT_SAMPLE = 64;

const DELIMITER_NAMES: Record<string, string> = {
  ',': 'commas',
  '\t': 'tabs',
  ';': 'semicolons',
  '|': 'vertical bars',
  ' ': 'spaces',
};

/**
 * The delimiter of a CSV's first lines: the named one (comma, or tab for .tsv) when it splits
 * every line into the same number (> 1) of fields, else another that does, else the named one
 * (quoted fields can make any count uneven).
 */
function sniffDelimiter(head: readonly string[], named: string): string {
  const consistent = (d: string): boolean => {
    const counts = head.map((l) => l.split(d).length);
    return counts.length > 0 && counts[0]! > 1 && counts.every((c) => c === counts[0]);
  };
  if (consistent(named)) return named;
  return [',', '\t', ';', '|', ' '].find((d) => d !== named && consistent(d)) ?? named;
}

/** The first `max` lines of a text that are not blank (without their line ends). */
function firstLines(text: string, max: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < text.length && out.length < max;) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    const line = text.slice(start, nl);
    if (line !== '' && line !== '\r') out.push(line);
    start = nl + 1;
  }
  return out;
}

/** Whether a record is a blank line (one empty field), which is not a row. */
export function isBlank(rec: readonly string[]): boolean {
  return rec.length === 1 && rec[0] === '';
}

/** Lines of a file (as textBlocks reads it), without their line ends. */
async function* lines(file: string, shown: string): AsyncGenerator<string> {
  for await (const text of textBlocks(file, shown)) {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const end = nl < 0 ? text.length : nl;
      if (nl < 0 && start === text.length) break;
      yield text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
      if (nl < 0) break;
      start = nl + 1;
    }
  }
}

function isGzipped(file: string, shown: string): boolean {
  return file.toLowerCase().endsWith('.gz') || shown.toLowerCase().endsWith('.gz');
}

/**
 * Text of a file (gunzipped when its name ends in .gz) in pieces of whole lines, decoded as UTF-8
 * (invalid bytes become U+FFFD), read 1 MB at a time: one string per block, never one per line,
 * so the CSV parser below runs synchronously over a block.
 */
async function* textBlocks(file: string, shown: string): AsyncGenerator<string> {
  const raw = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const gzipped = isGzipped(file, shown);
  const stream = gzipped ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  if (gzipped) raw.on('error', (e) => stream.destroy(e));
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = rest + decoder.write(chunk);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const nl = text.lastIndexOf('\n');
      if (nl < 0) {
        rest = text;
        continue;
      }
      rest = text.slice(nl + 1);
      yield text.slice(0, nl + 1);
    }
  } catch (err) {
    if (gzipped && (err as NodeJS.ErrnoException).code?.startsWith('Z_'))
      throw new CairnError(
        'usage',
        `${shown}: not a readable gzip file (${(err as Error).message})`,
        shown,
      );
    throw fromSystemError(err, shown, 'Could not read');
  }
  rest += decoder.end();
  if (first && rest.charCodeAt(0) === 0xfeff) rest = rest.slice(1);
  if (rest.length > 0) yield rest;
}

/**
 * Splits CSV records (RFC 4180 quoting, fields may span lines and blocks) from blocks of whole
 * lines, synchronously: a line without quotes is split in one call.
 */
export class CsvParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  constructor(private readonly delimiter: string) {}

  /** Whether the text so far ends inside a quoted field (its record goes on in the next line). */
  get open(): boolean {
    return this.inQuotes;
  }

  /** The records completed by a block of text (whole lines; the last may lack its newline). */
  push(text: string, out: string[][] = []): string[][] {
    let start = 0;
    const end = text.length;
    while (start < end) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = end;
      this.line(text, start, nl, out);
      start = nl + 1;
    }
    return out;
  }

  /** The record completed by one line, `text` from `start` to `end` (without its '\n'), if any. */
  line(text: string, start: number, end: number, out: string[][]): void {
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    const line = text.slice(start, stop);
    if (!this.inQuotes && !line.includes('"')) out.push(line.split(this.delimiter));
    else this.quotedLine(line, out);
  }

  /** The record left open by an unterminated quote at the end of the file, if any. */
  end(out: string[][] = []): string[][] {
    if (this.inQuotes || this.fields.length > 0) {
      this.fields.push(this.field);
      out.push(this.fields);
      this.fields = [];
      this.field = '';
      this.inQuotes = false;
    }
    return out;
  }

  private quotedLine(line: string, out: string[][]): void {
    const delimiter = this.delimiter;
    let field = this.field;
    let i = 0;
    if (this.inQuotes) field += '\n';
    while (i < line.length) {
      const c = line[i]!;
      if (this.inQuotes) {
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          this.inQuotes = false;
          i++;
          continue;
        }
        // Copy up to the next quote in one slice.
        let j = line.indexOf('"', i);
        if (j < 0) j = line.length;
        field += line.slice(i, j);
        i = j;
        continue;
      }
      if (c === '"' && field.length === 0) {
        this.inQuotes = true;
        i++;
      } else if (c === delimiter) {
        this.fields.push(field);
        field = '';
        i++;
      } else {
        // Fast path: copy up to the next special character in one slice.
        let j = i + 1;
        while (j < line.length && line[j] !== delimiter && line[j] !== '"') j++;
        field += line.slice(i, j);
        i = j;
      }
    }
    if (this.inQuotes) {
      this.field = field;
      return;
    }
    this.fields.push(field);
    out.push(this.fields);
    this.fields = [];
    this.field = '';
  }
}

/** Opens a CSV (comma, or tab for .tsv) or JSON-lines file for streaming. */
export async function openTabular(file: string, shown: string): Promise<TabularStream> {
  const format = tabularFormatOf(file) ?? tabularFormatOf(shown);
  if (!format) {
    throw new CairnError(
      'usage',
      `${shown}: not a table Cairn can read (CSV, TSV or JSON lines)`,
      shown,
    );
  }
  if (format === 'csv') {
    const base = shown.toLowerCase().replace(/\.gz$/, '');
    const named = base.endsWith('.tsv') || file.toLowerCase().endsWith('.tsv') ? '\t' : ',';
    // The first lines decide the delimiter when the named one does not split them.
    const blocks = textBlocks(file, shown);
    let headText = '';
    let headLines: string[] = [];
    for (;;) {
      headLines = firstLines(headText, LAYOUT_SAMPLE + 1);
      if (headLines.length > LAYOUT_SAMPLE) break;
      const next = await blocks.next();
      if (next.done) break;
      headText += next.value;
    }
    const head = headLines
      .slice(0, LAYOUT_SAMPLE)
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const delimiter = sniffDelimiter(head, named);
    const notes: string[] = [];
    if (delimiter !== named) notes.push(`fields are separated by ${DELIMITER_NAMES[delimiter]}`);
    const parser = new CsvParser(delimiter);
    // The first records decide where the header is; they are then read again as rows. The text
    // read so far is parsed a few lines at a time, only as far as the sample needs.
    let pending: string[][] = [];
    let parsed = 0;
    while (pending.length < LAYOUT_SAMPLE && parsed < headText.length) {
      let cut = parsed;
      for (let k = 0; k < LAYOUT_SAMPLE && cut >= 0; k++) cut = headText.indexOf('\n', cut + 1);
      const to = cut < 0 ? headText.length : cut + 1;
      pending = parser.push(headText.slice(parsed, to), pending).filter((r) => !isBlank(r));
      parsed = to;
    }
    let unparsed = headText.slice(parsed);
    while (pending.length < LAYOUT_SAMPLE) {
      const next = await blocks.next();
      if (next.done) {
        pending = parser.end(pending).filter((r) => !isBlank(r));
        break;
      }
      pending = parser.push(next.value, pending).filter((r) => !isBlank(r));
    }
    const sample = pending.slice(0, LAYOUT_SAMPLE);
    if (sample.length === 0)
      throw new CairnError('usage', `${shown} is empty: a CSV needs a header line`, shown);
    const layout = detectTableLayout(sample);
    const columns = layout.columns;
    notes.push(...layout.notes);
    const firstRow = layout.skip + (layout.hasHeader ? 1 : 0);
    return {
      format,
      columns,
      notes,
      ...(isGzipped(file, shown) ? {} : { csv: { delimiter, recordsBeforeRows: firstRow } }),
      async close() {
        await blocks.return(undefined);
      },
      async *rows() {
        // A row wider than the header still has every field profiled, as column_N.
        const widen = (batch: string[][]): void => {
          let widest = columns.length;
          for (const rec of batch) if (rec.length > widest) widest = rec.length;
          if (widest === columns.length) return;
          notes.push(
            `some rows have ${widest} fields, more than the ${columns.length} columns named: the others are named ${columnRange(columns.length, widest)}`,
          );
          while (columns.length < widest) columns.push(`column_${columns.length + 1}`);
        };
        const nonBlank = (records: string[][]): string[][] => {
          let blank = false;
          for (const r of records) if (isBlank(r)) blank = true;
          return blank ? records.filter((r) => !isBlank(r)) : records;
        };
        let first: string[][] | undefined = pending.slice(firstRow);
        if (unparsed.length > 0) {
          const batch = nonBlank(parser.push(unparsed, first));
          unparsed = '';
          first = undefined;
          if (batch.length > 0) {
            widen(batch);
            yield batch;
          }
        }
        for await (const text of blocks) {
          const batch = nonBlank(parser.push(text, first ?? []));
          first = undefined;
          if (batch.length === 0) continue;
          widen(batch);
          yield batch;
        }
        const last = nonBlank(parser.end(first ?? []));
        if (last.length > 0) {
          widen(last);
          yield last;
        }
      },
    };
  }

  // JSON lines: columns are the keys of the first rows; later new keys join as they appear.
  const src = lines(file, shown);
  const columns: string[] = [];
  const index = new Map<string, number>();
  return {
    format,
    columns,
    notes: [],
    async close() {
      await src.return(undefined);
    },
    async *rows() {
      let batch: (string | undefined)[][] = [];
      let lineNo = 0;
      for await (const line of src) {
        lineNo++;
        const t = line.trim();
        if (t === '' || t === '[' || t === ']') continue;
        let obj: unknown;
        try {
          obj = JSON.parse(t.endsWith(',') ? t.slice(0, -1) : t);
        } catch {
          throw new CairnError(
            'usage',
            `${shown}:${lineNo}: not a JSON object; each line of a JSON-lines file must be one object`,
            shown,
            lineNo,
          );
        }
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          throw new CairnError(
            'usage',
            `${shown}:${lineNo}: not a JSON object; each line of a JSON-lines file must be one object`,
            shown,
            lineNo,
          );
        }
        const row: (string | undefined)[] = new Array<string | undefined>(columns.length);
        for (const [k, v] of Object.entries(obj)) {
          let i = index.get(k);
          if (i === undefined) {
            i = columns.length;
            columns.push(k);
            index.set(k, i);
          }
          row[i] = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        }
        batch.push(row);
        if (batch.length >= BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
  };
}
