import * as fs from 'node:fs';
import * as path from 'node:path';
import { POINTER_SUFFIX, type Project } from '../project/project.js';

/**
 * The tracked artifact that is `rel` or contains it (the nearest ancestor with a pointer file in
 * the work tree), or undefined. `rel` is a project-relative POSIX path.
 */
export function containingArtifact(project: Project, rel: string): string | undefined {
  const parts = rel.split('/');
  for (let i = parts.length; i >= 1; i--) {
    const artifact = parts.slice(0, i).join('/');
    if (fs.existsSync(path.join(project.root, artifact + POINTER_SUFFIX))) return artifact;
  }
  return undefined;
}
