import type { StatePanel } from './webviewPanel.js';

// Loads the state of a panel (profile or drift) on demand and keeps the last one, so a page
// that reloads (hidden and shown again) gets it back at once instead of profiling the data again.

/** A data panel (profile, drift): its state comes from a loader that can run again. */
export interface LoadingPanel<S> extends StatePanel<S> {
  /** Runs the loader again (the webview shows that it is working). */
  reload(): Promise<void>;
}

export interface LoadedState<S> {
  /** The last state, or undefined before the first load finished. */
  readonly current: S | undefined;
  /** Loads again; resolves when the new state was handed to `show` (or the failure to `fail`). */
  reload(): Promise<void>;
  /** Replaces the state without loading. */
  set(state: S): void;
  /**
   * Tells a page that (re)loaded what it missed: the last state, then that a load is under way or
   * how the last one failed.
   */
  replay(send: PageUpdates<S>): void;
}

/** How a data panel tells its page about loading (the messages of its protocol). */
export interface PageUpdates<S> {
  started(): void;
  show(state: S): void;
  failed(error: string): void;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A data panel's loader whose progress goes to the page through `send`; failures also to `onError`. */
export function pageLoader<S>(
  load: () => S | Promise<S>,
  send: PageUpdates<S>,
  onError: (err: unknown) => void,
): LoadedState<S> {
  return loadedState(load, {
    started: () => send.started(),
    show: (state) => send.show(state),
    fail: (err) => {
      send.failed(messageOf(err));
      onError(err);
    },
  });
}

export function loadedState<S>(
  load: () => S | Promise<S>,
  handlers: { started(): void; show(state: S): void; fail(err: unknown): void },
): LoadedState<S> {
  let current: S | undefined;
  let generation = 0;
  let loading = false;
  let lastError: string | null = null;
  return {
    get current() {
      return current;
    },
    async reload() {
      const mine = ++generation;
      loading = true;
      lastError = null;
      handlers.started();
      try {
        const state = await load();
        // A newer reload or set won; its state is the one to show.
        if (mine !== generation) return;
        current = state;
        loading = false;
        handlers.show(state);
      } catch (err) {
        if (mine !== generation) return;
        loading = false;
        lastError = messageOf(err);
        handlers.fail(err);
      }
    },
    set(state) {
      generation++;
      current = state;
      loading = false;
      lastError = null;
      handlers.show(state);
    },
    replay(send) {
      if (current !== undefined) send.show(current);
      if (loading) send.started();
      else if (lastError !== null) send.failed(lastError);
    },
  };
}
