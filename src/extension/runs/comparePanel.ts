// The compare panel: shows a CompareState the caller builds (from core's runs) and turns the
// webview's requests into calls of the given actions. No domain logic here.
import {
  isCompareWebviewMessage,
  type CompareHostMessage,
  type CompareState,
  type CompareWebviewMessage,
  type MetricSeries,
  type RunDiff,
} from '../../protocol/compare.js';
import { assertNever } from '../../protocol/guards.js';
import type { OpenStatePanel, PanelKind } from '../shared/statePanel.js';

export interface CompareActions {
  /** The user chose runs in the table (load their series and push them with setSeries). */
  selectionChanged?(runIds: string[]): void;
  openRun(runId: string): void;
  /** Save the CSV the webview built (e.g. with a save dialog). */
  exportCsv(fileName: string, csv: string): void | Promise<void>;
  /** Code diff of two runs: between their commits and each one's uncommitted changes. */
  diffRuns(a: string, b: string): Promise<RunDiff>;
}

export type ComparePanel = OpenStatePanel<CompareHostMessage, CompareState>;

/** Adds or replaces series (e.g. for newly selected runs). */
export function setSeries(panel: ComparePanel, series: MetricSeries[]): void {
  panel.post({ type: 'compare/series/didChange', series });
}

/** Appends live points to running series. */
export function appendPoints(panel: ComparePanel, points: MetricSeries[]): void {
  panel.post({ type: 'compare/series/didAppend', points });
}

/** The compare panel, opened with openStatePanel; its state is loaded whenever the page is (re)loaded. */
export const comparePanel: PanelKind<
  CompareWebviewMessage,
  CompareHostMessage,
  CompareState,
  CompareActions
> = {
  bundle: 'compare',
  title: 'Compare runs',
  isIncoming: isCompareWebviewMessage,
  stateMessage: (state) => ({ type: 'compare/state/didChange', state }),
  onMessage: (m, panel, actions) => {
    switch (m.type) {
      case 'compare/selection/set':
        actions.selectionChanged?.(m.runIds);
        break;
      case 'compare/run/open':
        actions.openRun(m.runId);
        break;
      case 'compare/csv/export':
        panel.act(() => actions.exportCsv(m.fileName, m.csv));
        break;
      case 'compare/diff/get': {
        const requestId = m.requestId;
        actions.diffRuns(m.runIds[0], m.runIds[1]).then(
          (diff) => panel.post({ type: 'compare/diff/get/response', requestId, diff, error: null }),
          (err: unknown) =>
            panel.post({
              type: 'compare/diff/get/response',
              requestId,
              diff: null,
              error: err instanceof Error ? err.message : String(err),
            }),
        );
        break;
      }
      default:
        assertNever(m);
    }
  },
};
