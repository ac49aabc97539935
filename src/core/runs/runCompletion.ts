import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import { addArtifacts } from '../versioning/add.js';
import { readMetricsFile } from './metricParser.js';
import type { ChildExit } from './runChild.js';
import type { RunCapture } from './runCapture.js';
import { writtenSince, type PreparedRun } from './runPreparation.js';
import type { ArtifactVersion, RunRecord, RunStatus } from './runRecord.js';
import { readRun, RUN_FILES, saveRun } from './runStore.js';

/** How the program's part of a run ended. */
export interface RunEnd {
  readonly exit: ChildExit;
  /** The run was stopped on request (stop(), Ctrl-C). */
  readonly stopped: boolean;
  /** Why the run failed whatever the program did (it could not start, the disk filled up). */
  readonly failure?: CairnError | string;
}

/**
 * Finishes a run after its program ended: puts the params file back, reads the metrics files the
 * run wrote, versions the outputs of a successful run, and saves the final record (with the space
 * held back for it, so that a full disk still gets a finished record).
 */
export async function completeRun(
  project: Project,
  run: PreparedRun,
  capture: RunCapture,
  end: RunEnd,
): Promise<RunRecord> {
  const { spec, work } = run;
  let error = typeof end.failure === 'string' ? end.failure : end.failure?.message;
  try {
    run.lock?.restore();
  } catch (e) {
    error ??= (e as Error).message;
  }
  let status: RunStatus =
    error !== undefined
      ? 'failed'
      : end.stopped
        ? 'stopped'
        : end.exit.exitCode === 0
          ? 'completed'
          : 'failed';
  for (const m of spec.metrics) {
    if (m.type !== 'file') continue;
    const abs = path.join(work.root, m.file);
    // A file left by an earlier run is not this run's result.
    if (!writtenSince(abs, run.metricFilesBefore.get(m.file))) continue;
    try {
      for (const r of readMetricsFile(abs, m.file)) capture.writer.add(r);
    } catch (e) {
      error ??= (e as Error).message;
    }
  }
  capture.writer.close();
  let outputs: ArtifactVersion[] = [];
  if (status === 'completed' && spec.outs.length > 0) {
    const missing = spec.outs.filter((o) => !fs.existsSync(path.join(work.root, o.path)));
    if (missing.length > 0) {
      status = 'failed';
      error = `the program did not produce ${missing.map((o) => o.path).join(', ')}`;
    } else {
      try {
        for (const o of spec.outs) {
          const [r] = await addArtifacts(work, [o.path], {
            ...(o.kind ? { kind: o.kind } : {}),
            run: run.id,
          });
          if (r) outputs.push({ path: r.path, hash: r.pointer.hash, kind: r.pointer.kind });
        }
      } catch (e) {
        status = 'failed';
        error = `versioning the outputs failed: ${(e as Error).message}`;
        outputs = [];
      }
    }
  }
  fs.rmSync(path.join(run.dir, RUN_FILES.reserve), { force: true });
  const endMs = Date.now();
  const record: RunRecord = {
    ...run.record,
    endMs,
    durationMs: endMs - run.record.startMs,
    exitCode: end.exit.exitCode,
    signal: end.exit.signal,
    status,
    outputs,
    summary: capture.writer.summary,
    metricPoints: capture.writer.points,
    skippedLines: capture.skippedLines,
    ...(error !== undefined ? { error } : {}),
  };
  if (run.record.executor) {
    // A job whose end the scheduler reported first (its node was declared dead while the
    // program went on) keeps the record the submitting side wrote.
    const onDisk = readRun(project, run.id);
    if (onDisk.status !== 'running' && onDisk.status !== 'queued') return onDisk;
  }
  saveRun(project, record);
  return record;
}
