// The lineage panel: shows a LineageState the caller builds and forwards the node actions.
import { assertNever } from '../../protocol/guards.js';
import {
  isLineageWebviewMessage,
  type LineageHostMessage,
  type LineageState,
  type LineageWebviewMessage,
} from '../../protocol/lineage.js';
import type { OpenStatePanel, PanelKind } from '../shared/statePanel.js';

export interface LineageActions {
  openRun(runId: string): void;
  compareRuns(runIds: string[]): void;
  checkoutArtifact(path: string, hash: string): void | Promise<void>;
  reproduceRun(runId: string): void | Promise<void>;
}

export type LineagePanel = OpenStatePanel<LineageHostMessage, LineageState>;

/** The lineage panel, opened with openStatePanel; its state is loaded on every (re)load of the page. */
export const lineagePanel: PanelKind<
  LineageWebviewMessage,
  LineageHostMessage,
  LineageState,
  LineageActions
> = {
  bundle: 'lineage',
  title: 'Lineage',
  isIncoming: isLineageWebviewMessage,
  stateMessage: (state) => ({ type: 'lineage/state/didChange', state }),
  onMessage: (m, panel, actions) => {
    switch (m.type) {
      case 'lineage/run/open':
        actions.openRun(m.runId);
        break;
      case 'lineage/runs/compare':
        actions.compareRuns(m.runIds);
        break;
      case 'lineage/artifact/checkout':
        panel.act(() => actions.checkoutArtifact(m.path, m.hash));
        break;
      case 'lineage/run/reproduce':
        panel.act(() => actions.reproduceRun(m.runId));
        break;
      default:
        assertNever(m);
    }
  },
};
