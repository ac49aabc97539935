// What the three remote stores share: key checks, cancellation, retries with backoff, timeouts.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { CairnError } from '../errors.js';

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
export function uploadTempName(key: string, localFile: string): string {
  const id = createHash('sha256')
    .update(`${os.hostname()}\0${path.resolve(localFile)}`)
    .digest('hex')
    .slice(0, 12);
  return `${TMP_DIR}/${path.posix.basename(key)}.${id}.part`;
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
