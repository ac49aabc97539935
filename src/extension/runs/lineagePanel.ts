// The lineage panel: shows a LineageState the caller builds and forwards the node actions.
import type * as vscode from 'vscode';
import { assertNever, type WebviewReady } from '../../protocol/guards';
import {
  isLineageWebviewMessage,
  type LineageHostMessage,
  type LineageState,
  type LineageWebviewMessage,
} from '../../protocol/lineage';
import { createCairnPanel, type PanelOptions, type StatePanel } from '../shared/webviewPanel';

export const lineageViewType = 'cairn.lineage';

export interface LineageActions {
  openRun(runId: string): void;
  compareRuns(runIds: string[]): void;
  checkoutArtifact(path: string, hash: string): void | Promise<void>;
  reproduceRun(runId: string): void | Promise<void>;
}

export type LineagePanel = StatePanel<LineageState>;

/** Opens the lineage panel; getState is called on every (re)load of the page. */
export function openLineagePanel(
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'subscriptions'>,
  getState: () => LineageState | Promise<LineageState>,
  actions: LineageActions,
  options: PanelOptions = {},
): LineagePanel {
  const onError = options.onError ?? ((): void => undefined);
  const handle = createCairnPanel<LineageWebviewMessage, LineageHostMessage>(context, {
    viewType: lineageViewType,
    title: options.title ?? 'Lineage',
    bundle: 'lineage',
    isIncoming: isLineageWebviewMessage,
    onReady: (post) => {
      Promise.resolve(getState()).then(
        (state) => post({ type: 'lineage/state/didChange', state }),
        onError,
      );
    },
    label: 'lineage view',
    onError,
    onMessage: (m: Exclude<LineageWebviewMessage, WebviewReady>) => {
      switch (m.type) {
        case 'lineage/run/open':
          actions.openRun(m.runId);
          break;
        case 'lineage/runs/compare':
          actions.compareRuns(m.runIds);
          break;
        case 'lineage/artifact/checkout':
          Promise.resolve(actions.checkoutArtifact(m.path, m.hash)).catch(onError);
          break;
        case 'lineage/run/reproduce':
          Promise.resolve(actions.reproduceRun(m.runId)).catch(onError);
          break;
        default:
          assertNever(m);
      }
    },
  });
  return {
    panel: handle.panel,
    update: (state) => handle.post({ type: 'lineage/state/didChange', state }),
    reveal: handle.reveal,
    dispose: handle.dispose,
  };
}
