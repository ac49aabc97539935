import * as fs from 'node:fs';
import { stripAnsi } from '../text/controlChars.js';

/** The last lines of a run's output as a reader sees them, and how many lines come before. */
export interface LogTail {
  readonly tail: string;
  readonly hiddenLines: number;
}

/** Bytes read from the end of a log: a long log's start is one click away, in the editor. */
const TAIL_BYTES = 256 * 1024;

/**
 * The last `maxLines` lines of a log file without terminal escapes, with each carriage-return
 * redraw (a progress bar) reduced to what it showed last. A missing log is an empty tail.
 */
export function readLogTail(file: string, maxLines = 200): LogTail {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { tail: '', hiddenLines: 0 };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    let before = 0;
    if (start > 0) {
      // Count the lines before the tail without holding them: the log can be gigabytes.
      const chunk = Buffer.alloc(1 << 20);
      for (let pos = 0; pos < start; pos += chunk.length) {
        const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, start - pos), pos);
        for (let i = chunk.indexOf(10, 0); i !== -1 && i < n; i = chunk.indexOf(10, i + 1))
          before++;
      }
    }
    let lines = buf.toString('utf8').split('\n');
    if (start > 0) {
      lines = lines.slice(1); // the first line is cut
      before++;
    }
    if (lines.at(-1) === '') lines.pop();
    const shown = lines.slice(-maxLines);
    const text = shown.map((l) => stripAnsi(l.slice(l.lastIndexOf('\r', l.length - 2) + 1)));
    return {
      tail: text.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).join('\n'),
      hiddenLines: before + lines.length - shown.length,
    };
  } finally {
    fs.closeSync(fd);
  }
}
