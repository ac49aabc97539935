// One segment of a plain (not gzipped) CSV, profiled from its bytes: the rows between two line
// starts, each field counted by its column's accumulator without making a string for it (quoted
// lines go through CsvParser as text, as the streaming reader reads them). Segments are
// independent, so threads can profile them side by side; segmentedProfile.ts merges them.
import * as fs from 'node:fs';
import { readRange } from '../fsSafe.js';
import {
  ColumnAccumulator,
  reservoirCapacity,
  segmentSeed,
  stateBuffers,
  type ColumnState,
  type CountedValues,
} from './columnStats.js';
import { CsvParser, isBlank } from './tabularReader.js';

/** Bytes of quoted lines decoded at a time. */
const QUOTED_WINDOW_BYTES = 1 << 16;

/** What a thread needs to profile one segment. */
export interface SegmentRequest {
  readonly file: string;
  /** The file's size when profiling began: its end, for every segment. */
  readonly size: number;
  readonly delimiter: string;
  /** Columns the header names; wider rows add column_N. */
  readonly columns: number;
  /** The segment's place in the file: its seeds, and its place in the merge. */
  readonly index: number;
  /**
   * Where the segment starts: at the first line start at or after this offset, or, when
   * `exactStart`, here (the start of the rows, or of a record known to start here).
   */
  readonly start: number;
  readonly exactStart: boolean;
  /** The segment ends at the first line start at or after this offset (or the file's end). */
  readonly end: number;
}

/** A profiled segment, as plain data (what a worker thread sends back). */
export interface SegmentResult {
  readonly index: number;
  readonly rows: number;
  readonly columns: ColumnState[];
  /**
   * Where a record starts that is still inside a quoted field at the segment's end (it goes on
   * in the next segment, which must then be read again from here), or -1.
   */
  readonly openRecord: number;
}

/** A profiled segment, with its accumulators. */
export interface ProfiledSegment {
  readonly index: number;
  readonly rows: number;
  readonly columns: ColumnAccumulator[];
  readonly openRecord: number;
}

/** What a thread keeps from one segment to the next. */
export interface SegmentContext {
  /** Memory for a segment's bytes. */
  buf?: Buffer;
  /**
   * Per column, the values the first segment counted exactly (all of its values, or, past the
   * exact distinct limit, the table's first 10,001): every later segment counts them too.
   */
  counted?: readonly (CountedValues | null)[];
}

/** Profiles one segment on this thread. */
export function profileSegment(req: SegmentRequest, context: SegmentContext = {}): ProfiledSegment {
  const fd = fs.openSync(req.file, 'r');
  try {
    const begin = req.exactStart ? req.start : lineStartAtOrAfter(fd, req.start, req.size);
    const end = Math.max(begin, lineStartAtOrAfter(fd, req.end, req.size));
    if (!context.buf || context.buf.length < end - begin) {
      context.buf = undefined; // the old one can go before the new one is allocated
      context.buf = Buffer.allocUnsafeSlow(end - begin);
    }
    const counted = req.index > 0 ? context.counted : undefined;
    return scan(
      readRange(fd, begin, end - begin, context.buf),
      begin,
      end >= req.size,
      req,
      counted,
    );
  } finally {
    fs.closeSync(fd);
  }
}

/** A segment's profile as plain data, and the buffers to transfer with it. */
export function segmentResult(p: ProfiledSegment): {
  result: SegmentResult;
  transfer: ArrayBuffer[];
} {
  const columns = p.columns.map((c) => c.toState());
  return {
    result: { index: p.index, rows: p.rows, openRecord: p.openRecord, columns },
    transfer: columns.flatMap(stateBuffers),
  };
}

/** The accumulators of a segment profiled on another thread. */
export function fromSegmentResult(r: SegmentResult): ProfiledSegment {
  return {
    index: r.index,
    rows: r.rows,
    openRecord: r.openRecord,
    columns: r.columns.map((s) => ColumnAccumulator.fromState(s)),
  };
}

/**
 * The profile of the rows in `buf` (whole lines of the file from offset `at`; the last without
 * its line end only at the end of the file).
 */
