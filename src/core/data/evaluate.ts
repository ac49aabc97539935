import type { Project } from '../project/project.js';
import { startRun, type RunHandle } from '../runs/runRecorder.js';
import { shellQuote } from '../shell.js';

export interface EvaluateRequest {
  /** Project-relative paths. */
  readonly model: string;
  readonly data: string;
  readonly label: string;
  /** How to invoke the cairn CLI (e.g. `node /path/dist/cli.js`), already quoted. */
  readonly cli: string;
  readonly name?: string;
  readonly echo?: boolean;
}

/**
 * Evaluates a model on a dataset version as a recorded run: the model and the data are the
 * run's inputs (their versions are recorded when they are tracked artifacts), the scores its
 * metrics.
 */
export function evaluateModel(project: Project, req: EvaluateRequest): Promise<RunHandle> {
  const cmd = `${req.cli} model score ${shellQuote(req.model)} --data ${shellQuote(req.data)} --label ${shellQuote(req.label)}`;
  return startRun(project, {
    task: {
      name: 'evaluate',
      spec: {
        cmd,
        deps: [req.model, req.data],
        outs: [],
        metrics: [{ type: 'stdout' }],
        goal: { accuracy: 'max', loss: 'min', mse: 'min', mae: 'min' },
      },
    },
    name: req.name ?? `evaluate ${req.model} on ${req.data}`,
    tty: false,
    ...(req.echo !== undefined ? { echo: req.echo } : {}),
  });
}
