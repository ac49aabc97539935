// The status line of a page whose host loads something slow (a profile, a drift report): what is
// happening while it loads, the error when it fails, nothing once it is shown. The reload button
// is disabled while a load runs, so one click starts one load.
import { h } from './dom.js';

/**
 * What the host of such a page sends: a load started, its result, or why it failed. A page's
 * host messages must be exactly these three for handle() to take them, so a new kind of message
 * fails to compile here instead of being dropped.
 */
export type LoadMessage<Area extends string, State> =
  | { type: `${Area}/load/didStart` }
  | { type: `${Area}/state/didChange`; state: State }
  | { type: `${Area}/load/didFail`; error: string };

export class LoadStatus {
  readonly element = h('div', { className: 'status', role: 'status', 'aria-live': 'polite' });
  private loaded = false;

  constructor(
    private readonly reloadButton: HTMLButtonElement,
    private readonly text: { first: string; again: string },
  ) {}

  /** Shows what a host message says: the status, or the state (through show) once it arrived. */
  handle<Area extends string, State>(
    message: LoadMessage<Area, State>,
    show: (state: State) => void,
  ): void {
    if ('state' in message) {
      this.loaded = true;
      this.set('', 'none');
      show(message.state);
    } else if ('error' in message) this.set(message.error, 'error');
    else this.set(this.loaded ? this.text.again : this.text.first, 'busy');
  }

  private set(text: string, kind: 'busy' | 'error' | 'none'): void {
    this.element.textContent = text;
    this.element.className = `status ${kind}`;
    this.reloadButton.disabled = kind === 'busy';
  }
}
