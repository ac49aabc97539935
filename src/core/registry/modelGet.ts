// `cairn model get`: a registered version's content written anywhere, from the cache or, when the
// cache lacks it, the remote; the work tree and its branch stay as they are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CairnError, fromSystemError } from '../errors.js';
import { filesOfVersion } from '../data/datasetVersion.js';
import type { Project } from '../project/project.js';
import { fetchLacking } from '../remotes/transfer.js';
import { resolveModel, type ModelVersion } from './registry.js';

export interface ModelGetResult {
  readonly model: ModelVersion;
  readonly out: string;
  readonly files: number;
  readonly fetched: boolean;
}

/**
 * Writes the version `ref` names (churn, churn@v1.3.0, churn#prod) to `out` (default: the
 * artifact's file name in `cwd`).
 */
export async function getModel(
  project: Project,
  ref: string,
  options: { out?: string; cwd: string; force?: boolean },
): Promise<ModelGetResult> {
  const model = await resolveModel(project, ref);
  const out = path.resolve(options.cwd, options.out ?? path.basename(model.path));
  if (fs.existsSync(out) && !options.force)
    throw new CairnError(
      'usage',
      `${out} exists; remove it, choose another place with --out, or pass --force to replace it`,
      out,
    );
  const shown = `${model.name}@${model.version}`;
  let fetched = false;
  const missing = await fetchLacking(
    project,
    [{ type: model.type, hash: model.hash, source: `${shown} (${model.path})` }],
    () => (fetched = true),
  );
  if (missing.length > 0)
    throw new CairnError(
      'not-in-cache',
      `The content of ${shown} is neither in the cache nor on the remote; run 'cairn push' where it was registered (a remote must be configured here: 'cairn remote add')`,
    );
  const version = filesOfVersion(project, model.path, model, '', shown)!;
  try {
    fs.rmSync(out, { recursive: true, force: true });
    if (!version.isDirectory) {
      fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
      fs.copyFileSync(version.files[0]!.abs, out);
    } else {
      for (const f of version.files) {
        const to = path.join(out, f.rel);
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(f.abs, to);
      }
    }
  } catch (err) {
    throw fromSystemError(err, out, `Could not write ${shown} to`);
  }
  return { model, out, files: version.files.length, fetched };
}
