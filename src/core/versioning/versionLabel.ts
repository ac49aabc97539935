// How a version is written for people: a short hash and the name of its commit (a tag, else the
// subject), so that lineage and drift never show a bare hash. Pure, so the webviews' mappings can
// use it without loading Git.
import { shortHash } from '../format.js';

/** What people call a commit: the tag on it, else its subject. */
export interface CommitName {
  readonly commit: string;
  /** A tag on the commit (the highest in version order when there are several). */
  readonly tag: string | null;
  readonly subject: string;
}

/** How many characters of a commit subject a label keeps. */
export const LABEL_SUBJECT_LENGTH = 40;

/**
 * A version as people read it: `3f2a9c1d0e · v1.2`, or `3f2a9c1d0e · "add March data"`, or the
 * short hash alone when the commit is unknown. `hash` is the commit's or a content hash that the
 * commit introduced.
 */
export function versionLabel(hash: string, name: CommitName | undefined): string {
  const short = shortHash(hash);
  if (name === undefined) return short;
  if (name.tag !== null) return `${short} · ${name.tag}`;
  const subject = name.subject.replace(/\s+/g, ' ').trim();
  if (subject === '') return short;
  const cut =
    [...subject].length > LABEL_SUBJECT_LENGTH
      ? [...subject]
          .slice(0, LABEL_SUBJECT_LENGTH - 1)
          .join('')
          .trimEnd() + '…'
      : subject;
  return `${short} · "${cut}"`;
}
