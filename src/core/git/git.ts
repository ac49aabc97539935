import { simpleGit, type SimpleGit } from 'simple-git';
import { CairnError } from '../errors.js';
import { artifactOfPointerPath } from '../project/project.js';

/**
 * A simple-git instance for a repository, with a fixed locale so that output can be parsed.
 * Every argument is built by Cairn's own code, never passed through from user text.
 */
export function gitAt(dir: string): SimpleGit {
  // One instance per directory, so that its limit on concurrent git processes holds.
  let g = instances.get(dir);
  if (!g) {
    // A command is done when its output is closed. simple-git's default also waits 50 ms after
    // the process exits, on a timer that kept every command's process alive that much longer;
    // the git commands Cairn runs start no helper that could hold their output open.
    g = simpleGit({
      baseDir: dir,
      maxConcurrentProcesses: 4,
      trimmed: false,
      completion: { onClose: true, onExit: false },
    }).env(gitEnv());
    instances.set(dir, g);
  }
  return g;
}

const instances = new Map<string, SimpleGit>();

/**
 * The environment git runs with: only what git needs to find itself and the user's config, with
 * a fixed locale. GIT_* variables are left out (inside hooks they point at the hook's index), and
 * so are variables such as EDITOR or PAGER that simple-git refuses to pass on.
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
