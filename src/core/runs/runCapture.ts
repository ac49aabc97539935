import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromSystemError, type CairnError } from '../errors.js';
import { MetricStreamParser, type MetricRecord } from './metricParser.js';
import { MetricsWriter, RUN_FILES } from './runStore.js';
import { writeAllSync } from './writeAll.js';

/** What reads a program's output can ask of it: to wait while a reader catches up. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface CaptureOptions {
  /** Apply the generic stdout rules (JSON lines, key=value). */
  readonly generic: boolean;
  readonly patterns: readonly RegExp[];
  /** Copy the output to this process's stdout and stderr as it comes. */
  readonly echo: boolean;
  /** Called once when the log or the metrics cannot be written (a full disk, say). */
  readonly onWriteError: (error: CairnError) => void;
}

/**
 * Everything a run's output goes to: the log, the metric parsers (one line buffer per stream, so
 * a progress bar's partial stderr line never joins a stdout line), the helpers' metrics file and
 * the echo. The echo keeps memory bounded: while the reader of our stdout lags, the program's
 * output is paused, so it blocks instead of piling up here.
 */
export class RunCapture {
  readonly writer: MetricsWriter;
  private readonly log: number;
  private readonly logFile: string;
  private readonly parsers: Record<'out' | 'err', MetricStreamParser>;
  private readonly helperParser: MetricStreamParser;
  private readonly helperFile: string;
  private helperOffset = 0;
  private readonly helperTimer: NodeJS.Timeout;
  private flow: FlowControl | undefined;
  private waitingDrains = 0;
  private failed = false;

  constructor(
    dir: string,
    private readonly options: CaptureOptions,
  ) {
    this.writer = new MetricsWriter(path.join(dir, RUN_FILES.metrics), (e) => this.fail(e));
    this.logFile = path.join(dir, RUN_FILES.log);
    this.log = fs.openSync(this.logFile, 'a');
    const onRecord = (r: MetricRecord) => this.writer.add(r);
    const streamOptions = { generic: options.generic, patterns: options.patterns };
    this.parsers = {
      out: new MetricStreamParser(onRecord, streamOptions),
      err: new MetricStreamParser(onRecord, streamOptions),
    };
    this.helperParser = new MetricStreamParser(onRecord, { jsonOnly: true });
    this.helperFile = path.join(dir, RUN_FILES.helperMetrics);
    this.helperTimer = setInterval(() => this.readHelper(), 150);
  }

  /** Lines that looked like metrics but could not be parsed. */
  get skippedLines(): number {
    return (
      this.parsers.out.skippedLines + this.parsers.err.skippedLines + this.helperParser.skippedLines
    );
  }

  /** The program whose output this is, so the echo can pause it. */
  bind(flow: FlowControl): void {
    this.flow = flow;
  }

  /** One chunk of the program's output. */
  data(chunk: Buffer, stream: 'out' | 'err'): void {
    if (this.options.echo) {
      const target = stream === 'err' ? process.stderr : process.stdout;
      if (!target.write(chunk)) {
        if (this.waitingDrains++ === 0) this.flow?.pause();
        target.once('drain', () => {
          if (--this.waitingDrains === 0) this.flow?.resume();
        });
      }
    }
    if (!this.failed) {
      try {
        writeAllSync(this.log, withoutNul(chunk));
      } catch (err) {
        this.fail(fromSystemError(err, this.logFile, 'Could not write the run log'));
      }
    }
    this.parsers[stream].write(chunk);
  }

  /** Reads the rest of the output and closes the log and the metrics (idempotent on errors). */
  end(): void {
    clearInterval(this.helperTimer);
    this.parsers.out.end();
    this.parsers.err.end();
    this.readHelper();
    this.helperParser.end();
    fs.closeSync(this.log);
  }

  private fail(error: CairnError): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onWriteError(error);
  }

  private readHelper(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.helperFile, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, this.helperOffset);
        if (n <= 0) break;
        this.helperOffset += n;
        this.helperParser.write(buf.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}

/**
 * The chunk without NUL bytes. Terminals ignore NUL (a terminal's input echoed by the pty can
 * carry one), and a text log that starts with one is shown as binary by editors and `grep`.
 */
function withoutNul(chunk: Buffer): Buffer {
  if (chunk.indexOf(0) === -1) return chunk;
  return Buffer.from(chunk.filter((b) => b !== 0));
}
