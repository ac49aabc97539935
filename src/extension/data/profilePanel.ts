// The profile panel: shows the statistics of one dataset version. The caller passes a loader (it
// runs core's profilePath and maps it with dataViewState.profileState); the panel runs it when it
// opens and when the user asks to reload, and keeps the last state for page reloads.
import type * as vscode from 'vscode';
import { assertNever, type WebviewReady } from '../../protocol/guards';
import {
  isProfileWebviewMessage,
  type ProfileHostMessage,
  type ProfileState,
  type ProfileWebviewMessage,
} from '../../protocol/profile';
import { pageLoader, type LoadingPanel } from './dataPanelLoader';
import { createCairnPanel, type PanelOptions } from '../shared/webviewPanel';

export const profileViewType = 'cairn.profile';

export interface ProfileActions {
  /** Open the drift view for this dataset (e.g. after asking which version to compare with). */
  openDrift?(): void | Promise<void>;
}

export type ProfilePanel = LoadingPanel<ProfileState>;

/** Opens the profile panel and starts loading. */
export function openProfilePanel(
  context: Pick<vscode.ExtensionContext, 'extensionUri' | 'subscriptions'>,
  load: () => ProfileState | Promise<ProfileState>,
  actions: ProfileActions = {},
  options: PanelOptions = {},
): ProfilePanel {
  const onError = options.onError ?? ((): void => undefined);
  // The compare button only shows when the host can act on it.
  const shown = (s: ProfileState): ProfileState => ({
    ...s,
    canCompare: s.canCompare && actions.openDrift !== undefined,
  });
  const handle = createCairnPanel<ProfileWebviewMessage, ProfileHostMessage>(context, {
    viewType: profileViewType,
    title: options.title ?? 'Profile',
    bundle: 'profile',
    isIncoming: isProfileWebviewMessage,
    onReady: () => state.replay(send),
    label: 'profile view',
    onError,
    onMessage: (m: Exclude<ProfileWebviewMessage, WebviewReady>) => {
      switch (m.type) {
        case 'profile/data/reload':
          void state.reload();
          break;
        case 'profile/drift/open':
          if (actions.openDrift !== undefined) Promise.resolve(actions.openDrift()).catch(onError);
          break;
        default:
          assertNever(m);
      }
    },
  });
  const send = {
    started: () => handle.post({ type: 'profile/load/didStart' }),
    show: (s: ProfileState) => handle.post({ type: 'profile/state/didChange', state: shown(s) }),
    failed: (error: string) => handle.post({ type: 'profile/load/didFail', error }),
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
