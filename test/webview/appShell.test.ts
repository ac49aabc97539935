// What every webview page does through the shared app shell (webview-ui/src/shared/appShell.ts):
// one ready message once it listens, host messages that fail the guard ignored without an error,
// and the view state saved and restored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { driftFixture, profileFixture } from './dataFixtures.js';
import { lineageState, smallCompareState } from './fixtures.js';
import { launchChromium, openWebview, settled } from './harness.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser.close();
});

const pages = [
  {
    bundle: 'compare',
    state: { type: 'compare/state/didChange', state: smallCompareState() },
    rendered: '.grid-body .grid-row',
  },
  {
    bundle: 'lineage',
    state: { type: 'lineage/state/didChange', state: lineageState(24) },
    rendered: '.details h2',
  },
  {
    bundle: 'profile',
    state: { type: 'profile/state/didChange', state: profileFixture('customers') },
    rendered: '.card',
  },
  {
    bundle: 'drift',
    state: { type: 'drift/state/didChange', state: driftFixture('customers') },
    rendered: '.drift-table tbody tr',
  },
] as const;

describe('webview app shell', () => {
  for (const p of pages) {
    it(`${p.bundle}: posts ready once, ignores bad messages, then renders a good one`, async () => {
      const w = await openWebview(browser, p.bundle);
      const errors: string[] = [];
      w.page.on('pageerror', (e) => errors.push(e.message));
      const before = await w.page.locator(p.rendered).count();
      for (const bad of [
        null,
        'webview/ready',
        [p.state],
        { type: p.state.type },
        { type: p.state.type, state: { nodes: 'x', runs: 1, columns: {} } },
        { type: `${p.bundle}/unknown/didChange` },
      ])
        await w.send(bad);
      assert.equal(await w.page.locator(p.rendered).count(), before);
      await w.send(p.state);
      await settled(w.page);
      assert.ok((await w.page.locator(p.rendered).count()) > 0);
      assert.deepEqual(errors, []);
      const posted = await w.posted();
      assert.equal(posted[0]?.type, 'webview/ready');
      assert.equal(posted.filter((m) => m.type === 'webview/ready').length, 1);
      assert.deepEqual(await w.violations(), []);
      await w.close();
    });
  }
});
