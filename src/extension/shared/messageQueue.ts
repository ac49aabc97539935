// Holds what the host sends to a webview until the page says 'webview/ready', and again after the
// page is reloaded (a hidden panel without retainContextWhenHidden loses its document).

export class MessageQueue<T> {
  private ready = false;
  private pending: T[] = [];

  constructor(private readonly deliver: (message: T) => void) {}

  /** Sends now when the page is ready, else keeps the message for later. */
  post(message: T): void {
    if (this.ready) this.deliver(message);
    else this.pending.push(message);
  }

  /** The page's script is listening: flush what was held. */
  markReady(): void {
    this.ready = true;
    const held = this.pending;
    this.pending = [];
    for (const m of held) this.deliver(m);
  }

  /** The page went away (hidden or reloading): hold messages until it is ready again. */
  markNotReady(): void {
    this.ready = false;
  }

  /** Drops held messages, e.g. when a newer snapshot replaces them. */
  clear(): void {
    this.pending = [];
  }

  get isReady(): boolean {
    return this.ready;
  }

  get size(): number {
    return this.pending.length;
  }
}
