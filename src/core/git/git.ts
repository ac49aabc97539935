import { simpleGit, type SimpleGit } from 'simple-git';
import { CairnError } from '../errors.js';

/**
 * A simple-git instance for a repository, with a fixed locale so that output can be parsed.
 * Every argument is built by Cairn's own code, never passed through from user text.
 */
export function gitAt(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, maxConcurrentProcesses: 4, trimmed: false }).env(gitEnv());
}

/**
 * The environment git runs with: the user's, minus GIT_* variables (inside hooks they point git
 * at the hook's repository and index; simple-git refuses most of them anyway), with a fixed locale.
 */
const UNSAFE_ENV = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('GIT_')) continue;
    // simple-git refuses to run at all when these are set (npm sets EDITOR, for one); git reads
    // none of them for the plumbing Cairn runs.
    if (UNSAFE_ENV.has(k.toLowerCase())) continue;
    env[k] = v;
  }
  return { ...env, LANG: 'C', LC_ALL: 'C' };
}

/** Runs a git command and wraps its failure in a CairnError that says what was being done. */
export async function git(dir: string, args: string[], doing: string): Promise<string> {
  try {
    return await gitAt(dir).raw(args);
  } catch (err) {
    const msg = (err as Error).message.trim().split('\n')[0] ?? '';
    throw new CairnError('git', `git failed while ${doing}: ${msg}`);
  }
}

/** Like git(), but undefined instead of an error (for revisions and paths that may not exist). */
export async function gitMaybe(dir: string, args: string[]): Promise<string | undefined> {
  try {
    return await gitAt(dir).raw(args);
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
  return [...new Set(out.split('\0').filter((p) => p.length > 0))].sort();
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
