import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageQueue } from './messageQueue.js';
import { makeNonce, webviewCsp, webviewHtml } from './webviewHtml.js';

describe('webview page', () => {
  it('has the strict CSP with the nonce on the script and the style', () => {
    const nonce = makeNonce();
    assert.notEqual(nonce, makeNonce());
    const html = webviewHtml({
      title: 'Compare "runs" <x>',
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      nonce,
      scriptUri: 'https://r/dist/webview/compare.js',
      styleUri: 'https://r/dist/webview/compare.css',
    });
    const csp = webviewCsp('https://file+.vscode-resource.vscode-cdn.net', nonce);
    assert.equal(
      csp,
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-${nonce}'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net`,
    );
    assert.ok(!csp.includes('unsafe'));
    assert.ok(html.includes(`<script nonce="${nonce}" src="https://r/dist/webview/compare.js">`));
    assert.ok(html.includes('<title>Compare &#34;runs&#34; &#60;x&#62;</title>'));
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'no inline script');
    assert.ok(!/<style/.test(html), 'no inline style');
  });
});

describe('message queue', () => {
  it('holds messages until ready, and again after the page goes away', () => {
    const sent: number[] = [];
    const q = new MessageQueue<number>((m) => sent.push(m));
    q.post(1);
    q.post(2);
    assert.deepEqual(sent, []);
    q.markReady();
    assert.deepEqual(sent, [1, 2]);
    q.post(3);
    assert.deepEqual(sent, [1, 2, 3]);
    q.markNotReady();
    q.post(4);
    assert.equal(q.size, 1);
    q.clear();
    q.markReady();
    assert.deepEqual(sent, [1, 2, 3]);
  });
});
