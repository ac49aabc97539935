// What the three remote stores share: key checks, cancellation, retries with backoff, timeouts.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError } from '../errors.js';
import { createExclusive } from '../fsSafe.js';
import { isProcessAlive } from '../project/project.js';

/** The folder under a remote's root where uploads are written before their rename. */
export const TMP_DIR = 'tmp';

/** How long a store waits for a host before it calls it unreachable (CAIRN_REMOTE_TIMEOUT_MS). */
export function remoteTimeoutMs(): number {
  const env = Number(process.env['CAIRN_REMOTE_TIMEOUT_MS']);
  return Number.isFinite(env) && env > 0 ? env : 20_000;
}

/** Throws unless a key is a '/'-separated relative path without '.', '..' or empty parts. */
export function checkKey(location: string, key: string, isPrefix = false): void {
  const body = isPrefix && key.endsWith('/') ? key.slice(0, -1) : key;
  if (isPrefix && body === '') return;
  const parts = body.split('/');
  if (
    parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))
  )
    throw new CairnError(
      'bad-path',
      `${location}: '${key}' is not a valid key of a remote (a relative path with '/' between its parts)`,
    );
}

/** True for keys of the store's own upload folder, which list never shows. */
export function isTmpKey(key: string): boolean {
  return key === TMP_DIR || key.startsWith(`${TMP_DIR}/`);
}

export function cancelled(location: string): CairnError {
  return new CairnError(
    'remote',
    `${location}: cancelled; the transfer resumes where it stopped when it is started again`,
  );
}

export function throwIfAborted(location: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(location);
}

/**
 * A name for this client's temp file of an upload: the same for the same local file on the same
 * machine (so a killed upload resumes), different between clones (so two never write one file).
 */
function uploadTempName(key: string, localFile: string): string {
  const id = createHash('sha256')
    .update(`${os.hostname()}\0${path.resolve(localFile)}`)
    .digest('hex')
    .slice(0, 12);
  return `${TMP_DIR}/${path.posix.basename(key)}.${id}.part`;
}

/**
 * The temp key an upload writes before its rename. It is the same for every attempt from this
 * machine at this local file, so a killed upload resumes from its part file; while a live
 * process on this machine holds it (two pushes from one clone at once), the second upload takes
 * a temp key of its own instead of writing into, or renaming away, the first one's part file.
 * The claim is a lock file in the OS temp folder; release it once the upload ends.
 */
export function claimUploadTemp(
  location: string,
  key: string,
  localFile: string,
): { temp: string; release(): void } {
  const temp = uploadTempName(key, localFile);
  const lock = path.join(
    os.tmpdir(),
    `cairn-upload-${createHash('sha256').update(`${location}\0${temp}`).digest('hex').slice(0, 16)}.lock`,
  );
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (createExclusive(lock, String(process.pid)))
        return { temp, release: () => fs.rmSync(lock, { force: true }) };
    } catch {
      break; // no lock can be taken here: a temp key of this upload's own
    }
    let holder = 0;
    try {
      holder = Number(fs.readFileSync(lock, 'utf8'));
    } catch {
      continue; // released in between: try again
    }
    if (holder === process.pid || isProcessAlive(holder)) break;
    fs.rmSync(lock, { force: true }); // left by a killed process
  }
  return { temp: writeTempName(key), release: () => undefined };
}

/** A temp name for a small write: unique per call. */
export function writeTempName(key: string): string {
  const id = createHash('sha256')
    .update(`${os.hostname()}\0${process.pid}\0${Date.now()}\0${Math.random()}`)
    .digest('hex')
    .slice(0, 12);
  return `${TMP_DIR}/${path.posix.basename(key)}.${id}.part`;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs an operation, retrying it after a transient failure (as `isTransient` decides) with
 * exponential backoff: 0.25 s, 0.5 s, 1 s, 2 s. The last failure is rethrown.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  options: { readonly tries?: number; readonly signal?: AbortSignal } = {},
): Promise<T> {
  const tries = options.tries ?? 5;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n + 1 >= tries || options.signal?.aborted || !isTransient(err)) throw err;
      await sleep(250 * 2 ** n, options.signal);
    }
  }
}

/** The message of any thrown value, for wrapping into a CairnError. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
