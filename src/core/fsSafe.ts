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
  const dir = options.tmpDir ?? path.dirname(file);
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    fs.writeFileSync(tmp, data, { mode: options.mode ?? 0o666 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw fromSystemError(err, file, 'Could not write');
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
 * Refuses a path whose existing parent directories include a symlink that leads out of the
 * project root, so that writes through it never land outside the project.
 */
export function assertNoSymlinkEscape(root: string, abs: string, source: string): void {
  const realRoot = fs.realpathSync(root);
  let dir = path.dirname(abs);
  const chain: string[] = [];
  while (dir.length >= root.length && dir !== path.dirname(dir)) {
    chain.push(dir);
    if (dir === root) break;
    dir = path.dirname(dir);
  }
  for (const d of chain) {
    let real: string;
    try {
      real = fs.realpathSync(d);
    } catch {
      continue; // does not exist yet
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new CairnError(
        'bad-path',
        `${source}: ${path.relative(root, d) || '.'} is a symlink that leads outside the project (${real}); remove the link or track the real location`,
        source,
      );
    }
    return; // the deepest existing directory decides
  }
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

/** A short random suffix for temp names. */
export function tmpSuffix(): string {
  return `${process.pid}.${randomBytes(6).toString('hex')}`;
}
