// The run page panel: shows a RunPageState the caller builds and forwards the page's actions.
import { assertNever } from '../../protocol/guards.js';
import {
  isRunPageWebviewMessage,
  type RunPageAction,
  type RunPageHostMessage,
  type RunPageState,
  type RunPageWebviewMessage,
} from '../../protocol/runPage.js';
import type { OpenStatePanel, PanelKind } from '../shared/statePanel.js';

export interface RunPageActions {
  run(action: RunPageAction): void;
  openRun(runId: string): void;
  revealArtifact(path: string): void;
}

export type RunPagePanel = OpenStatePanel<RunPageHostMessage, RunPageState>;

/** The run page, opened with openStatePanel; its state is loaded on every (re)load of the page. */
export const runPagePanel: PanelKind<
  RunPageWebviewMessage,
  RunPageHostMessage,
  RunPageState,
  RunPageActions
> = {
  bundle: 'run',
  title: 'Run',
  isIncoming: isRunPageWebviewMessage,
  stateMessage: (state) => ({ type: 'run/state/didChange', state }),
  onMessage: (m, _panel, actions) => {
    switch (m.type) {
      case 'run/action/run':
        actions.run(m.action);
        break;
      case 'run/run/open':
        actions.openRun(m.runId);
        break;
      case 'run/artifact/reveal':
        actions.revealArtifact(m.path);
        break;
      default:
        assertNever(m);
    }
  },
};
