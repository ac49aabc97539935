// The status line of a page whose host loads something slow (a profile, a drift report): what is
// happening while it loads, the error when it fails, nothing once it is shown. The reload button
// is disabled while a load runs, so one click starts one load.
import { h } from './dom';

export class LoadStatus {
  readonly element = h('div', { className: 'status', role: 'status', 'aria-live': 'polite' });
  private loaded = false;

  constructor(
    private readonly reloadButton: HTMLButtonElement,
    private readonly text: { first: string; again: string },
  ) {}

  /** A load started: the first one, or one that replaces what is shown. */
  started(): void {
    this.set(this.loaded ? this.text.again : this.text.first, 'busy');
  }

  /** The result arrived and is shown. */
  done(): void {
    this.loaded = true;
    this.set('', 'none');
  }

  /** The load failed; the message says why. */
  failed(error: string): void {
    this.set(error, 'error');
  }

  private set(text: string, kind: 'busy' | 'error' | 'none'): void {
    this.element.textContent = text;
    this.element.className = `status ${kind}`;
    this.reloadButton.disabled = kind === 'busy';
  }
}
