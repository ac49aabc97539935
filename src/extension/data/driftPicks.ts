// The versions the drift picker offers: each commit that changed the artifact, named by its tag
// or subject (never a bare hash), with the work tree's version marked. Pure (no vscode), so it is
// unit-tested against a real repository.
import type { LogEntry } from '../../core/versioning/history.js';
import { versionLabel, type CommitName } from '../../core/versioning/versionLabel.js';
import { shortHash } from '../../core/format.js';

export interface DriftPick {
  /** `3f2a9c1d0e · v1.2` or `3f2a9c1d0e · "add March data"`, with ` (current)` for the work tree's version. */
  readonly label: string;
  /** The subject, when the label shows a tag instead. */
  readonly description: string;
  /** When, who, and the content version (or that the commit removed the data). */
  readonly detail: string;
  readonly commit: string;
  /** The commit's version of the data is the one the work tree's pointer file names. */
  readonly current: boolean;
}

/** One pick per commit of the log, newest first; `currentHash` is the work tree's version. */
export function driftPicks(
  log: readonly LogEntry[],
  names: ReadonlyMap<string, CommitName>,
  currentHash: string | undefined,
): DriftPick[] {
  return log.map((e) => {
    const name = names.get(e.commit);
    const current = currentHash !== undefined && e.pointer?.hash === currentHash;
    return {
      label: `${versionLabel(e.commit, name)}${current ? ' (current)' : ''}`,
      description: name?.tag != null ? e.subject : '',
      detail: `${new Date(e.dateMs).toLocaleString()} · ${e.author}${e.pointer ? ` · ${shortHash(e.pointer.hash)}` : ' · removed'}`,
      commit: e.commit,
      current,
    };
  });
}
