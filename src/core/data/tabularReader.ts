import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CairnError, fromSystemError } from '../errors.js';

export type TabularFormat = 'csv' | 'jsonl';

/** A table read as a stream: its header, then rows of raw cell strings (undefined = absent). */
export interface TabularStream {
  readonly format: TabularFormat;
  readonly columns: string[];
  rows(): AsyncGenerator<(string | undefined)[][]>;
}

export function tabularFormatOf(file: string): TabularFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return undefined;
}

const CHUNK_BYTES = 1 << 20;
const BATCH_ROWS = 8192;

/** Lines of a file, decoded as UTF-8 (invalid bytes become U+FFFD), read in 1 MB chunks. */
async function* lines(file: string, shown: string): AsyncGenerator<string> {
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text = rest + decoder.write(chunk);
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        yield text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
  } catch (err) {
    throw fromSystemError(err, shown, 'Could not read');
  }
  rest += decoder.end();
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** Splits CSV records (RFC 4180 quoting, fields may span lines) from a line stream. */
async function* csvRecords(
  src: AsyncGenerator<string>,
  delimiter: string,
): AsyncGenerator<string[]> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for await (const line of src) {
    // Most lines have no quotes at all: split them in one call.
    if (!inQuotes && !line.includes('"')) {
      yield line.split(delimiter);
      continue;
    }
    let i = 0;
    if (inQuotes) field += '\n';
    while (i < line.length) {
      const c = line[i]!;
      if (inQuotes) {
        if (c === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          inQuotes = false;
          i++;
          continue;
        }
        field += c;
        i++;
        continue;
      }
      if (c === '"' && field.length === 0) {
        inQuotes = true;
        i++;
      } else if (c === delimiter) {
        fields.push(field);
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
    if (inQuotes) continue;
    fields.push(field);
    yield fields;
    fields = [];
    field = '';
  }
  if (inQuotes || fields.length > 0) {
    fields.push(field);
    yield fields;
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
    const delimiter = file.endsWith('.tsv') || shown.endsWith('.tsv') ? '\t' : ',';
    const records = csvRecords(lines(file, shown), delimiter);
    const head = await records.next();
    if (head.done)
      throw new CairnError('usage', `${shown} is empty: a CSV needs a header line`, shown);
    const columns = head.value.map((c, i) => c.trim() || `column_${i + 1}`);
    return {
      format,
      columns,
      async *rows() {
        let batch: (string | undefined)[][] = [];
        for await (const rec of records) {
          if (rec.length === 1 && rec[0] === '') continue; // blank line
          batch.push(rec);
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length) yield batch;
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
