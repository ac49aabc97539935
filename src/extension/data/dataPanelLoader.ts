// Loads the state of a data panel (profile or drift) on demand and keeps the last one, so a page
// that reloads (hidden and shown again) gets it back at once instead of profiling the data again.

export interface LoadedState<S> {
  /** The last state, or undefined before the first load finished. */
  readonly current: S | undefined;
  /** Loads again; resolves when the new state was handed to `show` (or the failure to `fail`). */
  reload(): Promise<void>;
  /** Replaces the state without loading. */
  set(state: S): void;
}

export function loadedState<S>(
  load: () => S | Promise<S>,
  handlers: { started(): void; show(state: S): void; fail(err: unknown): void },
): LoadedState<S> {
  let current: S | undefined;
  let generation = 0;
  return {
    get current() {
      return current;
    },
    async reload() {
      const mine = ++generation;
      handlers.started();
      try {
        const state = await load();
        // A newer reload or set won; its state is the one to show.
        if (mine !== generation) return;
        current = state;
        handlers.show(state);
      } catch (err) {
        if (mine === generation) handlers.fail(err);
      }
    },
    set(state) {
      generation++;
      current = state;
      handlers.show(state);
    },
  };
}
