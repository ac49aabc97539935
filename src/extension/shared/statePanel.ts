// One shape for the four Cairn panels (compare, lineage, profile, drift): a page showing a state
// the host loads and pushes, and the page's other messages turned into the caller's actions.
// Each panel is a PanelKind (what differs); openStatePanel does the rest.
import type { WebviewReady } from '../../protocol/guards.js';
import { pageLoader } from './panelLoader.js';
import {
  createCairnPanel,
  type PanelContext,
  type PanelOptions,
  type PanelSpec,
  type StatePanel,
} from './webviewPanel.js';

/** How the page learns that a load started or failed (the panels whose loads are slow). */
export interface LoadMessages<Out> {
  started: Out;
  failed(error: string): Out;
}

/** What makes one panel what it is: its page, its messages and what it does with them. */
export interface PanelKind<In extends { type: string }, Out, S, Actions> extends Pick<
  PanelSpec<In, Out>,
  'bundle' | 'title' | 'isIncoming'
> {
  /** The message that carries a state to the page. */
  stateMessage(state: S, actions: Actions): Out;
  /**
   * Given for slow loads (profiling data): the panel loads once on opening and on `reload()`,
   * keeps the last state for page reloads and tells the page about each load. Without it, the
   * state is loaded again whenever the page (re)loads.
   */
  loading?: LoadMessages<Out>;
  /** Called for every valid message except 'webview/ready'. */
  onMessage(
    message: Exclude<In, WebviewReady>,
    panel: OpenStatePanel<Out, S>,
    actions: Actions,
  ): void;
}

/** An open panel of a PanelKind. */
export interface OpenStatePanel<Out, S> extends StatePanel<S> {
  post(message: Out): void;
  /** Loads the state again and pushes it. */
  reload(): Promise<void>;
  /** The last state loaded (only for kinds with `loading`; undefined otherwise). */
  readonly current: S | undefined;
  /** Runs an action the page asked for; its failure goes to the panel's onError. */
  act(action: () => void | Promise<void>): void;
}

/** Opens a panel of `kind` that shows the state from `load` and does what its page asks through `actions`. */
export function openStatePanel<In extends { type: string }, Out, S, Actions>(
  context: PanelContext,
  kind: PanelKind<In, Out, S, Actions>,
  load: () => S | Promise<S>,
  actions: Actions,
  options: PanelOptions = {},
): OpenStatePanel<Out, S> {
  const onError = options.onError ?? ((): void => undefined);
  const handle = createCairnPanel<In, Out>(context, {
    bundle: kind.bundle,
    isIncoming: kind.isIncoming,
    title: options.title ?? kind.title,
    onError,
    onReady: () => (kept ? kept.replay(send) : void open.reload()),
    onMessage: (m) => kind.onMessage(m, open, actions),
  });
  const show = (state: S): void => handle.post(kind.stateMessage(state, actions));
  const { loading } = kind;
  const send = loading && {
    started: () => handle.post(loading.started),
    show,
    failed: (error: string) => handle.post(loading.failed(error)),
  };
  const kept = send && pageLoader(load, send, onError);
  const open: OpenStatePanel<Out, S> = {
    panel: handle.panel,
    post: handle.post,
    reload: kept ? () => kept.reload() : () => Promise.resolve(load()).then(show, onError),
    update: (state) => (kept ? kept.set(state) : show(state)),
    get current() {
      return kept?.current;
    },
    act: (action) => {
      Promise.resolve().then(action).catch(onError);
    },
    reveal: handle.reveal,
    dispose: handle.dispose,
  };
  if (kept) void kept.reload();
  return open;
}
