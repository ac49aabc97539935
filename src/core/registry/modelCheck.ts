// Whether a registered model is stale: the data it was trained on has a newer version in the
// work tree, and whether that newer data drifted (measured as for a run's inputs, per table).
import { shortHash } from '../format.js';
import type { Project } from '../project/project.js';
import { assessRunInputs, type RunInputState } from '../data/runDrift.js';
import { readRegistry, resolveIn, type ModelVersion, type RegisteredModel } from './registry.js';

export interface ModelCheck {
  readonly ref: string;
  readonly model: ModelVersion;
  readonly inputs: readonly RunInputState[];
  /** Some data it was trained on has a newer version (drifted or not). */
  readonly stale: boolean;
  /** One paragraph: what is newer or drifted and what to do, or that the model is current. */
  readonly paragraph: string;
}

function paragraphOf(ref: string, m: ModelVersion, inputs: readonly RunInputState[]): string {
  const shown = `${m.name}@${m.version}${ref.includes('#') ? ` (${ref.split('#')[1]})` : ''}`;
  if (inputs.length === 0)
    return `${shown}: no data versions are recorded for it (it was not registered from a run that read tracked data), so Cairn cannot tell whether it is stale.`;
  const newer = inputs.filter((i) => i.state !== 'current');
  if (newer.length === 0)
    return `${shown} is current: it was trained on ${inputs.map((i) => `${i.path} ${shortHash(i.runHash)}`).join(', ')}, the version${inputs.length > 1 ? 's' : ''} the work tree has.`;
  const parts = newer.map((i) => {
    const now = i.currentHash ? shortHash(i.currentHash) : 'no version (no longer tracked)';
    const base = `${i.path} was ${shortHash(i.runHash)} when it was trained and is ${now} now`;
    if (i.state === 'drifted')
      return `${base}, and it drifted (${i.columns.slice(0, 5).join(', ')}${i.columns.length > 5 ? ', ...' : ''})`;
    if (i.state === 'stable') return `${base}; its columns did not drift`;
    return `${base} (drift could not be measured: not a table, or a version not in the cache)`;
  });
  const drifted = newer.some((i) => i.state === 'drifted');
  return `${shown} is stale: ${parts.join('; ')}. ${drifted ? 'The data it learned from has drifted: retrain' : 'Newer data exists than it was trained on: retrain'} (cairn run <task>), then register the new model and promote it.`;
}

/** Checks each model reference (churn#prod, churn@v1.3.0), in `models` when already read. */
export async function checkModels(
  project: Project,
  refs: readonly string[],
  models?: readonly RegisteredModel[],
): Promise<ModelCheck[]> {
  const registry = models ?? (await readRegistry(project));
  const out: ModelCheck[] = [];
  for (const ref of refs) {
    const model = resolveIn(registry, ref);
    const inputs = await assessRunInputs(project, {
      id: model.run ?? `${model.name}@${model.version}`,
      inputs: model.data,
    });
    out.push({
      ref,
      model,
      inputs,
      stale: inputs.some((i) => i.state !== 'current'),
      paragraph: paragraphOf(ref, model, inputs),
    });
  }
  return out;
}
