import { spawn } from 'node:child_process';
import { CairnError } from '../errors.js';
import { artifactOfPointerPath } from '../project/project.js';

/** At most this many git processes run at once for one repository. */
const MAX_CONCURRENT = 4;
const running = new Map<string, number>();
const waiting = new Map<string, (() => void)[]>();

/**
 * Runs git in a repository and resolves with its standard output once the output is closed (not
 * on a timer after the exit: a command's time is git's own), or rejects with git's error output.
 * Every argument is built by Cairn's own code, never passed through from user text.
 */
async function runGit(dir: string, args: readonly string[]): Promise<string> {
  // A slot is handed from the process that ends straight to the next one waiting.
  if ((running.get(dir) ?? 0) < MAX_CONCURRENT) running.set(dir, (running.get(dir) ?? 0) + 1);
  else
    await new Promise<void>((resolve) => {
      const queue = waiting.get(dir) ?? [];
      queue.push(resolve);
      waiting.set(dir, queue);
    });
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: dir,
        env: gitEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => errOut.push(b));
      child.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new Error(
            e.code === 'ENOENT'
              ? 'git is not installed or not on the PATH; install Git and try again'
              : e.message,
          ),
        ),
      );
      child.once('close', (code, signal) => {
        const stdout = Buffer.concat(out).toString('utf8');
        if (code === 0) resolve(stdout);
        else
          reject(
            new Error(
              Buffer.concat(errOut).toString('utf8').trim() ||
                stdout.trim() ||
                `git ${args[0]} ended with ${signal ?? `exit code ${code}`}`,
            ),
          );
      });
    });
  } finally {
    const next = waiting.get(dir)?.shift();
    if (next) next();
    else {
      running.set(dir, running.get(dir)! - 1);
      if (running.get(dir) === 0) running.delete(dir);
      if (waiting.get(dir)?.length === 0) waiting.delete(dir);
    }
  }
}

/**
 * The environment git runs with: only what git needs to find itself and the user's config, with
 * a fixed locale so that output can be parsed. GIT_* variables are left out (inside hooks they
 * point at the hook's index), and so are variables such as EDITOR or PAGER.
 */
function gitEnv(): Record<string, string> {
  const env: Record<string, string> = { LANG: 'C', LC_ALL: 'C' };
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'XDG_CONFIG_HOME', 'SYSTEMROOT']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Runs a git command and wraps its failure in a CairnError that says what was being done. */
export async function git(dir: string, args: string[], doing: string): Promise<string> {
  try {
    return await runGit(dir, args);
  } catch (err) {
    const msg = (err as Error).message.trim().split('\n')[0] ?? '';
    throw new CairnError('git', `git failed while ${doing}: ${msg}`);
  }
}

/** Like git(), but undefined instead of an error (for revisions and paths that may not exist). */
export async function gitMaybe(dir: string, args: string[]): Promise<string | undefined> {
  try {
    return await runGit(dir, args);
  } catch {
    return undefined;
  }
}

/** Project-relative paths of every pointer file in the work tree (tracked or not, not ignored). */
export async function listPointerFiles(root: string): Promise<string[]> {
  const out = await git(
    root,
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ':(glob)**/*.cairn'],
    'listing pointer files',
  );
  return [...new Set(out.split('\0').filter((p) => artifactOfPointerPath(p) !== undefined))].sort();
}

/** Resolves a revision to a commit hash, or throws a clear error. */
export async function resolveRev(root: string, rev: string): Promise<string> {
  if (rev.startsWith('-')) throw new CairnError('usage', `'${rev}' is not a revision`);
  const out = await gitMaybe(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  const hash = out?.trim();
  if (!hash)
    throw new CairnError(
      'usage',
      `Unknown revision '${rev}'; give a commit, branch or tag that exists`,
    );
  return hash;
}
