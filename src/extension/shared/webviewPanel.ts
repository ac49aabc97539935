// Creates a Cairn webview panel: strict CSP, local resources limited to dist/webview and media/,
// messages checked by the protocol's guard and queued until the page is ready.
import * as vscode from 'vscode';
import type { Guard, WebviewReady } from '../../protocol/guards.js';
import { MessageQueue } from './messageQueue.js';
import type { PanelMessages } from './panelMessages.js';
import { makeNonce, webviewHtml } from './webviewHtml.js';

export interface PanelSpec<In extends { type: string }, Out> {
  title: string;
  /** dist/webview/<bundle>.js and .css; also names the view type (cairn.<bundle>) and the page. */
  bundle: 'compare' | 'lineage' | 'profile' | 'drift' | 'run';
  isIncoming: Guard<In>;
  /** Called for every valid message except 'webview/ready'. */
  onMessage(message: Exclude<In, WebviewReady>): void;
  /** Called on every 'webview/ready' (first load and each reload); send the snapshot here. */
  onReady(post: (message: Out) => void): void;
  /** Told about messages that failed the guard (a bug or a hostile page); log them. */
  onError?(err: unknown): void;
}

/** What every open*Panel returns: the panel, showing a state of type S that the host pushes. */
export interface StatePanel<S> {
  readonly panel: vscode.WebviewPanel;
  /** Replaces the whole state. */
  update(state: S): void;
  reveal(): void;
  dispose(): void;
}

/** What every open*Panel takes besides its state and actions. */
export interface PanelOptions {
  title?: string;
  /** Told about failed actions and loads and about invalid messages; log them. */
  onError?: (err: unknown) => void;
}

/** Where a panel is opened: the extension's resources, who disposes it, who hears its messages. */
export interface PanelContext extends Pick<
  vscode.ExtensionContext,
  'extensionUri' | 'subscriptions'
> {
  /** Told about every message a page received. */
  readonly panelMessages?: Pick<PanelMessages, 'delivered'>;
}

export interface CairnPanel<Out> {
  readonly panel: vscode.WebviewPanel;
  post: (message: Out) => void;
  reveal: () => void;
  dispose: () => void;
}

/** Webview options for a Cairn panel. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/**
 * Opens a new panel. Panels are not restored after a reload (no WebviewPanelSerializer): their
 * state comes from the host, which opens them again when asked.
 */
export function createCairnPanel<In extends { type: string }, Out>(
  context: PanelContext,
  spec: PanelSpec<In, Out>,
): CairnPanel<Out> {
  const panel = vscode.window.createWebviewPanel(
    `cairn.${spec.bundle}`,
    spec.title,
    vscode.ViewColumn.Active,
    {
      ...webviewOptions(context.extensionUri),
      // Without retainContextWhenHidden the page reloads when shown again; it keeps its view state
      // through getState/setState and asks for a fresh snapshot with 'webview/ready'.
      retainContextWhenHidden: false,
    },
  );
  const webview = panel.webview;
  webview.options = webviewOptions(context.extensionUri);
  const asUri = (file: string): string =>
    webview
      .asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', file))
      .toString();
  webview.html = webviewHtml({
    title: spec.title,
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: asUri(`${spec.bundle}.js`),
    styleUri: asUri(`${spec.bundle}.css`),
  });
  const queue = new MessageQueue<Out>((m) => {
    // Only what reached the page counts as delivered (false: the page was gone by then).
    webview.postMessage(m).then(
      (ok) => ok && context.panelMessages?.delivered(`cairn.${spec.bundle}`, m),
      (err: unknown) => spec.onError?.(err),
    );
  });
  const post = (m: Out): void => queue.post(m);
  const disposables: vscode.Disposable[] = [
    webview.onDidReceiveMessage((raw: unknown) => {
      if (!spec.isIncoming(raw)) {
        spec.onError?.(
          new Error(`Invalid message from the ${spec.bundle} view: ${JSON.stringify(raw)}`),
        );
        return;
      }
      if (raw.type === 'webview/ready') {
        queue.clear();
        queue.markReady();
        spec.onReady(post);
        return;
      }
      spec.onMessage(raw as Exclude<In, WebviewReady>);
    }),
    panel.onDidChangeViewState((e) => {
      if (!e.webviewPanel.visible) queue.markNotReady();
    }),
  ];
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    for (const d of disposables) d.dispose();
    panel.dispose();
  };
  disposables.push(panel.onDidDispose(dispose));
  context.subscriptions.push({ dispose });
  return { panel, post, reveal: () => panel.reveal(), dispose };
}
