import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from './errors.js';

/** Writes a file atomically: a temp file in the same directory (or tmpDir), then rename. */
export function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { tmpDir?: string; mode?: number } = {},
): void {
  const tmp = tmpPathFor(file, options.tmpDir);
  try {
    fs.writeFileSync(tmp, data, { mode: options.mode ?? 0o666 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw fromSystemError(err, file, 'Could not write');
  }
}

/**
 * A file written in pieces and renamed into place when whole: writeFileAtomic for content too
 * large to hold in memory at once. Until commit() nothing is at `file`; abort() drops the piece.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private position = 0;

  constructor(
    private readonly file: string,
    options: { tmpDir?: string; mode?: number } = {},
  ) {
    this.tmp = tmpPathFor(file, options.tmpDir);
    try {
      this.fd = fs.openSync(this.tmp, 'wx', options.mode ?? 0o666);
    } catch (err) {
      throw fromSystemError(err, file, 'Could not write');
    }
  }

  write(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      let done = 0;
      while (done < bytes.length)
        done += fs.writeSync(this.fd!, bytes, done, bytes.length - done, this.position + done);
      this.position += bytes.length;
    } catch (err) {
      this.abort();
      throw fromSystemError(err, this.file, 'Could not write');
    }
  }

  commit(): void {
    try {
      fs.closeSync(this.fd!);
      this.fd = undefined;
      fs.renameSync(this.tmp, this.file);
    } catch (err) {
      this.abort();
      throw fromSystemError(err, this.file, 'Could not write');
    }
  }

  /** Drops what was written (after a failure); nothing changes at `file`. */
  abort(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Project-relative path in POSIX form, or an error if it leaves the project. */
export function toProjectPath(root: string, absOrRel: string, source?: string): string {
  const abs = path.resolve(root, absOrRel);
  const rel = path.relative(root, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new CairnError(
      'bad-path',
      `${absOrRel} is outside the project ${root}${source ? ` (named in ${source})` : ''}`,
      source,
    );
  }
  return rel.split(path.sep).join('/');
}

/**
 * Checks a relative path taken from a pointer file, a manifest or a remote: no absolute paths, no
 * `..`, no empty or `.` segments, no backslashes or NUL. Returns it unchanged when it is safe.
 */
export function assertSafeRelativePath(rel: string, source: string, line?: number): string {
  const bad =
    rel.length === 0 ||
    rel.includes('\0') ||
    rel.includes('\\') ||
    rel.startsWith('/') ||
    /^[A-Za-z]:/.test(rel) ||
    rel.split('/').some((seg) => seg === '' || seg === '.' || seg === '..');
  if (bad) {
    throw new CairnError(
      'bad-path',
      `${source}${line ? `:${line}` : ''}: unsafe path ${JSON.stringify(rel)} (absolute, '..', or empty segments are not allowed); fix or remove that entry`,
      source,
      line,
    );
  }
  return rel;
}

/**
 * Checks that writes into the work tree land inside the project: every directory written into
 * (or the deepest part of it that exists) must really lie inside the project root, not behind a
 * symlink that leads elsewhere, and not inside `.git/` or `.cairn/`. A repository is untrusted
 * input: it can commit `data -> ~/.ssh` beside a pointer file `data.cairn`.
 */
export class WriteGuard {
  private readonly realRoot: string;
  private readonly checked = new Set<string>();

  constructor(private readonly root: string) {
    this.realRoot = fs.realpathSync(root);
  }

  /** Refuses writing into `dir` (created if missing) when it really lies outside the project. */
  assertDir(dir: string, source: string): void {
    if (this.checked.has(dir)) return;
    let existing = dir;
    let real: string | undefined;
    for (;;) {
      try {
        real = fs.realpathSync(existing);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fromSystemError(err, dir, 'Cannot use');
      }
      const parent = path.dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
    if (real === undefined || !this.allows(real)) {
      const link = this.firstLink(existing);
      throw new CairnError(
        'bad-path',
        `${source}: ${link ?? (path.relative(this.root, existing) || '.')} is a symlink that leads ${real !== undefined && this.isInside(real) ? "into Cairn's or Git's own files" : 'outside the project'} (${real ?? '?'}); Cairn will not write through it, so remove the link or track the real location`,
        source,
      );
    }
    this.checked.add(dir);
  }

  /** Refuses a file about to be created or replaced whose directory, or which as a link, leads out. */
  assertTarget(abs: string, source: string): void {
    this.assertDir(path.dirname(abs), source);
    if (lstatOrUndefined(abs)?.isSymbolicLink()) {
      let real: string | undefined;
      try {
        real = fs.realpathSync(abs);
      } catch {
        return; // a dangling link is replaced, never written through
      }
      // A symlink checkout's link to a cache object is replaced by rename, never written through.
      if (
        !this.allows(real) &&
        !real.startsWith(path.join(this.realRoot, '.cairn', 'cache') + path.sep)
      ) {
        throw new CairnError(
          'bad-path',
          `${source}: ${path.relative(this.root, abs)} is a symlink that leads outside the project (${real}); remove the link, then run the command again`,
          source,
        );
      }
    }
  }

  private isInside(real: string): boolean {
    return real === this.realRoot || real.startsWith(this.realRoot + path.sep);
  }

  private allows(real: string): boolean {
    if (!this.isInside(real)) return false;
    const first = path.relative(this.realRoot, real).split(path.sep)[0];
    return first !== '.git' && first !== '.cairn';
  }

  /** The project-relative path of the first symlink on the way from the root to `abs`. */
  private firstLink(abs: string): string | undefined {
    const rel = path.relative(this.root, abs);
    if (rel.startsWith('..')) return undefined;
    let cur = this.root;
    for (const seg of rel.split(path.sep).filter((s) => s !== '')) {
      cur = path.join(cur, seg);
      if (lstatOrUndefined(cur)?.isSymbolicLink()) return path.relative(this.root, cur);
    }
    return undefined;
  }
}

/** Refuses a path whose directory really lies outside the project (see WriteGuard). */
export function assertNoSymlinkEscape(root: string, abs: string, source: string): void {
  new WriteGuard(root).assertTarget(abs, source);
}

export function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** lstat that returns undefined for a missing path. */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (isEnoent(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * A temp file name for `file`, in `dir` (default: beside it). Only the start of the name is kept,
 * so that a file whose name is near the 255-byte limit still gets a temp name that fits.
 */
export function tmpPathFor(file: string, dir = path.dirname(file)): string {
  const stem = Buffer.from(path.basename(file))
    .subarray(0, 64)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return path.join(dir, `.${stem}.${tmpSuffix()}.tmp`);
}

/** A short random suffix for temp names. */
export function tmpSuffix(): string {
  return `${process.pid}.${randomBytes(6).toString('hex')}`;
}

/**
 * Creates `file` holding `content` only if it does not exist, and whole: a lock or marker that
 * another process may read the moment it exists is never seen empty (a hard link of a finished
 * temp file; on a file system without hard links, an exclusive create). False when it exists.
 */
export function createExclusive(file: string, content: string): boolean {
  const tmp = tmpPathFor(file);
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  try {
    fs.writeFileSync(file, content, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Bytes `position` to `position + length` of an open file, read into `into` when given (it must
 * hold `length` bytes); fewer when the file ends sooner.
 */
export function readRange(fd: number, position: number, length: number, into?: Buffer): Buffer {
  const buf = into ?? Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
