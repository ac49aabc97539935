// What every webview page shares: the one VS Code API handle, the view state kept across reloads
// (getState/setState), checked dispatch of the host's messages and the ready message after which
// the host sends what it queued. A page is a mount function over this shell, not module state.
import type { Guard } from '../../../src/protocol/guards.js';
import { frameThrottle } from './dom.js';
import { vscodeApi } from './vscodeApi.js';

export interface AppShell<ViewState, Out> {
  /** The page's view state, as the last session left it; change it, then call save(). */
  readonly view: ViewState;
  /** Posts a message to the host. */
  readonly post: (message: Out) => void;
  /** Saves the view state, at most once per animation frame. */
  readonly save: () => void;
}

export interface AppOptions<ViewState, In, Out> {
  /** Turns what getState returned (anything, from any earlier version) into valid view state. */
  restore(saved: unknown): ViewState;
  /** The guard of the host's messages; a message that fails it is ignored. */
  isMessage: Guard<In>;
  /** Builds the page and returns its handler of the host's messages. */
  mount(shell: AppShell<ViewState, Out>): (message: In) => void;
}

/** Starts a webview page: restores its view state, mounts it, dispatches checked messages, posts ready. */
export function startApp<ViewState, In, Out>(options: AppOptions<ViewState, In, Out>): void {
  const api = vscodeApi<ViewState>();
  const view = options.restore(api.getState());
  const shell: AppShell<ViewState, Out> = {
    view,
    post: (message) => api.postMessage(message),
    save: frameThrottle(() => api.setState(view)),
  };
  const onMessage = options.mount(shell);
  window.addEventListener('message', (e: MessageEvent<unknown>) => {
    if (options.isMessage(e.data)) onMessage(e.data);
  });
  api.postMessage({ type: 'webview/ready' });
}
