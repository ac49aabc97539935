import { CairnError } from '../errors.js';
import type { Project } from '../project/project.js';
import { splitCommand } from '../shell.js';
import type { RunRecord } from './runRecord.js';
import { runFiles } from './runStore.js';

/**
 * The `cairn` arguments that run a recorded ad-hoc run (`cairn run -- <argv>`) again with the argv
 * it had: the record keeps it shell-quoted, so it is split as a shell would, not on whitespace.
 */
export function rerunArgs(project: Project, record: Pick<RunRecord, 'id' | 'command'>): string[] {
  let argv: string[];
  try {
    argv = splitCommand(record.command);
  } catch (err) {
    throw new CairnError(
      'bad-manifest',
      `${runFiles(project, record.id).record}: command has an ${(err as Error).message}; fix the quoting or run the command again by hand`,
      runFiles(project, record.id).record,
    );
  }
  if (argv.length === 0) {
    throw new CairnError(
      'bad-manifest',
      `${runFiles(project, record.id).record}: command is empty, so the run cannot be run again`,
      runFiles(project, record.id).record,
    );
  }
  return ['run', '--', ...argv];
}