function scan(
  buf: Buffer,
  at: number,
  toEnd: boolean,
  req: SegmentRequest,
  counted: readonly (CountedValues | null)[] | undefined,
): ProfiledSegment {
  const n = buf.length;
  const delimiter = req.delimiter.charCodeAt(0);
  const seed = segmentSeed(req.index);
  const columns: ColumnAccumulator[] = [];
  const widen = (width: number): void => {
    while (columns.length < width) {
      const a = new ColumnAccumulator(
        reservoirCapacity(Math.max(req.columns, columns.length + 1)),
        seed,
      );
      const values = counted?.[columns.length];
      if (values) a.countOnly(values);
      columns.push(a);
    }
  };
  widen(req.columns);
  let rows = 0;
  const parser = new CsvParser(req.delimiter);
  const records: string[][] = [];
  let recordStart = 0;
  const addRecords = (): void => {
    for (const r of records) {
      if (isBlank(r)) continue;
      rows++;
      widen(r.length);
      for (let c = 0; c < columns.length; c++) columns[c]!.add(r[c]);
    }
    while (records.length > 0) records.pop();
  };
  // Lines before the one with the next quote are split here, from their bytes; that line goes
  // through the parser as text.
  let quotedLine = -1;
  const findQuotedLine = (from: number): void => {
    const quote = buf.indexOf(34, from);
    quotedLine = quote < 0 ? n : buf.lastIndexOf(10, quote) + 1;
  };
  findQuotedLine(0);
  /**
   * Lines with quotes, or inside a quoted field, from `p`: as text, through the parser, as the
   * streaming reader reads them; a window of lines is decoded at once. Returns where the next
   * line without quotes starts, outside quoted fields (or the end).
   */
  const quotedLines = (from: number): number => {
    let to = buf.indexOf(10, Math.min(n, from + QUOTED_WINDOW_BYTES));
    to = to < 0 ? n : to + 1;
    const text = buf.toString('utf8', from, to);
    const ascii = text.length === to - from;
    let t = 0; // in the text
    let at = from; // in the bytes
    let quote = text.indexOf('"');
    while (t < text.length) {
      let nl = text.indexOf('\n', t);
      if (nl < 0) nl = text.length;
      if (!parser.open) {
        if (quote >= 0 && quote < t) quote = text.indexOf('"', t);
        if (quote < 0 || quote >= nl) break; // back to reading bytes
        recordStart = at;
      }
      parser.line(text, t, nl, records);
      if (records.length > 0) addRecords();
      t = nl + 1;
      if (ascii) at = Math.min(to, from + t);
      else {
        const b = buf.indexOf(10, at);
        at = b < 0 || b >= to ? to : b + 1;
      }
    }
    return at;
  };
  // The same bytes as a plain Uint8Array, which V8 indexes faster than a Buffer.
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, n);
  let p = 0;
  while (p < n) {
    if (parser.open || p === quotedLine) {
      p = quotedLines(p);
      if (quotedLine < p) findQuotedLine(p);
      continue;
    }
    // A blank line (nothing, or a carriage return) is no row.
    const first = bytes[p];
    if (first === 10) {
      p++;
      continue;
    }
    if (first === 13 && (p + 1 === n || bytes[p + 1] === 10)) {
      p += 2;
      continue;
    }
    rows++;
    let c = 0;
    let from = p;
    let i = p;
    for (; i < n; i++) {
      const b = bytes[i];
      if (b === delimiter) {
        if (c === columns.length) widen(c + 1);
        columns[c++]!.addBytes(bytes, from, i);
        from = i + 1;
      } else if (b === 10) break;
    }
    // The line's end: a carriage return before it is not part of the last field.
    const stop = i > from && bytes[i - 1] === 13 ? i - 1 : i;
    if (c === columns.length) widen(c + 1);
    columns[c++]!.addBytes(bytes, from, stop);
    for (; c < columns.length; c++) columns[c]!.missing++;
    p = i + 1;
  }
  let openRecord = -1;
  if (parser.open) {
    if (toEnd) {
      parser.end(records); // an unterminated quote at the end of the file ends its record
      addRecords();
    } else openRecord = at + recordStart;
  }
  // Columns first seen in a wide row are missing in the rows before it.
  for (const a of columns) {
    const known = a.missing + a.present;
    if (known < rows) a.missing += rows - known;
  }
  return { index: req.index, rows, columns, openRecord };
}

/** The first line start at or after `offset` (offset itself if a line ends just before it). */
function lineStartAtOrAfter(fd: number, offset: number, size: number): number {
  if (offset >= size) return size;
  if (offset <= 0) return 0;
  const piece = Buffer.allocUnsafe(1 << 16);
  for (let at = offset - 1; at < size;) {
    const got = fs.readSync(fd, piece, 0, Math.min(piece.length, size - at), at);
    if (got === 0) break;
    const i = piece.subarray(0, got).indexOf(10);
    if (i >= 0) return at + i + 1;
    at += got;
  }
  return size;
}

/**
 * Where the rows of a CSV start: after its byte order mark and its first `records` records that
 * are not blank (a preamble, the header), as the streaming reader counts them.
 */
export function rowsStart(file: string, delimiter: string, records: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let buf = readRange(fd, 0, Math.min(size, 1 << 16));
    const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    if (records === 0) return bom;
    const parser = new CsvParser(delimiter);
    const out: string[][] = [];
    let seen = 0;
    let p = bom;
    while (p < size) {
      let nl = buf.indexOf(10, p);
      while (nl < 0 && buf.length < size) {
        buf = readRange(fd, 0, Math.min(size, buf.length * 2));
        nl = buf.indexOf(10, p);
      }
      if (nl < 0) nl = buf.length;
      const line = buf.toString('utf8', p, nl);
      parser.line(line, 0, line.length, out);
      for (const r of out) if (!isBlank(r)) seen++;
      out.length = 0;
      p = nl + 1;
      if (seen >= records && !parser.open) return Math.min(p, size);
    }
    return size;
  } finally {
    fs.closeSync(fd);
  }
}
