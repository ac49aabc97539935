import { gitMaybe } from '../git/git.js';
import type { CommitName } from './versionLabel.js';

const SEP = '\x1f';
/** Commits per `git log` call, to stay far below any command line limit. */
const BATCH = 400;

/**
 * The tag (else the subject) of each commit, from `git log --no-walk` with the tags as
 * decorations (annotated tags name the commit they point at). Commits Git does not know are left
 * out of the map.
 */
export async function commitNames(
  root: string,
  commits: Iterable<string>,
): Promise<Map<string, CommitName>> {
  const wanted = [...new Set(commits)].filter((c) => /^[0-9a-f]{4,64}$/i.test(c));
  const out = new Map<string, CommitName>();
  for (let i = 0; i < wanted.length; i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const text = await gitMaybe(root, [
      'log',
      '--no-walk=unsorted',
      '--ignore-missing',
      '--decorate-refs=refs/tags/',
      `--format=%H${SEP}%D${SEP}%s`,
      ...batch,
      '--',
    ]);
    for (const line of (text ?? '').split('\n')) {
      if (line === '') continue;
      const [commit = '', refs = '', subject = ''] = line.split(SEP);
      const tags = refs
        .split(', ')
        .filter((r) => r.startsWith('tag: '))
        .map((r) => r.slice(5))
        .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }));
      const name: CommitName = { commit, tag: tags[0] ?? null, subject };
      out.set(commit, name);
      // Asked for by a short hash: answer under that too.
      for (const asked of batch)
        if (asked !== commit && commit.startsWith(asked)) out.set(asked, name);
    }
  }
  return out;
}
