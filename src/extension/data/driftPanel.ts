// The drift panel: compares two versions of a dataset. The caller passes a loader (core's
// driftBetween mapped with dataViewState.driftState); the panel runs it when it opens and when the
// user asks to compare again, and keeps the last state for page reloads.
import type * as vscode from 'vscode';
import {
  isDriftWebviewMessage,
  type DriftHostMessage,
  type DriftSide,
  type DriftState,
  type DriftVersion,
  type DriftWebviewMessage,
} from '../../protocol/drift';
import { assertNever, type WebviewReady } from '../../protocol/guards';
import { pageLoader, type LoadingPanel } from './dataPanelLoader';
import { createCairnPanel, type PanelOptions } from '../shared/webviewPanel';

export const driftViewType = 'cairn.drift';

export interface DriftActions {
  /** Open the profile view of one version (from the state the panel shows). */
  openProfile(side: DriftSide, version: DriftVersion, path: string): void | Promise<void>;
  /** The user selected a column (or none); optional, view state stays in the webview. */
  columnSelected?(column: string | null): void;
}

export type DriftPanel = LoadingPanel<DriftState>;

/** Opens the drift panel and starts loading. */
export function openDriftPanel(
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'subscriptions'>,
  load: () => DriftState | Promise<DriftState>,
  actions: DriftActions,
  options: PanelOptions = {},
): DriftPanel {
  const onError = options.onError ?? ((): void => undefined);
  const handle = createCairnPanel<DriftWebviewMessage, DriftHostMessage>(context, {
    viewType: driftViewType,
    title: options.title ?? 'Drift',
    bundle: 'drift',
    isIncoming: isDriftWebviewMessage,
    onReady: () => state.replay(send),
    label: 'drift view',
    onError,
    onMessage: (m: Exclude<DriftWebviewMessage, WebviewReady>) => {
      switch (m.type) {
        case 'drift/column/select':
          actions.columnSelected?.(m.column);
          break;
        case 'drift/profile/open': {
          // The side names a version of the state the host sent, never a revision from the page.
          const s = state.current;
          if (s !== undefined)
            Promise.resolve(actions.openProfile(m.side, s[m.side], s.path)).catch(onError);
          break;
        }
        case 'drift/report/reload':
          void state.reload();
          break;
        default:
          assertNever(m);
      }
    },
  });
  const send = {
    started: () => handle.post({ type: 'drift/load/didStart' }),
    show: (s: DriftState) => handle.post({ type: 'drift/state/didChange', state: s }),
    failed: (error: string) => handle.post({ type: 'drift/load/didFail', error }),
  };
  const state = pageLoader(load, send, onError);
  void state.reload();
  return {
    panel: handle.panel,
    reload: () => state.reload(),
    update: (s) => state.set(s),
    reveal: handle.reveal,
    dispose: handle.dispose,
  };
}
