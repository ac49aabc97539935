// The drift panel: compares two versions of a dataset. The caller passes a loader (core's
// driftBetween mapped with dataViewState.driftState); the panel runs it when it opens and when the
// user asks to compare again, and keeps the last state for page reloads.
import {
  isDriftWebviewMessage,
  type DriftHostMessage,
  type DriftSide,
  type DriftState,
  type DriftVersion,
  type DriftWebviewMessage,
} from '../../protocol/drift.js';
import { assertNever } from '../../protocol/guards.js';
import type { LoadingPanel } from '../shared/panelLoader.js';
import type { PanelKind } from '../shared/statePanel.js';

export interface DriftActions {
  /** Open the profile view of one version (from the state the panel shows). */
  openProfile(side: DriftSide, version: DriftVersion, path: string): void | Promise<void>;
  /** The user selected a column (or none); optional, view state stays in the webview. */
  columnSelected?(column: string | null): void;
}

export type DriftPanel = LoadingPanel<DriftState>;

/** The drift panel, opened with openStatePanel (it starts loading at once). */
export const driftPanel: PanelKind<
  DriftWebviewMessage,
  DriftHostMessage,
  DriftState,
  DriftActions
> = {
  bundle: 'drift',
  title: 'Drift',
  isIncoming: isDriftWebviewMessage,
  stateMessage: (state) => ({ type: 'drift/state/didChange', state }),
  loading: {
    started: { type: 'drift/load/didStart' },
    failed: (error) => ({ type: 'drift/load/didFail', error }),
  },
  onMessage: (m, panel, actions) => {
    switch (m.type) {
      case 'drift/column/select':
        actions.columnSelected?.(m.column);
        break;
      case 'drift/profile/open': {
        // The side names a version of the state the host sent, never a revision from the page.
        const s = panel.current;
        if (s !== undefined) panel.act(() => actions.openProfile(m.side, s[m.side], s.path));
        break;
      }
      case 'drift/report/reload':
        void panel.reload();
        break;
      default:
        assertNever(m);
    }
  },
};
