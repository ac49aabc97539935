/** The kinds of failure core reports; the CLI and the extension map them to messages and exit codes. */
export type CairnErrorCode =
  | 'not-a-project'
  | 'not-a-git-repo'
  | 'bad-config'
  | 'bad-pointer'
  | 'bad-manifest'
  | 'bad-path'
  | 'not-found'
  | 'not-in-cache'
  | 'corrupt-object'
  | 'would-overwrite'
  | 'io'
  | 'no-space'
  | 'read-only'
  | 'remote'
  | 'git'
  | 'usage'
  | 'changed-during-read'
  | 'bad-params'
  | 'run';

/** A failure a user can act on: what is wrong, where (file and line), and what to do. */
export class CairnError extends Error {
  override readonly name = 'CairnError';
  constructor(
    readonly code: CairnErrorCode,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/**
 * A checkout that would overwrite or remove modified data that is not in the cache: which files,
 * and which tracked artifacts they belong to (so a caller can offer to track those first).
 */
export class WouldOverwriteError extends CairnError {
  constructor(
    message: string,
    /** Project-relative paths of the files that would be lost. */
    readonly files: readonly string[],
    /** The tracked artifacts (their paths) those files belong to. */
    readonly artifacts: readonly string[],
  ) {
    super('would-overwrite', message, files[0]);
  }
}

/** Turns a Node system error into a CairnError that names the file and the likely fix. */
export function fromSystemError(err: unknown, file: string, doing: string): CairnError {
  if (err instanceof CairnError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOSPC':
      return new CairnError(
        'no-space',
        `${doing} ${file}: no space left on the device; free some space and run the command again`,
        file,
      );
    case 'EROFS':
      return new CairnError('read-only', `${doing} ${file}: the file system is read-only`, file);
    case 'EACCES':
    case 'EPERM':
      return new CairnError(
        'read-only',
        `${doing} ${file}: permission denied; check the file's permissions`,
        file,
      );
    case 'ENOENT':
      return new CairnError('not-found', `${doing} ${file}: no such file or directory`, file);
    case 'ENAMETOOLONG':
      return new CairnError(
        'bad-path',
        `${doing} ${file}: the name is too long for the file system (at most 255 bytes per name); use a shorter name`,
        file,
      );
    case 'EDQUOT':
      return new CairnError('no-space', `${doing} ${file}: disk quota exceeded`, file);
    default:
      return new CairnError('io', `${doing} ${file}: ${e.message ?? String(err)}`, file);
  }
}
