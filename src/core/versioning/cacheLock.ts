import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromSystemError } from '../errors.js';
import { isEnoent, tmpSuffix } from '../fsSafe.js';
import { isProcessAlive, type Project } from '../project/project.js';

// Writers of the cache (add, pull) and gc exclude each other: gc decides what to delete from the
// pointer files it sees, so an object stored by an add whose pointer file is not yet written
// would look unused. Any number of writers may work at once; gc waits until none is left and
// writers wait while gc runs. Each side first announces itself with a file, then looks for the
// other, so at least one of two that start together sees the other. The files carry the owner's
// pid: a lock left by a killed process does not count, and the next gc replaces it.

const POLL_MS = 25;
const GC_LOCK = 'gc.lock';
const WRITER_PREFIX = 'writer.';

function lockDir(project: Project): string {
  return path.join(project.dataDir, 'locks');
}

/** Runs `fn` as one of the cache's writers: never while gc runs. */
export async function withCacheWriter<T>(project: Project, fn: () => Promise<T>): Promise<T> {
  const dir = lockDir(project);
  const mine = path.join(dir, `${WRITER_PREFIX}${tmpSuffix()}`);
  for (;;) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(mine, '');
    } catch (err) {
      throw fromSystemError(err, mine, 'Could not lock the cache with');
    }
    if (!gcRunning(dir)) break;
    fs.rmSync(mine, { force: true });
    await sleep(POLL_MS);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/** Runs `fn` while no writer uses the cache (for gc, which deletes objects). */
export async function withCacheExclusive<T>(project: Project, fn: () => Promise<T>): Promise<T> {
  const dir = lockDir(project);
  const lock = path.join(dir, GC_LOCK);
  const mine = String(process.pid);
  for (;;) {
    // Written aside and put in place whole, so the lock never exists without its pid.
    const tmp = path.join(dir, `.${GC_LOCK}.${tmpSuffix()}`);
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, mine);
      try {
        fs.linkSync(tmp, lock);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      // Only a gc replaces the lock of a dead gc, and by a rename (never a delete that could
      // remove the lock another gc has just taken); whoever's pid it then holds has it.
      if (!gcRunning(dir)) {
        fs.renameSync(tmp, lock);
        if (readLock(lock) === mine) break;
      }
    } catch (err) {
      throw fromSystemError(err, lock, 'Could not lock the cache with');
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    await sleep(POLL_MS);
  }
  try {
    while (writersActive(dir)) await sleep(POLL_MS);
    return await fn();
  } finally {
    if (readLock(lock) === mine) fs.rmSync(lock, { force: true });
  }
}

/** Whether a live gc holds the lock (one left by a killed gc does not count). */
function gcRunning(dir: string): boolean {
  const owner = readLock(path.join(dir, GC_LOCK));
  return owner !== undefined && isProcessAlive(Number(owner));
}

function readLock(lock: string): string | undefined {
  try {
    return fs.readFileSync(lock, 'utf8');
  } catch (err) {
    if (isEnoent(err)) return undefined;
    throw err;
  }
}

/** Whether a live writer holds the cache; files left by dead writers are removed. */
function writersActive(dir: string): boolean {
  let active = false;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(WRITER_PREFIX)) continue;
    const pid = Number(name.slice(WRITER_PREFIX.length).split('.')[0]);
    if (isProcessAlive(pid)) active = true;
    else fs.rmSync(path.join(dir, name), { force: true });
  }
  return active;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
