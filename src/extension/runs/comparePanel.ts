// The compare panel: shows a CompareState the caller builds (from core's runs) and turns the
// webview's requests into calls of the given actions. No domain logic here.
import type * as vscode from 'vscode';
import {
  isCompareWebviewMessage,
  type CompareHostMessage,
  type CompareState,
  type CompareWebviewMessage,
  type MetricSeries,
  type RunDiff,
} from '../../protocol/compare';
import { assertNever, type WebviewReady } from '../../protocol/guards';
import { createCairnPanel, type PanelOptions, type StatePanel } from '../shared/webviewPanel';

export const compareViewType = 'cairn.compare';

export interface CompareActions {
  /** The user chose runs in the table (load their series and push them with setSeries). */
  selectionChanged?(runIds: string[]): void;
  openRun(runId: string): void;
  /** Save the CSV the webview built (e.g. with a save dialog). */
  exportCsv(fileName: string, csv: string): void | Promise<void>;
  /** Code diff of two runs: between their commits and each one's uncommitted changes. */
  diffRuns(a: string, b: string): Promise<RunDiff>;
}

export interface ComparePanel extends StatePanel<CompareState> {
  /** Adds or replaces series (e.g. for newly selected runs). */
  setSeries(series: MetricSeries[]): void;
  /** Appends live points to running series. */
  appendPoints(points: MetricSeries[]): void;
}

/** Opens the compare panel; getState is called whenever the page is (re)loaded. */
export function openComparePanel(
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'subscriptions'>,
  getState: () => CompareState | Promise<CompareState>,
  actions: CompareActions,
  options: PanelOptions = {},
): ComparePanel {
  const onError = options.onError ?? ((): void => undefined);
  const handle = createCairnPanel<CompareWebviewMessage, CompareHostMessage>(context, {
    viewType: compareViewType,
    title: options.title ?? 'Compare runs',
    bundle: 'compare',
    isIncoming: isCompareWebviewMessage,
    onReady: (post) => {
      Promise.resolve(getState()).then(
        (state) => post({ type: 'compare/state/didChange', state }),
        onError,
      );
    },
    label: 'compare view',
    onError,
    onMessage: (m: Exclude<CompareWebviewMessage, WebviewReady>) => {
      switch (m.type) {
        case 'compare/selection/set':
          actions.selectionChanged?.(m.runIds);
          break;
        case 'compare/run/open':
          actions.openRun(m.runId);
          break;
        case 'compare/csv/export':
          Promise.resolve(actions.exportCsv(m.fileName, m.csv)).catch(onError);
          break;
        case 'compare/diff/get': {
          const requestId = m.requestId;
          actions.diffRuns(m.runIds[0], m.runIds[1]).then(
            (diff) =>
              handle.post({ type: 'compare/diff/get/response', requestId, diff, error: null }),
            (err: unknown) =>
              handle.post({
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
  });
  return {
    panel: handle.panel,
    update: (state) => handle.post({ type: 'compare/state/didChange', state }),
    setSeries: (series) => handle.post({ type: 'compare/series/didChange', series }),
    appendPoints: (points) => handle.post({ type: 'compare/series/didAppend', points }),
    reveal: handle.reveal,
    dispose: handle.dispose,
  };
}
