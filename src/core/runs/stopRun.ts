import * as os from 'node:os';
import { CairnError } from '../errors.js';
import { stopJobRun } from '../executors/jobs.js';
import type { Project } from '../project/project.js';
import type { RunRecord } from './runRecord.js';
import { getRun } from './runStore.js';

/**
 * Stops a run, wherever it runs: a cluster run's job is cancelled; a run recorded on this
 * machine gets SIGTERM, which its recorder turns into a clean stop (`stopped`).
 */
export async function stopRun(project: Project, id: string): Promise<RunRecord> {
  const record = getRun(project, id);
  if (record.status !== 'running' && record.status !== 'queued')
    throw new CairnError('usage', `Run ${id} is not running (it is ${record.status})`);
  if (record.executor) {
    await stopJobRun(project, record);
    return record;
  }
  if (record.host !== os.hostname())
    throw new CairnError('usage', `Run ${id} runs on ${record.host}; stop it there`);
  try {
    process.kill(record.pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  return record;
}
