import * as vscode from 'vscode';

/** A message that a panel's page received from the host. */
export interface DeliveredMessage {
  /** The panel's view type ('cairn.compare'). */
  readonly viewType: string;
  readonly message: unknown;
}

/**
 * The messages the host's panels delivered to their pages, as an event: what a page was shown
 * (the host tests read the states the pages got from it) without the panels keeping copies.
 */
export class PanelMessages implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DeliveredMessage>();
  readonly onDidDeliver = this.emitter.event;

  delivered(viewType: string, message: unknown): void {
    this.emitter.fire({ viewType, message });
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
