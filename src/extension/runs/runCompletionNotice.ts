import type * as vscode from 'vscode';
import { formatNumber } from './runTree.js';
import { showInformation, showWarning } from '../shared/notify.js';
import type { RunModel, RunView } from './runModel.js';

/** What the notification's buttons do. */
export interface CompletionActions {
  openRun(runId: string): void;
  compare(runIds: string[]): void;
}

const compareButton = 'Compare with Previous';
const openButton = 'Open Run';

/**
 * Tells the user when a run ends while they work: how it did, with "Compare with Previous" (the
 * run of its task before it) and "Open Run". A run is announced once, when it was seen running
 * or ended after the extension started (a short run can start and end between two reads of the
 * runs). Finished runs from before, or pulled from a teammate, are quiet.
 */
export function announceCompletions(runs: RunModel, actions: CompletionActions): vscode.Disposable {
  const since = Date.now();
  const announced = new Set<string>();
  const running = new Set<string>();
  return runs.onDidChange(() => {
    if (!runs.loaded) return;
    const all = runs.all();
    for (const run of all) {
      if (run.status === 'running') running.add(run.id);
      else if (
        !announced.has(run.id) &&
        (running.has(run.id) || (run.endMs !== null && run.endMs >= since))
      ) {
        announced.add(run.id);
        running.delete(run.id);
        void announce(run, all, actions);
      }
    }
  });
}

async function announce(run: RunView, all: RunView[], actions: CompletionActions): Promise<void> {
  const previous = all.find(
    (r) =>
      r.id !== run.id && r.task === run.task && r.startMs < run.startMs && r.status !== 'running',
  );
  const buttons = previous ? [compareButton, openButton] : [openButton];
  const metrics = Object.entries(run.metrics)
    .slice(0, 3)
    .map(([k, v]) => `${k} ${formatNumber(v)}`)
    .join(', ');
  const answer =
    run.status === 'completed'
      ? await showInformation(
          `Cairn: run ${run.name} completed${metrics === '' ? '' : `: ${metrics}`}.`,
          ...buttons,
        )
      : await showWarning(
          `Cairn: run ${run.name} ${run.status}${run.status === 'failed' && run.exitCode !== null ? ` (exit code ${run.exitCode})` : ''}.`,
          ...buttons,
        );
  if (answer === compareButton && previous) actions.compare([previous.id, run.id]);
  else if (answer === openButton) actions.openRun(run.id);
}
