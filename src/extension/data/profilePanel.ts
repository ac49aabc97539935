// The profile panel: shows the statistics of one dataset version. The caller passes a loader (it
// runs core's profilePath and maps it with dataViewState.profileState); the panel runs it when it
// opens and when the user asks to reload, and keeps the last state for page reloads.
import { assertNever } from '../../protocol/guards.js';
import {
  isProfileWebviewMessage,
  type ProfileHostMessage,
  type ProfileState,
  type ProfileWebviewMessage,
} from '../../protocol/profile.js';
import type { LoadingPanel } from '../shared/panelLoader.js';
import type { PanelKind } from '../shared/statePanel.js';

export interface ProfileActions {
  /** Open the drift view for this dataset (e.g. after asking which version to compare with). */
  openDrift?(): void | Promise<void>;
}

export type ProfilePanel = LoadingPanel<ProfileState>;

/** The profile panel, opened with openStatePanel (it starts loading at once). */
export const profilePanel: PanelKind<
  ProfileWebviewMessage,
  ProfileHostMessage,
  ProfileState,
  ProfileActions
> = {
  bundle: 'profile',
  title: 'Profile',
  isIncoming: isProfileWebviewMessage,
  // The compare button only shows when the host can act on it.
  stateMessage: (s, actions) => ({
    type: 'profile/state/didChange',
    state: { ...s, canCompare: s.canCompare && actions.openDrift !== undefined },
  }),
  loading: {
    started: { type: 'profile/load/didStart' },
    failed: (error) => ({ type: 'profile/load/didFail', error }),
  },
  onMessage: (m, panel, actions) => {
    switch (m.type) {
      case 'profile/data/reload':
        void panel.reload();
        break;
      case 'profile/drift/open':
        if (actions.openDrift !== undefined) panel.act(() => actions.openDrift?.());
        break;
      default:
        assertNever(m);
    }
  },
};
